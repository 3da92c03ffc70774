package routing_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestRingAllRoundIsCappedLongestIdleFirst(t *testing.T) {
	t.Parallel()
	// SPEC X3: a ring-all round offers the chat to at most RingAllMax
	// agents, those idle the longest.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RingAll, RingAllMax: 2})
	for _, id := range []switchboard.AgentID{"first", "second", "third", "fourth"} {
		login(t, r, b, id, 1, "q")
		b.clock.Add(time.Second)
	}
	c := enqueue(t, r, b, "c", "q")
	require.Equal(t, 2, c.Pending)
	require.Equal(t, []switchboard.AgentID{"first", "second"}, offeredTo(t, r, b, "c", "first", "second", "third", "fourth"))

	// The next round, after both reject, goes to the next two.
	require.NoError(t, r.Reject(b.ctx, "first", onlyOffer(t, r, b, "first").ID))
	require.NoError(t, r.Reject(b.ctx, "second", onlyOffer(t, r, b, "second").ID))
	require.Equal(t, []switchboard.AgentID{"third", "fourth"}, offeredTo(t, r, b, "c", "first", "second", "third", "fourth"))
}

func TestRingAllCapDefaultsToFifty(t *testing.T) {
	t.Parallel()
	// SPEC X3: a queue that sets no cap rings DefaultRingAllMax agents; a
	// negative cap rings every eligible agent.
	for _, tc := range []struct {
		max, want int
	}{{0, routing.DefaultRingAllMax}, {-1, 60}, {7, 7}} {
		t.Run(fmt.Sprint(tc.max), func(t *testing.T) {
			r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RingAll, RingAllMax: tc.max})
			var agents []switchboard.AgentID
			for i := range 60 {
				id := switchboard.AgentID(fmt.Sprintf("a%02d", i))
				agents = append(agents, id)
				login(t, r, b, id, 1, "q")
				b.clock.Add(time.Second)
			}
			c := enqueue(t, r, b, "c", "q")
			require.Equal(t, tc.want, c.Pending)
			got := offeredTo(t, r, b, "c", agents...)
			require.Equal(t, agents[:tc.want], got, "the longest idle")
			require.True(t, slices.IsSorted(got))
		})
	}
}
