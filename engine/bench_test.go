package engine_test

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// BenchmarkLifecycle measures one whole customer chat through the public
// entry point (start, accept, three messages, a whisper, end, wrap-up done,
// and the engine settled so its event processing is included), beside
// routing's own life cycle of a chat (enqueue, offer, accept, end, wrap-up
// done) in the same run: the baseline of what the orchestration adds.
// layer=session is the session layer's own part of the same chat, with
// neither routing nor orchestration: routing's row and this one together
// are what the two layers cost before the engine ties them together.
//
// Routing forgets finished chats beyond its bound (routingmem's
// KeepFinished); the engine's runs forget closed sessions every
// forgetEvery chats, as Run's retention does, so both measure a centre
// in its steady state. retention=none keeps every session: the worst
// case, where the store grows for the whole run and every chat's memory
// is new to the process.
func BenchmarkLifecycle(b *testing.B) {
	ids := make([]switchboard.ChatID, 1<<16)
	for i := range ids {
		ids[i] = switchboard.ChatID("c" + strconv.Itoa(i))
	}
	b.Run("layer=routing", func(b *testing.B) {
		mock := clock.NewMock()
		r, err := routing.New(routingmem.New(routingmem.Config{}), routing.TransportFunc(nopPublish), routing.Config{Clock: mock})
		if err != nil {
			b.Fatal(err)
		}
		mustB(b, func() error { _, err := r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Second}); return err })
		mustB(b, func() error {
			_, err := r.Login(ctx, "ann", routing.Profile{Queues: []switchboard.QueueID{"q"}})
			return err
		})
		b.ReportAllocs()
		b.ResetTimer()
		defer reportCPU(b)()
		for i := range b.N {
			id := ids[i%len(ids)]
			mustB(b, func() error { _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); return err })
			os, err := r.Offers(ctx, "ann")
			if err != nil || len(os) != 1 {
				b.Fatal(err, len(os))
			}
			mustB(b, func() error { _, err := r.Accept(ctx, "ann", os[0].ID); return err })
			mustB(b, func() error { return r.End(ctx, id) })
			mustB(b, func() error { return r.CompleteWrapUp(ctx, id, "ann") })
		}
	})
	// The session layer's own part of the chat, with no routing and no
	// orchestration: the same session writes the engine makes (create,
	// owner, four messages, end, close once wrapped up), over the
	// in-memory session store. Beside the routing row, it tells how much
	// of the engine's row the two layers cost on their own.
	b.Run("layer=session", func(b *testing.B) {
		mock := clock.NewMock()
		store := sessionmem.NewStore()
		m, err := session.NewManager(store, session.Config{Clock: mock, Transport: session.Discard{}})
		if err != nil {
			b.Fatal(err)
		}
		msgs := chatMessages("ann")
		b.ReportAllocs()
		b.ResetTimer()
		defer reportCPU(b)()
		for i := range b.N {
			id := ids[i%len(ids)]
			if i >= len(ids) {
				id = switchboard.ChatID("c" + strconv.Itoa(i))
			}
			mustB(b, func() error {
				_, err := m.Create(ctx, session.CustomerSession{ID: id, Queue: "q", Customer: "u1", CustomerName: "Carol"})
				return err
			})
			mustB(b, func() error { _, err := m.AssignOwner(ctx, id, session.AgentRef{ID: "ann", Name: "Ann"}); return err })
			for _, msg := range msgs {
				mustB(b, func() error { _, err := m.Send(ctx, id, msg); return err })
			}
			mustB(b, func() error {
				_, err := m.End(ctx, id, "ann", session.EndOptions{Reason: "resolved", Confirm: true})
				return err
			})
			mustB(b, func() error { return m.CloseWrappedUp(ctx, id, 0) })
			if i%forgetEvery == forgetEvery-1 {
				mock.Add(time.Millisecond)
				mustB(b, func() error { _, err := m.ForgetClosed(ctx, mock.Now(), nil); return err })
			}
		}
	})
	b.Run("layer=engine", func(b *testing.B) { timedLifecycle(b, ids, switchboard.Timers{}, true) })
	b.Run("layer=engine/retention=none", func(b *testing.B) { timedLifecycle(b, ids, switchboard.Timers{}, false) })
	// SPEC D9: every timer on, none due: the same store calls per
	// message, beside the run above.
	b.Run("layer=engine/timers=on", func(b *testing.B) {
		timedLifecycle(b, ids, switchboard.Timers{FirstResponse: time.Minute, FirstResponseWarning: 30 * time.Second,
			ResponseSLA: time.Minute, CustomerIdle: 5 * time.Minute, CustomerIdleClose: time.Minute, AgentIdle: 2 * time.Minute}, true)
	})
}

