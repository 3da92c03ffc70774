package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

// The sequences several processes over one database run into: a customer
// leaving before, during or after what an agent does, and writing again
// after the end. They join the fault-point enumeration, and the kill
// enumeration below.
//
// The customer leaving during a transfer to a queue is left out of the
// fault-point enumeration, whose runs must end exactly as the fault-free
// one: whether the owner stays to end the session depends on whether the
// session let the owner go before the customer left, which a fault can
// reorder. The kill and interleaving enumerations, which check that
// routing and the session agree, run it.
func init() {
	for _, sc := range leaveScenarios {
		if sc.name != "customer-leaves-during-a-transfer-to-a-queue" {
			faultScenarios = append(faultScenarios, sc)
		}
	}
}

// agreementScenarios are the scenarios the kill and interleaving
// enumerations run.
func agreementScenarios() []scenario {
	out := slices.Clone(faultScenarios)
	for _, sc := range leaveScenarios {
		if !slices.ContainsFunc(out, func(o scenario) bool { return o.name == sc.name }) {
			out = append(out, sc)
		}
	}
	return out
}

func endStep(agent switchboard.AgentID) step {
	return step{string(agent) + " ends", func(w *world) error {
		_, err := w.eng.End(ctx, "c1", agent, session.EndOptions{Reason: "sold", Confirm: true})
		return err
	}}
}

func closeStep(agent switchboard.AgentID) step {
	return step{string(agent) + " closes", func(w *world) error {
		_, err := w.eng.Close(ctx, "c1", agent, session.EndOptions{Reason: "sold", Confirm: true})
		return err
	}}
}

func leaveStep() step {
	return step{"customer leaves", func(w *world) error { return w.eng.CustomerLeft(ctx, "c1", "u1") }}
}

var leaveScenarios = []scenario{
	{name: "customer-leaves-then-agent-ends", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		leaveStep(),
		endStep("ann"),
		closeStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-leaves-then-agent-closes", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		leaveStep(),
		closeStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-leaves-during-wrap-up", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		endStep("ann"),
		leaveStep(),
		closeStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-reopens-then-leaves", agents: []switchboard.AgentID{"ann", "bob"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		closeStep("ann"),
		sendStep("c1", customer, session.ModeNormal, "one more thing", "m1"),
		leaveStep(),
		settleStep(),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-reopens-after-wrap-up-then-leaves", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		closeStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
		sendStep("c1", customer, session.ModeNormal, "one more thing", "m1"),
		leaveStep(),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-writes-and-leaves-as-the-agent-ends", agents: []switchboard.AgentID{"ann", "bob"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		endStep("ann"),
		sendStep("c1", customer, session.ModeNormal, "one more thing", "m1"),
		leaveStep(),
		endStep("ann"),
		closeStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "agent-leaves-a-chat-the-customer-left", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		leaveStep(),
		{"ann logs out", func(w *world) error { return w.eng.Logout(ctx, "ann") }},
		settleStep(),
	}},
	{name: "customer-leaves-during-a-transfer", agents: []switchboard.AgentID{"ann", "bob"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		{"ann transfers to bob", func(w *world) error {
			_, err := w.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "billing"})
			if errors.Is(err, routing.ErrTransferPending) {
				return nil // the earlier try made it
			}
			return err
		}},
		leaveStep(),
		endStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-leaves-during-a-transfer-to-a-queue", agents: []switchboard.AgentID{"ann", "bob"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		acceptStep("ann", "c1"),
		{"ann transfers to the queue", func(w *world) error {
			_, err := w.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Queue: "sales"})
			if errors.Is(err, routing.ErrTransferPending) {
				return nil // the earlier try made it
			}
			return err
		}},
		leaveStep(),
		advanceStep(21 * time.Second), settleStep(),
		advanceStep(31 * time.Second), settleStep(),
	}},
	{name: "customer-leaves-while-queued-then-an-agent-accepts", agents: []switchboard.AgentID{"ann"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
		startStep("c1"),
		leaveStep(),
		acceptStep("ann", "c1"),
		endStep("ann"),
		advanceStep(31 * time.Second), settleStep(),
	}},
}

