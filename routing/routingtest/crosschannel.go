package routingtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// testCrossChannel checks that a store keeps an agent's budget, weights,
// interrupt rules and host-reported work, and that its candidates are the
// agents with room by [routing.Agent.HasRoom], in every order, before and
// after the work changes (SPEC L4, L5).
func testCrossChannel(t *testing.T, s routing.Store) {
	ctx := context.Background()
	const voice = switchboard.Channel("voice")
	withBudget := func(id switchboard.AgentID, used, calls int) routing.Agent {
		a := agent(id, 0, used, 3, "q")
		a.Profile.Budget = 4
		a.Profile.Capacity = append(a.Profile.Capacity, routing.Capacity{Channel: voice, Max: 1, Weight: 3})
		a.Used = append(a.Used, 0)
		if calls > 0 {
			a.Work = []int{0, calls}
		}
		return a
	}
	room := withBudget("room", 1, 0)                  // 1 of 4 units
	budgetFull := withBudget("budget-full", 1, 1)     // 1 + 3 of 4 units
	interrupted := agent("interrupted", 0, 0, 3, "q") // on a call chats may not interrupt
	interrupted.Profile.Capacity = append(interrupted.Profile.Capacity, routing.Capacity{Channel: voice, Max: 1})
	interrupted.Profile.LimitInterrupts = true
	interrupted.Profile.Interrupts = []routing.Interrupt{{Channel: switchboard.DefaultChannel, By: voice}}
	interrupted.Used, interrupted.Work = []int{0, 0}, []int{0, 1}
	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("q", routing.LongestIdle)},
		Agents: []routing.Agent{room, budgetFull, interrupted}})

	for _, want := range []routing.Agent{room, budgetFull, interrupted} {
		got, err := s.Agent(ctx, want.ID)
		require.NoError(t, err)
		want.Version = 1
		require.Equal(t, want, got, "the cross-channel fields are stored")
	}
	for _, o := range []routing.Order{routing.ByIdle, routing.ByLoad, routing.ByID} {
		got, err := s.Candidates(ctx, routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel, Order: o})
		require.NoError(t, err)
		require.Equal(t, []switchboard.AgentID{"room"}, got, "order %d", o)
		got, err = s.Candidates(ctx, routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel, Order: o, Limit: 1,
			Require: []routing.SkillRequirement{{Skill: "english", Min: 1}}})
		require.NoError(t, err)
		require.Equal(t, []switchboard.AgentID{"room"}, got, "order %d with a skill", o)
	}

	// The calls end: both are candidates again at once.
	for _, id := range []switchboard.AgentID{"budget-full", "interrupted"} {
		a, err := s.Agent(ctx, id)
		require.NoError(t, err)
		a.Work = nil
		commit(t, s, routing.Txn{Agents: []routing.Agent{a}})
	}
	got, err := s.Candidates(ctx, routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel, Order: routing.ByID})
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"budget-full", "interrupted", "room"}, got)
}
