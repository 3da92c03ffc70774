package routing_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// positions returns each chat's position as Status reports it.
func positions(t *testing.T, r *routing.Router, b *testBundle, ids ...switchboard.ChatID) map[switchboard.ChatID]int {
	t.Helper()
	out := map[switchboard.ChatID]int{}
	for _, id := range ids {
		st, err := r.Status(b.ctx, id)
		require.NoError(t, err)
		require.True(t, st.Exact)
		out[id] = st.Position
	}
	return out
}

func TestAgingCountsPriorityAsEarlierArrival(t *testing.T) {
	t.Parallel()
	// SPEC V5: with an aging step of a minute, a priority 2 chat counts as
	// arrived two minutes earlier: it goes ahead of the chats that came
	// less than two minutes before it, and stays behind older ones.
	r, b := setup(t, routing.Queue{ID: "q", AgingStep: time.Minute})
	enq := func(id switchboard.ChatID, priority int) routing.Chat {
		c, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: id, Queue: "q", Priority: priority})
		require.NoError(t, err)
		return c
	}
	enq("oldest", 0)              // key 0
	b.clock.Add(90 * time.Second) // 90 s
	enq("plain", 0)               // key 90 s
	b.clock.Add(60 * time.Second) // 150 s
	urgent := enq("urgent", 2)    // key 30 s
	b.clock.Add(60 * time.Second) // 210 s
	enq("lowered", -1)            // key 270 s
	b.clock.Add(30 * time.Second) // 240 s
	enq("last", 0)                // key 240 s
	require.Equal(t, start.Add(30*time.Second), urgent.VirtualStart)
	require.Equal(t, map[switchboard.ChatID]int{"oldest": 1, "urgent": 2, "plain": 3, "last": 4, "lowered": 5},
		positions(t, r, b, "oldest", "plain", "urgent", "lowered", "last"))

	// Agents take them in that order.
	var served []switchboard.ChatID
	for i := range 5 {
		id := switchboard.AgentID(fmt.Sprintf("a%d", i))
		login(t, r, b, id, 1, "q")
		served = append(served, onlyOffer(t, r, b, id).Chat)
	}
	require.Equal(t, []switchboard.ChatID{"oldest", "urgent", "plain", "last", "lowered"}, served)
}

func TestWithoutAgingPriorityComesFirst(t *testing.T) {
	t.Parallel()
	// SPEC V6: without an aging step the order is higher priority first,
	// then first come, first served; chats carry no aging key.
	r, b := setup(t, routing.Queue{ID: "q"})
	for i, p := range []int{0, 0, 2, -1, 0} {
		c, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("c%d", i)), Queue: "q", Priority: p})
		require.NoError(t, err)
		require.True(t, c.VirtualStart.IsZero())
		b.clock.Add(time.Hour)
	}
	require.Equal(t, map[switchboard.ChatID]int{"c2": 1, "c0": 2, "c1": 3, "c4": 4, "c3": 5},
		positions(t, r, b, "c0", "c1", "c2", "c3", "c4"))
}

func TestAgedChatsDoNotOvertakeAHigherPriorityQueue(t *testing.T) {
	t.Parallel()
	// SPEC V7: an agent serving two queues is offered the chat of the
	// queue of higher Priority first, however long the aged chat of the
	// other queue has waited and however high its priority.
	r, b := setup(t, routing.Queue{ID: "urgent", Priority: 1},
		routing.Queue{ID: "aged", AgingStep: time.Hour})
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "old", Queue: "aged", Priority: 10})
	require.NoError(t, err)
	b.clock.Add(time.Hour)
	enqueue(t, r, b, "new", "urgent")
	login(t, r, b, "a", 1, "urgent", "aged")
	require.Equal(t, switchboard.ChatID("new"), onlyOffer(t, r, b, "a").Chat)
}

