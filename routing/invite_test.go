package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// conferenceQueues are the queues of the invite and transfer tests: "q" with
// a wrap-up time, "other" and "quick" without one, "ended" ending failed
// transfers, and "elsewhere" of another tenant.
var conferenceQueues = []routing.Queue{
	{ID: "q", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second},
	{ID: "other", AcceptTimeout: 10 * time.Second},
	{ID: "quick"},
	{ID: "ended", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second, TransferFallback: routing.TransferEnd},
	{ID: "elsewhere", Tenant: "t2"},
}

// assignedTo sets up chat id of queue, assigned to owner: owner logs in
// first, so it is the only candidate, and accepts.
func assignedTo(t *testing.T, r *routing.Router, b *testBundle, id switchboard.ChatID, queue string, owner switchboard.AgentID, team string) {
	t.Helper()
	_, err := r.Login(b.ctx, owner, routing.Profile{Queues: qids(queue), Capacity: chatCap(2), Team: team})
	require.NoError(t, err)
	enqueue(t, r, b, id, switchboard.QueueID(queue))
	_, err = r.Accept(b.ctx, owner, onlyOffer(t, r, b, owner).ID)
	require.NoError(t, err)
}

func loginTeam(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID, team string, queues ...string) {
	t.Helper()
	_, err := r.Login(b.ctx, id, routing.Profile{Queues: qids(queues...), Capacity: chatCap(2), Team: team})
	require.NoError(t, err)
}

func mustAgent(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID) routing.Agent {
	t.Helper()
	a, err := r.Agent(b.ctx, id)
	require.NoError(t, err)
	return a
}

func load(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID) int {
	t.Helper()
	a := mustAgent(t, r, b, id)
	return a.Load(switchboard.DefaultChannel)
}

func chatIDs(t *testing.T, r *routing.Router, b *testBundle, agent switchboard.AgentID) []switchboard.ChatID {
	t.Helper()
	cs, err := r.AgentChats(b.ctx, agent)
	require.NoError(t, err)
	ids := []switchboard.ChatID{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// inConference sets up chat c1 of queue "q" owned by a1 with consultant a2,
// and Available agents a3 and a4 of "q", all of team "red".
func inConference(t *testing.T) (*routing.Router, *testBundle) {
	t.Helper()
	r, b := setup(t, conferenceQueues...)
	assignedTo(t, r, b, "c1", "q", "a1", "red")
	loginTeam(t, r, b, "a2", "red", "q")
	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a2"})
	require.NoError(t, err)
	_, err = r.Accept(b.ctx, "a2", o.ID)
	require.NoError(t, err)
	loginTeam(t, r, b, "a3", "red", "q")
	loginTeam(t, r, b, "a4", "red", "q")
	b.events.Drain()
	return r, b
}

func TestInviteAgent(t *testing.T) {
	t.Parallel()
	// SPEC C1, C2: the owner invites a named Available agent; the invite is
	// an offer with the queue's accept timeout that reserves a slot, and
	// accepting it makes the agent a consultant holding that slot.
	r, b := setup(t, conferenceQueues...)
	assignedTo(t, r, b, "c1", "q", "a1", "red")
	loginTeam(t, r, b, "a2", "blue")
	b.events.Drain()

	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a2"})
	require.NoError(t, err)
	require.Equal(t, routing.InviteOffer, o.Kind)
	require.Equal(t, switchboard.AgentID("a1"), o.From)
	require.Equal(t, start.Add(20*time.Second), o.ExpiresAt)
	require.Equal(t, o, onlyOffer(t, r, b, "a2"))
	require.Equal(t, 1, load(t, r, b, "a2"))
	offered := eventsOf(b, routing.ChatOffered)
	require.Len(t, offered, 1)
	require.Equal(t, routing.InviteOffer, offered[0].Kind)
	require.Contains(t, offered[0].String(), "kind=invite")

	a, err := r.Accept(b.ctx, "a2", o.ID)
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"a2"}, a.Chat.Consultants)
	require.Equal(t, switchboard.AgentID("a1"), a.Chat.Agent, "an invite leaves the owner")
	require.False(t, a.Chat.Invitation.Pending())
	require.Equal(t, 1, load(t, r, b, "a2"))
	require.Equal(t, 1, load(t, r, b, "a1"))
	require.Equal(t, []switchboard.ChatID{"c1"}, chatIDs(t, r, b, "a2"))
	joined := eventsOf(b, routing.ConsultantJoined)
	require.Len(t, joined, 1)
	require.Equal(t, routing.Event{Type: routing.ConsultantJoined, At: start, Agent: "a2", Chat: "c1", Queue: "q", From: "a1"}, joined[0])

	// A consultant may invite too (SPEC C1).
	loginTeam(t, r, b, "a3", "red")
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a2", Agent: "a3"})
	require.NoError(t, err)
}

