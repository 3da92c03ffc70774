package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

var ctx = context.Background()

// workloadChats is about how many chats the workloads start:
// SWITCHBOARD_PG_CHATS, or a number that fits a loaded 2-core machine (a
// fifth of it under the race detector).
func workloadChats() int {
	if n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_PG_CHATS")); err == nil && n > 0 {
		return n
	}
	if raceEnabled {
		return 60
	}
	return 300
}

var pgQueues = []routing.Queue{
	{ID: "ring", Tenant: "t1", Strategy: routing.RingAll, AcceptTimeout: 15 * time.Second, MaxWait: 2 * time.Minute, WrapUp: 20 * time.Second},
	{ID: "idle", Tenant: "t1", Strategy: routing.LongestIdle, AcceptTimeout: 20 * time.Second, MaxWait: 3 * time.Minute, WrapUp: 30 * time.Second},
	{ID: "busy", Tenant: "t1", Strategy: routing.LeastBusy, AcceptTimeout: 20 * time.Second, MaxWait: 3 * time.Minute, WrapUp: 30 * time.Second},
}

// newEngine returns an engine over the stores of schema, on a pool of its
// own, as a process of its own would have.
func newEngine(t testing.TB, schema, name string, clk clock.Clock, tr session.Transport, manual bool) *engine.Engine {
	t.Helper()
	pool := newPool(t, schema, 6)
	eng, err := engine.New(ctx, engine.Config{
		Routing:  pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: clk}),
		Sessions: pgstore.NewSessions(pool, pgstore.SessionConfig{}),
		Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: tr,
		Clock: clk, Manual: manual, Process: name, Poll: 20 * time.Millisecond, Lease: 3 * time.Second})
	require.NoError(t, err)
	return eng
}

// profiles returns the IDs and profiles of n agents, each serving two of
// the queues.
func profiles(n int) ([]switchboard.AgentID, map[switchboard.AgentID]routing.Profile) {
	prof := map[switchboard.AgentID]routing.Profile{}
	var agents []switchboard.AgentID
	for i := range n {
		id := switchboard.AgentID(fmt.Sprintf("a%02d", i))
		qs := []switchboard.QueueID{"ring", "idle", "busy"}
		qs = slices.Delete(qs, i%3, i%3+1)
		prof[id] = routing.Profile{DisplayName: fmt.Sprintf("Agent %d", i), Tenant: "t1", Team: "sales", Queues: qs,
			Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2 + i%2}}}
		agents = append(agents, id)
	}
	return agents, prof
}

// setUp puts the queues and logs n agents in through eng, returning their
// IDs and profiles.
func setUp(t testing.TB, eng *engine.Engine, n int) ([]switchboard.AgentID, map[switchboard.AgentID]routing.Profile) {
	return setUpQueues(t, eng, n, pgQueues)
}

func setUpQueues(t testing.TB, eng *engine.Engine, n int, queues []routing.Queue) ([]switchboard.AgentID, map[switchboard.AgentID]routing.Profile) {
	t.Helper()
	r := eng.Router()
	for _, q := range queues {
		q.Chat.WrapUpReasons = []string{"sold", "no-sale"}
		q.Chat.AfterClose = switchboard.PolicyReopen
		_, err := r.PutQueue(ctx, q)
		require.NoError(t, err)
	}
	agents, prof := profiles(n)
	for _, id := range agents {
		_, err := r.Login(ctx, id, prof[id])
		require.NoError(t, err)
	}
	return agents, prof
}

// actor drives customers and agents against a set of engines, retrying
// what a host retries: conflicts and transient failures.
type actor struct {
	// prefix starts the IDs of the chats and messages it makes; onStart,
	// when set, records a chat before it is started.
	prefix  string
	onStart func(switchboard.ChatID, switchboard.CustomerID, switchboard.QueueID)
	procs   []*engine.Engine
	agents  []switchboard.AgentID
	prof    map[switchboard.AgentID]routing.Profile

	chatBudget atomic.Int64
	ops        atomic.Int64
	mu         sync.Mutex
	chats      map[switchboard.ChatID]switchboard.CustomerID
	order      []switchboard.ChatID
}

func (a *actor) do(fn func() error) error {
	a.ops.Add(1)
	for i := 0; ; i++ {
		err := fn()
		if err == nil || i == 12 || !(errors.Is(err, routing.ErrConflict) || errors.Is(err, session.ErrConflict) ||
			errors.Is(err, routing.ErrOutcomeUnknown) || errors.Is(err, session.ErrOutcomeUnknown)) {
			return err
		}
	}
}

