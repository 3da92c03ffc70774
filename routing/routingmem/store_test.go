package routingmem_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
)

func TestStoreConformance(t *testing.T) {
	t.Parallel()
	routingtest.RunStoreTests(t, func(*testing.T) routing.Store { return routingmem.New(routingmem.Config{}) })
}

func TestStoreForgetsOldFinishedChats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{KeepFinished: 10})
	for i := range 200 {
		id := fmt.Sprintf("c%03d", i)
		c := routing.Chat{ID: routingID(id), Queue: "q", State: routing.Done}
		o := routing.Offer{ID: routing.OfferID(id + "#1"), Chat: routingID(id), Agent: "a", Outcome: routing.Accepted}
		require.NoError(t, s.Commit(ctx, routing.Txn{Chats: []routing.Chat{c}, Offers: []routing.Offer{o}}))
	}
	_, err := s.Chat(ctx, "c199")
	require.NoError(t, err)
	_, err = s.Chat(ctx, "c190")
	require.NoError(t, err, "the newest KeepFinished chats are kept")
	_, err = s.Chat(ctx, "c000")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	_, err = s.Offer(ctx, "c000#1")
	require.ErrorIs(t, err, routing.ErrOfferNotFound)

	// A final chat someone still holds a wrap-up of is kept until the hold
	// is done, and then forgotten in its turn.
	held := routingmem.New(routingmem.Config{KeepFinished: 10})
	hold := routing.Chat{ID: "held", State: routing.Done, Holds: []routing.Hold{{Agent: "a", Channel: "chat", Until: time.Unix(60, 0)}}}
	require.NoError(t, held.Commit(ctx, routing.Txn{Chats: []routing.Chat{hold}}))
	for i := range 200 {
		c := routing.Chat{ID: routingID(fmt.Sprintf("c%03d", i)), State: routing.Done}
		require.NoError(t, held.Commit(ctx, routing.Txn{Chats: []routing.Chat{c}}))
	}
	got, err := held.Chat(ctx, "held")
	require.NoError(t, err)
	got.Holds = nil
	require.NoError(t, held.Commit(ctx, routing.Txn{Chats: []routing.Chat{got}}))
	for i := range 200 {
		c := routing.Chat{ID: routingID(fmt.Sprintf("d%03d", i)), State: routing.Done}
		require.NoError(t, held.Commit(ctx, routing.Txn{Chats: []routing.Chat{c}}))
	}
	_, err = held.Chat(ctx, "held")
	require.ErrorIs(t, err, routing.ErrChatNotFound)

	all := routingmem.New(routingmem.Config{KeepFinished: -1})
	for i := range 200 {
		c := routing.Chat{ID: routingID(fmt.Sprintf("c%03d", i)), State: routing.Ended, EndReason: routing.EndAbandoned}
		require.NoError(t, all.Commit(ctx, routing.Txn{Chats: []routing.Chat{c}}))
	}
	_, err = all.Chat(ctx, "c000")
	require.NoError(t, err)
}
