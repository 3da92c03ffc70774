package routing_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// crossChannelFixture is the decision fixture (n Available agents with
// varied load and idle time, n waiting chats) with, when on, every agent
// given a budget of 4 shared with calls of weight 2, interrupt rules, and
// a call reported for one agent in three: some agents are then held back by
// their budget, some by a call their chats may not interrupt. The random
// draws are the same on and off.
func crossChannelFixture(b *testing.B, n int, on bool) *decisionFixture {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	f := &decisionFixture{store: routingmem.New(routingmem.Config{}), queue: routing.Queue{
		ID: "q", Channel: switchboard.DefaultChannel, AcceptTimeout: time.Minute,
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
			if on {
				a.Profile.Budget = 4
				a.Profile.Capacity = append(a.Profile.Capacity, routing.Capacity{Channel: voice, Max: 1, Weight: 2})
				a.Profile.LimitInterrupts = true
				if j%2 == 0 {
					a.Profile.Interrupts = []routing.Interrupt{{Channel: voice, By: switchboard.DefaultChannel}}
				}
				a.Used = append(a.Used, 0)
				if j%3 == 0 {
					a.Work = []int{0, 1}
				}
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

// BenchmarkCrossChannelDecision measures one routing decision (the next
// chat of a queue and the agent it goes to) from the in-memory store's
// indexes with budgets, interrupt rules and host-reported calls on, beside
// the same decision with them off, at 1k and 100k agents, and the linear
// scan of each as the baseline, all in the same run.
func BenchmarkCrossChannelDecision(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		for _, on := range []bool{false, true} {
			f := crossChannelFixture(b, n, on)
			q := routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel,
				Require: f.queue.RequiredSkills, Order: routing.ByIdle, Limit: 1}
			wantChat, wantAgent := linearDecision(f, &q)
			name := fmt.Sprintf("cross=%s/agents=%d", map[bool]string{false: "off", true: "on"}[on], n)
			benchDecision(b, name, f, &q, wantChat, wantAgent)
		}
	}
}

// BenchmarkHasRoom measures the capacity rule for one agent: without
// cross-channel settings, and with a budget, interrupt rules and a call.
func BenchmarkHasRoom(b *testing.B) {
	plain := routing.Agent{Profile: routing.Profile{Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 4}}},
		Used: []int{2}}
	cross := routing.Agent{Profile: routing.Profile{Budget: 8, LimitInterrupts: true,
		Capacity:   []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 4}, {Channel: "email", Max: 2, Weight: 2}, {Channel: voice, Max: 1, Weight: 3}},
		Interrupts: []routing.Interrupt{{Channel: voice, By: switchboard.DefaultChannel}, {Channel: "email", By: switchboard.DefaultChannel}}},
		Used: []int{1, 1, 0}, Work: []int{0, 0, 1}}
	for _, tc := range []struct {
		name string
		a    *routing.Agent
	}{{"cross=off", &plain}, {"cross=on", &cross}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !tc.a.HasRoom(switchboard.DefaultChannel) {
					b.Fatal("no room")
				}
			}
		})
	}
}
