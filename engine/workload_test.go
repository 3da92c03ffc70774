package engine_test

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
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

// The concurrent workload: 64 goroutines act as customers and agents
// against three engines over the same stores (three processes), while both
// stores fail at random (an error, a lost outcome, a conflict) and a clock
// goroutine moves the mock clock on and settles every engine. Every
// operation is retried as a host would, with the same IDs, while its error
// is transient; any other error is a race lost and is left alone. Then the
// faults stop, the engines settle until nothing changes, and every chat,
// session and agent must be consistent (see workload.check).

// whisperMarker is in the text of every whisper, and of nothing else.
const whisperMarker = "WHISPER-"

// Fault probabilities per store call.
const (
	wlFail     = 0.03
	wlLose     = 0.02
	wlConflict = 0.02
	wlRetries  = 12
)

// workloadOps is how many actions of customers and agents the workload
// runs (each is one or a few operations, each operation one or more calls):
// SWITCHBOARD_WORKLOAD_OPS, or a size that fits a loaded 2-core machine.
func workloadOps() int {
	if n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_WORKLOAD_OPS")); err == nil && n > 0 {
		return n
	}
	return 12000
}

// randomSessions wraps a session store and fails its calls at random: with
// probability fail an error instead of the call, with lose the call applied
// and its outcome then lost, and with conflict (writes that compare
// versions only) a conflict without reaching the store.
type randomSessions struct {
	session.Store
	mu                   sync.Mutex
	rnd                  *rand.Rand
	fail, lose, conflict float64
	failed, lost, confl  int
}

func (f *randomSessions) set(fail, lose, conflict float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.lose, f.conflict = fail, lose, conflict
}

func (f *randomSessions) counts() (failed, lost, conflicts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed, f.lost, f.confl
}

func (f *randomSessions) call(method string, versioned bool, run func() error) error {
	f.mu.Lock()
	kind := 0
	if f.fail+f.lose+f.conflict > 0 {
		switch r := f.rnd.Float64(); {
		case r < f.fail:
			kind, f.failed = 1, f.failed+1
		case r < f.fail+f.lose:
			kind, f.lost = 2, f.lost+1
		case r < f.fail+f.lose+f.conflict && versioned:
			kind, f.confl = 3, f.confl+1
		}
	}
	f.mu.Unlock()
	switch kind {
	case 1:
		return fmt.Errorf("%s: %w", method, errSessionFault)
	case 3:
		return fmt.Errorf("%s: %w (%w)", method, session.ErrConflict, errSessionFault)
	}
	err := run()
	if kind == 2 {
		return fmt.Errorf("%s returned %v: %w", method, err, session.ErrOutcomeUnknown)
	}
	return err
}

func (f *randomSessions) CreateSession(ctx context.Context, s session.Session, e []session.Entry) (out []session.Entry, err error) {
	err = f.call("CreateSession", false, func() (err error) { out, err = f.Store.CreateSession(ctx, s, e); return })
	return out, err
}

func (f *randomSessions) GetSession(ctx context.Context, id switchboard.ChatID) (out session.Session, err error) {
	err = f.call("GetSession", false, func() (err error) { out, err = f.Store.GetSession(ctx, id); return })
	return out, err
}

func (f *randomSessions) UpdateSession(ctx context.Context, s session.Session, e []session.Entry) (out []session.Entry, err error) {
	err = f.call("UpdateSession", true, func() (err error) { out, err = f.Store.UpdateSession(ctx, s, e); return })
	return out, err
}

func (f *randomSessions) ActiveSessions(ctx context.Context, p session.ParticipantID) (out []switchboard.ChatID, err error) {
	err = f.call("ActiveSessions", false, func() (err error) { out, err = f.Store.ActiveSessions(ctx, p); return })
	return out, err
}

func (f *randomSessions) AppendEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) (out []session.Entry, err error) {
	err = f.call("AppendEntries", true, func() (err error) { out, err = f.Store.AppendEntries(ctx, chat, v, e); return })
	return out, err
}

