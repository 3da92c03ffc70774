package engine_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// The pick and the return each write routing and then the session: they
// join the fault-point enumeration (and so the kill enumeration) with a
// chat picked, returned with a reason and picked by the next agent. SPEC
// U13.
func init() {
	faultScenarios = append(faultScenarios, manualScenario)
}

var manualScenario = scenario{name: "pick-return-pick", agents: []switchboard.AgentID{"ann", "bob"}, chats: []switchboard.ChatID{"c1"}, steps: []step{
	{"sales is picked by hand", func(w *world) error {
		q := faultQueue
		q.Strategy = routing.Manual
		_, err := w.eng.Router().PutQueue(ctx, q)
		return err
	}},
	startStep("c1"),
	pickStep("ann"),
	sendStep("c1", customer, session.ModeNormal, "hello", "m1"),
	sendStep("c1", annP, session.ModeNormal, "one moment", "m2"),
	{"ann returns c1", func(w *world) error { return w.eng.Return(ctx, "ann", "c1", "wrong_language") }},
	pickStep("bob"),
	{"bob ends", func(w *world) error {
		_, err := w.eng.End(ctx, "c1", "bob", session.EndOptions{Reason: "sold", Confirm: true})
		return err
	}},
	advanceStep(31 * time.Second), settleStep(),
}}

func pickStep(agent switchboard.AgentID) step {
	return step{string(agent) + " picks c1", func(w *world) error {
		_, _, err := w.eng.Pick(ctx, agent, "c1")
		return err
	}}
}

func TestFaultPointsOfPickAndReturn(t *testing.T) {
	// SPEC U13: the pick-return-pick scenario alone, every fault point of
	// both stores in every mode, ends as the fault-free run.
	if os.Getenv("SWITCHBOARD_MANUAL_FAULTS") == "" {
		t.Skip("set SWITCHBOARD_MANUAL_FAULTS to run this scenario's enumeration alone (TestFaultPointEnumeration runs it)")
	}
	want, _, rCalls, sCalls := runScenario(t, manualScenario, fault{})
	for store, n := range map[string]int{"routing": rCalls, "session": sCalls} {
		for k := 1; k <= n; k++ {
			for _, mode := range []string{"error", "lost", "crash"} {
				got, _, _, _ := runScenario(t, manualScenario, fault{store: store, k: k, mode: mode})
				require.Equal(t, want, got, "%s call %d (%s) %s", store, k, callName(manualScenario, store, k), mode)
			}
		}
	}
}
