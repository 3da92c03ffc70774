package pgstore_test

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
)

// TestPruneForgetsFinishedChats checks that Prune deletes the chats final
// for longer than it keeps them, with their offers, and the transaction IDs
// past routing.TxnRetention, and leaves everything else (SPEC G7).
func TestPruneForgetsFinishedChats(t *testing.T) {
	t.Parallel()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	s := pgstore.NewRouting(newPool(t, newSchema(t), 2), pgstore.RoutingConfig{Clock: clk})
	done := routing.Chat{ID: "done", Queue: "q", State: routing.Done, Agent: "a"}
	live := routing.Chat{ID: "live", Queue: "q", State: routing.Assigned, Agent: "a"}
	held := routing.Chat{ID: "held", Queue: "q", State: routing.Done, Agent: "a",
		Holds: []routing.Hold{{Agent: "b", Until: clk.Now().Add(time.Hour)}}}
	offer := routing.Offer{ID: "done#1", Chat: "done", Agent: "a", Outcome: routing.Accepted}
	require.NoError(t, s.Commit(ctx, routing.Txn{ID: "t1", Chats: []routing.Chat{done, live, held}, Offers: []routing.Offer{offer}}))

	n, err := s.Prune(ctx, time.Minute, 0)
	require.NoError(t, err)
	require.Zero(t, n, "nothing is older than a minute yet")

	clk.Add(routing.TxnRetention + time.Minute)
	n, err = s.Prune(ctx, time.Minute, 0)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	_, err = s.Chat(ctx, "done")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	_, err = s.Offer(ctx, "done#1")
	require.ErrorIs(t, err, routing.ErrOfferNotFound)
	for _, id := range []string{"live", "held"} {
		_, err = s.Chat(ctx, switchboard.ChatID(id))
		require.NoError(t, err, "%s is kept", id)
	}
	ok, err := s.Applied(ctx, "t1")
	require.NoError(t, err)
	require.False(t, ok, "the transaction ID is past its retention")

	_, err = s.Prune(ctx, -time.Second, 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
}