// checkAgreement checks what must hold of the scenario's chats once the
// engine is quiet, whatever the hosts managed to do before (SPEC E2): a
// chat waiting for an agent has an open session and no owner, an assigned
// one its owner present, one routing is wrapping up has its session ended
// or closed, one routing is done has it closed unless the session is a
// later conversation (SPEC K6), and one routing ended has its session
// closed or an owner present to end it.
func checkAgreement(w *world, sc scenario) error {
	var errs []error
	for _, id := range sc.chats {
		c, err := w.eng.Router().Chat(ctx, id)
		if err != nil {
			return err
		}
		s, err := w.eng.Sessions().Session(ctx, id)
		if err != nil {
			return err
		}
		owner := s.Owner()
		ownerPresent := owner != nil && owner.Present()
		where := fmt.Sprintf("chat %s: routing %s agent=%q end=%s, session %s owner present=%t", id, c.State, c.Agent, c.EndReason, s.Status, ownerPresent)
		if want := c.State == routing.Assigned && c.OnHold; s.OnHold != want {
			// SPEC O6, O8
			errs = append(errs, fmt.Errorf("%s: the session is on hold (%t) exactly while routing holds the chat (%t)", where, s.OnHold, want))
		}
		switch c.State {
		case routing.Queued, routing.Offered:
			if s.Status != session.StatusActive || ownerPresent {
				errs = append(errs, fmt.Errorf("%s: a waiting chat has an open session and no owner", where))
			}
		case routing.Assigned:
			if !ownerPresent || owner.ID != session.AgentParticipant(c.Agent) {
				errs = append(errs, fmt.Errorf("%s: an assigned chat's owner is present", where))
			}
		case routing.InWrapUp, routing.Done:
			if s.Status != session.StatusEnded && s.Status != session.StatusClosed {
				errs = append(errs, fmt.Errorf("%s: a chat done in routing has its session ended or closed", where))
			}
			if c.State == routing.Done && s.Status == session.StatusEnded && s.Reopens == c.Reopens {
				// SPEC K6
				errs = append(errs, fmt.Errorf("%s: a session whose wrap-up routing finished is closed", where))
			}
		case routing.Ended:
			if s.Status != session.StatusClosed && !(s.Status == session.StatusCustomerLeft || s.Status == session.StatusEnded) {
				errs = append(errs, fmt.Errorf("%s: an ended chat's session is closed or ending", where))
			}
			if s.Status != session.StatusClosed && !ownerPresent && c.EndReason != routing.EndAgentLeft && c.EndReason != routing.EndWithdrawn {
				errs = append(errs, fmt.Errorf("%s: an ended chat's open session has its owner to end it", where))
			}
		}
	}
	return errors.Join(errs...)
}

// TestKillPointEnumeration kills the process at every store call of every
// scenario: what it was doing is never retried, another process carries
// on with the steps that follow, and once it is quiet routing and the
// sessions must agree (SPEC E2).
func TestKillPointEnumeration(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("the kill enumeration is long: it runs once, without -short or -race")
	}
	// SPEC K6: a killed process leaves no session ended whose wrap-up
	// routing finished.
	total, bad := 0, 0
	for _, sc := range agreementScenarios() {
		_, _, rCalls, sCalls := runScenario(t, sc, fault{})
		calls := map[string]int{"routing": rCalls, "session": sCalls}
		for _, store := range []string{"routing", "session"} {
			for k := 1; k <= calls[store]; k++ {
				total++
				if err := killRun(t, sc, fault{store: store, k: k, mode: "kill"}); err != nil {
					bad++
					t.Errorf("%s, %s call %d (%s) killed: %v", sc.name, store, k, callName(sc, store, k), err)
				}
			}
		}
	}
	t.Logf("%d scenarios, %d runs with a kill, %d where routing and the session disagree", len(agreementScenarios()), total, bad)
	require.Zero(t, bad)
}

// killRun runs sc with the process killed as f says and checks the
// agreement of what it leaves.
func killRun(t *testing.T, sc scenario, f fault) error {
	t.Helper()
	var err error
	runScenarioThen(t, sc, f, func(w *world) { err = checkAgreement(w, sc) })
	return err
}

