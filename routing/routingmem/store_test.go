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

func TestStoreRecyclesForgottenRecordsCleanly(t *testing.T) {
	t.Parallel()
	// Forgotten records are reused for new ones: nothing of an old chat or
	// offer may show through in a new one.
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{KeepFinished: 3})
	for i := range 300 {
		id := routingID(fmt.Sprintf("c%03d", i))
		c := routing.Chat{ID: id, Queue: "q", State: routing.Queued}
		if i%3 == 0 {
			c.Transcript = []routing.Turn{{From: "bot", Text: fmt.Sprint("hello ", i)}}
		}
		if i%4 == 0 {
			c.Skills = []routing.SkillRequirement{{Skill: "s", Min: i}, {Skill: "t", Min: 1}}
		}
		require.NoError(t, s.Commit(ctx, routing.Txn{Chats: []routing.Chat{c}}))
		got, err := s.Chat(ctx, id)
		require.NoError(t, err)
		want := c
		want.Version, want.Seq = 1, uint64(i+1) // the store numbers the chats it creates
		require.Equal(t, want, got, "chat %s", id)
		o := routing.Offer{ID: routing.OfferID(string(id) + "#1"), Chat: id, Agent: "a"}
		require.NoError(t, s.Commit(ctx, routing.Txn{Offers: []routing.Offer{o}}))
		gotOffer, err := s.Offer(ctx, o.ID)
		require.NoError(t, err)
		o.Version = 1
		require.Equal(t, o, gotOffer)
		pending, err := s.PendingOffers(ctx, routing.OfferFilter{Chat: id})
		require.NoError(t, err)
		require.Len(t, pending, 1, "chat %s has exactly its own offer", id)

		// Finish it, so it is forgotten a few chats later.
		o.Outcome = routing.Cancelled
		got.State, got.EndReason = routing.Ended, routing.EndAbandoned
		require.NoError(t, s.Commit(ctx, routing.Txn{Chats: []routing.Chat{got}, Offers: []routing.Offer{o}}))
	}
	_, err := s.Chat(ctx, "c000")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
}
