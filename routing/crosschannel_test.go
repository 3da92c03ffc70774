package routing_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

const (
	chatCh  = switchboard.DefaultChannel
	emailCh = switchboard.Channel("email")
	callCh  = switchboard.Channel("voice")
)

func TestCrossChannelSettingsAreValidatedAtLogin(t *testing.T) {
	t.Parallel()
	// SPEC L1: bad budgets, weights and interrupt rules are refused with
	// the field named, and the agent stays logged out.
	r, b := setup(t, routing.Queue{ID: "q"})
	twoChannels := []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: callCh, Max: 1}}
	cases := []struct {
		name    string
		profile routing.Profile
		field   string
	}{
		{"negative budget", routing.Profile{Budget: -1}, "budget"},
		{"negative weight", routing.Profile{Budget: 2, Capacity: []routing.Capacity{{Channel: chatCh, Max: 1, Weight: -1}}}, "capacity"},
		{"weight without a budget", routing.Profile{Capacity: []routing.Capacity{{Channel: chatCh, Max: 1, Weight: 2}}}, "capacity"},
		{"weight above the budget", routing.Profile{Budget: 2, Capacity: []routing.Capacity{{Channel: chatCh, Max: 1, Weight: 3}}}, "capacity"},
		{"rules without LimitInterrupts", routing.Profile{Capacity: twoChannels,
			Interrupts: []routing.Interrupt{{Channel: callCh, By: chatCh}}}, "interrupts"},
		{"a channel interrupting itself", routing.Profile{Capacity: twoChannels, LimitInterrupts: true,
			Interrupts: []routing.Interrupt{{Channel: chatCh, By: chatCh}}}, "interrupts"},
		{"a channel with no capacity entry", routing.Profile{Capacity: twoChannels, LimitInterrupts: true,
			Interrupts: []routing.Interrupt{{Channel: emailCh, By: chatCh}}}, "interrupts"},
		{"an empty channel", routing.Profile{Capacity: twoChannels, LimitInterrupts: true,
			Interrupts: []routing.Interrupt{{Channel: callCh}}}, "interrupts"},
		{"a rule twice", routing.Profile{Capacity: twoChannels, LimitInterrupts: true,
			Interrupts: []routing.Interrupt{{Channel: callCh, By: chatCh}, {Channel: callCh, By: chatCh}}}, "interrupts"},
	}
	for _, tc := range cases {
		tc.profile.Queues = qids("q")
		_, err := r.Login(b.ctx, "ann", tc.profile)
		require.ErrorIs(t, err, routing.ErrInvalid, tc.name)
		var ie *routing.InvalidError
		require.True(t, errors.As(err, &ie), tc.name)
		require.Equal(t, tc.field, ie.Field, tc.name)
		_, err = r.Agent(b.ctx, "ann")
		require.ErrorIs(t, err, routing.ErrAgentNotFound, "%s: nothing stored", tc.name)
	}
	// A weight above the budget is allowed on a channel the agent takes
	// nothing of.
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Budget: 2,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: callCh, Weight: 5}}})
	require.NoError(t, err)
}