// forgetEvery is how many chats the engine benchmarks run between two
// passes of forgetting the closed sessions.
const forgetEvery = 512

// forgetClosed forgets every closed session, as Run's retention does.
func forgetClosed(b *testing.B, eng *engine.Engine) bool {
	if _, err := eng.Sessions().ForgetClosed(ctx, eng.Clock().Now().Add(time.Nanosecond), nil); err != nil {
		b.Error(err)
		return false
	}
	return true
}

// timedLifecycle runs chats end to end through an engine whose queue has
// timers; with forget, closed sessions are forgotten every forgetEvery
// chats.
func timedLifecycle(b *testing.B, ids []switchboard.ChatID, timers switchboard.Timers, forget bool) {
	{
		mock := clock.NewMock()
		eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
			Desktops: routing.TransportFunc(nopPublish), Participants: session.Discard{}, Clock: mock, Manual: true})
		if err != nil {
			b.Fatal(err)
		}
		r := eng.Router()
		mustB(b, func() error {
			_, err := r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Second, Chat: switchboard.ChatSettings{Timers: timers}})
			return err
		})
		mustB(b, func() error {
			_, err := r.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
			return err
		})
		msgs := chatMessages("ann")
		b.ReportAllocs()
		b.ResetTimer()
		defer reportCPU(b)()
		for i := range b.N {
			id := ids[i%len(ids)]
			// Session IDs are never reused while a session is kept, so
			// the chat IDs run on past the table.
			if i >= len(ids) {
				id = switchboard.ChatID("c" + strconv.Itoa(i))
			}
			mustB(b, func() error {
				_, err := eng.Start(ctx, engine.StartRequest{ID: id, Queue: "q", Customer: "u1", CustomerName: "Carol"})
				return err
			})
			os, err := r.Offers(ctx, "ann")
			if err != nil || len(os) != 1 {
				b.Fatal(err, len(os))
			}
			mustB(b, func() error { _, _, err := eng.Accept(ctx, "ann", os[0].ID); return err })
			for _, m := range msgs {
				mustB(b, func() error { _, err := eng.Send(ctx, id, m); return err })
			}
			mustB(b, func() error {
				_, err := eng.End(ctx, id, "ann", session.EndOptions{Reason: "resolved", Confirm: true})
				return err
			})
			mustB(b, func() error { return eng.CompleteWrapUp(ctx, id, "ann") })
			mustB(b, func() error { return eng.Settle(ctx) })
			if forget && i%forgetEvery == forgetEvery-1 && !forgetClosed(b, eng) {
				return
			}
		}
	}
}

// chatMessages are the four messages of a benchmarked chat between
// customer u1 and agent: three in the open and a whisper.
func chatMessages(agent switchboard.AgentID) []session.Message {
	ag, cust := session.AgentParticipant(agent), session.CustomerParticipant("u1")
	return []session.Message{
		{From: cust, Text: "My order is late"}, {From: ag, Text: "Let me check"},
		{From: ag, Mode: session.ModeWhisper, Text: "note: second time"}, {From: ag, Text: "It ships today"},
	}
}

func nopPublish(_ context.Context, _ ...routing.Event) error { return nil }

// reportCPU starts measuring the process's CPU time (every goroutine's,
// the collector's included); the function it returns reports it per
// operation as cpu-ns/op. Wall time (ns/op) depends on what else the
// machine runs; CPU time much less so.
func reportCPU(b *testing.B) func() {
	start, faults, ok := cpuTime()
	return func() {
		if end, faults2, ok2 := cpuTime(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(faults2-faults)/float64(b.N), "faults/op")
		}
	}
}

// mustB runs f and stops the benchmark if it fails. It marks itself a
// helper only then: Helper walks the stack, which every operation of a
// measured loop would otherwise pay for.
func mustB(b *testing.B, f func() error) {
	if err := f(); err != nil {
		b.Helper()
		b.Fatal(err)
	}
}

