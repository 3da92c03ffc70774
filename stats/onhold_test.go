package stats_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

func TestBoardChatsOnHoldUseNoSlot(t *testing.T) {
	t.Parallel()
	// SPEC O1: a chat on hold uses none of its owner's slots, so the board
	// counts it as talking and on hold but not among the slots in use, as
	// routing does; resuming takes the slot back, and a chat ended on hold
	// wraps up without one.
	g := newRig(t, stats.Config{}, routing.Queue{ID: "sales", Tenant: "acme", AcceptTimeout: time.Minute, WrapUp: time.Minute})
	g.login("ada", "red", 1, "sales")
	g.enqueue("c1", "sales")
	g.accept("ada")
	board := func() *stats.QueueNow {
		t.Helper()
		q := stats.Snapshot(g.clock.Now(), g.fold()...).Queues["sales"]
		require.NotNil(t, q)
		return q
	}
	q := board()
	require.Equal(t, 1, q.Talking)
	require.Zero(t, q.OnHold)
	require.Equal(t, 1, q.Agents.InUse)

	g.to("09:01:00")
	require.NoError(t, g.r.PutOnHold(g.ctx, "ada", "c1"))
	q = board()
	require.Equal(t, 1, q.Talking)
	require.Equal(t, 1, q.OnHold)
	require.Zero(t, q.Agents.InUse, "the held chat's slot is free")
	require.Equal(t, 1, q.Eligible, "ada may be offered another chat")

	g.to("09:02:00")
	require.NoError(t, g.r.Resume(g.ctx, "ada", "c1"))
	q = board()
	require.Zero(t, q.OnHold)
	require.Equal(t, 1, q.Agents.InUse)

	g.to("09:03:00")
	require.NoError(t, g.r.PutOnHold(g.ctx, "ada", "c1"))
	require.NoError(t, g.r.End(g.ctx, "c1"))
	q = board()
	require.Equal(t, 1, q.WrappingUp)
	require.Zero(t, q.Agents.InUse, "a chat ended on hold wraps up without a slot")
}