func TestBudgetLimitsWeightedChats(t *testing.T) {
	t.Parallel()
	// SPEC L2: an agent with three chat slots and a budget of 4, where a
	// chat weighs 2, gets two chats at once; the third waits, explained
	// as budget_full (SPEC L4), and is offered when one of the two is
	// done.
	r, b := setup(t, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Budget: 4,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 3, Weight: 2}}})
	require.NoError(t, err)
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		enqueue(t, r, b, id, "q")
	}
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c3"))

	x, err := r.Explain(b.ctx, "c3")
	require.NoError(t, err)
	v, ok := x.Verdict("ann")
	require.True(t, ok)
	require.False(t, v.Eligible)
	require.Equal(t, []routing.PassReason{routing.BudgetFullReason}, v.Reasons)
	require.Equal(t, 4, v.Units)
	require.Equal(t, 4, v.Budget)
	require.Equal(t, 2, v.Load, "one slot of the channel is still free")
	require.Equal(t, 3, v.Capacity)

	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 4, a.Units())
	require.False(t, a.HasRoom(chatCh))

	for _, o := range offers(t, r, b, "ann") {
		_, err := r.Accept(b.ctx, "ann", o.ID)
		require.NoError(t, err)
	}
	require.NoError(t, r.End(b.ctx, "c1"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c3"), "the freed units take the waiting chat")
}

func TestBudgetIsSharedAcrossChannels(t *testing.T) {
	t.Parallel()
	// SPEC L2: an email (weight 3) and chats (weight 1) share a budget of
	// 4: while the email is assigned only one chat fits, although the
	// chat channel has three slots.
	r, b := setup(t, routing.Queue{ID: "chats"}, routing.Queue{ID: "emails", Channel: emailCh})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("chats", "emails"), Budget: 4,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 3}, {Channel: emailCh, Max: 1, Weight: 3}}})
	require.NoError(t, err)
	enqueue(t, r, b, "e1", "emails")
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "c1", "chats")
	enqueue(t, r, b, "c2", "chats")
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))

	// The email done, its three units take the second chat.
	require.NoError(t, r.End(b.ctx, "e1"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"))
}

func TestNoBudgetKeepsChannelsIndependent(t *testing.T) {
	t.Parallel()
	// SPEC L1: without a budget or interrupt rules, an agent with an
	// email assigned is offered as many chats as its chat slots allow.
	r, b := setup(t, routing.Queue{ID: "chats"}, routing.Queue{ID: "emails", Channel: emailCh})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("chats", "emails"),
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: emailCh, Max: 1}}})
	require.NoError(t, err)
	enqueue(t, r, b, "e1", "emails")
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "c1", "chats")
	enqueue(t, r, b, "c2", "chats")
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"))
}

func TestInterruptRules(t *testing.T) {
	t.Parallel()
	// SPEC L3: chats may interrupt emails, emails may not interrupt
	// chats. An agent working an email is offered a chat; an agent
	// working a chat is not offered an email (interrupt_blocked, by the
	// chat channel, SPEC L4) until its chat is done.
	r, b := setup(t, routing.Queue{ID: "chats"}, routing.Queue{ID: "emails", Channel: emailCh})
	p := routing.Profile{Queues: qids("chats", "emails"),
		Capacity:        []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: emailCh, Max: 1}},
		LimitInterrupts: true, Interrupts: []routing.Interrupt{{Channel: emailCh, By: chatCh}}}
	_, err := r.Login(b.ctx, "ann", p)
	require.NoError(t, err)
	enqueue(t, r, b, "e1", "emails")
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "c1", "chats")
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"), "a chat may interrupt an email")
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)

	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "break"))
	_, err = r.Login(b.ctx, "bob", p)
	require.NoError(t, err)
	enqueue(t, r, b, "c2", "chats")
	_, err = r.Accept(b.ctx, "bob", onlyOffer(t, r, b, "bob").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "e2", "emails")
	require.Equal(t, routing.Queued, chatState(t, r, b, "e2"), "an email may not interrupt a chat")

	x, err := r.Explain(b.ctx, "e2")
	require.NoError(t, err)
	v, ok := x.Verdict("bob")
	require.True(t, ok)
	require.Equal(t, []routing.PassReason{routing.InterruptBlockedReason}, v.Reasons)
	require.Equal(t, chatCh, v.BlockedBy)
	bob, err := r.Agent(b.ctx, "bob")
	require.NoError(t, err)
	blocker, blocked := bob.InterruptedBy(emailCh)
	require.True(t, blocked)
	require.Equal(t, chatCh, blocker)

	require.NoError(t, r.End(b.ctx, "c2"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "e2"), "the chat done, the email is offered")
	require.Len(t, offeredTo(t, r, b, "e2", "bob"), 1)
}

