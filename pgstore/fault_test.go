package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// The fault enumeration at the adapter boundary: every scenario runs once
// without a fault to count the writes of each store; then, for every write
// k of either store, once with write k failing before anything reached the
// database ("error") and once with write k committed and its outcome lost
// as a dropped connection during COMMIT would lose it ("lost"). Each step
// is retried as a host would, with the same IDs; after the script the
// engine settles, and the final state must equal the fault-free run's.

// errInjected is the error of a write that never reached the database.
var errInjected = errors.New("injected: connection refused")

// fpWorld is one run: an engine over a fresh schema, with fault points.
type fpWorld struct {
	eng    *engine.Engine
	clock  *clock.Mock
	offers map[string]routing.OfferID

	mu               sync.Mutex
	rWrites, sWrites int
	fault            fpFault
}

// fpFault says which write fails and how; k 0 is none.
type fpFault struct {
	store string // "routing" or "session"
	k     int
	mode  string // "error" or "lost"
}

func (w *fpWorld) point(store string, p pgstore.FaultPoint) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	before := p == pgstore.BeforeCommit || p == pgstore.BeforeWrite
	n := &w.rWrites
	if store == "session" {
		n = &w.sWrites
	}
	if before {
		*n++
	}
	if w.fault.k == 0 || w.fault.store != store || w.fault.k != *n {
		return nil
	}
	switch {
	case before && w.fault.mode == "error":
		return errInjected
	case !before && w.fault.mode == "lost":
		return io.ErrUnexpectedEOF
	}
	return nil
}

type fpStep struct {
	name string
	do   func(w *fpWorld) error
}

type fpScenario struct {
	name   string
	agents []switchboard.AgentID
	chats  []switchboard.ChatID
	steps  []fpStep
}

func fpStart(id switchboard.ChatID) fpStep {
	return fpStep{"start " + string(id), func(w *fpWorld) error {
		_, err := w.eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		return err
	}}
}

func fpAccept(agent switchboard.AgentID, chat switchboard.ChatID) fpStep {
	name := string(agent) + " accepts " + string(chat)
	return fpStep{name, func(w *fpWorld) error {
		id, ok := w.offers[name]
		if !ok {
			os, err := w.eng.Router().Offers(ctx, agent)
			if err != nil {
				return err
			}
			for _, o := range os {
				if o.Chat == chat {
					id = o.ID
				}
			}
			if id == "" {
				return fmt.Errorf("no offer of %s to %s", chat, agent)
			}
			w.offers[name] = id
		}
		_, _, err := w.eng.Accept(ctx, agent, id)
		return err
	}}
}

func fpSend(chat switchboard.ChatID, from session.ParticipantID, text, id string) fpStep {
	return fpStep{"send " + text, func(w *fpWorld) error {
		_, err := w.eng.Send(ctx, chat, session.Message{ID: id, From: from, Text: text})
		return err
	}}
}

func fpSettle() fpStep {
	return fpStep{"settle", func(w *fpWorld) error { return w.eng.Settle(ctx) }}
}

func fpAdvance(d time.Duration) fpStep {
	return fpStep{"advance", func(w *fpWorld) error { w.clock.Add(d); return nil }}
}

var fpScenarios = []fpScenario{
	{name: "life-cycle", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []fpStep{
		fpStart("c1"), fpSettle(), fpAccept("ann", "c1"), fpSettle(),
		fpSend("c1", session.CustomerParticipant("u1"), "hello", "m1"),
		fpSend("c1", session.AgentParticipant("ann"), "hi, how can I help?", "m2"),
		{"ann ends", func(w *fpWorld) error {
			_, err := w.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
			if errors.Is(err, session.ErrAlreadyClosed) || errors.Is(err, session.ErrInvalidState) {
				return nil // an earlier try ended it
			}
			return err
		}},
		fpSettle(), fpAdvance(31 * time.Second), fpSettle(),
	}},
	{name: "transfer", agents: []switchboard.AgentID{"ann", "bob"}, chats: []switchboard.ChatID{"c1"}, steps: []fpStep{
		fpStart("c1"), fpSettle(), fpAccept("ann", "c1"), fpSettle(),
		{"ann transfers to bob", func(w *fpWorld) error {
			_, err := w.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "yours"})
			if errors.Is(err, routing.ErrInvitePending) {
				return nil
			}
			return err
		}},
		fpSettle(), fpAccept("bob", "c1"), fpSettle(),
		fpSend("c1", session.AgentParticipant("bob"), "bob here", "m3"),
	}},
	{name: "offer times out", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []fpStep{
		fpStart("c1"), fpSettle(), fpAdvance(21 * time.Second), fpSettle(), fpSettle(),
	}},
}