func TestInviteQueuePicksByStrategy(t *testing.T) {
	t.Parallel()
	// SPEC C2: an invite naming a queue goes to the longest-idle Available
	// agent of that queue with a free slot, skipping agents in the chat and
	// agents who cannot take it; with nobody, the invite is refused.
	r, b := inConference(t) // a1 owner, a2 consultant; a3, a4 serve "q"
	b.clock.Add(time.Second)
	loginTeam(t, r, b, "b1", "red", "other")
	b.clock.Add(time.Second)
	loginTeam(t, r, b, "b2", "red", "other")
	require.NoError(t, r.SetState(b.ctx, "b1", routing.NotReady, "lunch"))

	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Queue: "other"})
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("b2"), o.Agent)
	require.Equal(t, switchboard.QueueID("other"), o.Queue)
	require.Equal(t, b.clock.Now().Add(10*time.Second), o.ExpiresAt, "the target queue's accept timeout")
	require.NoError(t, r.Reject(b.ctx, "b2", o.ID))
	require.Equal(t, routing.InviteFailed, eventsOf(b, routing.InviteFailed)[0].Type)

	// Queue "q": a1 and a2 are in the chat, a3 is longest idle.
	o, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a2", Queue: "q"})
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("a3"), o.Agent)
}

func TestInviteMovesOnWhenNotAccepted(t *testing.T) {
	t.Parallel()
	// SPEC C3: an invite not accepted in time puts the invitee in RONA and
	// goes to another Available agent of the queue who is not in the chat;
	// a reject moves it on too; when nobody is left the inviter is told.
	r, b := inConference(t)
	b.clock.Add(time.Second)
	loginTeam(t, r, b, "a5", "red", "q") // idle the shortest
	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a5"})
	require.NoError(t, err)
	b.events.Drain()

	advance(t, r, b, 20*time.Second)
	require.Equal(t, routing.RONA, agentState(t, r, b, "a5"))
	require.Zero(t, load(t, r, b, "a5"))
	next := onlyOffer(t, r, b, "a3") // longest idle of "q" not in the chat
	require.Equal(t, routing.InviteOffer, next.Kind)
	require.Equal(t, switchboard.AgentID("a1"), next.From)
	c := mustChat(t, r, b, "c1")
	require.Equal(t, next.ID, c.Invitation.Offer)
	require.Equal(t, []switchboard.AgentID{"a5"}, c.Invitation.Declined)

	// The first invitee answering late gets the offer's sentinel and
	// changes nothing.
	_, err = r.Accept(b.ctx, "a5", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferExpired)
	require.Equal(t, c, mustChat(t, r, b, "c1"))

	require.NoError(t, r.Reject(b.ctx, "a3", next.ID))
	last := onlyOffer(t, r, b, "a4")
	require.Equal(t, routing.Available, agentState(t, r, b, "a3"), "a reject costs nothing")
	b.events.Drain()
	require.NoError(t, r.Reject(b.ctx, "a4", last.ID))
	failed := eventsOf(b, routing.InviteFailed)
	require.Len(t, failed, 1)
	require.Equal(t, routing.Event{Type: routing.InviteFailed, At: b.clock.Now(), Agent: "a1", Chat: "c1", Queue: "q", Reason: routing.ReasonNoAgent}, failed[0])
	c = mustChat(t, r, b, "c1")
	require.False(t, c.Invitation.Pending())
	require.Equal(t, []switchboard.AgentID{"a2"}, c.Consultants)
	for _, a := range []switchboard.AgentID{"a3", "a4", "a5"} {
		require.Zero(t, load(t, r, b, a), a)
	}
}

func TestOneInvitePendingAtATime(t *testing.T) {
	t.Parallel()
	// SPEC C4: while an invite is pending no other invite or transfer can
	// be made; once it is answered, more agents can be invited.
	r, b := inConference(t)
	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a3"})
	require.NoError(t, err)
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a2", Agent: "a4"})
	require.ErrorIs(t, err, routing.ErrInvitePending)
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a4"})
	require.ErrorIs(t, err, routing.ErrInvitePending)
	require.Empty(t, offers(t, r, b, "a4"))

	_, err = r.Accept(b.ctx, "a3", o.ID)
	require.NoError(t, err)
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a3", Agent: "a4"})
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"a2", "a3"}, mustChat(t, r, b, "c1").Consultants)
}

