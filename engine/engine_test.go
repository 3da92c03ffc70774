package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

type bundle struct {
	eng    *engine.Engine
	router *routing.Router
	m      *session.Manager
	clock  *clock.Mock
}

// setup returns a Manual engine over in-memory routing and session
// stores sharing one mock clock, with queue "sales" (wrap-up 30s, reasons
// sold/no-sale).
func setup(t *testing.T, mutate ...func(*engine.Config)) *bundle {
	t.Helper()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	cfg := engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: sessionmem.NewTransport(), Clock: mock, Manual: true,
	}
	for _, f := range mutate {
		f(&cfg)
	}
	eng, err := engine.New(ctx, cfg)
	require.NoError(t, err)
	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale"}}})
	require.NoError(t, err)
	return &bundle{eng: eng, router: eng.Router(), m: eng.Sessions(), clock: mock}
}

// settle processes everything due and pending.
func (b *bundle) settle(t *testing.T) {
	t.Helper()
	require.NoError(t, b.eng.Settle(ctx))
}

func (b *bundle) login(t *testing.T, id switchboard.AgentID, name string) {
	t.Helper()
	_, err := b.router.Login(ctx, id, routing.Profile{DisplayName: name, Tenant: "t1", Team: "sales",
		Queues: []switchboard.QueueID{"sales"}})
	require.NoError(t, err)
}

func (b *bundle) start(t *testing.T, id switchboard.ChatID) {
	t.Helper()
	_, err := b.eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol",
		Transcript: []routing.Turn{{From: "bot", Text: "What can I do for you?"}}})
	require.NoError(t, err)
}

func (b *bundle) offer(t *testing.T, agent switchboard.AgentID) routing.Offer {
	t.Helper()
	os, err := b.router.Offers(ctx, agent)
	require.NoError(t, err)
	require.Len(t, os, 1, "offers of %s", agent)
	return os[0]
}

func (b *bundle) owner(t *testing.T, chat switchboard.ChatID) session.ParticipantID {
	t.Helper()
	s, err := b.m.Session(ctx, chat)
	require.NoError(t, err)
	if o := s.Owner(); o != nil {
		return o.ID
	}
	return ""
}

func (b *bundle) routingState(t *testing.T, chat switchboard.ChatID) routing.ChatState {
	t.Helper()
	c, err := b.router.Chat(ctx, chat)
	require.NoError(t, err)
	return c.State
}

func TestRunsAChatEndToEnd(t *testing.T) {
	t.Parallel()
	// SPEC S11, S18, R11 through the engine: accepting makes the agent the
	// owner, the customer sees its display name, ending with a reason puts
	// routing in wrap-up, and completing it frees the agent's slot.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")

	s, a, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	require.Equal(t, session.AgentParticipant("ann"), s.Owner().ID)
	require.Equal(t, "What can I do for you?", a.Chat.Transcript[0].Text)

	_, err = b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "Hello"})
	require.NoError(t, err)
	_, err = b.eng.Send(ctx, "c1", session.Message{From: annP, Text: "Hi Carol"})
	require.NoError(t, err)
	views, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	var names []string
	for _, v := range views {
		require.NotContains(t, v.FromName, "ann", "the customer never sees internal IDs")
		names = append(names, v.FromName)
	}
	require.Contains(t, names, "Ann")

	_, err = b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "bogus", Confirm: true})
	var we *session.WrapUpError
	require.ErrorAs(t, err, &we)
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"), "a refused end changes nothing in routing")

	w, err := b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.Equal(t, "sold", w.Reason)
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"))

	// The slot is held through wrap-up: a new chat waits.
	b.start(t, "c2")
	require.Equal(t, routing.Queued, b.routingState(t, "c2"))
	require.NoError(t, b.eng.CompleteWrapUp(ctx, "c1", "ann"))
	require.Equal(t, routing.Done, b.routingState(t, "c1"))
	require.Equal(t, "c2", string(b.offer(t, "ann").Chat))
}

