package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// assigned enqueues chat id in queue and has agent accept it.
func assigned(t *testing.T, r *routing.Router, b *testBundle, agent switchboard.AgentID, id switchboard.ChatID, queue switchboard.QueueID) {
	t.Helper()
	enqueue(t, r, b, id, queue)
	for _, o := range offers(t, r, b, agent) {
		if o.Chat == id {
			_, err := r.Accept(b.ctx, agent, o.ID)
			require.NoError(t, err)
			return
		}
	}
	t.Fatalf("%s was not offered %s", agent, id)
}

func chatOf(t *testing.T, r *routing.Router, b *testBundle, id switchboard.ChatID) routing.Chat {
	t.Helper()
	c, err := r.Chat(b.ctx, id)
	require.NoError(t, err)
	return c
}

func TestPutOnHoldFreesTheOwnersSlot(t *testing.T) {
	// SPEC O1: the chat stays assigned to its owner, marked on hold with
	// its deadline, and the owner's slot goes back to routing.
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: 3 * time.Minute})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	b.events.Drain()

	b.clock.Add(time.Second)
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))

	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Assigned, c.State)
	require.Equal(t, switchboard.AgentID("ann"), c.Agent)
	require.True(t, c.OnHold)
	require.Equal(t, b.clock.Now(), c.OnHoldSince)
	require.Equal(t, b.clock.Now().Add(3*time.Minute), c.OnHoldUntil)
	require.Equal(t, c.OnHoldUntil, c.NextDeadline(), "the hold's end is stored data the sweeper finds")
	require.Equal(t, 0, load(t, r, b, "ann"))
	require.Equal(t, []routing.Event{{Type: routing.ChatOnHold, At: b.clock.Now(), Agent: "ann", Chat: "c1", Queue: "q",
		ExpiresAt: c.OnHoldUntil}}, eventsOf(b, routing.ChatOnHold))

	// The freed slot takes the next chat at once.
	c2 := enqueue(t, r, b, "c2", "q")
	require.Equal(t, routing.Offered, c2.State)
	require.Len(t, offeredTo(t, r, b, "c2", "ann"), 1)
}

func TestExplainDoesNotCountAChatOnHold(t *testing.T) {
	// SPEC O1: an agent whose slot a hold freed is not passed over for
	// want of a slot.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "lunch"))
	enqueue(t, r, b, "c2", "q")

	ex, err := r.Explain(b.ctx, "c2")
	require.NoError(t, err)
	require.Len(t, ex.Agents, 1)
	require.Equal(t, []routing.PassReason{routing.NotReadyReason}, ex.Agents[0].Reasons)
	require.Equal(t, 0, ex.Agents[0].Load)
}

func TestPutOnHoldRefusals(t *testing.T) {
	// SPEC O1: every refusal is a matching error and changes nothing.
	r, b := setup(t, routing.Queue{ID: "q", AcceptTimeout: time.Minute})
	login(t, r, b, "ann", 2, "q")
	login(t, r, b, "bob", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	assigned(t, r, b, "ann", "c2", "q")
	enqueue(t, r, b, "c3", "q") // offered to bob
	b.events.Drain()

	type snapshot struct {
		chats []routing.Chat
		loads []int
	}
	snap := func() snapshot {
		var s snapshot
		for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
			s.chats = append(s.chats, chatOf(t, r, b, id))
		}
		s.loads = []int{load(t, r, b, "ann"), load(t, r, b, "bob")}
		return s
	}
	check := func(before snapshot, err error, want error) {
		t.Helper()
		require.ErrorIs(t, err, want)
		require.Equal(t, before, snap())
		require.Empty(t, b.events.Drain())
	}

	before := snap()
	check(before, r.PutOnHold(b.ctx, "bob", "c1"), routing.ErrNotOwner)
	var se *routing.StateError
	err := r.PutOnHold(b.ctx, "bob", "c3")
	require.ErrorAs(t, err, &se)
	check(before, err, switchboard.ErrState)
	check(before, r.PutOnHold(b.ctx, "ann", "nope"), routing.ErrChatNotFound)
	check(before, r.PutOnHold(b.ctx, "", "c1"), routing.ErrInvalid)
	check(before, r.PutOnHold(b.ctx, "ann", ""), routing.ErrInvalid)

	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	b.events.Drain()
	before = snap()
	check(before, r.PutOnHold(b.ctx, "ann", "c1"), routing.ErrOnHold)

	// An invite out, then a consultant in the chat.
	require.NoError(t, r.Reject(b.ctx, "bob", onlyOffer(t, r, b, "bob").ID))
	b.events.Drain()
	inv, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c2", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.events.Drain()
	before = snap()
	check(before, r.PutOnHold(b.ctx, "ann", "c2"), routing.ErrInvitePending)
	_, err = r.Accept(b.ctx, "bob", inv.ID)
	require.NoError(t, err)
	b.events.Drain()
	before = snap()
	check(before, r.PutOnHold(b.ctx, "ann", "c2"), routing.ErrInConference)

	// An ended chat is over.
	require.NoError(t, r.End(b.ctx, "c2"))
	b.events.Drain()
	before = snap()
	check(before, r.PutOnHold(b.ctx, "ann", "c2"), routing.ErrChatEnded)
}