// customer starts chats while the budget lasts, writes to them and leaves
// some. It stops when stop says so.
func (a *actor) customer(g int, rnd *rand.Rand, stop func() bool) {
	var mine []switchboard.ChatID
	for k := 0; !stop(); k++ {
		p := a.procs[rnd.IntN(len(a.procs))]
		switch r := rnd.Float64(); {
		case len(mine) == 0 || r < 0.2:
			if a.chatBudget.Add(-1) < 0 {
				if len(mine) == 0 {
					return
				}
				continue
			}
			id := switchboard.ChatID(fmt.Sprintf("%sc%02d-%d", a.prefix, g, k))
			cust := switchboard.CustomerID(fmt.Sprintf("%su%02d-%d", a.prefix, g, k))
			q := pgQueues[rnd.IntN(len(pgQueues))].ID
			if a.onStart != nil {
				a.onStart(id, cust, q)
			}
			a.mu.Lock()
			a.chats[id] = cust
			a.order = append(a.order, id)
			a.mu.Unlock()
			_ = a.do(func() error {
				_, err := p.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: q, Customer: cust, CustomerName: "Customer"})
				return err
			})
			mine = append(mine, id)
			if len(mine) > 2 {
				mine = mine[1:]
			}
		case r < 0.9:
			id := mine[rnd.IntN(len(mine))]
			a.mu.Lock()
			cust := a.chats[id]
			a.mu.Unlock()
			msg := session.Message{ID: fmt.Sprintf("%sm%02d-%d", a.prefix, g, k), From: session.CustomerParticipant(cust), Text: "a question " + strconv.Itoa(k)}
			_ = a.do(func() error { _, err := p.Send(ctx, id, msg); return err })
		default:
			i := rnd.IntN(len(mine))
			id := mine[i]
			a.mu.Lock()
			cust := a.chats[id]
			a.mu.Unlock()
			_ = a.do(func() error { return p.CustomerLeft(ctx, id, cust) })
			mine = slices.Delete(mine, i, i+1)
		}
	}
}

// agent takes and rejects offers (or lets them time out: RONA), answers,
// transfers, ends, closes and completes wrap-ups.
func (a *actor) agent(ag switchboard.AgentID, rnd *rand.Rand, stop func() bool) {
	me := session.AgentParticipant(ag)
	for k := 0; !stop(); k++ {
		p := a.procs[rnd.IntN(len(a.procs))]
		r := p.Router()
		var st routing.Agent
		if err := a.do(func() (err error) { st, err = r.Agent(ctx, ag); return }); err != nil {
			continue
		}
		switch st.State {
		case routing.LoggedOut:
			_ = a.do(func() error { _, err := r.Login(ctx, ag, a.prof[ag]); return err })
			continue
		case routing.RONA, routing.NotReady:
			_ = a.do(func() error { return r.SetState(ctx, ag, routing.Available, "") })
			continue
		}
		x := rnd.Float64()
		var offers []routing.Offer
		if err := a.do(func() (err error) { offers, err = r.Offers(ctx, ag); return }); err != nil {
			continue
		}
		if len(offers) > 0 && x < 0.7 {
			o := offers[rnd.IntN(len(offers))]
			switch y := rnd.Float64(); {
			case y < 0.75:
				_ = a.do(func() error { _, _, err := p.Accept(ctx, ag, o.ID); return err })
			case y < 0.9:
				_ = a.do(func() error { return p.Reject(ctx, ag, o.ID) })
			}
			// else: left to time out (RONA)
			continue
		}
		var chats []routing.Chat
		if err := a.do(func() (err error) { chats, err = r.AgentChats(ctx, ag); return }); err != nil || len(chats) == 0 {
			continue
		}
		c := chats[rnd.IntN(len(chats))]
		switch y := rnd.Float64(); {
		case c.State == routing.InWrapUp && c.Agent == ag || c.HoldIndex(ag) >= 0:
			_ = a.do(func() error { return p.CompleteWrapUp(ctx, c.ID, ag) })
		case c.State != routing.Assigned || c.Agent != ag:
		case y < 0.5:
			msg := session.Message{ID: fmt.Sprintf("%s%s-%d", a.prefix, ag, k), From: me, Text: "an answer " + strconv.Itoa(k)}
			_ = a.do(func() error { _, err := p.Send(ctx, c.ID, msg); return err })
		case y < 0.7:
			opts := session.EndOptions{Reason: "sold", Confirm: true}
			_ = a.do(func() error { _, err := p.End(ctx, c.ID, ag, opts); return err })
		case y < 0.8:
			opts := session.EndOptions{Reason: "no-sale", Confirm: true}
			_ = a.do(func() error { _, err := p.Close(ctx, c.ID, ag, opts); return err })
		default:
			req := transfer.Request{Chat: c.ID, From: ag, Agent: a.agents[rnd.IntN(len(a.agents))], Comment: "over to you"}
			if rnd.IntN(2) == 0 {
				req = transfer.Request{Chat: c.ID, From: ag, Queue: pgQueues[rnd.IntN(len(pgQueues))].ID}
			}
			_ = a.do(func() error { _, err := p.Transfer(ctx, req); return err })
		}
	}
}