func TestExit(t *testing.T) {
	t.Parallel()
	// SPEC C8: a consultant exits: its slot is free at once, with no
	// wrap-up, and the chat goes on with the owner. It cannot end the
	// conference; the owner cannot exit.
	r, b := inConference(t)
	require.ErrorIs(t, r.DropConsultants(b.ctx, "c1", "a2"), routing.ErrNotOwner)
	require.ErrorIs(t, r.Exit(b.ctx, "c1", "a1"), routing.ErrNotConsultant)
	require.ErrorIs(t, r.Exit(b.ctx, "c1", "a3"), routing.ErrNotInChat)

	require.NoError(t, r.Exit(b.ctx, "c1", "a2"))
	a2 := mustAgent(t, r, b, "a2")
	require.Equal(t, routing.Available, a2.State)
	require.Zero(t, a2.Load(switchboard.DefaultChannel))
	require.Zero(t, a2.WrapUps)
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Assigned, c.State)
	require.Equal(t, switchboard.AgentID("a1"), c.Agent)
	require.Empty(t, c.Consultants)
	require.Empty(t, chatIDs(t, r, b, "a2"))
	left := eventsOf(b, routing.ConsultantLeft)
	require.Len(t, left, 1)
	require.Equal(t, "exit", left[0].Reason)
	require.ErrorIs(t, r.Exit(b.ctx, "c1", "a2"), routing.ErrNotInChat)
}