func TestLimitInterruptsWithNoRulesKeepsChannelsApart(t *testing.T) {
	t.Parallel()
	// SPEC L3: LimitInterrupts with no rules: work on one channel keeps
	// every other channel's items away, while the same channel still
	// fills its slots.
	r, b := setup(t, routing.Queue{ID: "chats"}, routing.Queue{ID: "emails", Channel: emailCh})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("chats", "emails"), LimitInterrupts: true,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: emailCh, Max: 1}}})
	require.NoError(t, err)
	enqueue(t, r, b, "c1", "chats")
	enqueue(t, r, b, "e1", "emails")
	enqueue(t, r, b, "c2", "chats")
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "e1"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"))
}

func TestHostReportedWorkCountsTowardBudgetAndWakesWhenItEnds(t *testing.T) {
	t.Parallel()
	// SPEC L5: a call the host routes weighs 3 of a budget of 4: while it
	// lasts the agent takes one chat; the second chat is parked, and the
	// call's end offers it at once, as a freed slot would.
	r, b := setup(t, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Budget: 4, Skills: []routing.Skill{{Name: "fr", Level: 1}},
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 3}, {Channel: callCh, Max: 1, Weight: 3}}})
	require.NoError(t, err)
	b.events.Drain()
	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 1))
	ev := b.events.Drain()
	require.Len(t, ev, 1)
	require.Equal(t, routing.AgentWorkChanged, ev[0].Type)
	require.Equal(t, switchboard.AgentID("ann"), ev[0].Agent)
	require.Equal(t, callCh, ev[0].Channel)
	require.Equal(t, 1, ev[0].Work)
	require.Equal(t, routing.Available, ev[0].State)

	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 1, a.Working(callCh))
	require.Equal(t, 3, a.Units())

	enqueue(t, r, b, "c1", "q")
	login(t, r, b, "bob", 1, "q") // free, without the skill c2 needs
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "c2", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "fr", Min: 1}}})
	require.NoError(t, err)
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))
	x, err := r.Explain(b.ctx, "c2")
	require.NoError(t, err)
	require.Contains(t, x.Held, routing.ParkedReason, "nobody could take it: parked")
	v, _ := x.Verdict("ann")
	require.Equal(t, []routing.PassReason{routing.BudgetFullReason}, v.Reasons)
	c2, err := r.Chat(b.ctx, "c2")
	require.NoError(t, err)
	require.True(t, c2.Parked)

	// The same count again changes nothing and says nothing.
	b.events.Drain()
	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 1))
	require.Empty(t, b.events.Drain())

	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 0))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"), "the call's end wakes the parked chat")
	a, err = r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Empty(t, a.Work)
}

func TestHostReportedWorkFollowsInterruptRules(t *testing.T) {
	t.Parallel()
	// SPEC L5, L3: on a call, which chats may not interrupt, the agent is
	// offered no chat; chats it already has go on.
	r, b := setup(t, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), LimitInterrupts: true,
		Capacity:   []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: callCh, Max: 1}},
		Interrupts: []routing.Interrupt{{Channel: chatCh, By: callCh}}})
	require.NoError(t, err)
	enqueue(t, r, b, "c1", "q")
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 1), "a call may interrupt a chat")
	enqueue(t, r, b, "c2", "q")
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))
	x, err := r.Explain(b.ctx, "c2")
	require.NoError(t, err)
	v, _ := x.Verdict("ann")
	require.Equal(t, []routing.PassReason{routing.InterruptBlockedReason}, v.Reasons)
	require.Equal(t, callCh, v.BlockedBy)
	require.Equal(t, routing.Assigned, chatState(t, r, b, "c1"))

	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 0))
	require.Equal(t, routing.Offered, chatState(t, r, b, "c2"))
}

