package routingmem_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

var skillNames = []string{"english", "french", "billing", "vip"}

// TestSkillIndexAgreesWithScan (SPEC X1) changes agents at random (skills,
// levels, state, load) and checks that every candidate query, with or
// without required skills and minimum levels, answers what a scan of every
// agent with CandidateQuery.Matches and routing.Compare answers.
func TestSkillIndexAgreesWithScan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		s := routingmem.New(routingmem.Config{})
		strategy := rapid.SampledFrom([]routing.Strategy{routing.LongestIdle, routing.LeastBusy, routing.RoundRobin}).Draw(t, "strategy")
		if err := s.Commit(ctx, routing.Txn{Queues: []routing.Queue{{ID: "q", Channel: switchboard.DefaultChannel, Strategy: strategy}}}); err != nil {
			t.Fatal(err)
		}
		agents := map[switchboard.AgentID]routing.Agent{}
		for step := range rapid.IntRange(1, 60).Draw(t, "steps") {
			id := switchboard.AgentID(fmt.Sprintf("a%d", rapid.IntRange(0, 11).Draw(t, "agent")))
			a, ok := agents[id]
			if !ok {
				a = routing.Agent{ID: id}
			}
			var skills []routing.Skill
			for _, name := range skillNames {
				if lvl := rapid.IntRange(-1, 3).Draw(t, "level"); lvl >= 0 {
					skills = append(skills, routing.Skill{Name: name, Level: lvl})
				}
			}
			a.Profile = routing.Profile{Queues: []switchboard.QueueID{"q"},
				Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2}}, Skills: skills}
			a.State = rapid.SampledFrom([]routing.State{routing.Available, routing.Available, routing.NotReady, routing.LoggedOut}).Draw(t, "state")
			a.Used = []int{rapid.IntRange(0, 2).Draw(t, "used")}
			a.IdleSince = start.Add(time.Duration(rapid.IntRange(0, 5).Draw(t, "idle")) * time.Second)
			if err := s.Commit(ctx, routing.Txn{Agents: []routing.Agent{a}}); err != nil {
				t.Fatal(err)
			}
			a.Version++
			agents[id] = a

			var req []routing.SkillRequirement
			for range rapid.IntRange(0, 2).Draw(t, "requirements") {
				req = append(req, routing.SkillRequirement{Skill: rapid.SampledFrom(append(skillNames, "none")).Draw(t, "skill"),
					Min: rapid.IntRange(0, 4).Draw(t, "min")})
			}
			q := routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel, Require: req,
				Order: routing.OrderOf(strategy), Limit: rapid.IntRange(0, 3).Draw(t, "limit")}
			if rapid.Bool().Draw(t, "exclude") {
				q.Exclude = []switchboard.AgentID{id}
			}
			if q.Order == routing.ByID && rapid.Bool().Draw(t, "after") {
				q.After = switchboard.AgentID(fmt.Sprintf("a%d", rapid.IntRange(0, 11).Draw(t, "after agent")))
			}
			got, err := s.Candidates(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := scan(agents, &q); !slices.Equal(got, want) {
				t.Fatalf("step %d: query %+v: index %v, scan %v", step, q, got, want)
			}
		}
	})
}

func scan(agents map[switchboard.AgentID]routing.Agent, q *routing.CandidateQuery) []switchboard.AgentID {
	var all []*routing.Agent
	for _, a := range agents {
		if q.Matches(&a) {
			all = append(all, &a)
		}
	}
	slices.SortFunc(all, func(a, b *routing.Agent) int { return routing.Compare(q.Order, q.Channel, a, b) })
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	var out []switchboard.AgentID
	for _, a := range all {
		out = append(out, a.ID)
	}
	return out
}
