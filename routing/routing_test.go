package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestLoginQueues(t *testing.T) {
	t.Parallel()
	// SPEC R1: only agents logged in to a queue are offered its chats.
	r, b := setup(t, routing.Queue{ID: "sales"}, routing.Queue{ID: "support"})
	login(t, r, b, "sam", 1, "sales")
	login(t, r, b, "sue", 1, "support")

	enqueue(t, r, b, "c1", "support")
	require.Empty(t, offers(t, r, b, "sam"))
	o := onlyOffer(t, r, b, "sue")
	require.Equal(t, switchboard.ChatID("c1"), o.Chat)

	// An agent logged out of every queue is offered nothing.
	require.NoError(t, r.Logout(b.ctx, "sam"))
	enqueue(t, r, b, "c2", "sales")
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))
	login(t, r, b, "sam", 1, "sales")
	require.Equal(t, "c2", string(onlyOffer(t, r, b, "sam").Chat))
}

func TestOnlyAvailableAgentsAreOffered(t *testing.T) {
	t.Parallel()
	// SPEC R2: only Available agents get offers; agents set their own state.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "ann", 2, "q")
	require.Equal(t, routing.Available, agentState(t, r, b, "ann"))

	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "lunch"))
	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.NotReady, a.State)
	require.Equal(t, "lunch", a.Reason)
	require.Equal(t, "NotReady", a.State.String())

	enqueue(t, r, b, "c1", "q")
	require.Empty(t, offers(t, r, b, "ann"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))

	require.NoError(t, r.SetState(b.ctx, "ann", routing.Available, ""))
	require.Equal(t, "c1", string(onlyOffer(t, r, b, "ann").Chat))

	// The derived "at capacity" state.
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "c2", "q")
	_, err = r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	a, err = r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.True(t, a.AtCapacity(switchboard.DefaultChannel))
	require.Equal(t, 2, a.Load(switchboard.DefaultChannel))

	// Agents cannot put themselves in system states.
	for _, s := range []routing.State{routing.RONA, routing.WrapUp, routing.LoggedOut} {
		err := r.SetState(b.ctx, "ann", s, "x")
		require.ErrorIs(t, err, routing.ErrInvalid, s.String())
	}
	require.ErrorIs(t, r.SetState(b.ctx, "ann", routing.NotReady, ""), routing.ErrInvalid)
}

func TestOfferDetails(t *testing.T) {
	t.Parallel()
	// SPEC R3: an offer carries customer name, queue, queue entry time and
	// how long it has waited; each offer is a separate item.
	r, b := setup(t, routing.Queue{ID: "q", AcceptTimeout: time.Minute})
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Customer: routing.Customer{Name: "Grace"}})
	require.NoError(t, err)
	b.clock.Add(10 * time.Second)
	enqueue(t, r, b, "c2", "q")
	b.clock.Add(5 * time.Second)
	login(t, r, b, "ann", 2, "q")
	b.clock.Add(7 * time.Second)

	os := offers(t, r, b, "ann")
	require.Len(t, os, 2)
	require.Equal(t, "Grace", os[0].Customer)
	require.Equal(t, switchboard.QueueID("q"), os[0].Queue)
	require.Equal(t, start, os[0].EnqueuedAt)
	require.Equal(t, 7*time.Second, os[0].Waiting(b.clock.Now()))
	require.Equal(t, start.Add(15*time.Second+time.Minute), os[0].ExpiresAt)
	require.NotEqual(t, os[0].ID, os[1].ID)
	require.Equal(t, switchboard.ChatID("c2"), os[1].Chat)

	offered := eventsOf(b, routing.ChatOffered)
	require.Len(t, offered, 2)
	require.Equal(t, "Grace", offered[0].Customer)
	require.Equal(t, start, offered[0].EnqueuedAt)
}

func TestRingAll(t *testing.T) {
	t.Parallel()
	// SPEC R4: ring-all offers every eligible agent; the first accept wins,
	// the others are told the chat was taken.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RingAll})
	for _, id := range []switchboard.AgentID{"a1", "a2", "a3"} {
		login(t, r, b, id, 1, "q")
	}
	login(t, r, b, "busy", 1, "q")
	require.NoError(t, r.SetState(b.ctx, "busy", routing.NotReady, "meeting"))
	b.events.Drain()

	enqueue(t, r, b, "c1", "q")
	require.ElementsMatch(t, []switchboard.AgentID{"a1", "a2", "a3"}, offeredTo(t, r, b, "c1", "a1", "a2", "a3", "busy"))

	o2 := onlyOffer(t, r, b, "a2")
	o3 := onlyOffer(t, r, b, "a3")
	got, err := r.Accept(b.ctx, "a2", o2.ID)
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("a2"), got.Chat.Agent)
	require.Equal(t, routing.Assigned, got.Chat.State)

	_, err = r.Accept(b.ctx, "a3", o3.ID)
	require.ErrorIs(t, err, routing.ErrOfferTaken)
	require.Empty(t, offers(t, r, b, "a1"))
	require.Empty(t, offers(t, r, b, "a3"))

	var taken []switchboard.AgentID
	for _, e := range eventsOf(b, routing.OfferResolved) {
		if e.Outcome == routing.Rescinded && e.Taken {
			taken = append(taken, e.Agent)
		}
	}
	require.ElementsMatch(t, []switchboard.AgentID{"a1", "a3"}, taken)

	// Losing the race costs nothing: the losers are still Available and free.
	for _, id := range []switchboard.AgentID{"a1", "a3"} {
		a, err := r.Agent(b.ctx, id)
		require.NoError(t, err)
		require.Equal(t, routing.Available, a.State)
		require.Zero(t, a.Load(switchboard.DefaultChannel))
	}
}