func TestAgingKeyIsBoundedForExtremePriorities(t *testing.T) {
	t.Parallel()
	// SPEC V5: a huge priority does not overflow the key: it orders as far
	// ahead (or behind) as a century of waiting.
	r, b := setup(t, routing.Queue{ID: "q", AgingStep: routing.MaxAgingStep})
	hi, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "hi", Queue: "q", Priority: 1 << 60})
	require.NoError(t, err)
	lo, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "lo", Queue: "q", Priority: -(1 << 60)})
	require.NoError(t, err)
	enqueue(t, r, b, "mid", "q")
	require.True(t, hi.VirtualStart.Before(start) && lo.VirtualStart.After(start))
	require.Less(t, start.Sub(hi.VirtualStart), 101*365*24*time.Hour)
	require.Equal(t, map[switchboard.ChatID]int{"hi": 1, "mid": 2, "lo": 3}, positions(t, r, b, "hi", "mid", "lo"))
}

// agingChat is what the property test knows of a chat it enqueued.
type agingChat struct {
	id       switchboard.ChatID
	priority int
	at       time.Time
	seq      int
}

func TestPositionsFollowTheAgedOrder(t *testing.T) {
	t.Parallel()
	// SPEC V5, V6: whatever chats arrive, leave or are served, with aging
	// on or off, every waiting chat's position is its rank in the order
	// the test computes by itself: by EnqueuedAt − priority×step (with
	// aging) or by priority then EnqueuedAt (without), then arrival.
	rapid.Check(t, func(rt *rapid.T) {
		step := time.Duration(rapid.SampledFrom([]int{0, 1, 30}).Draw(rt, "aging step (s)")) * time.Second
		r, b := setup(t, routing.Queue{ID: "q", AgingStep: step})
		var waiting []agingChat
		n, agents := 0, 0
		for range rapid.IntRange(1, 40).Draw(rt, "actions") {
			switch rapid.IntRange(0, 5).Draw(rt, "action") {
			case 0, 1, 2:
				p := rapid.IntRange(-3, 3).Draw(rt, "priority")
				id := switchboard.ChatID(fmt.Sprintf("c%02d", n))
				_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: id, Queue: "q", Priority: p})
				require.NoError(rt, err)
				waiting = append(waiting, agingChat{id, p, b.clock.Now(), n})
				n++
			case 3:
				b.clock.Add(time.Duration(rapid.IntRange(0, 120).Draw(rt, "wait (s)")) * time.Second)
			case 4:
				if len(waiting) == 0 {
					continue
				}
				i := rapid.IntRange(0, len(waiting)-1).Draw(rt, "leaves")
				require.NoError(rt, r.Abandon(b.ctx, waiting[i].id))
				waiting = slices.Delete(waiting, i, i+1)
			case 5:
				// An agent logs in and is offered the first chat, which
				// keeps its place while offered; it accepts it.
				if len(waiting) == 0 {
					continue // an idle agent would take the next chat at once
				}
				id := switchboard.AgentID(fmt.Sprintf("a%02d", agents))
				agents++
				_, err := r.Login(b.ctx, id, routing.Profile{Queues: qids("q"), Capacity: chatCap(1)})
				require.NoError(rt, err)
				os, err := r.Offers(b.ctx, id)
				require.NoError(rt, err)
				require.Len(rt, os, 1)
				first := slices.MinFunc(waiting, func(a, c agingChat) int { return compareAged(step, a, c) })
				require.Equal(rt, first.id, os[0].Chat, "the first chat in the order is offered")
				_, err = r.Accept(b.ctx, id, os[0].ID)
				require.NoError(rt, err)
				waiting = slices.DeleteFunc(waiting, func(c agingChat) bool { return c.id == first.id })
			}
			want := slices.Clone(waiting)
			slices.SortFunc(want, func(a, c agingChat) int { return compareAged(step, a, c) })
			for i, c := range want {
				st, err := r.Status(b.ctx, c.id)
				require.NoError(rt, err)
				require.Equal(rt, i+1, st.Position, "position of %s", c.id)
			}
		}
	})
}

// compareAged is the order the property test expects, computed apart from
// the library's.
func compareAged(step time.Duration, a, b agingChat) int {
	if step == 0 {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
	} else {
		ka := a.at.Add(-time.Duration(a.priority) * step)
		kb := b.at.Add(-time.Duration(b.priority) * step)
		if c := ka.Compare(kb); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.seq, b.seq); c != 0 {
		return c
	}
	return strings.Compare(string(a.id), string(b.id))
}
