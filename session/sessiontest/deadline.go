package sessiontest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

type deadlineCase struct {
	name string
	run  func(t *testing.T, s session.Store, d session.DeadlineStore)
}

// timedSession returns a session owned by agent a1 whose first response
// is due firstResponse after epoch (SPEC D9).
func timedSession(id switchboard.ChatID, firstResponse time.Duration) session.Session {
	s := newSession(id)
	s.Participants = append(s.Participants, session.Participant{
		ID: session.AgentParticipant("a1"), Role: session.RoleOwner, Name: "Ann",
		Stints: []session.Stint{{Invited: 1, Joined: 1}},
	})
	s.Timers = session.TimerState{
		Settings: switchboard.Timers{FirstResponse: firstResponse},
		Owner:    "a1", AssignedAt: epoch,
	}
	return s
}

func mustCreateTimed(t *testing.T, s session.Store, id switchboard.ChatID, firstResponse time.Duration) {
	t.Helper()
	_, err := s.CreateSession(context.Background(), timedSession(id, firstResponse), nil)
	require.NoError(t, err)
}

var deadlineCases = []deadlineCase{
	{"DueByDeadline", func(t *testing.T, s session.Store, d session.DeadlineStore) {
		ctx := context.Background()
		mustCreateTimed(t, s, "a", time.Minute)
		mustCreateTimed(t, s, "b", 3*time.Minute)
		mustCreateTimed(t, s, "c", 2*time.Minute)
		mustCreateTimed(t, s, "c0", 2*time.Minute)
		mustCreate(t, s, "untimed", msg("hi"))

		ids, err := d.DueSessions(ctx, epoch.Add(2*time.Minute), 0)
		require.NoError(t, err)
		require.Equal(t, []switchboard.ChatID{"a", "c", "c0"}, ids,
			"due at the instant too, earliest first then by ID; untimed sessions never")
		ids, err = d.DueSessions(ctx, epoch.Add(time.Hour), 2)
		require.NoError(t, err)
		require.Equal(t, []switchboard.ChatID{"a", "c"}, ids)
		ids, err = d.DueSessions(ctx, epoch.Add(time.Minute-time.Millisecond), 0)
		require.NoError(t, err)
		require.Empty(t, ids, "nothing due before its deadline")
	}},
	{"FollowsEveryWrite", func(t *testing.T, s session.Store, d session.DeadlineStore) {
		ctx := context.Background()
		mustCreateTimed(t, s, "a", time.Minute)
		cur, err := s.GetSession(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, epoch.Add(time.Minute), cur.NextDeadline())

		// The owner answered: no deadline left.
		next := cur.Clone()
		next.Timers.Answered = true
		_, err = s.UpdateSession(ctx, next, []session.Entry{msg("answered")})
		require.NoError(t, err)
		ids, err := d.DueSessions(ctx, epoch.Add(time.Hour), 0)
		require.NoError(t, err)
		require.Empty(t, ids, "a write that clears the deadline takes the session out")

		// A new owner: a deadline again, later.
		cur, err = s.GetSession(ctx, "a")
		require.NoError(t, err)
		next = cur.Clone()
		next.Timers.Answered, next.Timers.AssignedAt = false, epoch.Add(10*time.Minute)
		_, err = s.UpdateSession(ctx, next, nil)
		require.NoError(t, err)
		ids, err = d.DueSessions(ctx, epoch.Add(10*time.Minute), 0)
		require.NoError(t, err)
		require.Empty(t, ids)
		ids, err = d.DueSessions(ctx, epoch.Add(11*time.Minute), 0)
		require.NoError(t, err)
		require.Equal(t, []switchboard.ChatID{"a"}, ids, "a write that moves the deadline moves it in the index")

		// Closed: never due.
		mustClose(t, s, "a", epoch.Add(12*time.Minute))
		ids, err = d.DueSessions(ctx, epoch.Add(time.Hour), 0)
		require.NoError(t, err)
		require.Empty(t, ids)
	}},
	{"Cancelled", func(t *testing.T, s session.Store, d session.DeadlineStore) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := d.DueSessions(ctx, epoch, 0)
		require.ErrorIs(t, err, context.Canceled)
	}},
}