func TestWrapUpEndsWhenRoutingFreesTheSlot(t *testing.T) {
	t.Parallel()
	// SPEC S11 through the engine: the session's wrap-up ends when routing
	// frees the owner's slot (the routing queue's 30s), not after the
	// session queue's own WrapUpTime, for End and for Close alike.
	b := setup(t)
	// One home for the wrap-up time: a session-side one is refused.
	_, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{},
		Session: session.Config{Queues: map[switchboard.QueueID]session.QueueConfig{"sales": {WrapUpTime: 5 * time.Minute}}}})
	require.ErrorIs(t, err, engine.ErrConfig, "and so is any session-side queue setting: the routing queue's record is their one home")
	_, err = engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{},
		Session: session.Config{Queues: map[switchboard.QueueID]session.QueueConfig{"sales": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"x"}}}}}})
	require.ErrorIs(t, err, engine.ErrConfig)
	b.login(t, "ann", "Ann")
	for _, close := range []bool{false, true} {
		id := switchboard.ChatID(fmt.Sprintf("close-%t", close))
		b.start(t, id)
		_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
		require.NoError(t, err)
		b.clock.Add(time.Second)

		var w session.WrapUp
		opts := session.EndOptions{Reason: "sold", Confirm: true}
		if close {
			var c session.Closure
			c, err = b.eng.Close(ctx, id, "ann", opts)
			w = c.WrapUp
		} else {
			w, err = b.eng.End(ctx, id, "ann", opts)
		}
		require.NoError(t, err)
		require.Equal(t, b.clock.Now().Add(30*time.Second), w.Until)
		rc, err := b.router.Chat(ctx, id)
		require.NoError(t, err)
		require.Equal(t, rc.WrapUpUntil, w.Until, "session and routing agree")
		s, err := b.m.Session(ctx, id)
		require.NoError(t, err)
		require.Equal(t, w, *s.WrapUp, "the stored wrap-up says the same")

		b.clock.Add(30 * time.Second)
		_, err = b.router.Sweep(ctx)
		require.NoError(t, err)
		require.Equal(t, routing.Done, b.routingState(t, id), "the slot is free at WrapUp.Until")
	}

	// A caller's own WrapUpUntil stands.
	b.start(t, "own")
	_, _, err = b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	until := b.clock.Now().Add(time.Hour)
	w, err := b.eng.End(ctx, "own", "ann", session.EndOptions{Reason: "sold", Confirm: true, WrapUpUntil: until})
	require.NoError(t, err)
	require.Equal(t, until, w.Until)
}

func TestReopenGoesToFirstFreeAgent(t *testing.T) {
	t.Parallel()
	// SPEC R9: a closed interaction whose customer writes again in the same
	// session is reopened and routed to the first free agent of its queue,
	// never to its old owner who is now offline.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.NoError(t, b.eng.CompleteWrapUp(ctx, "c1", "ann"))
	require.NoError(t, b.eng.Logout(ctx, "ann"))
	b.login(t, "bob", "Bob")

	sent, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "One more question"})
	require.NoError(t, err)
	require.Equal(t, switchboard.PolicyReopen, sent.AfterClose)
	o := b.offer(t, "bob")
	require.Equal(t, switchboard.ChatID("c1"), o.Chat)
	_, _, err = b.eng.Accept(ctx, "bob", o.ID)
	require.NoError(t, err)
	require.Equal(t, bobP, b.owner(t, "c1"))

	// The new owner reads the whole conversation, including the message
	// that reopened it.
	views, err := b.m.History(ctx, "c1", bobP)
	require.NoError(t, err)
	require.Contains(t, texts(views), "One more question")
}

func TestNewLinkedSessionIsRouted(t *testing.T) {
	t.Parallel()
	// SPEC R9 with the new-linked-session policy: the customer's message
	// starts a new session, routed as a new chat.
	b := setup(t, func(c *engine.Config) { c.Session.AfterClose = switchboard.PolicyNewLinked })
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.NoError(t, b.eng.CompleteWrapUp(ctx, "c1", "ann"))

	sent, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "Me again"})
	require.NoError(t, err)
	require.Equal(t, switchboard.PolicyNewLinked, sent.AfterClose)
	require.NotEqual(t, switchboard.ChatID("c1"), sent.Chat)
	require.Equal(t, sent.Chat, b.offer(t, "ann").Chat)
}

func TestCustomerLeavesBeforeAnAgent(t *testing.T) {
	t.Parallel()
	// SPEC S9: the customer leaving a waiting chat withdraws it from routing.
	b := setup(t)
	b.start(t, "c1")
	require.NoError(t, b.eng.CustomerLeft(ctx, "c1", "u1"))
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndAbandoned, c.EndReason)
	b.login(t, "ann", "Ann")
	os, err := b.router.Offers(ctx, "ann")
	require.NoError(t, err)
	require.Empty(t, os)
}

