package routing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// explain returns the explanation of chat.
func explain(t *testing.T, r *routing.Router, b *testBundle, chat switchboard.ChatID) routing.Explanation {
	t.Helper()
	e, err := r.Explain(b.ctx, chat)
	require.NoError(t, err)
	return e
}

// reasons returns the reasons of the verdict on agent as text.
func reasons(t *testing.T, e routing.Explanation, agent switchboard.AgentID) []string {
	t.Helper()
	v, ok := e.Verdict(agent)
	require.True(t, ok, "no verdict on %s", agent)
	out := []string{}
	for _, p := range v.Reasons {
		out = append(out, p.String())
	}
	return out
}

func loginSkilled(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID, capacity int, queue string, skills ...routing.Skill) {
	t.Helper()
	_, err := r.Login(b.ctx, id, routing.Profile{Queues: qids(queue), Capacity: chatCap(capacity), Skills: skills})
	require.NoError(t, err)
}

func TestExplainSaysWhyEachAgentIsPassedOver(t *testing.T) {
	t.Parallel()
	// SPEC Q1: each agent's reasons: its state (with a NotReady reason), no
	// free slot (with its count), a missing skill or level (which), and a
	// queue it does not serve.
	lang := []routing.SkillRequirement{{Skill: "fr", Min: 2}}
	r, b := setup(t, routing.Queue{ID: "q", RequiredSkills: lang, AcceptTimeout: 30 * time.Second}, routing.Queue{ID: "q2"})
	fr := routing.Skill{Name: "fr", Level: 3}
	loginSkilled(t, r, b, "busy", 1, "q", fr)
	enqueue(t, r, b, "c0", "q")
	_, err := r.Accept(b.ctx, "busy", onlyOffer(t, r, b, "busy").ID)
	require.NoError(t, err)
	loginSkilled(t, r, b, "paused", 1, "q", fr)
	require.NoError(t, r.SetState(b.ctx, "paused", routing.NotReady, "lunch"))
	loginSkilled(t, r, b, "novice", 1, "q", routing.Skill{Name: "fr", Level: 1})
	loginSkilled(t, r, b, "none", 1, "q")
	loginSkilled(t, r, b, "other", 1, "q2", fr)
	loginSkilled(t, r, b, "slow", 1, "q", fr)
	enqueue(t, r, b, "c1", "q")
	require.Len(t, offeredTo(t, r, b, "c1", "slow"), 1)
	advance(t, r, b, 30*time.Second)
	require.Equal(t, routing.RONA, agentState(t, r, b, "slow"))

	e := explain(t, r, b, "c1")
	require.Equal(t, switchboard.ChatID("c1"), e.Chat)
	require.Equal(t, switchboard.QueueID("q"), e.Queue)
	require.Equal(t, routing.Queued, e.State)
	require.Equal(t, start.Add(30*time.Second), e.At)
	require.Empty(t, e.Held)
	require.Empty(t, e.Eligible())
	var ids []switchboard.AgentID
	for _, v := range e.Agents {
		ids = append(ids, v.Agent)
	}
	require.Equal(t, []switchboard.AgentID{"busy", "none", "novice", "other", "paused", "slow"}, ids)

	require.Equal(t, []string{"no_free_slot"}, reasons(t, e, "busy"))
	busy, _ := e.Verdict("busy")
	require.Equal(t, 1, busy.Load)
	require.Equal(t, 1, busy.Capacity)
	require.Equal(t, []string{"not_ready"}, reasons(t, e, "paused"))
	paused, _ := e.Verdict("paused")
	require.Equal(t, routing.NotReady, paused.State)
	require.Equal(t, "lunch", paused.StateReason)
	require.Equal(t, []string{"missing_skill"}, reasons(t, e, "novice"))
	novice, _ := e.Verdict("novice")
	require.Equal(t, []routing.SkillShortfall{{Skill: "fr", Min: 2, Has: true, Level: 1}}, novice.Missing)
	none, _ := e.Verdict("none")
	require.Equal(t, []routing.SkillShortfall{{Skill: "fr", Min: 2}}, none.Missing)
	require.Equal(t, []string{"not_serving_queue"}, reasons(t, e, "other"))
	require.Equal(t, []string{"rona"}, reasons(t, e, "slow"))

}

func TestExplainAgentInWrapUp(t *testing.T) {
	t.Parallel()
	// SPEC Q1: an agent wrapping up a chat is passed over for its state and
	// for the slot the wrap-up holds.
	r, b := setup(t, routing.Queue{ID: "q", WrapUp: time.Minute})
	login(t, r, b, "w", 1, "q")
	enqueue(t, r, b, "c0", "q")
	_, err := r.Accept(b.ctx, "w", onlyOffer(t, r, b, "w").ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, "c0"))
	enqueue(t, r, b, "c1", "q")

	e := explain(t, r, b, "c1")
	require.Equal(t, []string{"wrap_up", "no_free_slot"}, reasons(t, e, "w"))
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c0", "w"))
	require.Len(t, offeredTo(t, r, b, "c1", "w"), 1)
}

