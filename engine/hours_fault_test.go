package engine_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// closingFaults is a faultySessions whose CreateSession first runs
// onCreate, so that a queue can close while a session is made.
type closingFaults struct {
	*faultySessions
	onCreate func()
}

func (s *closingFaults) CreateSession(ctx context.Context, ses session.Session, e []session.Entry) ([]session.Entry, error) {
	if s.onCreate != nil {
		s.onCreate()
	}
	return s.faultySessions.CreateSession(ctx, ses, e)
}

func TestStartWhenTheQueueClosesMeanwhileSurvivesFaults(t *testing.T) {
	t.Parallel()
	// SPEC B10, E2: Start of a chat whose queue closes between its check
	// and the routing of the chat writes a session, then ends it. Each call
	// of the session store failing in turn (an error, an outcome lost, the
	// process crashing from that call on), with the host calling Start
	// again until it gets the refusal, leaves what the fault-free run
	// leaves: the refusal, the session ended with the reason closed (or
	// none made), and no chat in routing.
	run := func(t *testing.T, fail, lose, from int) (calls int) {
		t.Helper()
		faulty := &closingFaults{faultySessions: &faultySessions{Store: sessionmem.NewStore()}}
		b := setup(t, func(c *engine.Config) { c.Sessions = faulty })
		_, err := b.router.PutQueue(ctx, routing.Queue{ID: "refuses", Tenant: "t1", Hours: nineToFive(), WhenClosed: routing.ClosedRefuse})
		require.NoError(t, err)
		b.clock.Set(time.Date(2024, 1, 1, 16, 59, 59, 0, time.UTC))
		faulty.onCreate = func() { b.clock.Set(time.Date(2024, 1, 1, 17, 0, 0, 0, time.UTC)) }
		faulty.mu.Lock()
		faulty.fail, faulty.lose, faulty.from = fail, lose, from
		faulty.mu.Unlock()
		_, err = startIn(b, "c1", "refuses")
		calls = faulty.count()
		faulty.clear()
		for try := 0; !errors.Is(err, routing.ErrQueueClosed) || errors.Is(err, errSessionFault) || errors.Is(err, session.ErrOutcomeUnknown); try++ {
			require.Less(t, try, 3, "Start keeps failing: %v", err)
			_, err = startIn(b, "c1", "refuses")
		}
		var ce *routing.ClosedError
		require.ErrorAs(t, err, &ce)
		require.NotErrorIs(t, err, session.ErrNotFound, "the refusal alone, with no session to end")
		require.NotErrorIs(t, err, session.ErrAlreadyClosed, "the refusal alone, the session being ended already")
		s, serr := b.m.Session(ctx, "c1")
		if !errors.Is(serr, session.ErrNotFound) {
			require.NoError(t, serr)
			require.Equal(t, session.StatusClosed, s.Status, "the session made is ended")
			require.NotNil(t, s.WrapUp)
			require.Equal(t, routing.ReasonClosed, s.WrapUp.Reason)
		}
		_, err = b.router.Chat(ctx, "c1")
		require.ErrorIs(t, err, routing.ErrChatNotFound)
		return calls
	}
	n := run(t, 0, 0, 0)
	require.Positive(t, n)
	for k := 1; k <= n; k++ {
		for _, mode := range []string{"error", "lost", "crash"} {
			t.Run(fmt.Sprintf("call=%d/%s", k, mode), func(t *testing.T) {
				switch mode {
				case "error":
					run(t, k, 0, 0)
				case "lost":
					run(t, 0, k, 0)
				default:
					run(t, 0, 0, k)
				}
			})
		}
	}
}