// fpTransient reports whether a host calls again after err.
func fpTransient(err error) bool {
	return errors.Is(err, errInjected) || errors.Is(err, routing.ErrOutcomeUnknown) || errors.Is(err, session.ErrOutcomeUnknown) ||
		errors.Is(err, routing.ErrConflict) || errors.Is(err, session.ErrConflict)
}

// runFP runs sc with f and returns the final state and how many writes
// each store received.
func runFP(t *testing.T, sc fpScenario, f fpFault) (state string, rWrites, sWrites int) {
	t.Helper()
	schema := newSchema(t)
	pool := newPool(t, schema, 4)
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	rs := pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: clk})
	ss := pgstore.NewSessions(pool, pgstore.SessionConfig{})
	eng, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss,
		Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
		Clock: clk, Manual: true, Process: "p"})
	require.NoError(t, err)
	w := &fpWorld{eng: eng, clock: clk, offers: map[string]routing.OfferID{}}
	q := routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second, MaxWait: 5 * time.Minute,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold"}}}
	_, err = eng.Router().PutQueue(ctx, q)
	require.NoError(t, err)
	for _, a := range sc.agents {
		_, err := eng.Router().Login(ctx, a, routing.Profile{DisplayName: string(a), Tenant: "t1", Queues: []switchboard.QueueID{"sales"},
			Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2}}})
		require.NoError(t, err)
	}
	pgstore.SetRoutingFaults(rs, func(p pgstore.FaultPoint) error { return w.point("routing", p) })
	pgstore.SetSessionFaults(ss, func(p pgstore.FaultPoint) error { return w.point("session", p) })
	w.fault = f
	for _, st := range sc.steps {
		var err error
		for range 10 {
			if err = st.do(w); err == nil || !fpTransient(err) {
				break
			}
		}
		require.NoError(t, err, "%s with %+v: step %q", sc.name, f, st.name)
	}
	w.mu.Lock()
	rWrites, sWrites = w.rWrites, w.sWrites
	w.fault = fpFault{}
	w.mu.Unlock()
	for range 3 {
		require.NoError(t, eng.Settle(ctx))
	}
	return fpSnapshot(t, w, sc), rWrites, sWrites
}

func fpSnapshot(t *testing.T, w *fpWorld, sc fpScenario) string {
	var b strings.Builder
	for _, id := range sc.chats {
		c, err := w.eng.Router().Chat(ctx, id)
		require.NoError(t, err)
		fmt.Fprintf(&b, "chat %s: %s agent=%s end=%s invitation=%t\n", id, c.State, c.Agent, c.EndReason, c.Invitation.Pending())
		s, err := w.eng.Sessions().Session(ctx, id)
		require.NoError(t, err)
		var present []string
		for _, p := range s.Present() {
			present = append(present, string(p.ID)+"/"+p.Role.String())
		}
		slices.Sort(present)
		fmt.Fprintf(&b, "session %s: %s present=%v\n", id, s.Status, present)
		views, err := w.eng.Sessions().History(ctx, id, session.CustomerParticipant("u1"))
		require.NoError(t, err)
		for _, v := range views {
			fmt.Fprintf(&b, "  customer sees %s %q %q\n", v.Type, v.SubjectName, v.Text)
		}
	}
	for _, a := range sc.agents {
		ag, err := w.eng.Router().Agent(ctx, a)
		require.NoError(t, err)
		fmt.Fprintf(&b, "agent %s: %s load=%d wrapups=%d\n", a, ag.State, ag.Load(switchboard.DefaultChannel), ag.WrapUps)
	}
	return b.String()
}

// fpLimit caps the faults tried per store and scenario:
// SWITCHBOARD_PG_FAULTS, default every one.
func fpLimit() int {
	if n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_PG_FAULTS")); err == nil && n > 0 {
		return n
	}
	return 1 << 30
}

// TestFaultEnumerationAtTheAdapter fails each write of each scenario in
// turn, before it reaches PostgreSQL and after its COMMIT applied with the
// outcome lost, and requires the fault-free outcome (SPEC G5).
func TestFaultEnumerationAtTheAdapter(t *testing.T) {
	if raceEnabled {
		t.Skip("the enumeration is long: it runs without the race detector")
	}
	if testing.Short() {
		t.Skip("the enumeration is long: run without -short")
	}
	for _, sc := range fpScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			want, rN, sN := runFP(t, sc, fpFault{})
			runs := 0
			for _, store := range []string{"routing", "session"} {
				n := rN
				if store == "session" {
					n = sN
				}
				for k := 1; k <= min(n, fpLimit()); k++ {
					for _, mode := range []string{"error", "lost"} {
						f := fpFault{store: store, k: k, mode: mode}
						got, _, _ := runFP(t, sc, f)
						require.Equal(t, want, got, "%s: %s write %d %s", sc.name, store, k, mode)
						runs++
					}
				}
			}
			t.Logf("%s: %d routing and %d session writes, %d faulty runs all end as the fault-free one", sc.name, rN, sN, runs)
		})
	}
}