func (f *randomSessions) ReadEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) (out []session.Entry, err error) {
	err = f.call("ReadEntries", false, func() (err error) { out, err = f.Store.ReadEntries(ctx, chat, after, limit); return })
	return out, err
}

func (f *randomSessions) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	return f.call("AmendEntry", false, func() error { return f.Store.AmendEntry(ctx, chat, seq, text) })
}

func (f *randomSessions) LastSeq(ctx context.Context, chat switchboard.ChatID) (out uint64, err error) {
	err = f.call("LastSeq", false, func() (err error) { out, err = f.Store.LastSeq(ctx, chat); return })
	return out, err
}

func (f *randomSessions) EntryByID(ctx context.Context, chat switchboard.ChatID, id string) (out session.Entry, err error) {
	err = f.call("EntryByID", false, func() (err error) { out, err = f.Store.EntryByID(ctx, chat, id); return })
	return out, err
}

func (f *randomSessions) feed() session.FeedStore { return f.Store.(session.FeedStore) }

func (f *randomSessions) Partitions() int { return f.feed().Partitions() }

func (f *randomSessions) Feed(ctx context.Context, p int, after uint64, limit int) (out []session.FeedEntry, err error) {
	err = f.call("Feed", false, func() (err error) { out, err = f.feed().Feed(ctx, p, after, limit); return })
	return out, err
}

func (f *randomSessions) Cursor(ctx context.Context, consumer string, p int) (out session.Cursor, err error) {
	err = f.call("Cursor", false, func() (err error) { out, err = f.feed().Cursor(ctx, consumer, p); return })
	return out, err
}

func (f *randomSessions) SaveCursor(ctx context.Context, c session.Cursor) error {
	return f.call("SaveCursor", true, func() error { return f.feed().SaveCursor(ctx, c) })
}

func (f *randomSessions) DueSessions(ctx context.Context, now time.Time, limit int) (out []switchboard.ChatID, err error) {
	err = f.call("DueSessions", false, func() (err error) {
		out, err = f.Store.(session.DeadlineStore).DueSessions(ctx, now, limit)
		return
	})
	return out, err
}

// retryable reports whether a host calls again after err: a store fault,
// a lost outcome or a conflict.
func retryable(err error) bool {
	return transient(err) || errors.Is(err, routing.ErrConflict) || errors.Is(err, session.ErrConflict)
}

// proc is one process: an engine over the shared stores.
type proc struct {
	eng *engine.Engine
}

// chatRec is what the workload knows of a chat it started.
type chatRec struct {
	customer switchboard.CustomerID
	queue    switchboard.QueueID
	started  bool // a Start call succeeded (a chat linked after close needs none)
}

// workload is the shared state of one run: the stores, three processes
// over them, the agents, and every chat the customers started.
type workload struct {
	t      *testing.T
	clock  *clock.Mock
	rs     *routingtest.FaultStore
	ss     *randomSessions
	tr     *sessionmem.Transport
	procs  []proc
	agents []switchboard.AgentID
	prof   map[switchboard.AgentID]routing.Profile

	budget            atomic.Int64
	tokens            chan struct{} // one per operation, handed out per tick
	ops, calls, given atomic.Int64
	whispers          atomic.Int64

	mu    sync.Mutex
	chats map[switchboard.ChatID]*chatRec
	order []switchboard.ChatID
}

var wlQueues = []routing.Queue{
	{ID: "ring", Tenant: "t1", Strategy: routing.RingAll, AcceptTimeout: 15 * time.Second, MaxWait: 2 * time.Minute, WrapUp: 20 * time.Second,
		TransferFallback: routing.TransferEnd},
	{ID: "idle", Tenant: "t1", Strategy: routing.LongestIdle, AcceptTimeout: 20 * time.Second, MaxWait: 3 * time.Minute, WrapUp: 30 * time.Second},
}

