package stats_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

// busyMorning drives a router through n random operations (logins and
// logouts, pauses, chats entering, offers accepted and rejected, chats
// abandoned, ended, wrapped up, transferred and reopened, time passing
// with timeouts and overflows) and returns the rig.
func busyMorning(t *testing.T, seed uint64, n int) *rig {
	rnd := rand.New(rand.NewPCG(seed, 1))
	g := newRig(t, stats.Config{Interval: 5 * time.Minute},
		routing.Queue{ID: "q1", Tenant: "acme", AcceptTimeout: 30 * time.Second, WrapUp: 20 * time.Second},
		routing.Queue{ID: "q0", Tenant: "acme", AcceptTimeout: 30 * time.Second, WrapUp: 20 * time.Second, MaxWait: 3 * time.Minute, Overflow: "q1"})
	agents := []switchboard.AgentID{"a0", "a1", "a2", "a3"}
	var chats []switchboard.ChatID
	pick := func() switchboard.ChatID {
		if len(chats) == 0 {
			return "none"
		}
		return chats[rnd.IntN(len(chats))]
	}
	for i := range n {
		a := agents[rnd.IntN(len(agents))]
		// Errors are expected (an agent already logged in, a chat not
		// waiting): the operation changes nothing then.
		switch rnd.IntN(14) {
		case 0:
			_, _ = g.r.Login(g.ctx, a, routing.Profile{Tenant: "acme", Team: []string{"red", "blue"}[rnd.IntN(2)],
				Queues: []switchboard.QueueID{"q0", "q1"}[:1+rnd.IntN(2)], Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 1 + rnd.IntN(2)}}})
		case 1:
			if rnd.IntN(3) == 0 {
				_ = g.r.Logout(g.ctx, a)
			}
		case 2:
			_ = g.r.SetState(g.ctx, a, []routing.State{routing.Available, routing.NotReady}[rnd.IntN(2)], "break")
		case 3, 4:
			id := switchboard.ChatID(fmt.Sprintf("c%d", i))
			chats = append(chats, id)
			_, _ = g.r.Enqueue(g.ctx, routing.ChatRequest{ID: id, Queue: []switchboard.QueueID{"q0", "q1"}[rnd.IntN(2)], Priority: rnd.IntN(3)})
		case 5, 6, 12, 13:
			if os, _ := g.r.Offers(g.ctx, a); len(os) > 0 {
				if rnd.IntN(4) == 0 {
					_ = g.r.Reject(g.ctx, a, os[0].ID)
				} else {
					_, _ = g.r.Accept(g.ctx, a, os[0].ID)
				}
			}
		case 7:
			if rnd.IntN(3) == 0 {
				_ = g.r.Abandon(g.ctx, pick())
			}
		case 8:
			for range 5 { // look for a chat in conversation
				if c, err := g.r.Chat(g.ctx, pick()); err == nil && c.State == routing.Assigned {
					_ = g.r.End(g.ctx, c.ID)
					break
				}
			}
		case 9:
			id := pick()
			if c, err := g.r.Chat(g.ctx, id); err == nil && c.State == routing.InWrapUp {
				_ = g.r.CompleteWrapUp(g.ctx, id, c.Agent)
			}
		case 10:
			id := pick()
			if c, err := g.r.Chat(g.ctx, id); err == nil {
				switch {
				case c.State == routing.Assigned:
					_, _ = g.r.Transfer(g.ctx, routing.TransferRequest{Chat: id, From: c.Agent, Queue: []switchboard.QueueID{"q0", "q1"}[rnd.IntN(2)]})
				case c.State.Final():
					_, _ = g.r.Reopen(g.ctx, routing.ChatRequest{ID: id, Queue: "q0"})
				}
			}
		case 11:
			g.clock.Add(time.Duration(1+rnd.IntN(120)) * time.Second)
			_, err := g.r.Sweep(g.ctx)
			require.NoError(t, err)
		}
	}
	return g
}

// TestFoldSplitAndMerged checks that folding is deterministic, idempotent
// and mergeable (SPEC M5): the figures of the whole log folded in one pass
// equal those of each partition folded in pieces (as processes that
// crash and carry on from the stored state do), with events delivered
// again around every cut, and merged across partitions.
func TestFoldSplitAndMerged(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Uint64().Draw(rt, "seed")
		g := busyMorning(t, seed, 300)
		logs := g.events()
		cfg := stats.Config{Interval: 5 * time.Minute}

		one, err := stats.New(cfg, stats.State{})
		require.NoError(rt, err)
		for _, evs := range logs {
			for _, e := range evs {
				e.Seq = 0 // one pass over every partition: no replays to skip
				one.Apply(&e)
			}
		}

		var parts []*stats.State
		for p, evs := range logs {
			st := stats.State{Partition: p}
			for i := 0; i < len(evs); {
				j := min(len(evs), i+1+rapid.IntRange(0, 40).Draw(rt, "piece"))
				back := rapid.IntRange(0, i).Draw(rt, "replayed")
				a, err := stats.New(cfg, st.Clone())
				require.NoError(rt, err)
				for k := back; k < j; k++ {
					a.Apply(&evs[k])
				}
				st = a.State().Clone()
				i = j
			}
			parts = append(parts, &st)
		}
		want, got := stats.MergeFigures(one.State()), stats.MergeFigures(parts...)
		require.Equal(rt, len(want), len(got))
		for k, f := range want {
			require.Equal(rt, *f, *got[k], "figures of %v", k)
		}
		require.Equal(rt, stats.Snapshot(at("12:00:00"), one.State()), stats.Snapshot(at("12:00:00"), parts...))
	})
}

// TestKeepDropsOldIntervalsAlike checks that with Config.Keep a partition
// folded in pieces, pruned after each, holds the same figures as one
// folded in one pass and pruned once: the intervals Keep before its
// latest event, and none older (SPEC M5).
func TestKeepDropsOldIntervalsAlike(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		g := busyMorning(t, rapid.Uint64().Draw(rt, "seed"), 300)
		cfg := stats.Config{Interval: 5 * time.Minute, Keep: 10 * time.Minute}
		for p, evs := range g.events() {
			if len(evs) == 0 {
				continue
			}
			one, err := stats.New(cfg, stats.State{Partition: p})
			require.NoError(rt, err)
			for i := range evs {
				one.Apply(&evs[i])
			}
			one.Prune()
			st := stats.State{Partition: p}
			for i := 0; i < len(evs); {
				j := min(len(evs), i+1+rapid.IntRange(0, 40).Draw(rt, "piece"))
				a, err := stats.New(cfg, st.Clone())
				require.NoError(rt, err)
				for k := i; k < j; k++ {
					a.Apply(&evs[k])
				}
				a.Prune()
				st = a.State().Clone()
				i = j
			}
			require.Equal(rt, stats.MergeFigures(one.State()), stats.MergeFigures(&st))
			horizon := evs[len(evs)-1].At.Add(-cfg.Keep)
			for k := range st.Figures {
				require.GreaterOrEqual(rt, k.Start, one.Start(horizon).UnixNano(), "row %v is older than Keep", k)
			}
		}
	})
}
