package stats_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

// TestSnapshotBoard checks the real-time board of a queue, its teams and
// tenant against a hand count (SPEC M7): chats waiting and offered by
// priority, the longest wait and its chat, agents by state and reason,
// slots in use, reserved by offers and free, eligible agents, chats in
// wrap-up and occupancy.
func TestSnapshotBoard(t *testing.T) {
	g := newRig(t, stats.Config{}, routing.Queue{ID: "sales", Tenant: "acme", AcceptTimeout: 10 * time.Minute, WrapUp: time.Minute})
	g.login("ada", "red", 2, "sales")
	g.login("bob", "blue", 1, "sales")
	require.NoError(t, g.r.SetState(g.ctx, "bob", routing.NotReady, "lunch"))
	_, err := g.r.Enqueue(g.ctx, routing.ChatRequest{ID: "c1", Queue: "sales", Priority: 1}) // offered to ada
	require.NoError(t, err)
	g.to("09:01:00")
	_, err = g.r.Enqueue(g.ctx, routing.ChatRequest{ID: "c2", Queue: "sales", Priority: 2}) // offered to ada
	require.NoError(t, err)
	g.to("09:01:30")
	g.accept2("ada", "c1")
	g.to("09:02:00")
	g.enqueue("c3", "sales") // ada's slots are taken: it waits
	g.to("09:03:00")
	_, err = g.r.Enqueue(g.ctx, routing.ChatRequest{ID: "c4", Queue: "sales", Priority: 2})
	require.NoError(t, err)
	g.to("09:05:00")

	b := stats.Snapshot(g.clock.Now(), g.fold()...)
	q := b.Queues["sales"]
	require.NotNil(t, q)
	require.Equal(t, 2, q.Waiting)
	require.Equal(t, map[int]int{0: 1, 2: 1}, q.WaitingByPriority)
	require.Equal(t, 1, q.Offered)
	require.Equal(t, map[int]int{2: 1}, q.OfferedByPriority)
	require.Equal(t, switchboard.ChatID("c2"), q.LongestChat, "c1 is answered; c2 has waited since 09:01")
	require.Equal(t, 4*time.Minute, q.Longest)
	require.Equal(t, 1, q.Talking)
	require.Equal(t, 2, q.Agents.LoggedIn)
	require.Equal(t, 1, q.Agents.ByState[routing.Available])
	require.Equal(t, 1, q.Agents.ByState[routing.NotReady])
	require.Equal(t, map[string]int{"": 1, "lunch": 1}, q.Agents.ByReason)
	require.Equal(t, 3, q.Agents.Slots)
	require.Equal(t, 1, q.Agents.InUse)
	require.Equal(t, 1, q.Agents.Reserved)
	require.Empty(t, q.Agents.FreeSlots)
	require.Zero(t, q.Eligible, "ada is full, bob is at lunch")
	occ, ok := q.Agents.Occupancy()
	require.True(t, ok)
	require.InDelta(t, 1.0/3, occ, 1e-9)
	red := b.Teams["red"]
	require.Equal(t, 1, red.Talking)
	require.Equal(t, 1, red.Agents.LoggedIn)
	require.Equal(t, 1, b.Teams["blue"].Agents.ByState[routing.NotReady])
	acme := b.Tenants["acme"]
	require.Equal(t, 2, acme.Waiting)
	require.Equal(t, 1, acme.Offered)
	require.Equal(t, 2, acme.Agents.LoggedIn)

	// c1 ends, so ada wraps up (and is offered nothing), then rejects c2.
	g.to("09:06:00")
	require.NoError(t, g.r.End(g.ctx, "c1"))
	os, err := g.r.Offers(g.ctx, "ada")
	require.NoError(t, err)
	require.NoError(t, g.r.Reject(g.ctx, "ada", os[0].ID))
	b = stats.Snapshot(g.clock.Now(), g.fold()...)
	q = b.Queues["sales"]
	require.Equal(t, 1, q.WrappingUp)
	require.Equal(t, 1, q.Agents.ByState[routing.WrapUp])
	require.Equal(t, 3, q.Waiting, "c2 went back to the queue")
	require.Zero(t, q.Offered)
	require.Equal(t, 5*time.Minute, q.Longest)
	require.Equal(t, switchboard.ChatID("c2"), q.LongestChat)
	require.NoError(t, g.r.SetState(g.ctx, "bob", routing.Available, ""))
	b = stats.Snapshot(g.clock.Now(), g.fold()...)
	q = b.Queues["sales"]
	require.Equal(t, 1, q.Offered, "bob is offered the first chat")
	require.Equal(t, 1, q.Agents.Reserved)
	require.Zero(t, q.Eligible)
}