// BenchmarkLifecycleParallel runs independent chats' whole life cycles at
// once (run it with -cpu 1,2 to see how it scales with cores): each
// goroutine is an engine of its own, as a process would be, with its own
// agent and queue, and all share one routing store and one session store.
// Each engine forgets its closed sessions as BenchmarkLifecycle's do.
// Routing's own life cycle, run the same way, is the baseline; so is a
// loop that allocates and keeps memory as the engine's life cycle does but
// shares nothing (layer=none/alloc=like-engine), which tells how far the
// machine itself scales such a workload, and engines that share no store
// (layer=engine/stores=per-engine), which tells how far the engine scales
// when its stores cost nothing to share. One engine serving every
// goroutine (layer=engine/engines=one) is how a process runs over the
// in-memory stores.
func BenchmarkLifecycleParallel(b *testing.B) {
	b.Run("layer=routing", func(b *testing.B) {
		rs := routingmem.New(routingmem.Config{})
		mock := clock.NewMock()
		var g atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			n := strconv.FormatInt(g.Add(1), 10)
			r, err := routing.New(rs, routing.TransportFunc(nopPublish), routing.Config{Clock: mock})
			if err != nil {
				b.Error(err)
				return
			}
			agent, queue := switchboard.AgentID("a"+n), switchboard.QueueID("q"+n)
			if !setUp(b, r, agent, queue) {
				return
			}
			buf := []byte("g" + n + "-")
			for i := 0; pb.Next(); i++ {
				id := switchboard.ChatID(strconv.AppendInt(buf, int64(i), 10))
				if !routingLifecycle(b, r, agent, queue, id) {
					return
				}
			}
		})
	})
	// The machine's own scaling of a workload that allocates as the
	// engine does, and shares nothing.
	b.Run("layer=none/alloc=like-engine", func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			a := &allocLikeEngine{finished: make([][]string, 10_000/runtime.GOMAXPROCS(0))}
			for pb.Next() {
				a.chat("a message of a chat")
			}
		})
	})
	b.Run("layer=engine", func(b *testing.B) { parallelEngines(b, sharedStores) })
	// One engine serving every goroutine, as one process serving many
	// requests at once does: the in-memory stores are one process's.
	b.Run("layer=engine/engines=one", func(b *testing.B) { parallelEngines(b, oneEngine) })
	// The ceiling of the rows above: each engine has stores of its own,
	// so independent chats share no lock and no memory in them.
	b.Run("layer=engine/stores=per-engine", func(b *testing.B) { parallelEngines(b, ownStores) })
}

// sharing is what the goroutines of parallelEngines share.
type sharing int

const (
	sharedStores sharing = iota // an engine each, over one routing and one session store
	oneEngine                   // one engine
	ownStores                   // an engine each, over stores of its own
)

// parallelEngines runs BenchmarkLifecycleParallel's engines: each
// goroutine has its agent and its queue, and shares what how says.
func parallelEngines(b *testing.B, how sharing) {
	rs, ss := routingmem.New(routingmem.Config{}), sessionmem.NewStore()
	mock := clock.NewMock()
	newEngine := func(rs routing.Store, ss session.Store, mock clock.Clock, process string) (*engine.Engine, error) {
		return engine.New(ctx, engine.Config{Routing: rs, Sessions: ss, Desktops: routing.TransportFunc(nopPublish),
			Participants: session.Discard{}, Clock: mock, Manual: true, Process: process})
	}
	var one *engine.Engine
	if how == oneEngine {
		var err error
		if one, err = newEngine(rs, ss, mock, "one"); err != nil {
			b.Fatal(err)
		}
	}
	var g atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		n := strconv.FormatInt(g.Add(1), 10)
		var eng *engine.Engine
		var err error
		switch how {
		case oneEngine:
			eng = one
		case sharedStores:
			eng, err = newEngine(rs, ss, mock, "p"+n)
		case ownStores:
			eng, err = newEngine(routingmem.New(routingmem.Config{}), sessionmem.NewStore(), clock.NewMock(), "p"+n)
		}
		if err != nil {
			b.Error(err)
			return
		}
		agent, queue := switchboard.AgentID("a"+n), switchboard.QueueID("q"+n)
		if !setUp(b, eng.Router(), agent, queue) {
			return
		}
		msgs := chatMessages(agent)
		buf := []byte("g" + n + "-")
		for i := 0; pb.Next(); i++ {
			id := switchboard.ChatID(strconv.AppendInt(buf, int64(i), 10))
			if !engineLifecycle(b, eng, agent, queue, id, msgs) {
				return
			}
			if i%forgetEvery == forgetEvery-1 && !forgetClosed(b, eng) {
				return
			}
		}
	})
}

// allocLikeEngine allocates what one chat's life cycle through the
// engine allocates, in objects of its kinds and sizes (15 KB in 28
// objects), and keeps some as the stores do: each session's copy and log
// until retention forgets them, forgetEvery chats later, and a record of
// about a kilobyte per chat for the 10,000 finished chats routing keeps
// (shared among the goroutines, as one store's are). It shares nothing
// with other goroutines: how it scales with cores is how the machine and
// the Go runtime scale a workload that allocates and keeps memory as the
// engine does.
type allocLikeEngine struct {
	sessions [forgetEvery]*sessionBlock
	logs     [forgetEvery][]session.Entry
	finished [][]string
	i        int
	// What lives for the chat alone, as the rest does, till the next.
	blocks [5]*sessionBlock
	recs   [21][]string
}