func TestDropConsultants(t *testing.T) {
	t.Parallel()
	// SPEC C7: the owner ends the conference: consultants are dropped with
	// no wrap-up, a pending invite is withdrawn, the chat continues.
	r, b := inConference(t)
	_, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a2", Agent: "a3"})
	require.NoError(t, err)
	b.events.Drain()

	require.NoError(t, r.DropConsultants(b.ctx, "c1", "a1"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Assigned, c.State)
	require.Empty(t, c.Consultants)
	require.False(t, c.Invitation.Pending())
	for _, a := range []switchboard.AgentID{"a2", "a3"} {
		ag := mustAgent(t, r, b, a)
		require.Zero(t, ag.Load(switchboard.DefaultChannel), a)
		require.Equal(t, routing.Available, ag.State, a)
	}
	require.Equal(t, 1, load(t, r, b, "a1"))
	evs := b.events.Drain()
	var types []routing.EventType
	for _, e := range evs {
		types = append(types, e.Type)
	}
	require.Contains(t, types, routing.InviteFailed)
	require.Contains(t, types, routing.ConsultantLeft)
}

func TestEndDropsConsultants(t *testing.T) {
	t.Parallel()
	// SPEC C9: when the chat ends, consultants are dropped with no wrap-up
	// and a pending invite is cancelled; the owner wraps up.
	r, b := inConference(t)
	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a3"})
	require.NoError(t, err)

	require.NoError(t, r.End(b.ctx, "c1"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.InWrapUp, c.State)
	require.Empty(t, c.Consultants)
	require.Equal(t, routing.WrapUp, agentState(t, r, b, "a1"))
	require.Equal(t, 1, load(t, r, b, "a1"))
	require.Equal(t, routing.Available, agentState(t, r, b, "a2"))
	require.Zero(t, load(t, r, b, "a2"))
	require.Zero(t, load(t, r, b, "a3"))
	_, err = r.Accept(b.ctx, "a3", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferCancelled)
	var se *routing.StateError
	require.ErrorAs(t, r.CompleteWrapUp(b.ctx, "c1", "a2"), &se, "a consultant has no wrap-up")
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", "a1"))
	require.Equal(t, routing.Done, chatState(t, r, b, "c1"))
}

func TestHandOver(t *testing.T) {
	t.Parallel()
	// SPEC C11: the owner hands the chat to a consultant: ownership
	// changes at once, and the old owner keeps a wrap-up hold until it
	// completes it or the queue's WrapUp time passes.
	r, b := inConference(t)
	require.ErrorIs(t, r.HandOver(b.ctx, "c1", "a2", "a1"), routing.ErrNotOwner)
	require.ErrorIs(t, r.HandOver(b.ctx, "c1", "a1", "a3"), routing.ErrNotConsultant)

	require.NoError(t, r.HandOver(b.ctx, "c1", "a1", "a2"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, switchboard.AgentID("a2"), c.Agent)
	require.Empty(t, c.Consultants)
	require.Equal(t, []routing.Hold{{Agent: "a1", Channel: switchboard.DefaultChannel, Until: start.Add(30 * time.Second)}}, c.Holds)
	require.Equal(t, start.Add(30*time.Second), c.NextDeadline())
	require.Equal(t, routing.WrapUp, agentState(t, r, b, "a1"))
	require.Equal(t, 1, load(t, r, b, "a1"))
	require.Equal(t, 1, load(t, r, b, "a2"))
	require.Equal(t, []switchboard.ChatID{"c1"}, chatIDs(t, r, b, "a1"))
	moved := eventsOf(b, routing.ChatTransferred)
	require.Len(t, moved, 1)
	require.Equal(t, routing.Event{Type: routing.ChatTransferred, At: start, Agent: "a2", From: "a1", Chat: "c1", Queue: "q", Reason: routing.ReasonHandOver}, moved[0])

	// The hold expires by itself.
	advance(t, r, b, 29*time.Second)
	require.Equal(t, 1, load(t, r, b, "a1"))
	advance(t, r, b, time.Second)
	require.Zero(t, load(t, r, b, "a1"))
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"))
	require.Empty(t, chatIDs(t, r, b, "a1"))
	require.Empty(t, mustChat(t, r, b, "c1").Holds)
}

func TestTransferToAgent(t *testing.T) {
	t.Parallel()
	// SPEC T1, T2, T4: a transfer to an agent of the same team is an offer;
	// the chat stays with its owner until the target accepts; then the
	// target owns it, the old owner wraps up, and once done no longer has
	// the chat.
	r, b := setup(t, conferenceQueues...)
	assignedTo(t, r, b, "c1", "q", "a1", "red")
	loginTeam(t, r, b, "a2", "red")
	b.events.Drain()

	o, err := r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a2", Comment: "billing question"})
	require.NoError(t, err)
	require.Equal(t, routing.TransferOffer, o.Kind)
	require.Equal(t, "billing question", o.Comment)
	require.Equal(t, start.Add(20*time.Second), o.ExpiresAt)
	c := mustChat(t, r, b, "c1")
	require.Equal(t, switchboard.AgentID("a1"), c.Agent, "ownership waits for the accept")
	require.Equal(t, routing.TransferOffer, c.Invitation.Kind)
	require.Equal(t, 1, load(t, r, b, "a2"))
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a2"})
	require.ErrorIs(t, err, routing.ErrTransferPending)
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Queue: "q"})
	require.ErrorIs(t, err, routing.ErrTransferPending)

	b.clock.Add(5 * time.Second)
	a, err := r.Accept(b.ctx, "a2", o.ID)
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("a2"), a.Chat.Agent)
	require.Equal(t, b.clock.Now(), a.Chat.AssignedAt)
	require.Equal(t, routing.Assigned, a.Chat.State)
	require.Len(t, a.Chat.Holds, 1)
	require.Equal(t, routing.WrapUp, agentState(t, r, b, "a1"))
	require.Equal(t, 1, load(t, r, b, "a2"))
	moved := eventsOf(b, routing.ChatTransferred)
	require.Len(t, moved, 1)
	require.Equal(t, routing.Event{Type: routing.ChatTransferred, At: b.clock.Now(), Agent: "a2", From: "a1", Chat: "c1", Queue: "q", Reason: "accepted", Comment: "billing question"}, moved[0])

	require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", "a1"))
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"))
	require.Zero(t, load(t, r, b, "a1"))
	require.Empty(t, chatIDs(t, r, b, "a1"), "SPEC T1: the old owner no longer has the chat")
	require.Equal(t, []switchboard.ChatID{"c1"}, chatIDs(t, r, b, "a2"))
	// The new owner can end it and wraps up as usual.
	require.NoError(t, r.End(b.ctx, "c1"))
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", "a2"))
	require.Zero(t, load(t, r, b, "a2"))
}

