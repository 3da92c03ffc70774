package stats_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

// lifeCycles returns the events of n chats of 10 queues taken by 100
// agents, each from entry to done, after the agents' logins.
func lifeCycles(n int) []routing.Event {
	t0 := at("09:00:00")
	var evs []routing.Event
	for i := range 100 {
		evs = append(evs, routing.Event{Type: routing.AgentLoggedIn, At: t0, Agent: switchboard.AgentID(fmt.Sprintf("a%d", i)),
			Team: fmt.Sprintf("t%d", i%5), Tenant: "acme", State: routing.Available,
			Queues: []switchboard.QueueID{switchboard.QueueID(fmt.Sprintf("q%d", i%10))}, Capacity: []routing.Capacity{{Channel: "chat", Max: 2}}})
	}
	for i := range n {
		c, a, q := switchboard.ChatID(fmt.Sprintf("c%d", i)), switchboard.AgentID(fmt.Sprintf("a%d", i%100)), switchboard.QueueID(fmt.Sprintf("q%d", i%10))
		team := fmt.Sprintf("t%d", i%5)
		at := t0.Add(time.Duration(i) * time.Second)
		evs = append(evs,
			routing.Event{Type: routing.ChatQueued, At: at, Chat: c, Queue: q, Tenant: "acme", Channel: "chat"},
			routing.Event{Type: routing.ChatOffered, At: at.Add(time.Second), Chat: c, Queue: q, Agent: a, Team: team, EnqueuedAt: at},
			routing.Event{Type: routing.OfferResolved, At: at.Add(5 * time.Second), Chat: c, Queue: q, Agent: a, Outcome: routing.Accepted},
			routing.Event{Type: routing.ChatAssigned, At: at.Add(5 * time.Second), Chat: c, Queue: q, Agent: a, EnqueuedAt: at},
			routing.Event{Type: routing.ChatWrapUp, At: at.Add(3 * time.Minute), Chat: c, Queue: q, Agent: a},
			routing.Event{Type: routing.ChatDone, At: at.Add(4 * time.Minute), Chat: c, Queue: q, Agent: a})
	}
	return evs
}

// BenchmarkApply measures folding one event in steady state: chats from
// entry to done, 6 events each, over 100 agents and 10 queues. Rows are
// allocated once per interval and key; live records are reused.
func BenchmarkApply(b *testing.B) {
	evs := lifeCycles(2000)
	a, err := stats.New(stats.Config{Interval: 24 * time.Hour}, stats.State{})
	if err != nil {
		b.Fatal(err)
	}
	for i := range evs { // warm up: every row and live record exists
		a.Apply(&evs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := evs[100+i%(len(evs)-100)]
		a.Apply(&e)
	}
}

// BenchmarkApplyBaseline is the floor BenchmarkApply compares with:
// copying the event and looking its chat up in a map.
func BenchmarkApplyBaseline(b *testing.B) {
	evs := lifeCycles(2000)
	m := map[switchboard.ChatID]int{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := evs[100+i%(len(evs)-100)]
		m[e.Chat]++
	}
}

// population is 10k agents (serving 2 of 10 queues each, one in ten
// paused, the others busy) and 100k waiting chats, folded into a state,
// and the same agents and chats in a routing store.
var population = sync.OnceValues(func() (*stats.State, *routingmem.Store) {
	ctx := context.Background()
	store := routingmem.New(routingmem.Config{Partitions: 1, KeepFinished: -1})
	r, err := routing.New(store, routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), routing.Config{})
	if err != nil {
		panic(err)
	}
	a, err := stats.New(stats.Config{}, stats.State{})
	if err != nil {
		panic(err)
	}
	t0 := at("09:00:00")
	for i := range 10 {
		if _, err := r.PutQueue(ctx, routing.Queue{ID: switchboard.QueueID(fmt.Sprintf("q%d", i)), Tenant: "acme"}); err != nil {
			panic(err)
		}
	}
	for i := range 10_000 {
		id := switchboard.AgentID(fmt.Sprintf("a%05d", i))
		qs := []switchboard.QueueID{switchboard.QueueID(fmt.Sprintf("q%d", i%10)), switchboard.QueueID(fmt.Sprintf("q%d", (i+1)%10))}
		p := routing.Profile{Tenant: "acme", Team: fmt.Sprintf("t%d", i%50), Queues: qs, Capacity: []routing.Capacity{{Channel: "chat", Max: 3}}}
		if _, err := r.Login(ctx, id, p); err != nil {
			panic(err)
		}
		if err := r.SetState(ctx, id, routing.NotReady, "busy"); err != nil {
			panic(err)
		}
		a.Apply(&routing.Event{Type: routing.AgentLoggedIn, At: t0, Agent: id, Tenant: "acme", Team: p.Team, State: routing.Available, Queues: qs, Capacity: p.Capacity})
		a.Apply(&routing.Event{Type: routing.AgentStateChanged, At: t0, Agent: id, State: routing.NotReady, Reason: "busy"})
	}
	for i := range 100_000 {
		id, q := switchboard.ChatID(fmt.Sprintf("c%06d", i)), switchboard.QueueID(fmt.Sprintf("q%d", i%10))
		if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: q, Priority: i % 3}); err != nil {
			panic(err)
		}
		a.Apply(&routing.Event{Type: routing.ChatQueued, At: t0.Add(time.Duration(i) * time.Millisecond), Chat: id, Queue: q, Tenant: "acme", Priority: i % 3, Channel: "chat"})
	}
	return a.State(), store
})

