package routing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// manualFixture is a router over an in-memory store with a queue of the
// strategy given, agents Available agents serving it with one slot each,
// and waiting chats waiting in it (none of them offered: a Manual queue).
func manualFixture(b *testing.B, strategy routing.Strategy, agents, waiting int) (*routing.Router, routing.Store) {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(start)
	store := routingmem.New(routingmem.Config{})
	r, err := routing.New(store, routingmem.NewBus(), routing.Config{Clock: mock})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.PutQueue(ctx, routing.Queue{ID: "q", Strategy: strategy, AcceptTimeout: time.Minute}); err != nil {
		b.Fatal(err)
	}
	for i := range waiting {
		if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("w%06d", i)), Queue: "q"}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range agents {
		if _, err := r.Login(ctx, switchboard.AgentID(fmt.Sprintf("a%05d", i)), routing.Profile{Queues: []switchboard.QueueID{"q"}}); err != nil {
			b.Fatal(err)
		}
	}
	return r, store
}

// BenchmarkManualPick measures one chat's way from arrival to an agent and
// out: enqueued, listed to an agent ([Router.Pickable] with limit 1),
// picked and ended, in a Manual queue with no chat or with 10,000 chats
// waiting ahead of it; against the ordinary path (the baseline) of a chat
// enqueued, offered at once, its offer read, accepted and ended. And one
// [Router.Pickable] of 20 chats for one of 1,000 agents, with 10,000 chats
// waiting.
func BenchmarkManualPick(b *testing.B) {
	ctx := context.Background()
	const agents = 1000
	b.Run("path=offer-accept/waiting=0", func(b *testing.B) {
		r, store := manualFixture(b, routing.LongestIdle, agents, 0)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			id := switchboard.ChatID(fmt.Sprintf("c%08d", i))
			i++
			if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil {
				b.Fatal(err)
			}
			os, err := store.PendingOffers(ctx, routing.OfferFilter{Chat: id})
			if err != nil || len(os) != 1 {
				b.Fatal(err, len(os))
			}
			if _, err := r.Accept(ctx, os[0].Agent, os[0].ID); err != nil {
				b.Fatal(err)
			}
			if err := r.End(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, waiting := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("path=pickable-pick/waiting=%d", waiting), func(b *testing.B) {
			r, _ := manualFixture(b, routing.Manual, agents, waiting)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				id := switchboard.ChatID(fmt.Sprintf("c%08d", i))
				agent := switchboard.AgentID(fmt.Sprintf("a%05d", i%agents))
				i++
				if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil {
					b.Fatal(err)
				}
				cs, err := r.Pickable(ctx, agent, 1)
				if err != nil || len(cs) != 1 {
					b.Fatal(err, len(cs))
				}
				if _, err := r.Pick(ctx, agent, cs[0].ID); err != nil {
					b.Fatal(err)
				}
				if err := r.End(ctx, cs[0].ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("op=pickable/limit=20/waiting=10000", func(b *testing.B) {
		r, _ := manualFixture(b, routing.Manual, agents, 10_000)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			cs, err := r.Pickable(ctx, switchboard.AgentID(fmt.Sprintf("a%05d", i%agents)), 20)
			i++
			if err != nil || len(cs) != 20 {
				b.Fatal(err, len(cs))
			}
		}
	})
}