func TestRejectGoesToAnotherAgent(t *testing.T) {
	t.Parallel()
	// SPEC R5: a rejected chat goes back to the queue and is offered to
	// another agent, not straight back to the one who rejected it.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "a1")

	require.NoError(t, r.Reject(b.ctx, "a1", o.ID))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))
	require.Empty(t, offers(t, r, b, "a1"), "not offered back to the agent who rejected it")
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"), "a reject is not a RONA")

	login(t, r, b, "a2", 1, "q")
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r, b, "a2").Chat)

	// The rejecting agent still gets other chats.
	enqueue(t, r, b, "c2", "q")
	require.Equal(t, switchboard.ChatID("c2"), onlyOffer(t, r, b, "a1").Chat)

	_, err := r.Accept(b.ctx, "a1", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferAnswered)
}

func TestRONA(t *testing.T) {
	t.Parallel()
	// SPEC R6: an offer not accepted in time is withdrawn, the agent goes
	// to RONA and gets no offers on any channel until it sets itself
	// Available; the chat is offered again and nothing is lost.
	r, b := setup(t,
		routing.Queue{ID: "chat", AcceptTimeout: 30 * time.Second},
		routing.Queue{ID: "mail", Channel: "email"})
	_, err := r.Login(b.ctx, "a1", routing.Profile{Queues: qids("chat", "mail"),
		Capacity: []routing.Capacity{{Channel: "chat", Max: 1}, {Channel: "email", Max: 1}}})
	require.NoError(t, err)
	enqueue(t, r, b, "c1", "chat")
	o := onlyOffer(t, r, b, "a1")

	advance(t, r, b, 29*time.Second)
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"))
	advance(t, r, b, time.Second)

	require.Equal(t, routing.RONA, agentState(t, r, b, "a1"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))
	got, err := r.Offer(b.ctx, o.ID)
	require.NoError(t, err)
	require.Equal(t, routing.TimedOut, got.Outcome)
	_, err = r.Accept(b.ctx, "a1", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferExpired)

	// No offers on any channel while in RONA.
	enqueue(t, r, b, "m1", "mail")
	require.Empty(t, offers(t, r, b, "a1"))

	// The chat is offered again to another agent.
	login(t, r, b, "a2", 1, "chat")
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r, b, "a2").Chat)

	// Back to Available: offers resume.
	require.NoError(t, r.SetState(b.ctx, "a1", routing.Available, ""))
	require.Equal(t, switchboard.ChatID("m1"), onlyOffer(t, r, b, "a1").Chat)
}

func TestAcceptAtDeadlineBeforeSweep(t *testing.T) {
	t.Parallel()
	// SPEC R6: an offer past its timeout cannot be accepted even before the
	// sweeper has run, and the attempt changes nothing.
	r, b := setup(t, routing.Queue{ID: "q", AcceptTimeout: 10 * time.Second})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "a1")
	b.clock.Add(10 * time.Second)
	_, err := r.Accept(b.ctx, "a1", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferExpired)
	require.Equal(t, routing.Offered, chatState(t, r, b, "c1"))
	_, err = r.Sweep(b.ctx)
	require.NoError(t, err)
	require.Equal(t, routing.RONA, agentState(t, r, b, "a1"))
}

