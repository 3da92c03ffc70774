package engine_test

import (
	"errors"
	"strings"
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

func TestCustomerWritingDuringWrapUpIsRoutedAgain(t *testing.T) {
	t.Parallel()
	// SPEC R9: the customer writes after close while the agent is still
	// wrapping up. The session reopens and routing takes the chat back to
	// the first free agent; the old agent keeps its wrap-up until it ends.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"))
	b.login(t, "bob", "Bob")

	sent, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "One more thing"})
	require.NoError(t, err)
	require.Equal(t, switchboard.PolicyReopen, sent.AfterClose)
	b.settle(t)
	o := b.offer(t, "bob")
	require.Equal(t, switchboard.ChatID("c1"), o.Chat, "the reopened chat is offered to the free agent")
	ann, err := b.router.Agent(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.WrapUp, ann.State, "ann keeps her wrap-up")

	_, _, err = b.eng.Accept(ctx, "bob", o.ID)
	require.NoError(t, err)
	require.Equal(t, bobP, b.owner(t, "c1"))
	b.clock.Add(30 * time.Second)
	b.settle(t)
	ann, err = b.router.Agent(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.Available, ann.State, "ann's wrap-up ends when it would have")
	require.Zero(t, ann.Load(switchboard.DefaultChannel))
}

func TestRoutingGivingUpEndsTheSession(t *testing.T) {
	t.Parallel()
	// A waiting chat routing ends by itself (queue timeout, escalation)
	// ends and closes its session, and the waiting customer is told.
	for _, tc := range []struct {
		name   string
		queue  routing.Queue
		reason routing.EndReason
		act    func(t *testing.T, b *bundle)
	}{
		{"max-wait", routing.Queue{ID: "q", MaxWait: time.Minute}, routing.EndTimedOut, func(t *testing.T, b *bundle) {
			b.clock.Add(61 * time.Second)
		}},
		{"max-unanswered", routing.Queue{ID: "q", AcceptTimeout: 10 * time.Second, MaxUnanswered: 1}, routing.EndEscalated, func(t *testing.T, b *bundle) {
			_, err := b.router.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
			require.NoError(t, err)
			b.clock.Add(11 * time.Second)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t)
			_, err := b.router.PutQueue(ctx, tc.queue)
			require.NoError(t, err)
			_, err = b.eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
			require.NoError(t, err)
			tc.act(t, b)
			b.settle(t)
			c, err := b.router.Chat(ctx, "c1")
			require.NoError(t, err)
			require.Equal(t, routing.Ended, c.State)
			require.Equal(t, tc.reason, c.EndReason)
			s, err := b.m.Session(ctx, "c1")
			require.NoError(t, err)
			require.Equal(t, session.StatusClosed, s.Status, "the session ends with the chat")
			views, err := b.m.History(ctx, "c1", customer)
			require.NoError(t, err)
			var told bool
			for _, v := range views {
				told = told || strings.Contains(v.Text, "no agent could take your chat")
			}
			require.True(t, told, "the customer is told")
		})
	}
}

func TestStartChecksBeforeCreatingAnything(t *testing.T) {
	t.Parallel()
	// A request routing would refuse is refused before the session is
	// created, so no session is left that routing never heard of.
	b := setup(t)
	for _, req := range []engine.StartRequest{
		{ID: switchboard.ChatID(strings.Repeat("x", 1000)), Queue: "sales", Customer: "u1"},
		{ID: "c1", Queue: "sales", Customer: "u1", Skills: []routing.SkillRequirement{{Skill: ""}}},
		{ID: "c1", Queue: "nope", Customer: "u1"},
	} {
		_, err := b.eng.Start(ctx, req)
		var ie *routing.InvalidError
		require.True(t, errors.As(err, &ie) || errors.Is(err, routing.ErrQueueNotFound), "got %v", err)
		_, err = b.m.Session(ctx, req.ID)
		require.ErrorIs(t, err, session.ErrNotFound, "no session is left behind")
	}
}

