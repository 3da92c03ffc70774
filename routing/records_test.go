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