func newWorkload(t *testing.T, seed uint64) *workload {
	t.Helper()
	w := &workload{t: t, clock: clock.NewMock(), tr: sessionmem.NewTransport(),
		rs:    routingtest.NewFaultStore(routingmem.New(routingmem.Config{KeepFinished: -1})),
		ss:    &randomSessions{Store: sessionmem.NewStore(), rnd: rand.New(rand.NewPCG(seed, 1))},
		prof:  map[switchboard.AgentID]routing.Profile{},
		chats: map[switchboard.ChatID]*chatRec{}, tokens: make(chan struct{})}
	w.clock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	reasons := []string{"sold", "no-sale"}
	for i := range 3 {
		eng, err := engine.New(ctx, engine.Config{Routing: w.rs, Sessions: w.ss,
			Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: w.tr,
			Clock: w.clock, Manual: true, Process: fmt.Sprintf("p%d", i+1)})
		require.NoError(t, err)
		w.procs = append(w.procs, proc{eng: eng})
	}
	r := w.procs[0].eng.Router()
	for _, q := range wlQueues {
		q.Chat.WrapUpReasons = reasons
		q.Chat.AfterClose = switchboard.PolicyReopen
		if q.ID == "idle" {
			q.Chat.AfterClose = switchboard.PolicyNewLinked
		}
		_, err := r.PutQueue(ctx, q)
		require.NoError(t, err)
	}
	rnd := rand.New(rand.NewPCG(seed, 2))
	for i := range 16 {
		id := switchboard.AgentID(fmt.Sprintf("a%02d", i))
		qs := []switchboard.QueueID{"ring", "idle"}
		if i%4 == 1 {
			qs = qs[:1]
		} else if i%4 == 2 {
			qs = qs[1:]
		}
		p := routing.Profile{DisplayName: fmt.Sprintf("Agent %d", i), Tenant: "t1", Team: "sales", Queues: qs,
			Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2 + rnd.IntN(2)}}}
		_, err := r.Login(ctx, id, p)
		require.NoError(t, err)
		w.agents = append(w.agents, id)
		w.prof[id] = p
	}
	return w
}

// perTick is how many operations run per clock tick, so the operations
// spread over simulated time: some offers are taken in time, others time
// out.
const perTick = 16

// take claims one operation of the budget, once a tick hands it out.
func (w *workload) take() bool {
	if w.budget.Add(-1) < 0 {
		return false
	}
	<-w.tokens
	return true
}

// do runs one operation as a host would: again, the same call, while its
// error is transient, a bounded number of times.
func (w *workload) do(fn func() error) error {
	w.ops.Add(1)
	for i := 0; ; i++ {
		w.calls.Add(1)
		err := fn()
		if err == nil || !retryable(err) {
			return err
		}
		if i == wlRetries {
			w.given.Add(1)
			return err
		}
	}
}

func (w *workload) record(id switchboard.ChatID, rec chatRec) *chatRec {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r, ok := w.chats[id]; ok {
		return r
	}
	w.chats[id] = &rec
	w.order = append(w.order, id)
	return w.chats[id]
}

func (w *workload) start(p proc, id switchboard.ChatID, rec *chatRec) error {
	return w.do(func() error {
		_, err := p.eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: rec.queue, Customer: rec.customer, CustomerName: "Customer"})
		return err
	})
}