func TestStartFinishesWhatAnEarlierCallBegan(t *testing.T) {
	// SPEC E3
	t.Parallel()
	// The session was created but the call failed (an unknown outcome, or
	// a crash) before routing heard of the chat: the host retries Start
	// with the same request, and the chat is routed.
	b := setup(t)
	b.login(t, "ann", "Ann")
	req := engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"}
	_, err := b.m.Create(ctx, session.CustomerSession{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	_, err = b.eng.Start(ctx, req)
	require.NoError(t, err)
	require.Equal(t, switchboard.ChatID("c1"), b.offer(t, "ann").Chat)
	// A third call changes nothing.
	_, err = b.eng.Start(ctx, req)
	require.NoError(t, err)
	require.Equal(t, routing.Offered, b.routingState(t, "c1"))
	// A different chat under the same ID is refused.
	_, err = b.eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "other", Customer: "u9"})
	require.Error(t, err)
}

func TestEndFinishesTheRoutingSide(t *testing.T) {
	// SPEC E3
	t.Parallel()
	// The session step of End or Close committed, then the call failed
	// (or the process died) before routing heard: calling it again frees
	// the agent's slot after wrap-up instead of holding it for ever.
	for _, close := range []bool{false, true} {
		b := setup(t)
		b.login(t, "ann", "Ann")
		b.start(t, "c1")
		_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
		require.NoError(t, err)
		opts := session.EndOptions{Reason: "sold", Confirm: true}
		if close {
			_, err = b.m.Close(ctx, "c1", "ann", opts) // the session step alone
			require.NoError(t, err)
			_, err = b.eng.Close(ctx, "c1", "ann", opts)
		} else {
			_, err = b.m.End(ctx, "c1", "ann", opts)
			require.NoError(t, err)
			_, err = b.eng.End(ctx, "c1", "ann", opts)
		}
		require.NoError(t, err)
		require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"))
		b.clock.Add(30 * time.Second)
		b.settle(t)
		require.Equal(t, routing.Done, b.routingState(t, "c1"))
		a, err := b.router.Agent(ctx, "ann")
		require.NoError(t, err)
		require.Zero(t, a.Load(switchboard.DefaultChannel), "the slot is free")
		// Another agent's retry is still refused.
		_, err = b.eng.End(ctx, "c1", "bob", opts)
		require.Error(t, err)
	}
}

func TestEndedSessionEndsRoutingOnTheNextEvent(t *testing.T) {
	t.Parallel()
	// The owner ended the session and the process died before routing
	// heard: the next event of the chat that the engine processes ends
	// routing too.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.router.Invite(ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	_, err = b.m.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	b.settle(t)
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"))
}

func TestEndsTheEngineMissedAreFinishedFromTheSessionFeed(t *testing.T) {
	// SPEC E2
	t.Parallel()
	// The owner's end reached the session and the process died before
	// routing heard, and the host never called again: the engine follows
	// the sessions' feed and puts the chat in wrap-up anyway, and a
	// reopen the engine never routed is routed too.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.m.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true}) // the session step alone
	require.NoError(t, err)
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"))
	b.settle(t)
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"), "the slot is held for wrap-up only")

	b.clock.Add(31 * time.Second)
	b.settle(t)
	_, err = b.m.Send(ctx, "c1", session.Message{From: customer, Text: "back again"}) // reopens the session alone
	require.NoError(t, err)
	b.settle(t)
	require.Equal(t, switchboard.ChatID("c1"), b.offer(t, "ann").Chat, "the reopened chat is routed")
}