func TestLogoutHandsChatsOn(t *testing.T) {
	t.Parallel()
	// SPEC R17 through the engine: an agent who disconnects loses its chats to
	// the queue; the customer is told and the next agent becomes owner. A
	// chat whose customer had already left is closed, not handed on.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)

	require.NoError(t, b.eng.Disconnect(ctx, "ann"))
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"))
	require.Equal(t, routing.Queued, b.routingState(t, "c1"))
	views, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	last := views[len(views)-1]
	require.Equal(t, session.EntryLeft, last.Type)
	require.Equal(t, "Ann has left", last.Text)
	require.Empty(t, last.Subject, "the customer sees a name, not an ID")

	b.login(t, "bob", "Bob")
	_, _, err = b.eng.Accept(ctx, "bob", b.offer(t, "bob").ID)
	require.NoError(t, err)
	require.Equal(t, bobP, b.owner(t, "c1"))

	require.NoError(t, b.eng.CustomerLeft(ctx, "c1", "u1"))
	require.NoError(t, b.eng.Logout(ctx, "bob"))
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
	require.Equal(t, routing.Done, b.routingState(t, "c1"))
}

func TestSyncRepairsASession(t *testing.T) {
	t.Parallel()
	// An offer accepted in routing whose session was never told (the process
	// died in between) is repaired by Sync, which is idempotent.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, err := b.router.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"))
	_, err = b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, annP, b.owner(t, "c1"))
	_, err = b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
}

func TestStartRefusesUnknownQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "nope", Customer: "u1", CustomerName: "Carol"})
	require.ErrorIs(t, err, routing.ErrQueueNotFound)
	_, err = b.m.Session(ctx, "c1")
	require.ErrorIs(t, err, session.ErrNotFound, "no session is left behind")
}

func TestRouterDirectory(t *testing.T) {
	t.Parallel()
	// SPEC S6 over routing's presence: same tenant and team; supervisors
	// across teams; logged-out agents are not listed.
	b := setup(t)
	for _, p := range []struct {
		id         switchboard.AgentID
		team       string
		supervisor bool
	}{{"ann", "sales", false}, {"bob", "sales", false}, {"sue", "support", false}, {"sam", "support", true}} {
		_, err := b.router.Login(ctx, p.id, routing.Profile{DisplayName: string(p.id), Tenant: "t1", Team: p.team, Supervisor: p.supervisor})
		require.NoError(t, err)
	}
	_, err := b.router.Login(ctx, "eve", routing.Profile{Tenant: "t2", Team: "sales"})
	require.NoError(t, err)
	page, err := b.m.Directory(ctx, "ann", session.DirectoryQuery{})
	require.NoError(t, err)
	var seen []switchboard.AgentID
	for _, a := range page.Agents {
		seen = append(seen, a.ID)
	}
	require.Equal(t, []switchboard.AgentID{"bob"}, seen)
	page, err = b.m.Directory(ctx, "sam", session.DirectoryQuery{})
	require.NoError(t, err)
	require.Len(t, page.Agents, 3)
	require.NoError(t, b.router.Logout(ctx, "bob"))
	page, err = b.m.Directory(ctx, "ann", session.DirectoryQuery{})
	require.NoError(t, err)
	require.Empty(t, page.Agents)
}

func TestEndDropsConsultantsFromTheSession(t *testing.T) {
	t.Parallel()
	// SPEC C9: when the chat ends, routing drops its consultants and Sync
	// takes them out of the ended session too.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	o, err := b.router.Invite(ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	_, _, err = b.eng.Accept(ctx, "bob", o.ID)
	require.NoError(t, err)

	_, err = b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	s, err := b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
	require.False(t, s.Participant(bobP).Present())
	require.True(t, s.Participant(annP).Present(), "the owner stays to wrap up")
}

