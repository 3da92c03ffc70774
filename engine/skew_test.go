package engine_test

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// behindClock is a process's clock that runs behind the shared mock clock
// by a fixed skew.
type behindClock struct {
	*clock.Mock
	skew time.Duration
}

func (c behindClock) Now() time.Time                  { return c.Mock.Now().Add(-c.skew) }
func (c behindClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c behindClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

// skewedSetup is setup with a second engine over the same stores whose
// clock is skew behind the first one's.
func skewedSetup(t *testing.T, skew time.Duration) (*bundle, *engine.Engine) {
	t.Helper()
	var cfg engine.Config
	b := setup(t, func(c *engine.Config) { cfg = *c })
	cfg.Clock = behindClock{b.clock, skew}
	behind, err := engine.New(ctx, cfg)
	require.NoError(t, err)
	return b, behind
}

// reopenBehind has ann accept c1 and close it on b's process, with the
// routing step of the close not yet run, and the customer then write again
// through a process whose clock is a second behind: the session reopens,
// stamped earlier than anything b's process stamped.
func reopenBehind(t *testing.T) *bundle {
	t.Helper()
	b, behind := skewedSetup(t, time.Second)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	// The close's session step; its routing step is interrupted.
	_, err = b.m.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	sent, err := behind.Sessions().Send(ctx, "c1", session.Message{ID: "m1", From: customer, Text: "One more thing"})
	require.NoError(t, err)
	require.NotZero(t, sent.AfterClose, "the session reopened; routing has not heard")
	return b
}

// requireRoutedAgain checks that the reopened c1 is waiting for an agent
// again, and that ann, whose conversation was over, is wrapping it up
// rather than holding it.
func requireRoutedAgain(t *testing.T, b *bundle) {
	t.Helper()
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Contains(t, []routing.ChatState{routing.Queued, routing.Offered}, c.State, "the reopened chat is routed again (%+v)", c)
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusActive, s.Status)
	require.Nil(t, s.Owner(), "nobody owns the reopened session until an agent accepts it")
	require.Equal(t, uint64(1), s.Reopens, "the session was reopened once")
	require.Equal(t, s.Reopens, c.Reopens, "routing heard of the reopening")
}

func TestReopenStampedBehindTheEndIsRoutedAgain(t *testing.T) {
	t.Parallel()
	// SPEC R9, SPEC G3: the owner closed the chat, the customer wrote
	// again through a process whose clock is behind, and routing heard of
	// the end only after the reopening. The reopening came after the
	// conversation routing ended, whatever the two processes' clocks say,
	// so the chat is routed again rather than left open with nobody in it.
	b := reopenBehind(t)
	require.NoError(t, b.router.End(ctx, "c1")) // the interrupted routing step
	b.settle(t)
	requireRoutedAgain(t, b)
}

func TestReopenStampedBehindTheAssignmentIsNotGivenBack(t *testing.T) {
	t.Parallel()
	// SPEC R9: as above, but routing still holds the chat for ann when
	// the engine settles it. ann's conversation was over before the
	// reopening, so she wraps it up and the chat is routed again, never
	// handed back to her because her assignment is stamped later than
	// the reopening by a clock ahead of the customer's process.
	b := reopenBehind(t)
	b.settle(t)
	requireRoutedAgain(t, b)
}
