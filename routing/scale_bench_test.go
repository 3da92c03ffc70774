package routing_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/internal/testclock"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// skillFixture is a queue with n Available agents who all speak english at
// levels 1 to 3; the agent idle the shortest, last in the queue's order,
// alone has the skill "rare" and english at level 5.
func skillFixture(b *testing.B, n int) *routingmem.Store {
	ctx := context.Background()
	store := routingmem.New(routingmem.Config{})
	if err := store.Commit(ctx, routing.Txn{Queues: []routing.Queue{{ID: "q", Channel: switchboard.DefaultChannel, AcceptTimeout: time.Minute}}}); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	for i := 0; i < n; i += batch {
		var txn routing.Txn
		for j := i; j < min(i+batch, n); j++ {
			skills := []routing.Skill{{Name: "english", Level: 1 + j%3}}
			if j == n-1 {
				skills = []routing.Skill{{Name: "english", Level: 5}, {Name: "rare", Level: 1}}
			}
			txn.Agents = append(txn.Agents, routing.Agent{
				ID: switchboard.AgentID(fmt.Sprintf("agent-%06d", j)),
				Profile: routing.Profile{
					Queues:   []switchboard.QueueID{"q"},
					Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 4}},
					Skills:   skills,
				},
				State:     routing.Available,
				IdleSince: start.Add(time.Duration(j) * time.Millisecond),
				Used:      []int{j % 4},
			})
		}
		if err := store.Commit(ctx, txn); err != nil {
			b.Fatal(err)
		}
	}
	return store
}

// BenchmarkRareSkill measures one "who is first?" question for a chat whose
// skills few or no agents have, against the same question for a chat any
// agent can take (the baseline), at growing numbers of agents. The worst
// cases are the skill held only by the agent last in the order and the skill
// nobody holds.
func BenchmarkRareSkill(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name string
		req  []routing.SkillRequirement
		want bool // whether the last agent qualifies
	}{
		{"skill=any", nil, false},
		{"skill=held-by-last", []routing.SkillRequirement{{Skill: "rare", Min: 1}}, true},
		{"skill=held-by-none", []routing.SkillRequirement{{Skill: "nobody", Min: 1}}, false},
		{"skills=english+rare", []routing.SkillRequirement{{Skill: "english", Min: 1}, {Skill: "rare", Min: 1}}, true},
		{"level=min-held-by-last", []routing.SkillRequirement{{Skill: "english", Min: 4}}, true},
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		store := skillFixture(b, n)
		last := switchboard.AgentID(fmt.Sprintf("agent-%06d", n-1))
		for _, c := range cases {
			q := routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel, Require: c.req, Order: routing.ByIdle, Limit: 1}
			b.Run(fmt.Sprintf("%s/agents=%d", c.name, n), func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU()
				defer cpu.report(b)
				for b.Loop() {
					ids, err := store.Candidates(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					switch {
					case c.req == nil:
						if len(ids) != 1 {
							b.Fatalf("got %v", ids)
						}
					case c.want && (len(ids) != 1 || ids[0] != last):
						b.Fatalf("got %v, want %s", ids, last)
					case !c.want && len(ids) != 0:
						b.Fatalf("got %v, want nobody", ids)
					}
				}
			})
		}
	}
}

// routerFixture is a router with a mock clock over a store holding queue q
// and n agents logged in to it, each with one slot and english.
func routerFixture(b *testing.B, n int, q routing.Queue) (*routing.Router, *routingmem.Store) {
	ctx := context.Background()
	store := routingmem.New(routingmem.Config{KeepFinished: 1024})
	mock := testclock.New() // stepped: a mock's Add would sleep 1ms per agent
	mock.Set(start)
	r, err := routing.New(store, routingmem.NewBus(), routing.Config{Clock: mock})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.PutQueue(ctx, q); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		p := routing.Profile{Queues: []switchboard.QueueID{q.ID}, Capacity: chatCap(1),
			Skills: []routing.Skill{{Name: "english", Level: 1}}}
		if _, err := r.Login(ctx, switchboard.AgentID(fmt.Sprintf("agent-%06d", i)), p); err != nil {
			b.Fatal(err)
		}
		mock.Step(time.Millisecond)
	}
	return r, store
}

