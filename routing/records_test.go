package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestQueueOrderSurvivesARouterRestart(t *testing.T) {
	t.Parallel()
	// SPEC R14: FIFO within a priority. Chats enqueued at the same instant
	// through different routers over one store (or a router rebuilt after a
	// restart) keep the order they were enqueued in.
	r1, b := setup(t, routing.Queue{ID: "q"})
	enqueue(t, r1, b, "z-first", "q")
	r2, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	_, err = r2.Enqueue(b.ctx, routing.ChatRequest{ID: "m-second", Queue: "q"})
	require.NoError(t, err)
	r3, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	third, err := r3.Enqueue(b.ctx, routing.ChatRequest{ID: "a-third", Queue: "q"})
	require.NoError(t, err)
	stored, err := r1.Chat(b.ctx, "a-third")
	require.NoError(t, err)
	require.Equal(t, stored.Seq, third.Seq, "the chat Enqueue returns carries the stored sequence")

	for i, id := range []switchboard.ChatID{"z-first", "m-second", "a-third"} {
		st, err := r3.Status(b.ctx, id)
		require.NoError(t, err)
		require.Equal(t, i+1, st.Position, "position of %s", id)
	}
	login(t, r2, b, "a1", 1, "q")
	require.Equal(t, switchboard.ChatID("z-first"), onlyOffer(t, r1, b, "a1").Chat, "the first enqueued chat is offered first")
}

func TestRoundRobinLeavesTheQueueRecordAlone(t *testing.T) {
	t.Parallel()
	// SPEC R13: round-robin remembers its turn in the queue's state, not in
	// its configuration: offers never rewrite the queue record.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RoundRobin})
	for _, id := range []switchboard.AgentID{"a1", "a2"} {
		login(t, r, b, id, 3, "q")
	}
	before, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	var got []switchboard.AgentID
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		enqueue(t, r, b, id, "q")
		to := offeredTo(t, r, b, id, "a1", "a2")
		require.Len(t, to, 1)
		got = append(got, to[0])
	}
	require.Equal(t, []switchboard.AgentID{"a1", "a2", "a1"}, got)
	after, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, before.Version, after.Version, "round-robin offers rewrote the queue's configuration")
}