func TestSetWorkRefusesBadInput(t *testing.T) {
	t.Parallel()
	// SPEC L5: bad input is refused and changes nothing; a logged-out
	// agent reports no work, and logging in again starts from none.
	r, b := setup(t, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Budget: 4,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 1}, {Channel: callCh, Max: 1, Weight: 3}}})
	require.NoError(t, err)
	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 1))
	before, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)

	require.ErrorIs(t, r.SetWork(b.ctx, "ann", callCh, -1), routing.ErrInvalid)
	require.ErrorIs(t, r.SetWork(b.ctx, "ann", emailCh, 1), routing.ErrInvalid, "no capacity entry for the channel")
	require.ErrorIs(t, r.SetWork(b.ctx, "ann", "", 1), routing.ErrInvalid)
	require.ErrorIs(t, r.SetWork(b.ctx, "", callCh, 1), routing.ErrInvalid)
	require.ErrorIs(t, r.SetWork(b.ctx, "nobody", callCh, 1), routing.ErrAgentNotFound)
	after, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, before, after)

	require.NoError(t, r.Logout(b.ctx, "ann"))
	require.ErrorIs(t, r.SetWork(b.ctx, "ann", callCh, 1), routing.ErrLoggedOut)
	a, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Budget: 4,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 1}, {Channel: callCh, Max: 1, Weight: 3}}})
	require.NoError(t, err)
	require.Empty(t, a.Work)
	require.Equal(t, routing.Offered, enqueue(t, r, b, "c1", "q").State)
}

func TestInviteRespectsBudgetAndInterruptRules(t *testing.T) {
	t.Parallel()
	// SPEC L2, L3: an agent invited into a chat is refused as unavailable
	// when the chat would take it past its budget, or when it is on a
	// call chats may not interrupt.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "owner", 1, "q")
	enqueue(t, r, b, "c1", "q")
	_, err := r.Accept(b.ctx, "owner", onlyOffer(t, r, b, "owner").ID)
	require.NoError(t, err)
	_, err = r.Login(b.ctx, "ann", routing.Profile{Budget: 2,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: callCh, Max: 1, Weight: 2}}})
	require.NoError(t, err)
	_, err = r.Login(b.ctx, "bob", routing.Profile{LimitInterrupts: true,
		Capacity: []routing.Capacity{{Channel: chatCh, Max: 2}, {Channel: callCh, Max: 1}}})
	require.NoError(t, err)
	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 1))
	require.NoError(t, r.SetWork(b.ctx, "bob", callCh, 1))

	for _, who := range []switchboard.AgentID{"ann", "bob"} {
		_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "owner", Agent: who})
		require.ErrorIs(t, err, routing.ErrAgentUnavailable, string(who))
	}
	require.NoError(t, r.SetWork(b.ctx, "ann", callCh, 0))
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "owner", Agent: "ann"})
	require.NoError(t, err)
}

func TestAgentWorkChangedWireText(t *testing.T) {
	t.Parallel()
	// SPEC L5: the new event and pass reasons have snake_case wire texts.
	for v, want := range map[interface{ MarshalText() ([]byte, error) }]string{
		routing.AgentWorkChanged:       "agent_work_changed",
		routing.BudgetFullReason:       "budget_full",
		routing.InterruptBlockedReason: "interrupt_blocked",
	} {
		got, err := v.MarshalText()
		require.NoError(t, err)
		require.Equal(t, want, string(got))
	}
	var p routing.PassReason
	require.NoError(t, p.UnmarshalText([]byte("interrupt_blocked")))
	require.Equal(t, routing.InterruptBlockedReason, p)
	var e routing.EventType
	require.NoError(t, e.UnmarshalText([]byte("agent_work_changed")))
	require.Equal(t, routing.AgentWorkChanged, e)
	require.Equal(t, "AgentWorkChanged agent=ann channel=voice work=2",
		routing.Event{Type: routing.AgentWorkChanged, Agent: "ann", Channel: callCh, Work: 2}.String())
}
