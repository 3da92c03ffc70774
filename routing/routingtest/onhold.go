package routingtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
)

// testOnHoldDeadlines checks that a store finds the end of a chat's
// maximum on-hold time among its due deadlines, keeps the on-hold fields,
// and drops the deadline once the chat is resumed (SPEC O3).
func testOnHoldDeadlines(t *testing.T, s routing.Store) {
	ctx := context.Background()
	held := chat("held", "q", 0, 1, routing.Assigned)
	held.Agent, held.OnHold, held.OnHoldSince, held.OnHoldUntil = "a", true, t0, t0.Add(2*time.Minute)
	open := chat("open", "q", 0, 2, routing.Assigned)
	open.Agent, open.OnHold, open.OnHoldSince = "a", true, t0 // no maximum
	commit(t, s, routing.Txn{Chats: []routing.Chat{held, open}})

	got, err := s.Chat(ctx, "held")
	require.NoError(t, err)
	require.True(t, got.OnHold)
	require.True(t, got.OnHoldSince.Equal(t0))
	require.True(t, got.OnHoldUntil.Equal(t0.Add(2*time.Minute)))
	due, err := s.Due(ctx, t0.Add(time.Minute), 0)
	require.NoError(t, err)
	require.Empty(t, due)
	due, err = s.Due(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{{At: t0.Add(2 * time.Minute), Kind: routing.ChatDeadline, Key: "held"}}, normaliseDue(due))

	got.OnHold, got.OnHoldSince, got.OnHoldUntil = false, time.Time{}, time.Time{}
	commit(t, s, routing.Txn{Chats: []routing.Chat{got}})
	due, err = s.Due(ctx, t0.Add(time.Hour), 0)
	require.NoError(t, err)
	require.Empty(t, due)
}