func TestResumeTakesASlotBack(t *testing.T) {
	// SPEC O2
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: time.Minute})
	login(t, r, b, "ann", 2, "q")
	login(t, r, b, "bob", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")

	require.ErrorIs(t, r.Resume(b.ctx, "ann", "c1"), routing.ErrNotOnHold)
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	require.ErrorIs(t, r.Resume(b.ctx, "bob", "c1"), routing.ErrNotOwner)
	require.ErrorIs(t, r.Resume(b.ctx, "ann", ""), routing.ErrInvalid)
	require.True(t, chatOf(t, r, b, "c1").OnHold)
	b.events.Drain()

	require.NoError(t, r.Resume(b.ctx, "ann", "c1"))
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Assigned, c.State)
	require.False(t, c.OnHold)
	require.True(t, c.OnHoldSince.IsZero())
	require.True(t, c.NextDeadline().IsZero(), "a resumed chat has no deadline")
	require.Equal(t, 1, load(t, r, b, "ann"))
	require.Equal(t, []routing.Event{{Type: routing.ChatResumed, At: b.clock.Now(), Agent: "ann", Chat: "c1", Queue: "q",
		Reason: routing.ReasonResumed}}, eventsOf(b, routing.ChatResumed))

	// The old deadline does nothing once resumed.
	advance(t, r, b, 2*time.Minute)
	require.Equal(t, c, chatOf(t, r, b, "c1"))
}

func TestResumeWithNoFreeSlotIsRefused(t *testing.T) {
	// SPEC O2: the owner at capacity cannot resume until a slot frees; it
	// is never over capacity.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	assigned(t, r, b, "ann", "c2", "q")
	b.events.Drain()

	err := r.Resume(b.ctx, "ann", "c1")
	require.ErrorIs(t, err, routing.ErrNoFreeSlot)
	require.ErrorIs(t, err, switchboard.ErrState)
	require.True(t, chatOf(t, r, b, "c1").OnHold)
	require.Equal(t, 1, load(t, r, b, "ann"))
	require.Empty(t, b.events.Drain())

	require.NoError(t, r.End(b.ctx, "c2"))
	require.NoError(t, r.Resume(b.ctx, "ann", "c1"))
	require.False(t, chatOf(t, r, b, "c1").OnHold)
	require.Equal(t, 1, load(t, r, b, "ann"))
}

func TestMaxOnHoldResumesByDefault(t *testing.T) {
	// SPEC O3: the deadline is stored data: a router started after the
	// first one stopped sweeps it.
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: 2 * time.Minute})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	b.events.Drain()

	other, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	b.clock.Add(2*time.Minute - time.Second)
	_, err = other.Sweep(b.ctx)
	require.NoError(t, err)
	require.True(t, chatOf(t, r, b, "c1").OnHold, "not yet")

	b.clock.Add(time.Second)
	_, err = other.Sweep(b.ctx)
	require.NoError(t, err)
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Assigned, c.State)
	require.False(t, c.OnHold)
	require.Equal(t, 1, load(t, r, b, "ann"))
	require.Equal(t, []routing.Event{{Type: routing.ChatResumed, At: b.clock.Now(), Agent: "ann", Chat: "c1", Queue: "q",
		Reason: routing.ReasonOnHoldExpired}}, eventsOf(b, routing.ChatResumed))
}