// fingerprint renders the versions of every chat, session and agent.
func fingerprint(t testing.TB, eng *engine.Engine, chats []switchboard.ChatID, agents []switchboard.AgentID) string {
	var b strings.Builder
	for _, id := range chats {
		c, err := eng.Router().Chat(ctx, id)
		require.NoError(t, err, "chat %s", id)
		s, err := eng.Sessions().Session(ctx, id)
		require.NoError(t, err, "session %s", id)
		fmt.Fprintf(&b, "%s %d %d;", id, c.Version, s.Version)
	}
	for _, a := range agents {
		ag, err := eng.Router().Agent(ctx, a)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%s %d;", a, ag.Version)
	}
	return b.String()
}

// checkWorld checks the invariants once the engines are quiet (SPEC G3):
// every chat is in exactly one place and its session agrees, no chat is
// assigned twice, nobody is over capacity or holds a stranded slot, and,
// when deliveries are given, every message reached each participant
// entitled to it once and nobody else.
func checkWorld(t *testing.T, eng *engine.Engine, chats []switchboard.ChatID, readLog func(switchboard.ChatID) ([]session.Entry, error),
	agents []switchboard.AgentID, deliveries func(session.ParticipantID) []session.Delivery, killed string) map[routing.ChatState]int {
	r, m := eng.Router(), eng.Sessions()
	states := map[routing.ChatState]int{}
	byID := map[switchboard.ChatID]routing.Chat{}
	var current switchboard.ChatID
	defer func() {
		if t.Failed() && current != "" {
			log, err := m.OrganisationLog(ctx, current)
			for _, l := range log {
				t.Logf("%s log: %s %s %s %s %q %q", current, l.At.Format("15:04:05.000000"), l.Type, l.From, l.SubjectName, l.Text, l.Reason)
			}
			c, _ := r.Chat(ctx, current)
			t.Logf("%s routing: %+v (%v)", current, c, err)
			s, serr := m.Session(ctx, current)
			t.Logf("%s session: %s reopened %v wrap-up %+v participants %+v (%v)", current, s.Status, s.ReopenedAt, s.WrapUp, s.Participants, serr)
		}
	}()
	for _, id := range chats {
		current = id
		c, err := r.Chat(ctx, id)
		require.NoError(t, err, "chat %s is lost", id)
		byID[id] = c
		states[c.State]++
		s, err := m.Session(ctx, id)
		require.NoError(t, err, "session %s is lost", id)
		owner := s.Owner()
		ownerPresent := owner != nil && owner.Present()
		where := fmt.Sprintf("chat %s (routing %s agent=%q end=%s; session %s)", id, c.State, c.Agent, c.EndReason, s.Status)
		switch c.State {
		case routing.Queued, routing.Offered:
			require.Equal(t, session.StatusActive, s.Status, where)
			require.False(t, ownerPresent, "%s: a waiting chat has no owner", where)
		case routing.Assigned:
			require.True(t, ownerPresent, "%s: an assigned chat's owner is present", where)
			require.Equal(t, session.AgentParticipant(c.Agent), owner.ID, where)
		case routing.InWrapUp, routing.Done:
			require.Contains(t, []session.Status{session.StatusEnded, session.StatusClosed}, s.Status, where)
		case routing.Ended:
			if s.Status != session.StatusClosed {
				require.Contains(t, []session.Status{session.StatusCustomerLeft, session.StatusEnded}, s.Status, where)
				require.True(t, ownerPresent || c.EndReason == routing.EndAgentLeft || c.EndReason == routing.EndWithdrawn,
					"%s: an ended chat's open session has its owner to end it", where)
			}
		}
		agentsPresent := 0
		for _, p := range s.Present() {
			if p.Role == session.RoleOwner {
				agentsPresent++
			}
		}
		require.LessOrEqual(t, agentsPresent, 1, "%s: one owner at most", where)
		if deliveries != nil {
			checkDeliveries(t, s, readLog, deliveries, killed)
		}
	}
	current = ""
	owned := map[switchboard.ChatID]int{}
	for _, a := range agents {
		ag, err := r.Agent(ctx, a)
		require.NoError(t, err)
		offers, err := r.Offers(ctx, a)
		require.NoError(t, err)
		mine, err := r.AgentChats(ctx, a)
		require.NoError(t, err)
		held := 0
		for _, c := range mine {
			if (c.State == routing.Assigned || c.State == routing.InWrapUp) && c.Agent == a {
				held++
				owned[c.ID]++
			}
			if slices.Contains(c.Consultants, a) {
				held++
			}
			if c.HoldIndex(a) >= 0 {
				held++
			}
		}
		load, capacity := ag.Load(switchboard.DefaultChannel), ag.Capacity(switchboard.DefaultChannel)
		where := fmt.Sprintf("agent %s (%s, load %d of %d, %d offers, %d chats)", a, ag.State, load, capacity, len(offers), len(mine))
		require.LessOrEqual(t, load, capacity, "%s: over capacity", where)
		require.Equal(t, held+len(offers), load, "%s: the load is the chats, holds and offers", where)
		for _, o := range offers {
			c := byID[o.Chat]
			if o.Kind == routing.RouteOffer {
				require.Equal(t, routing.Offered, c.State, "%s: offer %s", where, o.ID)
			}
		}
	}
	for id, c := range byID {
		want := 0
		if c.State == routing.Assigned || c.State == routing.InWrapUp {
			want = 1
		}
		require.Equal(t, want, owned[id], "chat %s (%s) is held by %d agents", id, c.State, owned[id])
	}
	return states
}