// BenchmarkSnapshot computes the board of 10 queues, 50 teams and a
// tenant over 10k agents and 100k waiting chats.
func BenchmarkSnapshot(b *testing.B) {
	st, _ := population()
	now := at("10:00:00")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if q := stats.Snapshot(now, st).Queues["q0"]; q.Waiting != 10_000 {
			b.Fatalf("q0 has %d waiting", q.Waiting)
		}
	}
}

// BenchmarkSnapshotStoreBaseline reads what a board drawn from the
// routing store would need at the least: the tenant's logged-in agents
// and the IDs of every queue's waiting chats (not the chats themselves).
func BenchmarkSnapshotStoreBaseline(b *testing.B) {
	_, store := population()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		as, err := store.LoggedIn(ctx, "acme")
		if err != nil || len(as) != 10_000 {
			b.Fatalf("%d agents: %v", len(as), err)
		}
		for q := range 10 {
			ids, err := store.Waiting(ctx, switchboard.QueueID(fmt.Sprintf("q%d", q)), 0, 0)
			if err != nil || len(ids) != 10_000 {
				b.Fatalf("%d waiting: %v", len(ids), err)
			}
		}
	}
}

// BenchmarkConsume measures the statistics consumer folding a batch of 8
// events (four chats queued and four abandoned) into the in-memory store
// when the partition holds 1,000 and 100,000 live chats: each batch saves
// the partition's whole state, so its cost follows the chats live, not the
// batch.
func BenchmarkConsume(b *testing.B) {
	ctx := context.Background()
	t0 := at("09:00:00")
	for _, live := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("store=statsmem/live=%d", live), func(b *testing.B) {
			c, err := stats.NewConsumer(stats.Config{}, statsmem.New(), nil)
			if err != nil {
				b.Fatal(err)
			}
			seq := uint64(0)
			queued := func(id switchboard.ChatID) routing.Event {
				seq++
				return routing.Event{Seq: seq, Type: routing.ChatQueued, At: t0, Chat: id, Queue: "q0", Tenant: "acme", Channel: "chat"}
			}
			var evs []routing.Event
			for i := range live {
				evs = append(evs, queued(switchboard.ChatID(fmt.Sprintf("live-%06d", i))))
				if len(evs) == 4096 || i == live-1 {
					if err := c.Consume(ctx, 0, evs); err != nil {
						b.Fatal(err)
					}
					evs = evs[:0]
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				evs = evs[:0]
				for range 4 {
					id := switchboard.ChatID(fmt.Sprintf("c%d", i))
					i++
					evs = append(evs, queued(id))
					seq++
					evs = append(evs, routing.Event{Seq: seq, Type: routing.ChatEnded, At: t0.Add(time.Second), Chat: id, Queue: "q0",
						EndReason: routing.EndAbandoned})
				}
				if err := c.Consume(ctx, 0, evs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
