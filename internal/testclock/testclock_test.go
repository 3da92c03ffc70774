package testclock_test

import (
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard/internal/testclock"
)

func TestStepMovesTheTimeAtOnce(t *testing.T) {
	c := testclock.New()
	start := c.Now()
	began := time.Now()
	for range 1000 {
		c.Step(time.Millisecond)
	}
	if got := c.Since(start); got != time.Second {
		t.Fatalf("after 1,000 steps of 1ms: Since %v, want 1s", got)
	}
	if got := c.Until(start.Add(2 * time.Second)); got != time.Second {
		t.Fatalf("Until %v, want 1s", got)
	}
	c.Add(time.Minute) // the mock's own move counts as well
	if got := c.Now().Sub(start); got != time.Minute+time.Second {
		t.Fatalf("after Add: %v past the start, want 1m1s", got)
	}
	// A thousand Adds would have slept a second; the steps did not.
	if real := time.Since(began); real > 500*time.Millisecond {
		t.Fatalf("1,000 steps took %v of real time", real)
	}
}
