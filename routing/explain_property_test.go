package routing_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// TestExplainAgreesWithCandidates stores random agents and chats and checks,
// for every chat, that the agents the explanation calls eligible are exactly
// those the store's candidate query returns, and that an agent is eligible
// exactly when it has no reason to be passed over.
func TestExplainAgreesWithCandidates(t *testing.T) {
	t.Parallel()
	// SPEC Q1: the explanation and the router's own eligibility cannot
	// disagree.
	// SPEC L4: nor can they with budgets, interrupt rules and host work.
	skills := []string{"fr", "de", "vip"}
	rapid.Check(t, func(rt *rapid.T) {
		q := routing.Queue{ID: "q"}
		if rapid.Bool().Draw(rt, "queue skill") {
			q.RequiredSkills = []routing.SkillRequirement{{Skill: "fr", Min: rapid.IntRange(0, 3).Draw(rt, "queue min")}}
		}
		r, b := setup(t, q, routing.Queue{ID: "other"})
		var txn routing.Txn
		n := rapid.IntRange(0, 12).Draw(rt, "agents")
		for i := range n {
			a := routing.Agent{
				ID:        switchboard.AgentID(fmt.Sprintf("a%02d", i)),
				State:     routing.State(rapid.IntRange(0, 4).Draw(rt, "state")),
				IdleSince: start.Add(time.Duration(rapid.IntRange(0, 100).Draw(rt, "idle")) * time.Second),
			}
			if a.State == routing.NotReady {
				a.Reason = "lunch"
			}
			a.Profile.Queues = rapid.SliceOfNDistinct(rapid.SampledFrom([]switchboard.QueueID{"q", "other"}), 0, 2, rapid.ID).Draw(rt, "queues")
			capacity := rapid.IntRange(0, 3).Draw(rt, "capacity")
			a.Profile.Capacity = []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: capacity}}
			a.Used = []int{rapid.IntRange(0, capacity).Draw(rt, "used")}
			if rapid.Bool().Draw(rt, "cross-channel") {
				// SPEC L2, L3, L5: budgets, interrupt rules and host work.
				crossChannel(rt, &a.Profile)
				a.Used = append(a.Used, 0)
				a.Work = []int{0, rapid.IntRange(0, 2).Draw(rt, "calls")}
			}
			for _, s := range rapid.SliceOfNDistinct(rapid.SampledFrom(skills), 0, 3, rapid.ID).Draw(rt, "skills") {
				a.Profile.Skills = append(a.Profile.Skills, routing.Skill{Name: s, Level: rapid.IntRange(0, 3).Draw(rt, "level")})
			}
			txn.Agents = append(txn.Agents, a)
		}
		m := rapid.IntRange(1, 4).Draw(rt, "chats")
		for i := range m {
			c := routing.Chat{
				ID: switchboard.ChatID(fmt.Sprintf("c%d", i)), Queue: "q", Channel: switchboard.DefaultChannel,
				State: routing.Queued, EnqueuedAt: start, QueuedAt: start,
			}
			for _, s := range rapid.SliceOfNDistinct(rapid.SampledFrom(skills), 0, 2, rapid.ID).Draw(rt, "chat skills") {
				c.Skills = append(c.Skills, routing.SkillRequirement{Skill: s, Min: rapid.IntRange(0, 3).Draw(rt, "chat min")})
			}
			for _, a := range txn.Agents {
				if rapid.IntRange(0, 4).Draw(rt, "rejected") == 0 {
					c.Rejected = append(c.Rejected, a.ID)
				}
			}
			txn.Chats = append(txn.Chats, c)
		}
		require.NoError(rt, b.store.Commit(b.ctx, txn))
		stored, err := r.Queue(b.ctx, "q")
		require.NoError(rt, err)

		for _, c := range txn.Chats {
			e, err := r.Explain(b.ctx, c.ID)
			require.NoError(rt, err)
			want, err := b.store.Candidates(b.ctx, routing.CandidateQuery{
				Queue: "q", Channel: stored.Channel, Require: append(slices.Clone(stored.RequiredSkills), c.Skills...),
				Exclude: c.Rejected, Order: routing.ByID,
			})
			require.NoError(rt, err)
			var got []switchboard.AgentID
			for _, v := range e.Agents {
				if v.Eligible {
					got = append(got, v.Agent)
				}
				blocking := slices.DeleteFunc(slices.Clone(v.Reasons), func(p routing.PassReason) bool { return p == routing.OfferPendingReason })
				require.Equal(rt, v.Eligible, len(blocking) == 0, "verdict on %s: %+v", v.Agent, v)
				require.Equal(rt, v.BlockedBy != "", slices.Contains(v.Reasons, routing.InterruptBlockedReason), "verdict on %s: %+v", v.Agent, v)
			}
			require.Equal(rt, want, got, "chat %s", c.ID)
			// The queue's own order is answered from the store's index.
			indexed, err := b.store.Candidates(b.ctx, routing.CandidateQuery{
				Queue: "q", Channel: stored.Channel, Require: append(slices.Clone(stored.RequiredSkills), c.Skills...),
				Exclude: c.Rejected, Order: routing.OrderOf(stored.Strategy),
			})
			require.NoError(rt, err)
			require.ElementsMatch(rt, want, indexed, "chat %s from the index", c.ID)
		}
	})
}