func TestMaxOnHoldRequeues(t *testing.T) {
	// SPEC O3: with OnHoldRequeue the chat goes back to its queue at its
	// original position, ahead of chats that came later.
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: time.Minute, OnHoldEnd: routing.OnHoldRequeue})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	enteredAt := chatOf(t, r, b, "c1").EnqueuedAt
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "research"))
	b.clock.Add(time.Second)
	enqueue(t, r, b, "c2", "q")
	b.events.Drain()

	advance(t, r, b, time.Minute)
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.Empty(t, c.Agent)
	require.False(t, c.OnHold)
	require.True(t, c.OnHoldUntil.IsZero())
	require.Equal(t, enteredAt, c.EnqueuedAt)
	require.Equal(t, 0, load(t, r, b, "ann"))
	evs := b.events.Drain()
	var types []routing.EventType
	for _, e := range evs {
		types = append(types, e.Type)
		switch e.Type {
		case routing.ChatOnHoldRequeued:
			require.Equal(t, switchboard.AgentID("ann"), e.Agent)
			require.Equal(t, routing.ReasonOnHoldExpired, e.Reason)
		case routing.ChatQueued:
			require.Equal(t, routing.ReasonOnHoldExpired, e.Reason)
		}
	}
	require.Equal(t, []routing.EventType{routing.ChatOnHoldRequeued, routing.ChatQueued}, types)
	ahead, _, err := b.store.Position(b.ctx, "c1")
	require.NoError(t, err)
	require.Zero(t, ahead, "c1 keeps its place ahead of c2")
}

func TestMaxOnHoldWithNoFreeSlotRequeues(t *testing.T) {
	// SPEC O3: the default policy resumes only into a free slot.
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: time.Minute})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	assigned(t, r, b, "ann", "c2", "q")
	b.events.Drain()

	advance(t, r, b, time.Minute)
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))
	require.Equal(t, 1, load(t, r, b, "ann"), "c2 alone, never over capacity")
	require.Len(t, eventsOf(b, routing.ChatOnHoldRequeued), 1)
}

func TestOnHoldPolicyWireText(t *testing.T) {
	// SPEC O3
	for p, text := range map[routing.OnHoldPolicy]string{routing.OnHoldResume: "resume", routing.OnHoldRequeue: "requeue"} {
		got, err := p.MarshalText()
		require.NoError(t, err)
		require.Equal(t, text, string(got))
		require.Equal(t, text, p.String())
		var back routing.OnHoldPolicy
		require.NoError(t, back.UnmarshalText(got))
		require.Equal(t, p, back)
	}
	var p routing.OnHoldPolicy
	require.ErrorIs(t, p.UnmarshalText([]byte("drop")), routing.ErrInvalid)
	_, err := routing.OnHoldPolicy(7).MarshalText()
	require.ErrorIs(t, err, routing.ErrInvalid)

	r, b := setup(t)
	_, err = r.PutQueue(b.ctx, routing.Queue{ID: "q", OnHoldEnd: 7})
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = r.PutQueue(b.ctx, routing.Queue{ID: "q", MaxOnHold: -time.Second})
	require.ErrorIs(t, err, routing.ErrInvalid)
}

func TestEndingAChatOnHoldTakesNoSlot(t *testing.T) {
	// SPEC O4: the wrap-up of a chat ended on hold uses no slot, and its
	// end frees none.
	r, b := setup(t, routing.Queue{ID: "q", WrapUp: time.Minute}, routing.Queue{ID: "quick"})
	login(t, r, b, "ann", 1, "q", "quick")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	assigned(t, r, b, "ann", "c2", "q")

	require.NoError(t, r.End(b.ctx, "c1"))
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.InWrapUp, c.State)
	require.Equal(t, b.clock.Now().Add(time.Minute), c.NextDeadline())
	require.Equal(t, 1, load(t, r, b, "ann"), "c2 alone")
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", "ann"))
	require.Equal(t, routing.Done, chatState(t, r, b, "c1"))
	require.False(t, chatOf(t, r, b, "c1").OnHold)
	require.Equal(t, 1, load(t, r, b, "ann"), "c2 still")

	// With no wrap-up time the chat is done at once, freeing nothing.
	require.NoError(t, r.End(b.ctx, "c2"))
	advance(t, r, b, time.Minute) // c2's wrap-up ends
	require.Equal(t, 0, load(t, r, b, "ann"))
	assigned(t, r, b, "ann", "c3", "quick")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c3"))
	assigned(t, r, b, "ann", "c4", "quick")
	require.NoError(t, r.End(b.ctx, "c3"))
	require.Equal(t, routing.Done, chatState(t, r, b, "c3"))
	require.Equal(t, 1, load(t, r, b, "ann"), "c4 alone")

	// A chat reopened while its wrap-up on hold runs completes it.
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c4"))
	assigned(t, r, b, "ann", "c5", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c5"))
	require.NoError(t, r.End(b.ctx, "c5"))
	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "break"))
	_, err := r.Reopen(b.ctx, routing.ChatRequest{ID: "c5", Queue: "q"})
	require.NoError(t, err)
	c = chatOf(t, r, b, "c5")
	require.Equal(t, routing.Queued, c.State)
	require.Empty(t, c.Holds)
	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 0, a.Load(switchboard.DefaultChannel))
	require.Equal(t, 0, a.WrapUps)
}