func TestTheQueueDecidesTheTenant(t *testing.T) {
	// SPEC E5
	t.Parallel()
	// The queue is the one authority on a chat's tenant: a request may
	// leave it out, and one naming another tenant is refused before
	// anything is created.
	b := setup(t)
	s, err := b.eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	require.Equal(t, switchboard.TenantID("t1"), s.Tenant)
	_, err = b.eng.Start(ctx, engine.StartRequest{ID: "c2", Tenant: "t2", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.ErrorIs(t, err, engine.ErrInvalid)
	_, err = b.m.Session(ctx, "c2")
	require.ErrorIs(t, err, session.ErrNotFound)
}

func TestQueueChatSettingsLiveInTheQueueRecord(t *testing.T) {
	// SPEC E5
	t.Parallel()
	// One queue configuration: the chat settings (here the wrap-up
	// reasons) live in the routing queue's record, so a change made at run
	// time through one engine reaches another engine over the same stores
	// at once (SPEC S11).
	rs, ss := routingmem.New(routingmem.Config{}), sessionmem.NewStore()
	mock := clock.NewMock()
	build := func() *engine.Engine {
		eng, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss, Desktops: routingmem.NewBus(),
			Participants: session.Discard{}, Clock: mock, Manual: true})
		require.NoError(t, err)
		return eng
	}
	one, two := build(), build()
	q := routing.Queue{ID: "q", Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold"}}}
	_, err := one.Router().PutQueue(ctx, q)
	require.NoError(t, err)
	_, err = one.Router().Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	_, err = two.Start(ctx, engine.StartRequest{ID: "c1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	offers, err := two.Router().Offers(ctx, "ann")
	require.NoError(t, err)
	_, _, err = two.Accept(ctx, "ann", offers[0].ID)
	require.NoError(t, err)

	_, err = two.End(ctx, "c1", "ann", session.EndOptions{Reason: "refund", Confirm: true})
	var we *session.WrapUpError
	require.ErrorAs(t, err, &we)
	q.Chat.WrapUpReasons = []string{"sold", "refund"}
	_, err = one.Router().PutQueue(ctx, q)
	require.NoError(t, err)
	w, err := two.End(ctx, "c1", "ann", session.EndOptions{Reason: "refund", Confirm: true})
	require.NoError(t, err)
	require.Equal(t, "refund", w.Reason)

	q.Chat.History = 99
	_, err = one.Router().PutQueue(ctx, q)
	require.ErrorIs(t, err, routing.ErrInvalid, "a setting out of range is refused")
}

func TestReopenBeforeRoutingHeardOfTheEndGoesToAFreeAgent(t *testing.T) {
	t.Parallel()
	// SPEC R9, found by the concurrent workload: the owner closed the
	// session, and the customer wrote again before routing heard of the
	// end (the process died between the two steps). Routing still held the
	// chat for the old owner, and the reopened session must not give it
	// back to that owner: the end is finished (the owner wraps up) and the
	// chat is routed to the first free agent.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	b.clock.Add(time.Minute)
	_, err = b.m.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true}) // the session step alone
	require.NoError(t, err)
	_, err = b.m.Send(ctx, "c1", session.Message{From: customer, Text: "one more thing"}) // reopens the session alone
	require.NoError(t, err)
	b.login(t, "bob", "Bob")
	b.settle(t)
	require.Equal(t, switchboard.ChatID("c1"), b.offer(t, "bob").Chat, "the reopened chat is offered to the free agent")
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"), "ann does not get the ended conversation back")
	ann, err := b.router.Agent(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.WrapUp, ann.State, "ann wraps up the chat she ended")
}

func TestReopenBeforeALateEndReachedRoutingIsRouted(t *testing.T) {
	t.Parallel()
	// SPEC R9, found by the concurrent workload: the owner closed the
	// session, the customer wrote again, and only then did the end's
	// routing step land (the owner's process was slow). The reopened chat
	// must still be routed, although routing ended it after the reopen.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	b.clock.Add(time.Minute)
	_, err = b.m.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	_, err = b.m.Send(ctx, "c1", session.Message{From: customer, Text: "one more thing"})
	require.NoError(t, err)
	b.clock.Add(time.Second)
	require.NoError(t, b.router.End(ctx, "c1")) // the end's routing step, late
	b.login(t, "bob", "Bob")
	b.settle(t)
	require.Equal(t, switchboard.ChatID("c1"), b.offer(t, "bob").Chat)
}