// TestKillPointLeaveScenariosAgreeWithoutAFault checks the agreement the
// kill enumeration checks on the fault-free runs of the scenarios where
// the customer leaves, so that the check itself is known to pass on a
// run nothing interrupted.
func TestKillPointLeaveScenariosAgreeWithoutAFault(t *testing.T) {
	// SPEC E2
	for _, sc := range leaveScenarios {
		t.Run(sc.name, func(t *testing.T) {
			runScenarioThen(t, sc, fault{}, func(w *world) {
				require.NoError(t, checkAgreement(w, sc))
				var states []string
				for _, id := range sc.chats {
					s, err := w.eng.Sessions().Session(ctx, id)
					require.NoError(t, err)
					states = append(states, s.Status.String())
				}
				require.False(t, slices.Contains(states, session.StatusActive.String()), "%s: %s", sc.name, strings.Join(states, ","))
			})
		})
	}
}

// hookedRouting calls before ahead of every read of a chat and every
// commit, so that another process can act at that point.
type hookedRouting struct {
	*routingtest.FaultStore
	before func()
}

func (h *hookedRouting) Chat(ctx context.Context, id switchboard.ChatID) (routing.Chat, error) {
	h.before()
	return h.FaultStore.Chat(ctx, id)
}

func (h *hookedRouting) Commit(ctx context.Context, txn routing.Txn) error {
	h.before()
	return h.FaultStore.Commit(ctx, txn)
}

// interleaving says where a second process acts in the middle of a step:
// at store call k of step i, it runs the m steps that follow. With
// killOuter, the first process then dies and never finishes step i; with
// killInner j > 0, the second process dies at its store call j, and the
// first carries on with everything else.
type interleaving struct {
	i, k, m   int
	killOuter bool
	killInner int
}

// runInterleaved runs sc with two processes over the same stores as il
// says, lets a survivor settle past every deadline and lease, and returns
// how many store calls step il.i made and the steps run inside it made
// (without a kill), and whether routing and the sessions then agree.
func runInterleaved(t *testing.T, sc scenario, il interleaving) (outer, inner int, agree error) {
	t.Helper()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	rs := routingtest.NewFaultStore(routingmem.New(routingmem.Config{}))
	onCall := func() {}
	hr := &hookedRouting{FaultStore: rs, before: func() { onCall() }}
	ss := &faultySessions{Store: sessionmem.NewStore()}
	offers := map[string]routing.OfferID{}
	build := func(process string) *world {
		eng, err := engine.New(ctx, engine.Config{Routing: hr, Sessions: ss, Desktops: routingmem.NewBus(),
			Participants: session.Discard{}, Clock: mock, Manual: true, Process: process})
		require.NoError(t, err)
		return &world{offers: offers, eng: eng, clock: mock}
	}
	p1, p2 := build("p1"), build("p2")
	_, err := p1.eng.Router().PutQueue(ctx, faultQueue)
	require.NoError(t, err)
	for _, a := range sc.agents {
		_, err := p1.eng.Router().Login(ctx, a, routing.Profile{DisplayName: strings.ToUpper(string(a[:1])) + string(a[1:]),
			Tenant: "t1", Team: "sales", Queues: []switchboard.QueueID{"sales"}})
		require.NoError(t, err)
	}
	dead := false
	kill := func() {
		dead = true
		rs.FailFrom(rs.Count()+1, nil)
		ss.dead = func() bool { return true }
	}
	revive := func() {
		dead = false
		rs.Clear()
		ss.clear()
		ss.onHit = func(int) { onCall() }
	}
	revive()
	run := func(w *world, st step) error {
		for attempt := 0; ; attempt++ {
			err := st.do(w)
			if err == nil || !transient(err) || attempt == 20 || dead {
				return err
			}
		}
	}
	w := p1
	skip := map[int]bool{}
	for i, st := range sc.steps {
		if skip[i] {
			continue
		}
		if i != il.i || i+il.m >= len(sc.steps) {
			_ = run(w, st)
			continue
		}
		fired := false
		onCall = func() {
			outer++
			if fired || outer != il.k {
				return
			}
			fired = true
			onCall = func() {
				inner++
				if inner == il.killInner {
					kill()
				}
			}
			for j := i + 1; j <= i+il.m && !dead; j++ {
				skip[j] = true
				_ = run(p2, sc.steps[j])
			}
			revive()
			for j := i + 1; j <= i+il.m; j++ {
				if strings.HasPrefix(sc.steps[j].name, "start ") {
					// Started again by the host after a restart.
					_ = run(w, sc.steps[j])
				}
			}
			onCall = func() {}
			if il.killOuter {
				kill()
			}
		}
		if il.killOuter {
			// The first process dies at call k: it does not retry.
			_ = st.do(w)
		} else {
			_ = run(w, st)
		}
		onCall = func() {}
		revive()
		if fired && il.killOuter {
			w = p2
			if strings.HasPrefix(st.name, "start ") {
				// A chat recorded but perhaps never started is started
				// again, as the host does after a restart.
				_ = run(w, st)
			}
		}
	}
	mock.Add(time.Minute)
	require.NoError(t, p2.eng.Settle(ctx))
	require.NoError(t, w.eng.Settle(ctx))
	if os.Getenv("IL_DEBUG") != "" {
		t.Log(snapshot(t, w, sc))
		t.Log(orgLog(t, w, sc))
	}
	return outer, inner, checkAgreement(w, sc)
}