func TestCapacityAndLicence(t *testing.T) {
	t.Parallel()
	// SPEC R7: an agent handles chats up to its capacity; a licence limit
	// caps concurrent chats system-wide and the rest wait, never dropped.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 2, "q")
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		enqueue(t, r, b, id, "q")
	}
	os := offers(t, r, b, "a1")
	require.Len(t, os, 2)
	for _, o := range os {
		_, err := r.Accept(b.ctx, "a1", o.ID)
		require.NoError(t, err)
	}
	require.Equal(t, routing.Queued, chatState(t, r, b, "c3"))

	require.NoError(t, r.End(b.ctx, "c1"))
	require.Equal(t, switchboard.ChatID("c3"), onlyOffer(t, r, b, "a1").Chat)

	// Licence: two units for the whole system.
	r2, b2 := setup(t, routing.Queue{ID: "q"})
	require.NoError(t, r2.SetLicenceLimit(b2.ctx, 2))
	login(t, r2, b2, "x", 5, "q")
	login(t, r2, b2, "y", 5, "q")
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3", "c4"} {
		enqueue(t, r2, b2, id, "q")
	}
	require.Len(t, append(offers(t, r2, b2, "x"), offers(t, r2, b2, "y")...), 2)
	require.Equal(t, routing.Queued, chatState(t, r2, b2, "c3"))
	require.Equal(t, routing.Queued, chatState(t, r2, b2, "c4"))
	st, err := r2.Status(b2.ctx, "c3")
	require.NoError(t, err)
	require.Equal(t, 3, st.Position)

	// A unit frees when a chat ends; the next waiting chat takes it.
	for _, id := range []switchboard.AgentID{"x", "y"} {
		for _, o := range offers(t, r2, b2, id) {
			_, err := r2.Accept(b2.ctx, id, o.ID)
			require.NoError(t, err)
		}
	}
	require.NoError(t, r2.End(b2.ctx, "c1"))
	require.Equal(t, routing.Offered, chatState(t, r2, b2, "c3"))
	require.Equal(t, routing.Queued, chatState(t, r2, b2, "c4"))
}

func TestPauseKeepsChatsInProgress(t *testing.T) {
	t.Parallel()
	// SPEC R8: pausing stops new offers; chats in progress continue.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 3, "q")
	enqueue(t, r, b, "c1", "q")
	_, err := r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "c2", "q")
	pending := onlyOffer(t, r, b, "a1")

	require.NoError(t, r.SetState(b.ctx, "a1", routing.NotReady, "break"))
	require.Equal(t, routing.Assigned, chatState(t, r, b, "c1"))
	chats, err := r.AgentChats(b.ctx, "a1")
	require.NoError(t, err)
	require.Len(t, chats, 1)
	require.Equal(t, switchboard.ChatID("c1"), chats[0].ID)

	// The pending offer was withdrawn without penalty; new chats wait.
	_, err = r.Accept(b.ctx, "a1", pending.ID)
	require.ErrorIs(t, err, routing.ErrOfferWithdrawn)
	enqueue(t, r, b, "c3", "q")
	require.Empty(t, offers(t, r, b, "a1"))
	require.NoError(t, r.End(b.ctx, "c1"), "a paused agent can still end its chat")
}

func TestBotTranscriptTravels(t *testing.T) {
	t.Parallel()
	// SPEC R11: the bot conversation before routing reaches the accepting agent.
	r, b := setup(t, routing.Queue{ID: "q"})
	turns := []routing.Turn{
		{From: "bot", Text: "How can I help?", At: start},
		{From: "customer", Text: "My parcel is late", At: start.Add(time.Second)},
	}
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Transcript: turns})
	require.NoError(t, err)
	turns[0].Text = "changed by the caller afterwards"
	login(t, r, b, "a1", 1, "q")
	a, err := r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
	require.NoError(t, err)
	require.Len(t, a.Chat.Transcript, 2)
	require.Equal(t, "How can I help?", a.Chat.Transcript[0].Text)
	require.Equal(t, "My parcel is late", a.Chat.Transcript[1].Text)
}

func TestQueueStatus(t *testing.T) {
	t.Parallel()
	// SPEC R12: queue position and waiting time of every waiting chat.
	r, b := setup(t, routing.Queue{ID: "q"})
	for i, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		enqueue(t, r, b, id, "q")
		b.clock.Add(time.Duration(i+1) * time.Second)
	}
	st, err := r.Status(b.ctx, "c3")
	require.NoError(t, err)
	require.Equal(t, routing.QueueStatus{Queue: "q", State: routing.Queued, Position: 3, Exact: true, Waiting: 3 * time.Second}, st)

	login(t, r, b, "a1", 1, "q") // c1 is offered: it still counts as ahead
	st, err = r.Status(b.ctx, "c3")
	require.NoError(t, err)
	require.Equal(t, 3, st.Position)
	_, err = r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
	require.NoError(t, err)
	st, err = r.Status(b.ctx, "c3")
	require.NoError(t, err)
	require.Equal(t, 2, st.Position)
	st, err = r.Status(b.ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, 1, st.Position)
	require.Equal(t, 5*time.Second, st.Waiting)

	_, err = r.Status(b.ctx, "c1")
	var se *routing.StateError
	require.ErrorAs(t, err, &se)
	_, err = r.Status(b.ctx, "nope")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
}
