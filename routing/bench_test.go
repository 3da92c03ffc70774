package routing_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// decisionFixture is a queue with n Available agents (varied load and idle
// time) and n waiting chats (varied priority), built directly in a store.
type decisionFixture struct {
	store  *routingmem.Store
	queue  routing.Queue
	agents []routing.Agent
	chats  []routing.Chat
}

func newDecisionFixture(b *testing.B, n int, strategy routing.Strategy) *decisionFixture {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	f := &decisionFixture{store: routingmem.New(routingmem.Config{}), queue: routing.Queue{
		ID: "q", Channel: switchboard.DefaultChannel, Strategy: strategy, AcceptTimeout: time.Minute,
		RequiredSkills: []routing.SkillRequirement{{Skill: "english", Min: 1}},
	}}
	if err := f.store.Commit(ctx, routing.Txn{Queues: []routing.Queue{f.queue}}); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	for i := 0; i < n; i += batch {
		var txn routing.Txn
		for j := i; j < min(i+batch, n); j++ {
			a := routing.Agent{
				ID: switchboard.AgentID(fmt.Sprintf("agent-%06d", j)),
				Profile: routing.Profile{
					Queues:   []switchboard.QueueID{"q"},
					Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 4}},
					Skills:   []routing.Skill{{Name: "english", Level: 1 + rng.IntN(3)}},
				},
				State:     routing.Available,
				IdleSince: start.Add(time.Duration(rng.IntN(3600)) * time.Second),
				Used:      []int{rng.IntN(4)},
			}
			c := routing.Chat{
				ID: switchboard.ChatID(fmt.Sprintf("chat-%06d", j)), Queue: "q", Channel: switchboard.DefaultChannel,
				Priority: rng.IntN(3), State: routing.Queued, Seq: uint64(j),
				EnqueuedAt: start.Add(time.Duration(j) * time.Millisecond),
			}
			txn.Agents = append(txn.Agents, a)
			txn.Chats = append(txn.Chats, c)
		}
		if err := f.store.Commit(ctx, txn); err != nil {
			b.Fatal(err)
		}
		f.agents = append(f.agents, txn.Agents...)
		f.chats = append(f.chats, txn.Chats...)
	}
	return f
}

// linearDecision is the naive selector: scan every chat for the first in
// queue order and every agent for the best eligible one.
func linearDecision(f *decisionFixture, q *routing.CandidateQuery) (switchboard.ChatID, switchboard.AgentID) {
	var bestChat, bestAgent int = -1, -1
	for i := range f.chats {
		if f.chats[i].State == routing.Queued && (bestChat < 0 || routing.CompareChats(&f.chats[i], &f.chats[bestChat]) < 0) {
			bestChat = i
		}
	}
	for i := range f.agents {
		if q.Matches(&f.agents[i]) && (bestAgent < 0 || routing.Compare(q.Order, q.Channel, &f.agents[i], &f.agents[bestAgent]) < 0) {
			bestAgent = i
		}
	}
	return f.chats[bestChat].ID, f.agents[bestAgent].ID
}

// BenchmarkDecision measures one routing decision (the next chat of a queue
// and the agent it goes to) from the in-memory store's indexes, against a
// linear scan of the same agents and chats in the same run.
func BenchmarkDecision(b *testing.B) {
	for _, strategy := range []routing.Strategy{routing.LongestIdle, routing.LeastBusy} {
		for _, n := range []int{1_000, 10_000, 100_000} {
			f := newDecisionFixture(b, n, strategy)
			q := routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel,
				Require: f.queue.RequiredSkills, Order: routing.OrderOf(strategy), Limit: 1}
			wantChat, wantAgent := linearDecision(f, &q)
			name := fmt.Sprintf("strategy=%s/agents=%d", strategy, n)
			benchDecision(b, name, f, &q, wantChat, wantAgent)
		}
	}
}

// benchDecision runs the decision of f under name two ways, the store's
// index ("index", with its CPU time) against a linear scan of every agent
// ("linear"), each checked to pick wantChat and wantAgent.
func benchDecision(b *testing.B, name string, f *decisionFixture, q *routing.CandidateQuery, wantChat switchboard.ChatID, wantAgent switchboard.AgentID) {
	ctx := context.Background()
	b.Run(name+"/index", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		defer cpu.report(b)
		for b.Loop() {
			chats, err := f.store.Waiting(ctx, "q", 0, 1)
			if err != nil {
				b.Fatal(err)
			}
			agents, err := f.store.Candidates(ctx, *q)
			if err != nil {
				b.Fatal(err)
			}
			if chats[0] != wantChat || agents[0] != wantAgent {
				b.Fatalf("index chose %s→%s, linear scan %s→%s", chats[0], agents[0], wantChat, wantAgent)
			}
		}
	})
	b.Run(name+"/linear", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if c, a := linearDecision(f, q); c != wantChat || a != wantAgent {
				b.Fatal("linear scan is not deterministic")
			}
		}
	})
}