// customer starts chats, writes to them (after close too) and leaves them.
func (w *workload) customer(g int, rnd *rand.Rand) {
	type open struct {
		id  switchboard.ChatID
		rec *chatRec
	}
	var mine []open
	for k := 0; w.take(); k++ {
		p := w.procs[rnd.IntN(len(w.procs))]
		switch r := rnd.Float64(); {
		case len(mine) == 0 || r < 0.15:
			id := switchboard.ChatID(fmt.Sprintf("c%02d-%d", g, k))
			rec := w.record(id, chatRec{customer: switchboard.CustomerID(fmt.Sprintf("u%02d-%d", g, k)), queue: wlQueues[rnd.IntN(len(wlQueues))].ID})
			if err := w.start(p, id, rec); err == nil {
				w.mu.Lock()
				rec.started = true
				w.mu.Unlock()
			}
			mine = append(mine, open{id, rec})
			if len(mine) > 3 {
				mine = mine[1:]
			}
		case r < 0.85:
			c := mine[rnd.IntN(len(mine))]
			from := session.CustomerParticipant(c.rec.customer)
			msg := session.Message{ID: fmt.Sprintf("m%d", k), From: from, Text: "a question"}
			var sent session.Sent
			err := w.do(func() (err error) { sent, err = p.eng.Send(ctx, c.id, msg); return })
			if err == nil && sent.Chat != c.id {
				w.record(sent.Chat, chatRec{customer: c.rec.customer, queue: c.rec.queue, started: true})
				mine = append(mine, open{sent.Chat, c.rec})
			}
		default:
			i := rnd.IntN(len(mine))
			c := mine[i]
			_ = w.do(func() error { return p.eng.CustomerLeft(ctx, c.id, c.rec.customer) })
			mine = slices.Delete(mine, i, i+1)
		}
	}
}

// agent takes offers, talks, whispers, invites, transfers, ends, closes,
// completes wrap-ups, pauses, and logs out and back in.
func (w *workload) agent(a switchboard.AgentID, rnd *rand.Rand) {
	me := session.AgentParticipant(a)
	for k := 0; w.take(); k++ {
		p := w.procs[rnd.IntN(len(w.procs))]
		r := p.eng.Router()
		var ag routing.Agent
		if err := w.do(func() (err error) { ag, err = r.Agent(ctx, a); return }); err != nil {
			continue
		}
		switch ag.State {
		case routing.LoggedOut:
			_ = w.do(func() error { _, err := r.Login(ctx, a, w.prof[a]); return err })
			continue
		case routing.RONA, routing.NotReady:
			_ = w.do(func() error { return r.SetState(ctx, a, routing.Available, "") })
			continue
		}
		x := rnd.Float64()
		switch {
		case x < 0.02:
			_ = w.do(func() error { return p.eng.Logout(ctx, a) })
			continue
		case x < 0.03:
			_ = w.do(func() error { return p.eng.Disconnect(ctx, a) })
			continue
		case x < 0.05:
			_ = w.do(func() error { return r.SetState(ctx, a, routing.NotReady, "break") })
			continue
		}
		var offers []routing.Offer
		if err := w.do(func() (err error) { offers, err = r.Offers(ctx, a); return }); err != nil {
			continue
		}
		if len(offers) > 0 && x < 0.6 {
			o := offers[rnd.IntN(len(offers))]
			// Transfers are declined more often than chats, so that the
			// queues' fallbacks for a failed transfer run often.
			accept := 0.85
			if o.Kind == routing.TransferOffer {
				accept = 0.5
			}
			if rnd.Float64() < accept {
				_ = w.do(func() error { _, _, err := p.eng.Accept(ctx, a, o.ID); return err })
			} else {
				_ = w.do(func() error { return p.eng.Reject(ctx, a, o.ID) })
			}
			continue
		}
		if x < 0.2 {
			w.desktop(p, a, rnd)
			continue
		}
		var chats []routing.Chat
		if err := w.do(func() (err error) { chats, err = r.AgentChats(ctx, a); return }); err != nil || len(chats) == 0 {
			continue
		}
		c := chats[rnd.IntN(len(chats))]
		send := func(mode session.Mode, text string) {
			msg := session.Message{ID: fmt.Sprintf("%s-%d", a, k), From: me, Mode: mode, Text: text}
			_ = w.do(func() error { _, err := p.eng.Send(ctx, c.ID, msg); return err })
		}
		whisper := func() {
			send(session.ModeWhisper, fmt.Sprintf("note %s%d", whisperMarker, w.whispers.Add(1)))
		}
		other := w.agents[rnd.IntN(len(w.agents))]
		queue := wlQueues[rnd.IntN(len(wlQueues))].ID
		owner := c.Agent == a
		switch y := rnd.Float64(); {
		case c.State == routing.InWrapUp && owner || c.HoldIndex(a) >= 0:
			_ = w.do(func() error { return p.eng.CompleteWrapUp(ctx, c.ID, a) })
		case c.State != routing.Assigned:
		case !owner && y < 0.6:
			whisper()
		case !owner && y < 0.8:
			send(session.ModeNormal, "a consultant's answer")
		case !owner:
			_ = w.do(func() error { return p.eng.Leave(ctx, c.ID, a) })
		case y < 0.35:
			send(session.ModeNormal, "an answer")
		case y < 0.55:
			whisper()
		case y < 0.67:
			opts := session.EndOptions{Reason: "sold", Confirm: true}
			_ = w.do(func() error { _, err := p.eng.End(ctx, c.ID, a, opts); return err })
		case y < 0.75:
			opts := session.EndOptions{Reason: "no-sale", Confirm: true}
			_ = w.do(func() error { _, err := p.eng.Close(ctx, c.ID, a, opts); return err })
		case y < 0.82:
			req := conference.Request{Chat: c.ID, From: a, Agent: other}
			if rnd.IntN(2) == 0 {
				req = conference.Request{Chat: c.ID, From: a, Queue: queue}
			}
			_ = w.do(func() error { _, err := p.eng.Invite(ctx, req); return err })
		case y < 0.88:
			req := transfer.Request{Chat: c.ID, From: a, Agent: other, Comment: "over to you"}
			if rnd.IntN(2) == 0 {
				req = transfer.Request{Chat: c.ID, From: a, Queue: queue}
			}
			_ = w.do(func() error { _, err := p.eng.Transfer(ctx, req); return err })
		default:
			send(session.ModeNormal, "another answer")
		}
	}
}

