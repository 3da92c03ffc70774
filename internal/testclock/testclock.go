// Package testclock has a mock clock that tests and benchmarks can move on
// at once.
//
// clock.Mock's Add and Set sleep for a real millisecond after moving the
// time, so that goroutines waiting on its timers get to run. A benchmark
// that moves the clock before each of a million short iterations, or a
// fixture that logs in 10,000 agents a millisecond apart, then spends
// minutes asleep. Code that only reads the time (a Manual engine driven
// by Settle, a Router driven by Sweep) needs no such pause: Stepped moves
// the time it reads without one.
package testclock

import (
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
)

// Stepped is a clock.Mock whose Step moves Now, Since and Until on at once,
// without running timers or sleeping. Timers and tickers are the mock's,
// and fire only when its Add or Set reaches them: use Stepped only for code
// that reads the time and sets no timer.
type Stepped struct {
	*clock.Mock
	ahead atomic.Int64 // nanoseconds past the mock's own time
}

// New returns a Stepped clock at the mock's starting instant.
func New() *Stepped { return &Stepped{Mock: clock.NewMock()} }

// Now returns the mock's time plus every step so far.
func (c *Stepped) Now() time.Time { return c.Mock.Now().Add(time.Duration(c.ahead.Load())) }

// Since returns the time elapsed since t.
func (c *Stepped) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Until returns the duration until t.
func (c *Stepped) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// Step moves the time on by d, at once.
func (c *Stepped) Step(d time.Duration) { c.ahead.Add(int64(d)) }
