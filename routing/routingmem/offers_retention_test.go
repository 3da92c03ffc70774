package routingmem_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// ringAllChats runs chats ring-all rounds over agents a0…a9: each chat is
// offered to all ten, a0 accepts, and the chat ends (no wrap-up time, so
// it is done at once).
func ringAllChats(t *testing.T, s *routingmem.Store, chats int) *routing.Router {
	t.Helper()
	ctx := context.Background()
	r, err := routing.New(s, routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), routing.Config{Clock: clock.NewMock()})
	require.NoError(t, err)
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q", Strategy: routing.RingAll, RingAllMax: -1})
	require.NoError(t, err)
	for i := range 10 {
		_, err := r.Login(ctx, switchboard.AgentID(fmt.Sprint("a", i)), routing.Profile{Queues: []switchboard.QueueID{"q"}})
		require.NoError(t, err)
	}
	for i := range chats {
		id := switchboard.ChatID(fmt.Sprintf("c%03d", i))
		c, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"})
		require.NoError(t, err)
		require.Equal(t, 10, c.Pending)
		os, err := r.Offers(ctx, "a0")
		require.NoError(t, err)
		require.Len(t, os, 1)
		_, err = r.Accept(ctx, "a0", os[0].ID)
		require.NoError(t, err)
		require.NoError(t, r.End(ctx, id))
	}
	return r
}

func TestStoreForgetsTheOffersOfOldFinishedChats(t *testing.T) {
	t.Parallel()
	// SPEC X5: a ring-all round offers the chat to every agent. The
	// final chats kept must not keep every one of those offers too, or a
	// centre ringing thousands of agents runs out of memory long before
	// KeepFinished chats are reached.
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{KeepFinishedOffers: 100})
	r := ringAllChats(t, s, 200)

	c, err := r.Chat(ctx, "c000")
	require.NoError(t, err, "the chat stays readable")
	require.Equal(t, routing.Done, c.State)
	_, err = r.Offer(ctx, "c000#1")
	require.ErrorIs(t, err, routing.ErrOfferNotFound, "its offers are forgotten")
	_, err = r.Accept(ctx, "a3", "c000#4")
	require.ErrorIs(t, err, routing.ErrOfferNotFound)

	// The newest chats keep theirs, as they were answered.
	o, err := r.Offer(ctx, "c199#4")
	require.NoError(t, err)
	require.Equal(t, routing.Rescinded, o.Outcome)
	require.True(t, o.Taken, "another agent took the chat")
	_, err = r.Accept(ctx, "a3", "c199#4")
	require.ErrorIs(t, err, routing.ErrOfferTaken, "a late accept is told why")

	// No more offers are kept than the bound and the batch above it.
	kept := 0
	for i := range 200 {
		for n := 1; n <= 10; n++ {
			if _, err := r.Offer(ctx, routing.OfferID(fmt.Sprintf("c%03d#%d", i, n))); err == nil {
				kept++
			} else {
				require.ErrorIs(t, err, routing.ErrOfferNotFound)
			}
		}
	}
	require.GreaterOrEqual(t, kept, 100)
	require.LessOrEqual(t, kept, 100+64+10)

	// A negative bound keeps them all.
	all := routingmem.New(routingmem.Config{KeepFinishedOffers: -1})
	r = ringAllChats(t, all, 200)
	o, err = r.Offer(ctx, "c000#4")
	require.NoError(t, err)
	require.Equal(t, routing.Rescinded, o.Outcome)
}

func TestStoreCountsTheOffersOfAChatFinishedWithThem(t *testing.T) {
	t.Parallel()
	// SPEC X5: offers written in the transaction that makes their chat
	// final count towards the bound too.
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{KeepFinishedOffers: 10})
	for i := range 100 {
		id := fmt.Sprintf("c%03d", i)
		c := routing.Chat{ID: routingID(id), Queue: "q", State: routing.Done}
		var os []routing.Offer
		for n := 1; n <= 5; n++ {
			os = append(os, routing.Offer{ID: routing.OfferID(fmt.Sprintf("%s#%d", id, n)), Chat: routingID(id), Agent: "a", Outcome: routing.Rejected})
		}
		require.NoError(t, s.Commit(ctx, routing.Txn{Chats: []routing.Chat{c}, Offers: os}))
	}
	_, err := s.Offer(ctx, "c000#1")
	require.ErrorIs(t, err, routing.ErrOfferNotFound)
	_, err = s.Chat(ctx, "c000")
	require.NoError(t, err)
	_, err = s.Offer(ctx, "c099#5")
	require.NoError(t, err)
}