// BenchmarkUnroutable measures a Sweep, and an ordinary chat's enqueue and
// abandon, with 10,000 agents logged in and chats waiting that need a skill
// no agent has: none of them (the baseline) against 1,000.
func BenchmarkUnroutable(b *testing.B) {
	ctx := context.Background()
	for _, waiting := range []int{0, 1000} {
		r, _ := routerFixture(b, 10_000, routing.Queue{ID: "q"})
		for i := range waiting {
			req := routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("rare-%d", i)), Queue: "q",
				Skills: []routing.SkillRequirement{{Skill: "rare", Min: 1}}}
			if c, err := r.Enqueue(ctx, req); err != nil || c.State != routing.Queued {
				b.Fatalf("enqueue: %v, %v", c.State, err)
			}
		}
		b.Run(fmt.Sprintf("op=sweep/agents=10000/unroutable=%d", waiting), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				if _, err := r.Sweep(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=enqueue/agents=10000/unroutable=%d", waiting), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			i := 0
			for b.Loop() {
				id := switchboard.ChatID("c" + strconv.Itoa(i))
				i++
				if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil {
					b.Fatal(err)
				}
				if c, err := r.Chat(ctx, id); err != nil || c.State != routing.Offered {
					b.Fatalf("enqueued: %v, %v", c.State, err)
				}
				if err := r.Abandon(ctx, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRingAll measures one ring-all chat (enqueued, offered to every
// Available agent, accepted by one, ended) at growing numbers of agents
// with no cap on the round, and at 10,000 agents with the default cap. Its
// cost per offer is the figure to watch: agents=100 is the baseline.
func BenchmarkRingAll(b *testing.B) {
	cases := []struct {
		cap, agents, offers int
	}{{-1, 100, 100}, {-1, 1_000, 1_000}, {-1, 10_000, 10_000}, {0, 10_000, routing.DefaultRingAllMax}}
	for _, c := range cases {
		n, offers := c.agents, c.offers
		q := routing.Queue{ID: "q", Strategy: routing.RingAll, RingAllMax: c.cap}
		r, _ := routerFixture(b, n, q)
		name := "cap=none"
		if c.cap == 0 {
			name = fmt.Sprintf("cap=default(%d)", routing.DefaultRingAllMax)
		}
		b.Run(fmt.Sprintf("%s/agents=%d", name, n), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			i := 0
			for b.Loop() {
				ringAllChat(b, r, switchboard.ChatID("c"+strconv.Itoa(i)), offers)
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(offers), "ns/offer")
		})
	}
}

// ringAllChat runs chat id through a ring-all round of queue q: enqueued
// and offered to offers agents, accepted by the first one offered, ended.
func ringAllChat(b *testing.B, r *routing.Router, id switchboard.ChatID, offers int) {
	ctx := context.Background()
	if c, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil || c.Pending != offers {
		b.Fatalf("enqueue: %d offers, %v", c.Pending, err)
	}
	o, err := r.Offer(ctx, routing.OfferID(string(id)+"#1"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Accept(ctx, o.Agent, o.ID); err != nil {
		b.Fatal(err)
	}
	if err := r.End(ctx, id); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRingAllHeld measures what the in-memory store holds for the
// ring-all chats it has finished, at 1,000 agents rung per chat: every
// round leaves an offer per agent, and a store that kept them all for its
// KeepFinished chats would hold about 350 KB per chat. Run it with
// -benchtime 2000x or more, past the store's bound on the offers it keeps
// (routingmem.Config.KeepFinishedOffers): held-MB then stays flat however
// many chats run.
func BenchmarkRingAllHeld(b *testing.B) {
	const n = 1_000
	r, _ := routerFixture(b, n, routing.Queue{ID: "q", Strategy: routing.RingAll, RingAllMax: -1})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := range b.N {
		ringAllChat(b, r, switchboard.ChatID("c"+strconv.Itoa(i)), n)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(r)
	held := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.ReportMetric(held/1e6, "held-MB")
	b.ReportMetric(held/float64(b.N), "held-B/chat")
}

// BenchmarkPutQueue measures storing a queue's configuration (replacing
// one of n queues) in a store holding 100 and 10,000 queues: a host with
// many tenants keeps thousands. op=put stores queues one after another, as
// a host setting up its centre does; op=put-then-sweep reads every queue
// after each (a sweep routes them all), the worst case for the store's
// sorted list of queues, which is made again on the first read after a
// change.
func BenchmarkPutQueue(b *testing.B) {
	ctx := context.Background()
	for _, op := range []string{"put", "put-then-sweep"} {
		for _, n := range []int{100, 10_000} {
			b.Run(fmt.Sprintf("op=%s/queues=%d", op, n), func(b *testing.B) {
				r, err := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: clock.NewMock()})
				if err != nil {
					b.Fatal(err)
				}
				ids := make([]switchboard.QueueID, n)
				for i := range ids {
					ids[i] = switchboard.QueueID(fmt.Sprintf("tenant-%05d/queue", i))
					if _, err := r.PutQueue(ctx, routing.Queue{ID: ids[i]}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					q := routing.Queue{ID: ids[i%n], MaxWait: time.Duration(1+i%2) * time.Minute}
					i++
					if _, err := r.PutQueue(ctx, q); err != nil {
						b.Fatal(err)
					}
					if op == "put-then-sweep" {
						if _, err := r.Sweep(ctx); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// BenchmarkStatus measures the queue position of the chat at the head and
// at the tail of a queue of 10,000 and 1,000,000 waiting chats.
func BenchmarkStatus(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 1_000_000} {
		store := routingmem.New(routingmem.Config{})
		if err := store.Commit(ctx, routing.Txn{Queues: []routing.Queue{{ID: "q", Channel: switchboard.DefaultChannel}}}); err != nil {
			b.Fatal(err)
		}
		const batch = 4096
		for i := 0; i < n; i += batch {
			var txn routing.Txn
			for j := i; j < min(i+batch, n); j++ {
				txn.Chats = append(txn.Chats, routing.Chat{ID: switchboard.ChatID(fmt.Sprintf("chat-%07d", j)), Queue: "q",
					Channel: switchboard.DefaultChannel, State: routing.Queued, EnqueuedAt: start.Add(time.Duration(j) * time.Millisecond)})
			}
			if err := store.Commit(ctx, txn); err != nil {
				b.Fatal(err)
			}
		}
		mock := clock.NewMock()
		mock.Set(start)
		r, err := routing.New(store, routingmem.NewBus(), routing.Config{Clock: mock})
		if err != nil {
			b.Fatal(err)
		}
		for _, at := range []struct {
			name string
			pos  int
		}{{"head", 1}, {"tail", n}} {
			id := switchboard.ChatID(fmt.Sprintf("chat-%07d", at.pos-1))
			b.Run(fmt.Sprintf("chat=%s/waiting=%d", at.name, n), func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU()
				defer cpu.report(b)
				for b.Loop() {
					st, err := r.Status(ctx, id)
					if err != nil || st.Position != at.pos {
						b.Fatalf("status: %+v, %v", st, err)
					}
				}
			})
		}
	}
}
