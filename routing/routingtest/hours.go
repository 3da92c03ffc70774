package routingtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
)

// testBusinessHours: a queue's business hours and closed policy are kept,
// and a chat waiting for a closed queue's opening (Chat.OpensAt) is due at
// the opening, before its queue timeout (SPEC B9).
func testBusinessHours(t *testing.T, s routing.Store) {
	ctx := context.Background()
	q := queue("q", routing.LongestIdle)
	q.Hours = routing.BusinessHours{Zone: "Europe/London",
		Weekly:    []routing.WeeklyInterval{{Day: time.Friday, Interval: routing.Interval{Open: routing.HM(22, 0), Close: routing.HM(2, 0)}}},
		Holidays:  []routing.Date{{Year: 2024, Month: 12, Day: 25}},
		Overrides: []routing.DateHours{{Date: routing.Date{Year: 2024, Month: 12, Day: 24}}}}
	q.WhenClosed = routing.ClosedRefuse
	waiting := chat("waiting", "q", 0, 1, routing.Queued)
	waiting.OpensAt, waiting.QueueDeadline = t0.Add(time.Hour), t0.Add(2*time.Hour)
	commit(t, s, routing.Txn{Queues: []routing.Queue{q}, Chats: []routing.Chat{waiting}})

	got, err := s.Queue(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, q.Hours, got.Hours)
	require.Equal(t, routing.ClosedRefuse, got.WhenClosed)
	c, err := s.Chat(ctx, "waiting")
	require.NoError(t, err)
	require.True(t, c.OpensAt.Equal(t0.Add(time.Hour)), "OpensAt kept: %s", c.OpensAt)

	due, err := s.Due(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{{At: t0.Add(time.Hour), Kind: routing.ChatDeadline, Key: "waiting"}}, normaliseDue(due))

	// Offered at the opening: the chat's deadline goes with it.
	c.State, c.OpensAt, c.QueueDeadline = routing.Offered, time.Time{}, time.Time{}
	commit(t, s, routing.Txn{Chats: []routing.Chat{c}})
	due, err = s.Due(ctx, t0.Add(3*time.Hour), 0)
	require.NoError(t, err)
	require.Empty(t, due)
}
