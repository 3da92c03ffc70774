package stats_test

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

// simEvent is something due in the simulated day.
type simEvent struct {
	at    time.Time
	kind  int // arrive, finish, abandon, login, leave
	chat  switchboard.ChatID
	agent switchboard.AgentID
}

const (
	arrive = iota
	finish
	abandon
	login
	leave
)

type agenda []simEvent

func (a agenda) Len() int { return len(a) }
func (a agenda) Less(i, j int) bool {
	if !a[i].at.Equal(a[j].at) {
		return a[i].at.Before(a[j].at)
	}
	return a[i].kind < a[j].kind
}
func (a agenda) Swap(i, j int) { a[i], a[j] = a[j], a[i] }
func (a *agenda) Push(x any)   { *a = append(*a, x.(simEvent)) }
func (a *agenda) Pop() any {
	old := *a
	x := old[len(old)-1]
	*a = old[:len(old)-1]
	return x
}

// guess is what a waiting customer was told, and what happened.
type guess struct {
	arrived      time.Time
	est, naive   time.Duration
	hasEst       bool
	answered     bool
	wait         time.Duration
	positionSeen int
}

// TestEstimatedWaitOnASimulatedDay runs a day of one queue through the
// router on the mock clock (Poisson arrivals with a morning peak, agents
// logging in and out in shifts, customers abandoning after an exponential
// patience, exponential handle times) and compares, for every customer
// who had to wait and was answered, the wait the Estimator told it on
// entry with the wait it had (SPEC M8). The mean absolute error must be
// at most 30% of the mean wait, and below that of the naive estimate
// position × average handle time ÷ agents logged in.
func TestEstimatedWaitOnASimulatedDay(t *testing.T) {
	const aht = 6 * time.Minute
	rnd := rand.New(rand.NewPCG(2024, 11))
	exp := func(mean time.Duration) time.Duration {
		return time.Duration(rnd.ExpFloat64() * float64(mean))
	}
	g := newRig(t, stats.Config{}, routing.Queue{ID: "q", Tenant: "acme", AcceptTimeout: time.Hour})
	est := stats.NewEstimator(15 * time.Minute)
	var err error
	g.cons, err = stats.NewConsumer(stats.Config{}, g.stats, est)
	require.NoError(t, err)

	open, closing := at("08:00:00"), at("18:00:00")
	rate := func(t time.Time) float64 { // arrivals per minute
		h := t.Sub(day).Hours()
		return 2 + 7*math.Exp(-math.Pow((h-10.5)/1.2, 2))
	}
	var ag agenda
	for t := open; t.Before(closing); { // thinning: peak rate 9/min
		t = t.Add(time.Duration(rnd.ExpFloat64() / 9 * float64(time.Minute)))
		if rnd.Float64() < rate(t)/9 {
			ag = append(ag, simEvent{at: t, kind: arrive, chat: switchboard.ChatID(fmt.Sprintf("c%d", len(ag)))})
		}
	}
	shifts := []struct {
		n        int
		from, to string
	}{{16, "08:00:00", "18:00:00"}, {12, "09:00:00", "14:00:00"}, {8, "09:30:00", "12:30:00"}, {4, "13:00:00", "17:00:00"}}
	n := 0
	for _, s := range shifts {
		for range s.n {
			id := switchboard.AgentID(fmt.Sprintf("a%02d", n))
			n++
			ag = append(ag, simEvent{at: at(s.from), kind: login, agent: id}, simEvent{at: at(s.to), kind: leave, agent: id})
		}
	}
	heap.Init(&ag)

	guesses := map[switchboard.ChatID]*guess{}
	leaving := map[switchboard.AgentID]bool{}
	loggedIn := map[switchboard.AgentID]bool{}
	busy := map[switchboard.AgentID]switchboard.ChatID{}
	// take has every agent with a pending offer accept it at once.
	take := func() {
		for a := range loggedIn {
			os, err := g.r.Offers(g.ctx, a)
			require.NoError(t, err)
			for _, o := range os {
				_, err := g.r.Accept(g.ctx, a, o.ID)
				require.NoError(t, err)
				busy[a] = o.Chat
				if gs := guesses[o.Chat]; gs != nil {
					gs.answered, gs.wait = true, g.clock.Now().Sub(gs.arrived)
				}
				heap.Push(&ag, simEvent{at: g.clock.Now().Add(exp(aht)), kind: finish, chat: o.Chat, agent: a})
			}
		}
	}
	for ag.Len() > 0 {
		ev := heap.Pop(&ag).(simEvent)
		g.clock.Set(ev.at)
		switch ev.kind {
		case login:
			g.login(ev.agent, "red", 1, "q")
			loggedIn[ev.agent] = true
		case leave:
			if busy[ev.agent] == "" {
				require.NoError(t, g.r.Logout(g.ctx, ev.agent))
				delete(loggedIn, ev.agent)
			} else {
				leaving[ev.agent] = true
				require.NoError(t, g.r.SetState(g.ctx, ev.agent, routing.NotReady, "end of shift"))
			}
		case finish:
			require.NoError(t, g.r.End(g.ctx, ev.chat))
			delete(busy, ev.agent)
			if leaving[ev.agent] {
				require.NoError(t, g.r.Logout(g.ctx, ev.agent))
				delete(loggedIn, ev.agent)
			}
		case abandon:
			if c, err := g.r.Chat(g.ctx, ev.chat); err == nil && (c.State == routing.Queued || c.State == routing.Offered) {
				require.NoError(t, g.r.Abandon(g.ctx, ev.chat))
			}
		case arrive:
			g.enqueue(ev.chat, "q")
			c, err := g.r.Chat(g.ctx, ev.chat)
			require.NoError(t, err)
			if c.State == routing.Queued { // every agent is busy: it waits
				g.fold()
				pos, _, err := g.store.Position(g.ctx, ev.chat)
				require.NoError(t, err)
				gs := &guess{arrived: ev.at, positionSeen: pos}
				gs.est, gs.hasEst = est.EstimateWait(g.ctx, "q", pos, ev.at)
				if len(loggedIn) > 0 {
					gs.naive = time.Duration(pos) * aht / time.Duration(len(loggedIn))
				}
				guesses[ev.chat] = gs
				heap.Push(&ag, simEvent{at: ev.at.Add(exp(8 * time.Minute)), kind: abandon, chat: ev.chat})
			}
		}
		take()
	}

	var count int
	var sumWait, errEst, errNaive, biasEst, biasNaive float64
	for _, gs := range guesses {
		if !gs.answered || !gs.hasEst {
			continue
		}
		count++
		sumWait += gs.wait.Seconds()
		errEst += math.Abs((gs.est - gs.wait).Seconds())
		errNaive += math.Abs((gs.naive - gs.wait).Seconds())
		biasEst += (gs.est - gs.wait).Seconds()
		biasNaive += (gs.naive - gs.wait).Seconds()
	}
	require.Greater(t, count, 100, "customers who waited and were answered")
	mean, maeEst, maeNaive := sumWait/float64(count), errEst/float64(count), errNaive/float64(count)
	t.Logf("%d customers waited and were answered: mean wait %.0fs; estimate MAE %.0fs (%.0f%% of the mean), naive MAE %.0fs (%.0f%%)",
		count, mean, maeEst, 100*maeEst/mean, maeNaive, 100*maeNaive/mean)
	t.Logf("mean error: estimate %+.0fs, naive %+.0fs", biasEst/float64(count), biasNaive/float64(count))
	require.LessOrEqual(t, maeEst, 0.30*mean)
	require.Less(t, maeEst, maeNaive)
}