func TestTransferNotAccepted(t *testing.T) {
	t.Parallel()
	// SPEC T3: a transfer the target rejects or does not accept in time
	// (RONA for it) re-queues the chat by default, with the old owner in
	// wrap-up, or ends it with "agent has left" under TransferEnd.
	cases := []struct {
		name    string
		queue   string
		timeout bool
		state   routing.ChatState
		end     routing.EndReason
	}{
		{"RequeueOnTimeout", "q", true, routing.Queued, routing.NotEnded},
		{"RequeueOnReject", "q", false, routing.Queued, routing.NotEnded},
		{"EndOnTimeout", "ended", true, routing.Ended, routing.EndAgentLeft},
		{"EndOnReject", "ended", false, routing.Ended, routing.EndAgentLeft},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, b := setup(t, conferenceQueues...)
			assignedTo(t, r, b, "c1", tc.queue, "a1", "red")
			loginTeam(t, r, b, "a2", "red")
			before := mustChat(t, r, b, "c1")
			o, err := r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a2"})
			require.NoError(t, err)
			b.events.Drain()
			if tc.timeout {
				advance(t, r, b, 20*time.Second)
				require.Equal(t, routing.RONA, agentState(t, r, b, "a2"))
			} else {
				require.NoError(t, r.Reject(b.ctx, "a2", o.ID))
				require.Equal(t, routing.Available, agentState(t, r, b, "a2"))
			}
			c := mustChat(t, r, b, "c1")
			require.Equal(t, tc.state, c.State)
			require.Equal(t, tc.end, c.EndReason)
			require.Equal(t, before.EnqueuedAt, c.EnqueuedAt)
			require.False(t, c.Invitation.Pending())
			require.Zero(t, load(t, r, b, "a2"))
			require.Equal(t, routing.WrapUp, agentState(t, r, b, "a1"), "the old owner wraps up")
			require.Equal(t, 1, load(t, r, b, "a1"))
			require.Len(t, c.Holds, 1)
			failed := eventsOf(b, routing.TransferFailed)
			require.Len(t, failed, 1)
			require.Equal(t, switchboard.AgentID("a1"), failed[0].Agent)
			if tc.state == routing.Queued {
				require.Equal(t, []switchboard.AgentID{"a1"}, c.Rejected, "not offered back to the agent who transferred it")
			}
			require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", "a1"))
			require.Zero(t, load(t, r, b, "a1"))
			l, err := b.store.Licence(b.ctx, 0)
			require.NoError(t, err)
			require.Zero(t, l.InUse)
		})
	}
}

func TestTransferToQueue(t *testing.T) {
	t.Parallel()
	// SPEC T1, T2, T4: a transfer to a queue takes the chat from the owner
	// at once (the owner wraps up; consultants are dropped); the chat waits
	// in the target queue, keeping its original EnqueuedAt, and is routed
	// to an agent of that queue when one is free.
	r, b := inConference(t) // c1 of "q", owner a1, consultant a2
	before := mustChat(t, r, b, "c1")
	b.clock.Add(time.Minute)
	_, err := r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Queue: "other", Comment: "sales lead"})
	require.NoError(t, err)
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.Equal(t, switchboard.QueueID("other"), c.Queue)
	require.Equal(t, before.EnqueuedAt, c.EnqueuedAt, "a transferred chat keeps its age")
	require.Equal(t, b.clock.Now(), c.QueuedAt)
	require.Empty(t, c.Agent)
	require.Empty(t, c.Consultants)
	require.Equal(t, routing.WrapUp, agentState(t, r, b, "a1"))
	require.Equal(t, 1, load(t, r, b, "a1"))
	require.Zero(t, load(t, r, b, "a2"))
	moved := eventsOf(b, routing.ChatTransferred)
	require.Len(t, moved, 1)
	require.Equal(t, routing.Event{Type: routing.ChatTransferred, At: b.clock.Now(), From: "a1", Chat: "c1", Queue: "other", FromQueue: "q", Reason: "queue", Comment: "sales lead"}, moved[0])

	// A chat that entered "other" later waits behind it.
	enqueue(t, r, b, "c2", "other")
	status, err := r.Status(b.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, 1, status.Position)
	loginTeam(t, r, b, "b1", "red", "other")
	require.Equal(t, switchboard.ChatID("c1"), offers(t, r, b, "b1")[0].Chat)
}

// recordSet is the records a refused request must leave as they were.
type recordSet struct {
	chat   routing.Chat
	agents []routing.Agent
	offers [][]routing.Offer
}

func readRecords(t *testing.T, r *routing.Router, b *testBundle, chat switchboard.ChatID, agents ...switchboard.AgentID) recordSet {
	t.Helper()
	s := recordSet{chat: mustChat(t, r, b, chat)}
	for _, a := range agents {
		s.agents = append(s.agents, mustAgent(t, r, b, a))
		s.offers = append(s.offers, offers(t, r, b, a))
	}
	return s
}