func TestAcceptedInviteJoins(t *testing.T) {
	t.Parallel()
	// SPEC C6 through the engine: an invitee who accepts joins the session as
	// a consulted agent and everyone, the customer included, is told.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	b.login(t, "bob", "Bob")
	o, err := b.router.Invite(ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	s, err := b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
	require.True(t, s.Participant(bobP).Invited())

	s, _, err = b.eng.Accept(ctx, "bob", o.ID)
	require.NoError(t, err)
	require.True(t, s.Participant(bobP).Present())
	require.Equal(t, session.RoleConsulted, s.Participant(bobP).Role)
	views, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	require.Equal(t, session.EntryJoined, views[len(views)-1].Type)
	require.Equal(t, "Bob", views[len(views)-1].SubjectName)
}

func TestCustomerLeavingWithdrawsATransfer(t *testing.T) {
	t.Parallel()
	// SPEC C9, T1: a transfer still pending when the customer leaves is
	// withdrawn, so its target never owns a chat it cannot join; the owner
	// wraps up. Sync repairs one routing admitted after the customer left.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	b.login(t, "bob", "Bob")
	o, err := b.router.Transfer(ctx, routing.TransferRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)

	require.NoError(t, b.eng.CustomerLeft(ctx, "c1", "u1"))
	_, _, err = b.eng.Accept(ctx, "bob", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferWithdrawn)
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("ann"), c.Agent)
	require.False(t, c.Invitation.Pending())

	// Made after the customer left, behind the engine's back.
	o, err = b.router.Invite(ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	_, err = b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
	_, err = b.router.Accept(ctx, "bob", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferWithdrawn)
	_, err = b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold"})
	require.NoError(t, err)
}

func TestSyncAfterCustomerLeftAndTransfer(t *testing.T) {
	t.Parallel()
	// SPEC C9, T1 across the window between the two stores: the customer
	// left while a transfer was being made. A transfer to a queue is
	// withdrawn as abandoned (nobody waits for an agent any more) and the
	// owner ends the session; a transfer to an agent accepted then makes
	// the target the owner who ends it.
	for _, toQueue := range []bool{true, false} {
		b := setup(t)
		b.login(t, "ann", "Ann")
		b.start(t, "c1")
		_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
		require.NoError(t, err)
		b.login(t, "bob", "Bob")
		req := routing.TransferRequest{Chat: "c1", From: "ann", Agent: "bob"}
		if toQueue {
			req = routing.TransferRequest{Chat: "c1", From: "ann", Queue: "sales"}
		}
		o, err := b.router.Transfer(ctx, req)
		require.NoError(t, err)
		require.NoError(t, b.m.Leave(ctx, "c1", customer)) // the customer leaves in between
		owner := switchboard.AgentID("ann")
		if !toQueue {
			_, err = b.router.Accept(ctx, "bob", o.ID)
			require.NoError(t, err)
			owner = "bob"
		}
		s, err := b.eng.Sync(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, session.AgentParticipant(owner), s.Owner().ID)
		c, err := b.router.Chat(ctx, "c1")
		require.NoError(t, err)
		if toQueue {
			require.Equal(t, routing.Ended, c.State)
			require.Equal(t, routing.EndAbandoned, c.EndReason)
		}
		_, err = b.eng.End(ctx, "c1", owner, session.EndOptions{Reason: "sold"})
		require.NoError(t, err)
	}
}

func TestForcedEndNeedsNoListedReason(t *testing.T) {
	t.Parallel()
	// SPEC S11: an agent's wrap-up reason must come from the queue's list; an
	// end the system forces records its own reason.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.m.End(ctx, "c1", "ann", session.EndOptions{Reason: "network lost", Confirm: true})
	var we *session.WrapUpError
	require.ErrorAs(t, err, &we)
	w, err := b.m.End(ctx, "c1", "ann", session.EndOptions{Reason: "network lost", Confirm: true, Forced: true})
	require.NoError(t, err)
	require.Equal(t, "network lost", w.Reason)
}

func TestAgentToAgentChatTakesNoSlot(t *testing.T) {
	t.Parallel()
	// SPEC R10: an agent-to-agent chat is never offered and takes no slot:
	// a customer chat still reaches its recipient, who carries a
	// pending-reply marker until it answers.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	a2a, err := b.eng.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "Can you take the next VIP?")
	require.NoError(t, err)
	require.True(t, a2a.Participant(bobP).AwaitingReply)
	os, err := b.router.Offers(ctx, "bob")
	require.NoError(t, err)
	require.Empty(t, os, "nothing is offered")
	bob, err := b.router.Agent(ctx, "bob")
	require.NoError(t, err)
	require.Zero(t, bob.Load(switchboard.DefaultChannel), "no slot is taken")

	_, err = b.eng.Send(ctx, a2a.ID, session.Message{From: bobP, Text: "Sure"})
	require.NoError(t, err)
	s, err := b.m.Session(ctx, a2a.ID)
	require.NoError(t, err)
	require.False(t, s.Participant(bobP).AwaitingReply)
}
