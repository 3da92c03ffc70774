package routing_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// BenchmarkExplain measures one explanation of a chat no agent can take, at
// growing numbers of agents of its queue, against the baseline of reading
// the tenant's logged-in agents, which any answer must do: the explanation
// is linear in the agents, and the difference is the cost of judging them.
func BenchmarkExplain(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{100, 1000, 10000} {
		store := skillFixture(b, n)
		chat := routing.Chat{ID: "c", Queue: "q", Channel: switchboard.DefaultChannel, State: routing.Queued,
			EnqueuedAt: start, QueuedAt: start, Skills: []routing.SkillRequirement{{Skill: "rare", Min: 9}}}
		if err := store.Commit(ctx, routing.Txn{Chats: []routing.Chat{chat}}); err != nil {
			b.Fatal(err)
		}
		mock := clock.NewMock()
		mock.Set(start)
		r, err := routing.New(store, routingmem.NewBus(), routing.Config{Clock: mock})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("agents="+strconv.Itoa(n)+"/baseline-logged-in", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				as, err := r.LoggedIn(ctx, "")
				if err != nil || len(as) != n {
					b.Fatal(len(as), err)
				}
			}
		})
		b.Run("agents="+strconv.Itoa(n)+"/explain", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := r.Explain(ctx, "c")
				if err != nil || len(e.Agents) != n || len(e.Eligible()) != 0 {
					b.Fatal(len(e.Agents), err)
				}
			}
		})
	}
}