func TestInviteAndTransferRefusals(t *testing.T) {
	t.Parallel()
	// SPEC C1, C2, C4, T2: every refusal returns its error and changes
	// nothing.
	r, b := inConference(t) // c1 of "q": owner a1 (red), consultant a2; a3, a4 Available
	loginTeam(t, r, b, "blue1", "blue", "q")
	loginTeam(t, r, b, "paused", "red", "q")
	require.NoError(t, r.SetState(b.ctx, "paused", routing.NotReady, "lunch"))
	loginTeam(t, r, b, "gone", "red", "q")
	require.NoError(t, r.Logout(b.ctx, "gone"))
	_, err := r.Login(b.ctx, "full", routing.Profile{Queues: qids("q"), Capacity: chatCap(0), Team: "red"})
	require.NoError(t, err)
	enqueue(t, r, b, "waiting", "other") // nobody serves "other"
	// c2 ended and in wrap-up with a3.
	assignedTo(t, r, b, "c2", "ended", "w1", "red")
	require.NoError(t, r.End(b.ctx, "c2"))
	// c3 has a transfer pending.
	assignedTo(t, r, b, "c3", "quick", "t1", "red")
	loginTeam(t, r, b, "t2", "red")
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c3", From: "t1", Agent: "t2"})
	require.NoError(t, err)
	b.events.Drain()

	invite := func(req routing.InviteRequest) func() error {
		return func() error { _, err := r.Invite(b.ctx, req); return err }
	}
	transfer := func(req routing.TransferRequest) func() error {
		return func() error { _, err := r.Transfer(b.ctx, req); return err }
	}
	var se *routing.StateError
	cases := []struct {
		name  string
		chat  switchboard.ChatID
		call  func() error
		want  error
		state bool // a *StateError
	}{
		{"InviteNoTarget", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1"}), routing.ErrInvalid, false},
		{"InviteBothTargets", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a3", Queue: "q"}), routing.ErrInvalid, false},
		{"InviteEmptyFrom", "c1", invite(routing.InviteRequest{Chat: "c1", Agent: "a3"}), routing.ErrInvalid, false},
		{"InviteUnknownChat", "c1", invite(routing.InviteRequest{Chat: "nope", From: "a1", Agent: "a3"}), routing.ErrChatNotFound, false},
		{"InviteByStranger", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a3", Agent: "a4"}), routing.ErrNotInChat, false},
		{"InviteOwner", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a2", Agent: "a1"}), routing.ErrAlreadyInChat, false},
		{"InviteConsultant", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a2"}), routing.ErrAlreadyInChat, false},
		{"InvitePaused", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Agent: "paused"}), routing.ErrAgentUnavailable, false},
		{"InviteLoggedOut", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Agent: "gone"}), routing.ErrAgentUnavailable, false},
		{"InviteAtCapacity", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Agent: "full"}), routing.ErrAgentUnavailable, false},
		{"InviteUnknownAgent", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Agent: "nobody"}), routing.ErrAgentNotFound, false},
		{"InviteUnknownQueue", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Queue: "nope"}), routing.ErrQueueNotFound, false},
		{"InviteFromOtherTenant", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Queue: "elsewhere"}), routing.ErrQueueNotFound, false},
		{"InviteNobodyInQueue", "c1", invite(routing.InviteRequest{Chat: "c1", From: "a1", Queue: "other"}), routing.ErrNoAgentAvailable, false},
		{"InviteIntoWaitingChat", "waiting", invite(routing.InviteRequest{Chat: "waiting", From: "a1", Agent: "a3"}), nil, true},
		{"InviteIntoEndedChat", "c2", invite(routing.InviteRequest{Chat: "c2", From: "w1", Agent: "a3"}), routing.ErrChatEnded, false},
		{"InviteWhileTransferPending", "c3", invite(routing.InviteRequest{Chat: "c3", From: "t1", Agent: "a3"}), routing.ErrTransferPending, false},

		{"TransferNoTarget", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1"}), routing.ErrInvalid, false},
		{"TransferByConsultant", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a2", Agent: "a3"}), routing.ErrNotOwner, false},
		{"TransferByStranger", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a3", Agent: "a4"}), routing.ErrNotOwner, false},
		{"TransferToSelf", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a1"}), routing.ErrSameAgent, false},
		{"TransferToConsultant", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a2"}), routing.ErrAlreadyInChat, false},
		{"TransferToOtherTeam", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "blue1"}), routing.ErrNotInTeam, false},
		{"TransferToPaused", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "paused"}), routing.ErrAgentUnavailable, false},
		{"TransferToLoggedOut", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "gone"}), routing.ErrAgentUnavailable, false},
		{"TransferToFullAgent", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "full"}), routing.ErrAgentUnavailable, false},
		{"TransferToUnknownAgent", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Agent: "nobody"}), routing.ErrAgentNotFound, false},
		{"TransferToUnknownQueue", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Queue: "nope"}), routing.ErrQueueNotFound, false},
		{"TransferToOtherTenant", "c1", transfer(routing.TransferRequest{Chat: "c1", From: "a1", Queue: "elsewhere"}), routing.ErrQueueNotFound, false},
		{"TransferEndedChat", "c2", transfer(routing.TransferRequest{Chat: "c2", From: "w1", Agent: "a3"}), routing.ErrChatEnded, false},
		{"TransferWaitingChat", "waiting", transfer(routing.TransferRequest{Chat: "waiting", From: "a1", Agent: "a3"}), nil, true},
		{"TransferTwice", "c3", transfer(routing.TransferRequest{Chat: "c3", From: "t1", Agent: "a3"}), routing.ErrTransferPending, false},
		{"TransferTwiceToQueue", "c3", transfer(routing.TransferRequest{Chat: "c3", From: "t1", Queue: "q"}), routing.ErrTransferPending, false},

		{"HandOverByConsultant", "c1", func() error { return r.HandOver(b.ctx, "c1", "a2", "a1") }, routing.ErrNotOwner, false},
		{"HandOverToStranger", "c1", func() error { return r.HandOver(b.ctx, "c1", "a1", "a3") }, routing.ErrNotConsultant, false},
		{"HandOverEndedChat", "c2", func() error { return r.HandOver(b.ctx, "c2", "w1", "a3") }, routing.ErrChatEnded, false},
		{"ExitByOwner", "c1", func() error { return r.Exit(b.ctx, "c1", "a1") }, routing.ErrNotConsultant, false},
		{"ExitByStranger", "c1", func() error { return r.Exit(b.ctx, "c1", "a3") }, routing.ErrNotInChat, false},
		{"DropByConsultant", "c1", func() error { return r.DropConsultants(b.ctx, "c1", "a2") }, routing.ErrNotOwner, false},
		{"WrapUpByStranger", "c2", func() error { return r.CompleteWrapUp(b.ctx, "c2", "a3") }, nil, true},
		{"WrapUpNoAgent", "c2", func() error { return r.CompleteWrapUp(b.ctx, "c2", "") }, routing.ErrInvalid, false},
	}
	agents := []switchboard.AgentID{"a1", "a2", "a3", "a4", "blue1", "paused", "gone", "full", "w1", "t1", "t2"}
	for _, tc := range cases {
		before := readRecords(t, r, b, tc.chat, agents...)
		err := tc.call()
		if tc.state {
			require.ErrorAs(t, err, &se, tc.name)
		} else {
			require.ErrorIs(t, err, tc.want, tc.name)
		}
		require.Equal(t, before, readRecords(t, r, b, tc.chat, agents...), tc.name)
		require.Empty(t, b.events.Drain(), tc.name)
	}
}