// desktop is an agent working from the sessions its desktop shows: it
// ends a session whose customer left and closes one it ended. This is how
// a session that routing no longer gives the agent (a transfer to a queue
// raced with the customer leaving) gets ended.
func (w *workload) desktop(p proc, a switchboard.AgentID, rnd *rand.Rand) {
	var ids []switchboard.ChatID
	if err := w.do(func() (err error) { ids, err = p.eng.Sessions().ActiveSessions(ctx, a); return }); err != nil || len(ids) == 0 {
		return
	}
	id := ids[rnd.IntN(len(ids))]
	var s session.Session
	if err := w.do(func() (err error) { s, err = p.eng.Sessions().Session(ctx, id); return }); err != nil {
		return
	}
	if o := s.Owner(); o == nil || o.ID != session.AgentParticipant(a) {
		return
	}
	switch s.Status {
	case session.StatusCustomerLeft:
		opts := session.EndOptions{Reason: "no-sale", Confirm: true}
		_ = w.do(func() error { _, err := p.eng.End(ctx, id, a, opts); return err })
	case session.StatusEnded:
		_ = w.do(func() error { _, err := p.eng.Close(ctx, id, a, session.EndOptions{}); return err })
	}
}

// tick moves the clock on and settles every engine until done closes.
func (w *workload) tick(rnd *rand.Rand, done <-chan struct{}) int {
	n := 0
	for {
		select {
		case <-done:
			return n
		default:
		}
		w.clock.Add(time.Duration(500+rnd.IntN(1500)) * time.Millisecond)
		for _, p := range w.procs {
			_ = p.eng.Settle(ctx) // a store fault stops a pass; the next one carries on
		}
		n++
		for range perTick {
			select {
			case w.tokens <- struct{}{}:
			case <-done:
				return n
			}
		}
	}
}