func TestExplainRejectedOfferedAndLoggedOut(t *testing.T) {
	t.Parallel()
	// SPEC Q1: an agent with a pending offer of the chat says so; one that
	// rejected it is excluded, and is still explained once logged out.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a", 1, "q")
	b.clock.Add(time.Second)
	login(t, r, b, "b", 1, "q")
	enqueue(t, r, b, "c", "q")
	o := onlyOffer(t, r, b, "a")

	e := explain(t, r, b, "c")
	require.Equal(t, routing.Offered, e.State)
	require.Equal(t, []routing.PassReason{routing.OfferPendingReason}, e.Held)
	require.Equal(t, []string{"no_free_slot", "offer_pending"}, reasons(t, e, "a"))
	va, _ := e.Verdict("a")
	require.Equal(t, o.ID, va.Offer)
	require.False(t, va.Eligible)
	vb, _ := e.Verdict("b")
	require.True(t, vb.Eligible, "b is free: only the pending offer holds the chat")
	require.Empty(t, vb.Reasons)

	require.NoError(t, r.Reject(b.ctx, "a", o.ID))
	e = explain(t, r, b, "c")
	require.Equal(t, []string{"rejected"}, reasons(t, e, "a"))
	require.Equal(t, []string{"no_free_slot", "offer_pending"}, reasons(t, e, "b"))

	require.NoError(t, r.Logout(b.ctx, "a"))
	e = explain(t, r, b, "c")
	require.Equal(t, []string{"logged_out", "rejected"}, reasons(t, e, "a"))
	va, _ = e.Verdict("a")
	require.Equal(t, routing.LoggedOut, va.State)
}

func TestExplainPreferredAgentWait(t *testing.T) {
	t.Parallel()
	// SPEC Q1: a chat waiting for its preferred agent is held from every
	// other agent until the wait ends, and the explanation says until when.
	r, b := setup(t, routing.Queue{ID: "q", PreferredWait: 2 * time.Minute})
	login(t, r, b, "pref", 1, "q")
	require.NoError(t, r.SetState(b.ctx, "pref", routing.NotReady, "break"))
	login(t, r, b, "x", 1, "q")
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c", Queue: "q", Preferred: "pref"})
	require.NoError(t, err)

	e := explain(t, r, b, "c")
	require.Equal(t, []routing.PassReason{routing.PreferredWaitReason}, e.Held)
	require.Equal(t, switchboard.AgentID("pref"), e.Preferred)
	require.Equal(t, start.Add(2*time.Minute), e.PreferredUntil)
	require.Equal(t, []string{"not_ready"}, reasons(t, e, "pref"))
	vx, _ := e.Verdict("x")
	require.True(t, vx.Eligible)

	advance(t, r, b, 2*time.Minute)
	require.Len(t, offeredTo(t, r, b, "c", "x"), 1, "the wait is over: x is offered the chat")
}

func TestExplainLicenceLimit(t *testing.T) {
	t.Parallel()
	// SPEC Q1: with every licence unit in use, a chat holding none is held
	// from agents who could take it.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a", 2, "q")
	require.NoError(t, r.SetLicenceLimit(b.ctx, 1))
	enqueue(t, r, b, "c1", "q")
	enqueue(t, r, b, "c2", "q")
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))

	e := explain(t, r, b, "c2")
	require.Equal(t, []routing.PassReason{routing.LicenceLimitReason}, e.Held)
	va, _ := e.Verdict("a")
	require.True(t, va.Eligible, "a has a free slot")

	require.NoError(t, r.SetLicenceLimit(b.ctx, 0))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"))
}

func TestExplainParkedChat(t *testing.T) {
	t.Parallel()
	// SPEC Q1: a chat no agent can take is parked, and the explanation says
	// so beside the skill every agent lacks.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "plain", 2, "q")
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "rare", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "rare", Min: 2}}})
	require.NoError(t, err)

	e := explain(t, r, b, "rare")
	require.Equal(t, []routing.PassReason{routing.ParkedReason}, e.Held)
	require.Equal(t, []string{"missing_skill"}, reasons(t, e, "plain"))
	v, _ := e.Verdict("plain")
	require.Equal(t, []routing.SkillShortfall{{Skill: "rare", Min: 2}}, v.Missing)
}

func TestExplainRefusesChatsNotWaiting(t *testing.T) {
	t.Parallel()
	// SPEC Q1: only a waiting chat is explained; anything else is an error
	// a host can match.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a", 1, "q")
	_, err := r.Explain(b.ctx, "nope")
	require.ErrorIs(t, err, routing.ErrChatNotFound)

	enqueue(t, r, b, "c", "q")
	_, err = r.Accept(b.ctx, "a", onlyOffer(t, r, b, "a").ID)
	require.NoError(t, err)
	_, err = r.Explain(b.ctx, "c")
	var se *routing.StateError
	require.True(t, errors.As(err, &se), "%v", err)
	require.Equal(t, "Assigned", se.State)
}

func TestPassReasonText(t *testing.T) {
	t.Parallel()
	// SPEC Q1: every reason has snake_case text; an unknown one says what
	// it is.
	want := map[routing.PassReason]string{
		routing.LoggedOutReason: "logged_out", routing.NotReadyReason: "not_ready", routing.RONAReason: "rona",
		routing.WrapUpReason: "wrap_up", routing.NotServingQueueReason: "not_serving_queue",
		routing.NoFreeSlotReason: "no_free_slot", routing.MissingSkillReason: "missing_skill",
		routing.RejectedReason: "rejected", routing.OfferPendingReason: "offer_pending",
		routing.PreferredWaitReason: "preferred_wait", routing.LicenceLimitReason: "licence_limit",
		routing.ParkedReason: "parked",
	}
	for p, s := range want {
		require.Equal(t, s, p.String())
	}
	require.Equal(t, "PassReason(0)", routing.PassReason(0).String())
	require.Equal(t, "PassReason(200)", routing.PassReason(200).String())
}