func TestLogoutInConference(t *testing.T) {
	t.Parallel()
	// SPEC C8, R17: a consultant's logout drops it; the owner's logout
	// passes the chat to the longest-present consultant; a logout withdraws
	// the invites and transfers it made or received.
	t.Run("Consultant", func(t *testing.T) {
		t.Parallel()
		r, b := inConference(t)
		require.NoError(t, r.Logout(b.ctx, "a2"))
		c := mustChat(t, r, b, "c1")
		require.Empty(t, c.Consultants)
		require.Equal(t, switchboard.AgentID("a1"), c.Agent)
		require.Len(t, eventsOf(b, routing.ConsultantLeft), 1)
	})
	t.Run("OwnerWithConsultants", func(t *testing.T) {
		t.Parallel()
		r, b := inConference(t)
		o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a3"})
		require.NoError(t, err)
		_, err = r.Accept(b.ctx, "a3", o.ID)
		require.NoError(t, err)
		b.events.Drain()
		require.NoError(t, r.Logout(b.ctx, "a1"))
		c := mustChat(t, r, b, "c1")
		require.Equal(t, routing.Assigned, c.State)
		require.Equal(t, switchboard.AgentID("a2"), c.Agent, "the longest-present consultant")
		require.Equal(t, []switchboard.AgentID{"a3"}, c.Consultants)
		require.Equal(t, 1, load(t, r, b, "a2"))
		moved := eventsOf(b, routing.ChatTransferred)
		require.Len(t, moved, 1)
		require.Equal(t, routing.ReasonOwnerLoggedOut, moved[0].Reason)
	})
	t.Run("InviteeWithdrawn", func(t *testing.T) {
		t.Parallel()
		r, b := inConference(t)
		_, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a3"})
		require.NoError(t, err)
		b.events.Drain()
		require.NoError(t, r.Logout(b.ctx, "a3"))
		require.Empty(t, mustChat(t, r, b, "c1").Invitation.Offer)
		failed := eventsOf(b, routing.InviteFailed)
		require.Len(t, failed, 1)
		require.Equal(t, routing.ReasonWithdrawn, failed[0].Reason)
		require.Equal(t, switchboard.AgentID("a1"), failed[0].Agent)
	})
	t.Run("TransferringOwner", func(t *testing.T) {
		t.Parallel()
		r, b := setup(t, conferenceQueues...)
		assignedTo(t, r, b, "c1", "q", "a1", "red")
		loginTeam(t, r, b, "a2", "red")
		_, err := r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a2"})
		require.NoError(t, err)
		require.NoError(t, r.Logout(b.ctx, "a1"))
		require.Empty(t, offers(t, r, b, "a2"))
		require.Zero(t, load(t, r, b, "a2"))
		c := mustChat(t, r, b, "c1")
		require.Equal(t, routing.Queued, c.State, "no consultant: the chat goes back to its queue")
		require.False(t, c.Invitation.Pending())
	})
	t.Run("HoldCompleted", func(t *testing.T) {
		t.Parallel()
		r, b := inConference(t)
		require.NoError(t, r.HandOver(b.ctx, "c1", "a1", "a2"))
		require.NoError(t, r.Logout(b.ctx, "a1"))
		require.Empty(t, mustChat(t, r, b, "c1").Holds)
		require.Empty(t, chatIDs(t, r, b, "a1"))
	})
}