// quiesce stops the faults, finishes every Start a customer gave up on as
// its host would, and settles past every deadline until nothing changes.
func (w *workload) quiesce() {
	t := w.t
	w.rs.Clear()
	w.ss.set(0, 0, 0)
	for _, id := range w.order {
		if rec := w.chats[id]; !rec.started {
			_ = w.start(w.procs[0], id, rec)
		}
	}
	last := ""
	for i := 0; ; i++ {
		require.Less(t, i, 40, "the engines never settle")
		w.clock.Add(10 * time.Minute)
		for _, p := range w.procs {
			require.NoError(t, p.eng.Settle(ctx))
		}
		fp := w.fingerprint()
		if fp == last {
			return
		}
		last = fp
	}
}

// fingerprint renders the versions of every chat, session and agent.
func (w *workload) fingerprint() string {
	t := w.t
	var b strings.Builder
	r, m := w.procs[0].eng.Router(), w.procs[0].eng.Sessions()
	for _, id := range w.order {
		c, err := r.Chat(ctx, id)
		require.NoError(t, err, "chat %s", id)
		s, err := m.Session(ctx, id)
		require.NoError(t, err, "session %s", id)
		fmt.Fprintf(&b, "%s %d %d;", id, c.Version, s.Version)
	}
	for _, a := range w.agents {
		ag, err := r.Agent(ctx, a)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%s %d;", a, ag.Version)
	}
	return b.String()
}

// dump logs what routing and the organisation's log say of chat id.
func (w *workload) dump(id switchboard.ChatID) {
	c, err := w.procs[0].eng.Router().Chat(ctx, id)
	w.t.Logf("routing: %+v (%v)", c, err)
	log, err := w.procs[0].eng.Sessions().OrganisationLog(ctx, id)
	for _, l := range log {
		w.t.Logf("session: %v %s %s %q %q %q", l.At.Format("15:04:05.000"), l.Type, l.From, l.SubjectName, l.Text, l.Reason)
	}
	if err != nil {
		w.t.Logf("session log: %v", err)
	}
}