// checkDeliveries checks that every message of s reached each participant
// present before and after it was written and allowed to see it, under one Seq (a
// retried send delivers the same Seq again, which recipients drop), and
// that no participant got a message it may not see.
//
// Live delivery is best-effort: a process killed between a write and its
// deliveries never makes them. Messages whose ID starts with killed (those
// the killed process sent) may therefore be missing, never duplicated or
// misdirected.
func checkDeliveries(t *testing.T, s session.Session, readLog func(switchboard.ChatID) ([]session.Entry, error),
	deliveries func(session.ParticipantID) []session.Delivery, killed string) {
	entries, err := readLog(s.ID)
	require.NoError(t, err)
	for i := range s.Participants {
		p := &s.Participants[i]
		got := map[uint64]int{}
		for _, d := range deliveries(p.ID) {
			if d.Chat == s.ID && d.Item.Type == session.EntryMessage {
				got[d.Item.Seq]++
			}
		}
		for _, e := range entries {
			if e.Type != session.EntryMessage {
				continue
			}
			visible := session.Visible(s.History, p, &e)
			if visible && presentAt(p, e.Version) != presentAt(p, e.Version+1) {
				// Joined or left around the write: whether the write
				// that carried it came before or after is not in the log.
				delete(got, e.Seq)
				continue
			}
			want := 0
			if visible && presentAt(p, e.Version) {
				want = 1
			}
			if want == 1 && got[e.Seq] == 0 && killed != "" && strings.HasPrefix(e.ID, killed) {
				continue
			}
			// A message sent again with its ID is delivered again with
			// its Seq, which the recipient drops: once means one Seq.
			require.Equal(t, want, min(got[e.Seq], 1), "chat %s: message %d (%q from %s, version %d) delivered %d times to %s (%+v), want %d",
				s.ID, e.Seq, e.Text, e.From, e.Version, got[e.Seq], p.ID, p.Stints, want)
			delete(got, e.Seq)
		}
		require.Empty(t, got, "chat %s: %s got messages that are not in the log", s.ID, p.ID)
	}
}