// TestInterleavingEnumeration runs, for every step of every scenario and
// every store call the step makes, the next one or two steps in a second
// process at that call; then the first process carries on, or dies there,
// or the second one dies at one of its own calls. Once quiet, routing and
// the sessions must agree (SPEC E2).
func TestInterleavingEnumeration(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("the interleaving enumeration is long: it runs once, without -short or -race")
	}
	total, bad := 0, 0
	for _, sc := range agreementScenarios() {
		for i := 0; i+1 < len(sc.steps); i++ {
			for m := 1; m <= 1 && i+m < len(sc.steps); m++ {
				calls, _, err := runInterleaved(t, sc, interleaving{i: i, m: m})
				require.NoError(t, err, "%s without interleaving", sc.name)
				for k := 1; k <= calls; k++ {
					_, inner, err := runInterleaved(t, sc, interleaving{i: i, k: k, m: m})
					check := func(il interleaving, err error) {
						total++
						if err != nil {
							bad++
							t.Errorf("%s: %d steps at call %d of %q (outer killed %t, inner killed at %d): %v",
								sc.name, m, k, sc.steps[i].name, il.killOuter, il.killInner, err)
						}
					}
					check(interleaving{i: i, k: k, m: m}, err)
					il := interleaving{i: i, k: k, m: m, killOuter: true}
					_, _, err = runInterleaved(t, sc, il)
					check(il, err)
					for j := 1; j <= inner; j++ {
						il := interleaving{i: i, k: k, m: m, killInner: j}
						_, _, err = runInterleaved(t, sc, il)
						check(il, err)
					}
				}
			}
		}
	}
	t.Logf("%d scenarios, %d interleavings, %d where routing and the session disagree", len(agreementScenarios()), total, bad)
	require.Zero(t, bad)
}

// TestClosingOwnerNotGivenBackAReopenedChatTheCustomerLeft: the owner
// closes; before routing hears of it, the customer writes again (routing
// refuses to reopen a chat it still holds for the owner) and leaves. The
// owner's close then reaches routing. The session is not left open by a
// customer who is gone with a chat routing is done with: routing
// withdraws the reopened chat and the session closes (SPEC E2, R9, S9).
func TestClosingOwnerNotGivenBackAReopenedChatTheCustomerLeft(t *testing.T) {
	sc := scenarioNamed(t, "customer-reopens-then-leaves")
	for k := 1; k <= 12; k++ {
		_, _, err := runInterleaved(t, sc, interleaving{i: 2, k: k, m: 2})
		require.NoError(t, err, "the customer writes and leaves at call %d of the close", k)
	}
}

// TestCustomerLeavingFinishedByAnotherProcess: the process recording that
// the customer left dies before telling routing; the chat, queued again
// with nobody to take it, is withdrawn as abandoned by whichever process
// reads the sessions' feed, and its session closes (SPEC E2, S9).
func TestCustomerLeavingFinishedByAnotherProcess(t *testing.T) {
	sc := scenarioNamed(t, "customer-reopens-after-wrap-up-then-leaves")
	_, _, err := runInterleaved(t, sc, interleaving{i: 6, k: 2, m: 2, killOuter: true})
	require.NoError(t, err)
}

func scenarioNamed(t *testing.T, name string) scenario {
	t.Helper()
	for _, sc := range agreementScenarios() {
		if sc.name == name {
			return sc
		}
	}
	t.Fatalf("no scenario %s", name)
	return scenario{}
}