// check checks the invariants of every chat, session and agent once the
// engines are quiet (SPEC R2, R7, S2, C9, C10), and returns how many chats
// ended in each routing state and how many abandoned chats their owner
// had to end.
func (w *workload) check() (states map[routing.ChatState]int, ownerLeft int) {
	t := w.t
	r, m := w.procs[0].eng.Router(), w.procs[0].eng.Sessions()
	states = map[routing.ChatState]int{}
	chats := map[switchboard.ChatID]routing.Chat{}
	var current switchboard.ChatID
	var left []switchboard.ChatID // abandoned chats whose owner stays to end them
	defer func() {
		if t.Failed() && current != "" {
			w.dump(current)
		}
	}()
	for _, id := range w.order {
		c, err := r.Chat(ctx, id)
		require.NoError(t, err)
		chats[id] = c
		states[c.State]++
		s, err := m.Session(ctx, id)
		require.NoError(t, err)
		where := fmt.Sprintf("chat %s (routing %s agent=%q consultants=%v end=%s; session %s)", id, c.State, c.Agent, c.Consultants, c.EndReason, s.Status)
		owner := s.Owner()
		ownerPresent := owner != nil && owner.Present()
		if owner != nil {
			where += fmt.Sprintf(" owner %s present=%t", owner.ID, ownerPresent)
		}
		current = id
		// 1. Each chat is in exactly one place, and its session agrees.
		switch c.State {
		case routing.Queued, routing.Offered:
			require.Equal(t, session.StatusActive, s.Status, "%s: a waiting chat's session is open", where)
			require.False(t, ownerPresent, "%s: a waiting chat's session has no owner present", where)
		case routing.Assigned:
			require.Contains(t, []session.Status{session.StatusActive, session.StatusCustomerLeft}, s.Status, where)
			require.True(t, ownerPresent, "%s: an assigned chat's owner is present", where)
			require.Equal(t, session.AgentParticipant(c.Agent), owner.ID, where)
			var present, want []string
			for _, p := range s.Present() {
				if p.Role == session.RoleConsulted {
					present = append(present, string(p.ID))
				}
			}
			for _, a := range c.Consultants {
				want = append(want, string(session.AgentParticipant(a)))
			}
			slices.Sort(present)
			slices.Sort(want)
			require.Equal(t, want, present, "%s: the consultants present are routing's", where)
		case routing.InWrapUp, routing.Done:
			require.Contains(t, []session.Status{session.StatusEnded, session.StatusClosed}, s.Status, where)
		case routing.Ended:
			switch {
			case s.Status == session.StatusClosed:
			case c.EndReason == routing.EndAgentLeft || c.EndReason == routing.EndWithdrawn:
				// A transfer nobody took ended the session; a session its
				// owner ended withdrew the chat. Either closes once the
				// owner's wrap-up is over, which quiesce waited for
				// (SPEC K7).
				require.Empty(t, c.Holds, where)
				require.Equal(t, session.StatusClosed, s.Status, "%s: the owner's wrap-up is over", where)
			default:
				// SPEC C9: a chat that went back to a queue as its
				// customer left is withdrawn as abandoned, and the owner
				// stays to end the session. Otherwise a chat routing
				// gave up on is closed.
				require.Equal(t, routing.EndAbandoned, c.EndReason, "%s: a chat routing gave up on is closed", where)
				require.Contains(t, []session.Status{session.StatusCustomerLeft, session.StatusEnded}, s.Status, where)
				require.True(t, ownerPresent, "%s: the owner stays to end it", where)
				left = append(left, id)
			}
		default:
			t.Fatalf("%s: unknown state", where)
		}
		if c.State != routing.Assigned {
			require.Empty(t, c.Consultants, where)
			require.False(t, c.Invitation.Pending(), where)
		}
		// 5. The customer saw nothing private.
		views, err := m.History(ctx, id, session.CustomerParticipant(w.chats[id].customer))
		require.NoError(t, err, where)
		for _, v := range views {
			require.NotContains(t, v.Text, whisperMarker, "%s: the customer's history shows a whisper", where)
		}
	}
	// The owner left in an abandoned chat's session ends and closes it.
	for _, id := range left {
		current = id
		s, err := m.Session(ctx, id)
		require.NoError(t, err)
		a, _ := s.Owner().ID.Agent()
		if s.Status == session.StatusCustomerLeft {
			_, err = w.procs[1].eng.End(ctx, id, a, session.EndOptions{Reason: "no-sale", Confirm: true})
			require.NoError(t, err, "chat %s: the owner ends it", id)
		}
		_, err = w.procs[2].eng.Close(ctx, id, a, session.EndOptions{})
		require.NoError(t, err, "chat %s: the owner closes it", id)
		s, err = m.Session(ctx, id)
		require.NoError(t, err)
		require.Equal(t, session.StatusClosed, s.Status, "chat %s", id)
	}
	current = ""
	customers := map[switchboard.CustomerID]bool{}
	for _, rec := range w.chats {
		customers[rec.customer] = true
	}
	for cust := range customers {
		for _, d := range w.tr.Received(session.CustomerParticipant(cust)) {
			require.NotContains(t, d.Item.Text, whisperMarker, "a whisper was delivered to customer %s in %s", cust, d.Chat)
		}
	}
	routed := map[switchboard.ChatID]int{}
	for _, a := range w.agents {
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
		// 2. Nobody over capacity.
		require.LessOrEqual(t, load, capacity, where)
		// 3. No stranded slot; a logged-out agent holds nothing.
		require.Equal(t, held+len(offers), load, "%s: the load is the chats, consultancies, holds and offers", where)
		if ag.State == routing.LoggedOut {
			require.Zero(t, load, where)
			require.Empty(t, mine, where)
		}
		// 4. Offers go only to agents who may take them, for chats that
		// wait for them (or, for invites and transfers, are assigned).
		for _, o := range offers {
			require.Contains(t, []routing.State{routing.Available, routing.WrapUp}, ag.State, "%s: offer %s", where, o.ID)
			c, ok := chats[o.Chat]
			require.True(t, ok, "%s: offer of unknown chat %s", where, o.Chat)
			if o.Kind == routing.RouteOffer {
				require.Equal(t, routing.Offered, c.State, "%s: offer %s", where, o.ID)
				routed[o.Chat]++
			} else {
				require.Equal(t, routing.Assigned, c.State, "%s: invite or transfer %s", where, o.ID)
				require.Equal(t, c.Invitation.Offer, o.ID, "%s: invite or transfer %s", where, o.ID)
			}
		}
	}
	for id, c := range chats {
		require.Equal(t, c.Pending, routed[id], "chat %s (%s) counts %d pending offers", id, c.State, c.Pending)
		require.Equal(t, c.State == routing.Offered, c.Pending > 0, "chat %s is %s with %d pending offers", id, c.State, c.Pending)
	}
	return states, len(left)
}