// sessionBlock is the size of a session copied for a write.
type sessionBlock struct {
	s  session.Session
	ps [2]session.Participant
	w  session.WrapUp
}

func (a *allocLikeEngine) chat(text string) {
	for j := range a.blocks { // the writes that copy the whole session
		a.blocks[j] = &sessionBlock{s: session.Session{ID: "c", Txn: text}}
		a.blocks[j].ps[0].Name, a.blocks[j].ps[1].Name, a.blocks[j].w.Reason = text, text, text
	}
	log := make([]session.Entry, 11) // the session's log
	for j := range log {
		log[j].Text = text
	}
	for j := range a.recs { // events, offers, records, IDs and the rest
		a.recs[j] = make([]string, 16)
		a.recs[j][0] = text
	}
	rec := make([]string, 64) // the finished chat, as routing keeps it
	rec[0] = text
	a.sessions[a.i%forgetEvery], a.logs[a.i%forgetEvery] = a.blocks[len(a.blocks)-1], log
	a.finished[a.i%len(a.finished)] = rec
	a.i++
}

// setUp puts queue and logs agent in to take its chats.
func setUp(b *testing.B, r *routing.Router, agent switchboard.AgentID, queue switchboard.QueueID) bool {
	if _, err := r.PutQueue(ctx, routing.Queue{ID: queue, WrapUp: time.Second}); err != nil {
		b.Error(err)
		return false
	}
	if _, err := r.Login(ctx, agent, routing.Profile{DisplayName: "Agent", Queues: []switchboard.QueueID{queue}}); err != nil {
		b.Error(err)
		return false
	}
	return true
}

// routingLifecycle runs chat id through routing alone: enqueue, offer,
// accept, end, wrap-up done.
func routingLifecycle(b *testing.B, r *routing.Router, agent switchboard.AgentID, queue switchboard.QueueID, id switchboard.ChatID) bool {
	if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: queue}); err != nil {
		b.Error(err)
		return false
	}
	os, err := r.Offers(ctx, agent)
	if err != nil || len(os) != 1 {
		b.Error(err, len(os))
		return false
	}
	if _, err := r.Accept(ctx, agent, os[0].ID); err != nil {
		b.Error(err)
		return false
	}
	if err := r.End(ctx, id); err != nil {
		b.Error(err)
		return false
	}
	if err := r.CompleteWrapUp(ctx, id, agent); err != nil {
		b.Error(err)
		return false
	}
	return true
}

// engineLifecycle runs chat id through the engine, as BenchmarkLifecycle
// does.
func engineLifecycle(b *testing.B, eng *engine.Engine, agent switchboard.AgentID, queue switchboard.QueueID, id switchboard.ChatID, msgs []session.Message) bool {
	fail := func(err error) bool {
		b.Error(err)
		return false
	}
	if _, err := eng.Start(ctx, engine.StartRequest{ID: id, Queue: queue, Customer: "u1", CustomerName: "Carol"}); err != nil {
		return fail(err)
	}
	os, err := eng.Router().Offers(ctx, agent)
	if err != nil || len(os) != 1 {
		b.Error(err, len(os))
		return false
	}
	if _, _, err := eng.Accept(ctx, agent, os[0].ID); err != nil {
		return fail(err)
	}
	for _, m := range msgs {
		if _, err := eng.Send(ctx, id, m); err != nil {
			return fail(err)
		}
	}
	if _, err := eng.End(ctx, id, agent, session.EndOptions{Reason: "resolved", Confirm: true}); err != nil {
		return fail(err)
	}
	if err := eng.CompleteWrapUp(ctx, id, agent); err != nil {
		return fail(err)
	}
	if err := eng.Settle(ctx); err != nil {
		return fail(err)
	}
	return true
}

// BenchmarkSettleIdle measures a pass of the engine that finds nothing to
// do (the pass Run makes while the centre is quiet, and the last pass of
// every Settle): every partition of routing's log and of the sessions'
// feed is looked at, the deadlines are polled. Router.Sweep alone is the
// baseline in the same run.
func BenchmarkSettleIdle(b *testing.B) {
	mock := clock.NewMock()
	eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routing.TransportFunc(nopPublish), Participants: session.Discard{}, Clock: mock, Manual: true})
	if err != nil {
		b.Fatal(err)
	}
	if !setUp(b, eng.Router(), "ann", "q") {
		return
	}
	mustB(b, func() error { return eng.Settle(ctx) })
	b.Run("pass=settle", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mustB(b, func() error { return eng.Settle(ctx) })
		}
	})
	b.Run("pass=sweep", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mustB(b, func() error { _, err := eng.Router().Sweep(ctx); return err })
		}
	})
}