// BenchmarkLifecycle measures a whole chat life cycle through the Router on
// the in-memory store: enqueue → offer → accept → end → wrap-up done.
func BenchmarkLifecycle(b *testing.B) {
	ctx := context.Background()
	r, err := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Minute}); err != nil {
		b.Fatal(err)
	}
	if _, err := r.Login(ctx, "a", routing.Profile{Queues: []switchboard.QueueID{"q"}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := switchboard.ChatID("c" + strconv.Itoa(i))
		i++
		if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Accept(ctx, "a", routing.OfferID(string(id)+"#1")); err != nil {
			b.Fatal(err)
		}
		if err := r.End(ctx, id); err != nil {
			b.Fatal(err)
		}
		if err := r.CompleteWrapUp(ctx, id, "a"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chats/s")
}

// BenchmarkLifecycleConsumed is BenchmarkLifecycle with a consumer of the
// event log that keeps up: after every chat it reads each partition after its
// cursor and saves the cursor, so the log stays short. The difference from
// BenchmarkLifecycle is what logging the events costs, consumer included.
func BenchmarkLifecycleConsumed(b *testing.B) {
	ctx := context.Background()
	store := routingmem.New(routingmem.Config{})
	r, err := routing.New(store, routingmem.NewBus(), routing.Config{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Minute}); err != nil {
		b.Fatal(err)
	}
	if _, err := r.Login(ctx, "a", routing.Profile{Queues: []switchboard.QueueID{"q"}}); err != nil {
		b.Fatal(err)
	}
	cursors := make([]routing.Cursor, store.Partitions())
	for p := range cursors {
		cursors[p] = routing.Cursor{Consumer: "bench", Partition: p}
		if err := store.SaveCursor(ctx, cursors[p]); err != nil {
			b.Fatal(err)
		}
		cursors[p].Version++
	}
	b.ReportAllocs()
	i, consumed := 0, 0
	for b.Loop() {
		id := switchboard.ChatID("c" + strconv.Itoa(i))
		i++
		if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Accept(ctx, "a", routing.OfferID(string(id)+"#1")); err != nil {
			b.Fatal(err)
		}
		if err := r.End(ctx, id); err != nil {
			b.Fatal(err)
		}
		if err := r.CompleteWrapUp(ctx, id, "a"); err != nil {
			b.Fatal(err)
		}
		for p := range cursors {
			es, err := store.Events(ctx, p, cursors[p].Position, 0)
			if err != nil {
				b.Fatal(err)
			}
			if len(es) == 0 {
				continue
			}
			consumed += len(es)
			cursors[p].Position = es[len(es)-1].Seq
			if err := store.SaveCursor(ctx, cursors[p]); err != nil {
				b.Fatal(err)
			}
			cursors[p].Version++
		}
	}
	if consumed < i {
		b.Fatalf("consumed %d events for %d chats", consumed, i)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chats/s")
	b.ReportMetric(float64(consumed)/float64(i), "events/chat")
}

// conflictCounter counts the commits that lost a compare-and-set race.
type conflictCounter struct {
	routing.Store
	conflicts atomic.Int64
}

func (s *conflictCounter) Commit(ctx context.Context, txn routing.Txn) error {
	err := s.Store.Commit(ctx, txn)
	if errors.Is(err, routing.ErrConflict) {
		s.conflicts.Add(1)
	}
	return err
}

// BenchmarkLicensedAssign enqueues and abandons chats under a licence limit
// from several goroutines at once, each on its own queue and agent, so the
// licence is the only record they share: one shard against eight. One op is
// one chat offered (taking a unit) and abandoned (freeing it).
func BenchmarkLicensedAssign(b *testing.B) {
	for _, shards := range []int{1, 8} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			ctx := context.Background()
			mem := routingmem.New(routingmem.Config{KeepFinished: 1024})
			store := &conflictCounter{Store: mem}
			mock := clock.NewMock()
			mock.Set(start)
			r, err := routing.New(store, routingmem.NewBus(), routing.Config{Clock: mock, LicenceShards: shards})
			if err != nil {
				b.Fatal(err)
			}
			const lanes = 64
			for i := range lanes {
				q := switchboard.QueueID(fmt.Sprintf("q%02d", i))
				if _, err := r.PutQueue(ctx, routing.Queue{ID: q}); err != nil {
					b.Fatal(err)
				}
				p := routing.Profile{Queues: []switchboard.QueueID{q}, Capacity: chatCap(1)}
				if _, err := r.Login(ctx, switchboard.AgentID(fmt.Sprintf("a%02d", i)), p); err != nil {
					b.Fatal(err)
				}
			}
			if err := r.SetLicenceLimit(ctx, 1000); err != nil {
				b.Fatal(err)
			}
			var lane atomic.Int64
			b.SetParallelism(4)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				l := lane.Add(1) - 1
				if l >= lanes {
					b.Error("more goroutines than lanes")
					return
				}
				q := switchboard.QueueID(fmt.Sprintf("q%02d", l))
				for n := 0; pb.Next(); n++ {
					id := switchboard.ChatID(fmt.Sprintf("c%02d-%d", l, n))
					c, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: q})
					if err != nil || c.State != routing.Offered {
						b.Errorf("enqueue %s: %v, %v", id, c.State, err)
						return
					}
					if err := r.Abandon(ctx, id); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(store.conflicts.Load())/float64(b.N), "conflicts/op")
		})
	}
}
