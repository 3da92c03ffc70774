package routing_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// relaxModes are the queue configurations BenchmarkRelaxAging compares:
// the baseline without relaxation or aging, and the worst case, three
// steps each lowering English a level in a queue that ages priority. The
// decision's chats are at the last step, having gone from English 5 to 2;
// an enqueued chat starts at English 2. Either way they ask what the
// baseline asks (English 2), so the difference is what relaxation and aging
// cost.
var relaxModes = []struct {
	name  string
	queue func(id switchboard.QueueID, english int) routing.Queue
	step  int // the step the decision's chats are at
}{
	{"relax=off/aging=off", func(id switchboard.QueueID, _ int) routing.Queue {
		return routing.Queue{ID: id, Channel: switchboard.DefaultChannel, AcceptTimeout: time.Minute,
			RequiredSkills: []routing.SkillRequirement{{Skill: "english", Min: 2}}}
	}, 0},
	{"relax=3-steps/aging=on", func(id switchboard.QueueID, english int) routing.Queue {
		return routing.Queue{ID: id, Channel: switchboard.DefaultChannel, AcceptTimeout: time.Minute,
			RequiredSkills: []routing.SkillRequirement{{Skill: "english", Min: english}},
			Relax: []routing.RelaxStep{{After: 10 * time.Second, Lower: 1}, {After: 20 * time.Second, Lower: 1},
				{After: 30 * time.Second, Lower: 1}},
			AgingStep: time.Minute}
	}, 3},
}

// relaxFixture is a store with queues "q" (1,000 waiting chats of mixed
// priority, at the mode's step) and "e" (none waiting), both configured by
// mode, and n Available agents serving both, with English at levels 1 to 3
// and some slots in use; and a router over it on a mock clock.
func relaxFixture(b *testing.B, n int, mode int) (*routing.Router, *routingmem.Store, routing.Queue) {
	ctx := context.Background()
	store := routingmem.New(routingmem.Config{KeepFinished: 1024})
	q, e := relaxModes[mode].queue("q", 5), relaxModes[mode].queue("e", 2)
	if err := store.Commit(ctx, routing.Txn{Queues: []routing.Queue{q, e}}); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	for i := 0; i < n; i += batch {
		var txn routing.Txn
		for j := i; j < min(i+batch, n); j++ {
			txn.Agents = append(txn.Agents, routing.Agent{
				ID: switchboard.AgentID(fmt.Sprintf("agent-%06d", j)),
				Profile: routing.Profile{Queues: []switchboard.QueueID{"q", "e"},
					Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 4}},
					Skills:   []routing.Skill{{Name: "english", Level: 1 + j%3}}},
				State: routing.Available, IdleSince: start.Add(time.Duration(j) * time.Millisecond), Used: []int{j % 4},
			})
		}
		if err := store.Commit(ctx, txn); err != nil {
			b.Fatal(err)
		}
	}
	var txn routing.Txn
	for i := range 1000 {
		c := routing.Chat{ID: switchboard.ChatID(fmt.Sprintf("w-%04d", i)), Kind: routing.CustomerChat, Queue: "q",
			Channel: switchboard.DefaultChannel, State: routing.Queued, Priority: i % 5,
			EnqueuedAt: start.Add(time.Duration(i) * time.Second), RelaxStep: relaxModes[mode].step}
		if q.AgingStep > 0 {
			c.VirtualStart = c.EnqueuedAt.Add(-time.Duration(c.Priority) * q.AgingStep)
		}
		txn.Chats = append(txn.Chats, c)
	}
	if err := store.Commit(ctx, txn); err != nil {
		b.Fatal(err)
	}
	mock := clock.NewMock()
	mock.Set(start.Add(time.Hour))
	r, err := routing.New(store, routingmem.NewBus(), routing.Config{Clock: mock})
	if err != nil {
		b.Fatal(err)
	}
	return r, store, q
}

// BenchmarkRelaxAging measures a routing decision (the first waiting chat
// of a queue, its requirements after its steps, and the agent it goes to)
// and an enqueue offered at once (then abandoned), with relaxation and
// aging off and on, at 1,000 and 100,000 agents, in the same run.
func BenchmarkRelaxAging(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 100_000} {
		for mode := range relaxModes {
			r, store, q := relaxFixture(b, n, mode)
			name := fmt.Sprintf("%s/agents=%d", relaxModes[mode].name, n)
			b.Run("op=decision/"+name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU()
				defer cpu.report(b)
				for b.Loop() {
					ids, err := store.Waiting(ctx, "q", 0, 1)
					if err != nil || len(ids) != 1 {
						b.Fatalf("waiting: %v, %v", ids, err)
					}
					c, err := r.Chat(ctx, ids[0])
					if err != nil {
						b.Fatal(err)
					}
					cq := routing.CandidateQuery{Queue: q.ID, Channel: q.Channel, Require: routing.Requirements(&q, &c),
						Order: routing.ByIdle, Limit: 1}
					agents, err := store.Candidates(ctx, cq)
					if err != nil || len(agents) != 1 {
						b.Fatalf("candidates: %v, %v", agents, err)
					}
				}
			})
			b.Run("op=enqueue/"+name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := startCPU()
				defer cpu.report(b)
				i := 0
				for b.Loop() {
					id := switchboard.ChatID("c" + strconv.Itoa(i))
					i++
					c, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "e", Priority: i % 5})
					if err != nil || c.State != routing.Offered {
						b.Fatalf("enqueue: %v, %v", c.State, err)
					}
					if err := r.Abandon(ctx, id); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