func TestHoldOutlivesChat(t *testing.T) {
	t.Parallel()
	// SPEC T4: an agent who handed a chat over keeps its wrap-up even when
	// the chat ends first; the sweeper completes it.
	r, b := inConference(t)
	require.NoError(t, r.HandOver(b.ctx, "c1", "a1", "a2"))
	require.NoError(t, r.End(b.ctx, "c1"))
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", "a2"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Done, c.State)
	require.Len(t, c.Holds, 1)
	require.Equal(t, []switchboard.ChatID{"c1"}, chatIDs(t, r, b, "a1"))
	advance(t, r, b, 30*time.Second)
	require.Empty(t, mustChat(t, r, b, "c1").Holds)
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"))
	require.Zero(t, load(t, r, b, "a1"))
}

func TestHandOverWithoutWrapUpTime(t *testing.T) {
	t.Parallel()
	// SPEC C11, T4: with no wrap-up time, the old owner's slot is free at
	// once and it holds nothing.
	r, b := setup(t, conferenceQueues...)
	assignedTo(t, r, b, "c1", "quick", "a1", "red")
	loginTeam(t, r, b, "a2", "red")
	o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a2"})
	require.NoError(t, err)
	_, err = r.Accept(b.ctx, "a2", o.ID)
	require.NoError(t, err)
	require.NoError(t, r.HandOver(b.ctx, "c1", "a1", "a2"))
	require.Empty(t, mustChat(t, r, b, "c1").Holds)
	require.Zero(t, load(t, r, b, "a1"))
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"))
}

func TestCancelInvitation(t *testing.T) {
	t.Parallel()
	// SPEC C4, T1: the owner withdraws a pending transfer; the chat stays
	// with it, the target's slot is free, and another transfer can be made.
	r, b := setup(t, conferenceQueues...)
	assignedTo(t, r, b, "c1", "q", "a1", "red")
	loginTeam(t, r, b, "a2", "red")
	loginTeam(t, r, b, "a3", "red")
	require.NoError(t, r.CancelInvitation(b.ctx, "c1", "a1"), "nothing pending is fine")
	o, err := r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a2"})
	require.NoError(t, err)
	b.events.Drain()

	require.ErrorIs(t, r.CancelInvitation(b.ctx, "c1", "a3"), routing.ErrNotOwner)
	require.NoError(t, r.CancelInvitation(b.ctx, "c1", "a1"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Assigned, c.State)
	require.Equal(t, switchboard.AgentID("a1"), c.Agent)
	require.False(t, c.Invitation.Pending())
	require.Zero(t, load(t, r, b, "a2"))
	var failed bool
	for _, e := range b.events.Drain() {
		failed = failed || e.Type == routing.TransferFailed && e.Agent == "a1" && e.Reason == routing.ReasonWithdrawn
	}
	require.True(t, failed)
	_, err = r.Accept(b.ctx, "a2", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferWithdrawn)
	_, err = r.Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: "a3"})
	require.NoError(t, err)

	require.NoError(t, r.End(b.ctx, "c1"))
	require.ErrorIs(t, r.CancelInvitation(b.ctx, "c1", "a1"), routing.ErrChatEnded)
	require.ErrorIs(t, r.CancelInvitation(b.ctx, "", "a1"), routing.ErrInvalid)
}