func TestOwnerLogoutRequeuesChatsOnHold(t *testing.T) {
	// SPEC O4
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: time.Minute})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	enteredAt := chatOf(t, r, b, "c1").EnqueuedAt
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))

	require.NoError(t, r.Logout(b.ctx, "ann"))
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.False(t, c.OnHold)
	require.True(t, c.OnHoldUntil.IsZero())
	require.Equal(t, enteredAt, c.EnqueuedAt)
	require.Equal(t, c.QueueDeadline, c.NextDeadline(), "no hold deadline is left")
}

func TestGraceEndRequeuesChatsOnHold(t *testing.T) {
	// SPEC O4: a disconnected owner keeps its chat on hold through its
	// grace; at its end the chat goes back to its queue.
	r, b := graceSetup(t, time.Minute, routing.Queue{ID: "q"})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	require.NoError(t, r.Disconnect(b.ctx, "ann"))
	advance(t, r, b, 30*time.Second)
	require.True(t, chatOf(t, r, b, "c1").OnHold)

	advance(t, r, b, 30*time.Second)
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.False(t, c.OnHold)
	require.Equal(t, routing.LoggedOut, agentState(t, r, b, "ann"))
}

func TestChatOnHoldIsNotInvitedTransferredOrHandedOver(t *testing.T) {
	// SPEC O5
	r, b := setup(t, routing.Queue{ID: "q"}, routing.Queue{ID: "other"})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	login(t, r, b, "bob", 1, "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	b.events.Drain()
	before := chatOf(t, r, b, "c1")

	_, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.ErrorIs(t, err, routing.ErrOnHold)
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.ErrorIs(t, err, routing.ErrOnHold)
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "ann", Queue: "other"})
	require.ErrorIs(t, err, routing.ErrOnHold)
	require.ErrorIs(t, r.HandOver(b.ctx, "c1", "ann", "bob"), routing.ErrOnHold)
	require.Equal(t, before, chatOf(t, r, b, "c1"))
	require.Equal(t, 0, load(t, r, b, "bob"))
	require.Empty(t, b.events.Drain())

	// Resumed, it can be transferred.
	require.NoError(t, r.Resume(b.ctx, "ann", "c1"))
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
}

func TestResumeNeedsRoomInTheBudget(t *testing.T) {
	// SPEC O2: with a budget, resuming needs room in it as well as a free
	// slot, so no agent goes past its budget either.
	r, b := setup(t, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Budget: 2,
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 3}}})
	require.NoError(t, err)
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	assigned(t, r, b, "ann", "c2", "q")
	assigned(t, r, b, "ann", "c3", "q")

	err = r.Resume(b.ctx, "ann", "c1")
	require.ErrorIs(t, err, routing.ErrNoFreeSlot)
	require.ErrorContains(t, err, "2 of 2 budget units")
	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 2, a.Units())
	require.True(t, chatOf(t, r, b, "c1").OnHold)

	require.NoError(t, r.End(b.ctx, "c3"))
	require.NoError(t, r.Resume(b.ctx, "ann", "c1"))
}

func TestReturningAChatOnHoldFreesNoSlot(t *testing.T) {
	// SPEC O4: a chat on hold its owner returns to its queue used no
	// slot, so the owner's other chats keep theirs.
	r, b := setup(t, routing.Queue{ID: "q", MaxOnHold: time.Minute})
	login(t, r, b, "ann", 1, "q")
	assigned(t, r, b, "ann", "c1", "q")
	require.NoError(t, r.PutOnHold(b.ctx, "ann", "c1"))
	assigned(t, r, b, "ann", "c2", "q")

	require.NoError(t, r.Return(b.ctx, "ann", "c1", "wrong team"))
	c := chatOf(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.False(t, c.OnHold)
	require.True(t, c.OnHoldUntil.IsZero())
	require.Equal(t, 1, load(t, r, b, "ann"), "c2 keeps its slot")
}