func TestConcurrentWorkloadUnderRandomFaults(t *testing.T) {
	// SPEC E2
	// SPEC R2, R7, S2, C10 under concurrency and store faults: see the
	// invariants in workload.check.
	if testing.Short() {
		t.Skip("the workload is long: it runs without -short")
	}
	ops := workloadOps()
	seed := uint64(1)
	if v, err := strconv.ParseUint(os.Getenv("SWITCHBOARD_WORKLOAD_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (SWITCHBOARD_WORKLOAD_SEED sets it; it repeats the draws, not the interleaving)", seed)
	wall := clock.New()
	begin := wall.Now()
	w := newWorkload(t, seed)
	w.budget.Store(int64(ops))
	r0 := w.rs.Count()
	rfaults := rand.New(rand.NewPCG(seed, 3))
	w.rs.FailRandomly(wlFail, wlLose, wlConflict, rfaults.Float64)
	w.ss.set(wlFail, wlLose, wlConflict)

	done := make(chan struct{})
	ticks := make(chan int, 1)
	go func() { ticks <- w.tick(rand.New(rand.NewPCG(seed, 4)), done) }()
	var wg sync.WaitGroup
	for g := range 64 {
		rnd := rand.New(rand.NewPCG(seed, uint64(100+g)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g < 32 {
				w.agent(w.agents[g%len(w.agents)], rnd)
			} else {
				w.customer(g, rnd)
			}
		}()
	}
	wg.Wait()
	close(done)
	nticks := <-ticks
	w.rs.Clear()
	calls := w.rs.Calls()[r0:]
	w.quiesce()
	states, abandoned := w.check()

	var rFail, rLost, rConflict int
	for _, c := range calls {
		switch {
		case errors.Is(c.Err, routing.ErrConflict) && errors.Is(c.Err, routingtest.ErrInjected):
			rConflict++
		case errors.Is(c.Err, routingtest.ErrInjected):
			rFail++
		case errors.Is(c.Err, routing.ErrOutcomeUnknown):
			rLost++
		}
	}
	sFail, sLost, sConflict := w.ss.counts()
	t.Logf("%d actions: %d operations (%d calls, %d given up after %d retries), %d clock ticks, %d chats %v, %d whispers, in %v",
		ops, w.ops.Load(), w.calls.Load(), w.given.Load(), wlRetries, nticks, len(w.order), states, w.whispers.Load(), wall.Since(begin).Round(time.Millisecond))
	t.Logf("routing store: %d calls; injected %d failures, %d lost outcomes, %d conflicts", len(calls), rFail, rLost, rConflict)
	t.Logf("session store: injected %d failures, %d lost outcomes, %d conflicts", sFail, sLost, sConflict)
	t.Logf("%d abandoned chats left to their owner to end (SPEC C9)", abandoned)
	require.NotZero(t, states[routing.Done]+states[routing.InWrapUp], "some chats were handled to the end")
	require.NotZero(t, w.whispers.Load(), "agents whispered")
}