// TestEstimateWaitNeedsABasis checks that the estimator says nothing
// without enough answers while chats waited, or for a negative position,
// and that with no abandonment a customer k places back waits about k+1
// answer intervals (SPEC M8).
func TestEstimateWaitNeedsABasis(t *testing.T) {
	est := stats.NewEstimator(15 * time.Minute)
	t0 := at("09:00:00")
	_, ok := est.EstimateWait(t.Context(), "q", 0, t0)
	require.False(t, ok, "no events")
	// Four chats wait from 09:00; one is answered every 20s.
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3", "c4"} {
		est.Observe(&routing.Event{Type: routing.ChatQueued, At: t0, Chat: id, Queue: "q"})
	}
	for i, id := range []switchboard.ChatID{"c1", "c2"} {
		est.Observe(&routing.Event{Type: routing.ChatAssigned, At: t0.Add(time.Duration(i+1) * 20 * time.Second), Chat: id, Queue: "q"})
	}
	_, ok = est.EstimateWait(t.Context(), "q", 0, t0.Add(40*time.Second))
	require.False(t, ok, "two answers are too few")
	est.Observe(&routing.Event{Type: routing.ChatAssigned, At: t0.Add(60 * time.Second), Chat: "c3", Queue: "q"})
	_, ok = est.EstimateWait(t.Context(), "q", -1, t0.Add(60*time.Second))
	require.False(t, ok, "a negative position")
	d, ok := est.EstimateWait(t.Context(), "q", 2, t0.Add(60*time.Second))
	require.True(t, ok)
	// 3 answers in 60s of backlog: 20s each; 3 steps, median 3−⅓ of them.
	require.InDelta(t, 60*(1-1.0/9), d.Seconds(), 1e-6)
	// The window moves on: 16 minutes later the answers are forgotten.
	_, ok = est.EstimateWait(t.Context(), "q", 0, t0.Add(16*time.Minute+time.Minute))
	require.False(t, ok)
}