// presentAt reports whether p was in the session at version v.
func presentAt(p *session.Participant, v uint64) bool {
	for _, st := range p.Stints {
		if st.Joined != 0 && st.Joined <= v && (st.Left == 0 || v < st.Left) {
			return true
		}
	}
	return false
}

// TestThreeEnginesOverOneDatabase runs customers and agents against three
// engines, each on a pool of its own, over one database, with a mock clock
// that makes offers time out (RONA) and queues overflow, and checks the
// invariants once they are quiet (SPEC G3).
func TestThreeEnginesOverOneDatabase(t *testing.T) {
	runThreeEngines(t, nil)
}

// TestThreeEnginesWithSkewedClocks is the same workload with the three
// processes' clocks apart: one on time, one ahead, one behind, by under a
// third of the lease, the skew docs/postgresql.md says is harmless. Every
// deadline is still expired once, by one of them, and the invariants hold
// (SPEC G3).
func TestThreeEnginesWithSkewedClocks(t *testing.T) {
	if raceEnabled {
		t.Skip("the workload runs once, in the pass without the race detector")
	}
	runThreeEngines(t, []time.Duration{0, 900 * time.Millisecond, -900 * time.Millisecond})
}

// skewedClock is a process's clock that is off by a fixed skew from the
// shared mock clock the test moves.
type skewedClock struct {
	*clock.Mock
	skew time.Duration
}

func (c skewedClock) Now() time.Time                  { return c.Mock.Now().Add(c.skew) }
func (c skewedClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c skewedClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

func runThreeEngines(t *testing.T, skews []time.Duration) {
	schema := newSchema(t)
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	tr := sessionmem.NewTransport()
	var procs []*engine.Engine
	for i := range 3 {
		var pc clock.Clock = clk
		if i < len(skews) && skews[i] != 0 {
			pc = skewedClock{clk, skews[i]}
		}
		procs = append(procs, newEngine(t, schema, fmt.Sprintf("p%d", i+1), pc, tr, true))
	}
	agents, prof := setUp(t, procs[0], 50)
	store := pgstore.NewSessions(newPool(t, schema, 2), pgstore.SessionConfig{})
	readLog := func(chat switchboard.ChatID) ([]session.Entry, error) { return store.ReadEntries(ctx, chat, 0, 0) }
	a := &actor{procs: procs, agents: agents, prof: prof, chats: map[switchboard.ChatID]switchboard.CustomerID{}}
	a.chatBudget.Store(int64(workloadChats()))
	wall := clock.New()
	begin := wall.Now()
	var stopped atomic.Bool
	stop := stopped.Load
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stopped.Load() {
			clk.Add(time.Second)
			for _, p := range procs {
				_ = p.Settle(ctx)
			}
		}
	}()
	var wg sync.WaitGroup
	var customers sync.WaitGroup
	for g := range 12 {
		rnd := rand.New(rand.NewPCG(uint64(g), 1))
		customers.Add(1)
		go func() { defer customers.Done(); a.customer(g, rnd, stop) }()
	}
	for i, ag := range agents[:24] {
		rnd := rand.New(rand.NewPCG(uint64(i), 2))
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each goroutine acts for two agents.
			other := agents[24+i%26]
			for !stop() {
				a.agent(ag, rnd, func() bool { return stop() || rnd.IntN(4) == 0 })
				a.agent(other, rnd, func() bool { return stop() || rnd.IntN(4) == 0 })
			}
		}()
	}
	customers.Wait()
	stopped.Store(true)
	wg.Wait()
	<-done
	a.mu.Lock()
	chats := slices.Clone(a.order)
	a.mu.Unlock()
	// Quiet: settle past every deadline until nothing changes.
	last := ""
	for i := 0; ; i++ {
		require.Less(t, i, 40, "the engines never settle")
		clk.Add(10 * time.Minute)
		for _, p := range procs {
			require.NoError(t, p.Settle(ctx))
		}
		fp := fingerprint(t, procs[0], chats, agents)
		if fp == last {
			break
		}
		last = fp
	}
	states := checkWorld(t, procs[1], chats, readLog, agents, tr.Received, "")
	t.Logf("%d chats %v, %d operations, in %v", len(chats), states, a.ops.Load(), wall.Since(begin).Round(time.Millisecond))
	require.NotZero(t, states[routing.Done]+states[routing.InWrapUp], "some chats were handled to the end")
}
