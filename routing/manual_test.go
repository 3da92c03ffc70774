package routing_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

var deskQueue = routing.Queue{ID: "desk", Strategy: routing.Manual, AcceptTimeout: 20 * time.Second, MaxWait: 10 * time.Minute}

func pickableIDs(t *testing.T, r *routing.Router, b *testBundle, agent switchboard.AgentID, limit int) []switchboard.ChatID {
	t.Helper()
	cs, err := r.Pickable(b.ctx, agent, limit)
	require.NoError(t, err)
	var ids []switchboard.ChatID
	for _, c := range cs {
		require.Equal(t, routing.Queued, c.State)
		ids = append(ids, c.ID)
	}
	return ids
}

func TestManualQueueNeverOffers(t *testing.T) {
	t.Parallel()
	// SPEC U1: a Manual queue's chats are offered to nobody, on arrival, on
	// a sweep or when an agent becomes free; they wait to be picked.
	r, b := setup(t, deskQueue)
	login(t, r, b, "ann", 2, "desk")
	c := enqueue(t, r, b, "c1", "desk")
	require.Equal(t, routing.Queued, c.State)
	advance(t, r, b, time.Minute)
	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "break"))
	require.NoError(t, r.SetState(b.ctx, "ann", routing.Available, ""))
	require.Empty(t, offers(t, r, b, "ann"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))
	require.Empty(t, eventsOf(b, routing.ChatOffered))
	require.Equal(t, "manual", mustText(t, routing.Manual))
	require.Equal(t, "Manual", routing.Manual.String())
}

func mustText(t *testing.T, s routing.Strategy) string {
	t.Helper()
	text, err := s.MarshalText()
	require.NoError(t, err)
	return string(text)
}

func TestPickableListsWhatTheAgentMayTake(t *testing.T) {
	t.Parallel()
	// SPEC U2: Pickable lists the waiting chats of the agent's Manual
	// queues it may take now, higher effective priority first, then
	// first come first, up to the limit; chats it lacks a skill for, chats
	// of offered queues and chats of queues it does not serve are left
	// out.
	vip := deskQueue
	vip.ID, vip.Priority = "vip", 2
	r, b := setup(t, deskQueue, vip, routing.Queue{ID: "offered"}, routing.Queue{ID: "other", Strategy: routing.Manual})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("desk", "vip", "offered"), Capacity: chatCap(2),
		Skills: []routing.Skill{{Name: "french", Level: 1}}})
	require.NoError(t, err)
	require.NoError(t, r.SetState(b.ctx, "ann", routing.NotReady, "lunch"))
	enqueue(t, r, b, "d1", "desk")
	b.clock.Add(time.Second)
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "d2", Queue: "desk", Skills: []routing.SkillRequirement{{Skill: "german", Min: 1}}})
	require.NoError(t, err)
	b.clock.Add(time.Second)
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "d3", Queue: "desk", Priority: 1, Skills: []routing.SkillRequirement{{Skill: "french", Min: 1}}})
	require.NoError(t, err)
	b.clock.Add(time.Second)
	enqueue(t, r, b, "v1", "vip")
	b.clock.Add(time.Second)
	enqueue(t, r, b, "d4", "desk")
	enqueue(t, r, b, "o1", "offered")
	enqueue(t, r, b, "x1", "other")

	// NotReady: nothing to pick now.
	require.Empty(t, pickableIDs(t, r, b, "ann", 10))
	require.NoError(t, r.SetState(b.ctx, "ann", routing.Available, ""))
	require.Equal(t, []switchboard.ChatID{"v1", "d3", "d1", "d4"}, pickableIDs(t, r, b, "ann", 10))
	require.Equal(t, []switchboard.ChatID{"v1", "d3"}, pickableIDs(t, r, b, "ann", 2))
	// The offered queue's chat went to ann; with the chat she picks, her
	// two slots are in use and nothing is pickable.
	require.Equal(t, routing.Offered, chatState(t, r, b, "o1"))
	o := onlyOffer(t, r, b, "ann")
	_, err = r.Accept(b.ctx, "ann", o.ID)
	require.NoError(t, err)
	_, err = r.Pick(b.ctx, "ann", "v1")
	require.NoError(t, err)
	require.Empty(t, pickableIDs(t, r, b, "ann", 10))

	_, err = r.Pickable(b.ctx, "ann", 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = r.Pickable(b.ctx, "ann", routing.MaxPickable+1)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = r.Pickable(b.ctx, "nobody", 1)
	require.ErrorIs(t, err, routing.ErrAgentNotFound)
	require.NoError(t, r.Logout(b.ctx, "ann"))
	_, err = r.Pickable(b.ctx, "ann", 1)
	require.ErrorIs(t, err, routing.ErrLoggedOut)
}

func TestPickableIsBoundedByItsLimit(t *testing.T) {
	t.Parallel()
	// SPEC U2: an agent who may take none of the first chats of a deep
	// queue is shown what lies within ten times the limit, no more.
	r, b := setup(t, deskQueue)
	login(t, r, b, "ann", 1, "desk")
	for i := range 30 {
		_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("s%02d", i)), Queue: "desk",
			Skills: []routing.SkillRequirement{{Skill: "german", Min: 1}}})
		require.NoError(t, err)
	}
	enqueue(t, r, b, "plain", "desk")
	require.Empty(t, pickableIDs(t, r, b, "ann", 2))
	require.Equal(t, []switchboard.ChatID{"plain"}, pickableIDs(t, r, b, "ann", 4))
}

func TestPickAssignsLikeAnAcceptedOffer(t *testing.T) {
	t.Parallel()
	// SPEC U3: a pick assigns the chat at once: the agent's slot, a licence
	// unit, and the events of an offer accepted at once.
	r, b := setup(t, deskQueue)
	require.NoError(t, r.SetLicenceLimit(b.ctx, 1))
	login(t, r, b, "ann", 2, "desk")
	enqueue(t, r, b, "c1", "desk")
	enqueue(t, r, b, "c2", "desk")
	b.events.Drain()
	b.clock.Add(3 * time.Second)

	a, err := r.Pick(b.ctx, "ann", "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Assigned, a.Chat.State)
	require.Equal(t, switchboard.AgentID("ann"), a.Chat.Agent)
	require.Equal(t, start.Add(3*time.Second), a.Chat.AssignedAt)
	require.True(t, a.Chat.Licensed)
	require.Equal(t, routing.Accepted, a.Offer.Outcome)
	require.Equal(t, switchboard.AgentID("ann"), a.Offer.Agent)
	stored := mustChat(t, r, b, "c1")
	require.Equal(t, stored.Version, a.Chat.Version)
	o, err := r.Offer(b.ctx, a.Offer.ID)
	require.NoError(t, err)
	require.Equal(t, o.Version, a.Offer.Version)
	require.Equal(t, 1, load(t, r, b, "ann"))

	var got []string
	for _, e := range b.events.Drain() {
		got = append(got, e.String())
	}
	require.Equal(t, []string{
		"ChatOffered agent=ann chat=c1 queue=desk offer=c1#1",
		"OfferResolved agent=ann chat=c1 queue=desk offer=c1#1 outcome=accepted",
		"ChatAssigned agent=ann chat=c1 queue=desk",
	}, got)

	// Picked again by the same agent: the same assignment, nothing written.
	again, err := r.Pick(b.ctx, "ann", "c1")
	require.NoError(t, err)
	require.Equal(t, a, again)
	require.Empty(t, b.events.Drain())

	// The one licence unit is in use: the next pick waits for it.
	_, err = r.Pick(b.ctx, "ann", "c2")
	require.ErrorIs(t, err, routing.ErrLicenceFull)
	require.ErrorIs(t, err, switchboard.ErrUnavailable)
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))
	require.NoError(t, r.End(b.ctx, "c1"))
	_, err = r.Pick(b.ctx, "ann", "c2")
	require.NoError(t, err)
}

func TestPickRefusalsChangeNothing(t *testing.T) {
	t.Parallel()
	// SPEC U4: a pick is refused with an error to match, and nothing
	// changes: a chat of an offered queue, an agent that does not serve
	// the queue or lacks a skill, one that is not Available or has no free
	// slot, a logged-out agent, a chat taken or ended.
	r, b := setup(t, deskQueue, routing.Queue{ID: "offered"})
	login(t, r, b, "ann", 1, "desk")
	login(t, r, b, "bob", 1, "desk")
	login(t, r, b, "cy", 1, "offered")
	login(t, r, b, "dee", 1, "desk")
	enqueue(t, r, b, "c1", "desk")
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "skilled", Queue: "desk", Skills: []routing.SkillRequirement{{Skill: "german", Min: 2}}})
	require.NoError(t, err)
	enqueue(t, r, b, "c3", "desk")
	enqueue(t, r, b, "gone", "desk")
	require.NoError(t, r.Abandon(b.ctx, "gone"))
	_, err = r.Login(b.ctx, "eve", routing.Profile{Queues: qids("offered")})
	require.NoError(t, err)
	enqueue(t, r, b, "o1", "offered")
	require.NoError(t, r.SetState(b.ctx, "bob", routing.NotReady, "lunch"))
	_, err = r.Pick(b.ctx, "dee", "c3")
	require.NoError(t, err)

	before := func() map[string]uint64 {
		v := map[string]uint64{}
		for _, id := range []switchboard.AgentID{"ann", "bob", "cy", "dee"} {
			v[string(id)] = mustAgent(t, r, b, id).Version
		}
		for _, id := range []switchboard.ChatID{"c1", "skilled", "c3", "gone", "o1"} {
			v[string(id)] = mustChat(t, r, b, id).Version
		}
		return v
	}
	was := before()
	for _, tc := range []struct {
		agent switchboard.AgentID
		chat  switchboard.ChatID
		want  error
	}{
		{"ann", "o1", routing.ErrNotManual},
		{"cy", "c1", routing.ErrNotEligible},
		{"ann", "skilled", routing.ErrNotEligible},
		{"bob", "c1", routing.ErrAgentUnavailable},
		{"dee", "c1", routing.ErrAgentUnavailable}, // no free slot
		{"ann", "c3", routing.ErrChatTaken},
		{"ann", "nope", routing.ErrChatNotFound},
		{"nobody", "c1", routing.ErrAgentNotFound},
		{"", "c1", routing.ErrInvalid},
		{"ann", "", routing.ErrInvalid},
	} {
		_, err := r.Pick(b.ctx, tc.agent, tc.chat)
		require.ErrorIs(t, err, tc.want, "%s picks %s", tc.agent, tc.chat)
	}
	_, err = r.Pick(b.ctx, "ann", "gone")
	var se *routing.StateError
	require.ErrorAs(t, err, &se)
	require.NoError(t, r.Logout(b.ctx, "bob"))
	was["bob"] = mustAgent(t, r, b, "bob").Version
	_, err = r.Pick(b.ctx, "bob", "c1")
	require.ErrorIs(t, err, routing.ErrLoggedOut)
	require.Equal(t, was, before())
}

func TestPickRaceExactlyOneWins(t *testing.T) {
	t.Parallel()
	// SPEC U5: 32 agents pick one chat at once: exactly one gets it; the
	// others get ErrChatTaken, of kind ErrConflict, and keep their slots.
	for round := range 5 {
		r, b := setup(t, deskQueue)
		const n = 32
		agents := make([]switchboard.AgentID, n)
		for i := range agents {
			agents[i] = switchboard.AgentID(fmt.Sprintf("a%02d", i))
			login(t, r, b, agents[i], 1, "desk")
		}
		enqueue(t, r, b, "c1", "desk")
		var wins atomic.Int32
		var g errgroup.Group
		startGun := make(chan struct{})
		for _, a := range agents {
			g.Go(func() error {
				<-startGun
				_, err := r.Pick(b.ctx, a, "c1")
				switch {
				case err == nil:
					wins.Add(1)
					return nil
				case errors.Is(err, routing.ErrChatTaken) && errors.Is(err, switchboard.ErrConflict):
					return nil
				}
				return err
			})
		}
		close(startGun)
		require.NoError(t, g.Wait(), "round %d", round)
		require.EqualValues(t, 1, wins.Load(), "round %d", round)
		c := mustChat(t, r, b, "c1")
		require.Equal(t, routing.Assigned, c.State)
		for _, a := range agents {
			want := 0
			if a == c.Agent {
				want = 1
			}
			require.Equal(t, want, load(t, r, b, a), "agent %s", a)
		}
	}
}

func TestReturnKeepsThePlaceAndExcludesTheAgent(t *testing.T) {
	t.Parallel()
	// SPEC U6: a returned chat waits where it waited before, its arrival
	// and sequence unchanged; the owner's slot is free at once; the owner
	// may not pick it again; the event names the agent and its reason.
	r, b := setup(t, deskQueue)
	login(t, r, b, "ann", 1, "desk")
	login(t, r, b, "bob", 1, "desk")
	enqueue(t, r, b, "c1", "desk")
	b.clock.Add(time.Second)
	c2 := enqueue(t, r, b, "c2", "desk")
	b.clock.Add(time.Second)
	enqueue(t, r, b, "c3", "desk")
	b.clock.Add(time.Minute)
	_, err := r.Pick(b.ctx, "ann", "c2")
	require.NoError(t, err)
	require.Equal(t, []switchboard.ChatID{"c1", "c3"}, pickableIDs(t, r, b, "bob", 10))
	b.events.Drain()
	b.clock.Add(time.Minute)

	require.NoError(t, r.Return(b.ctx, "ann", "c2", "wrong_language"))
	got := mustChat(t, r, b, "c2")
	require.Equal(t, routing.Queued, got.State)
	require.Empty(t, got.Agent)
	require.Equal(t, c2.EnqueuedAt, got.EnqueuedAt)
	require.Equal(t, c2.Seq, got.Seq)
	require.False(t, got.Licensed)
	require.Equal(t, b.clock.Now().Add(deskQueue.MaxWait), got.QueueDeadline)
	require.Contains(t, got.Rejected, switchboard.AgentID("ann"))
	require.Zero(t, load(t, r, b, "ann"))
	require.Equal(t, routing.Available, agentState(t, r, b, "ann"))

	require.Equal(t, []switchboard.ChatID{"c1", "c2", "c3"}, pickableIDs(t, r, b, "bob", 10))
	require.Equal(t, []switchboard.ChatID{"c1", "c3"}, pickableIDs(t, r, b, "ann", 10))
	_, err = r.Pick(b.ctx, "ann", "c2")
	require.ErrorIs(t, err, routing.ErrNotEligible)

	queued := eventsOf(b, routing.ChatQueued)
	require.Len(t, queued, 1)
	require.Equal(t, routing.Event{Type: routing.ChatQueued, At: b.clock.Now(), Agent: "ann", Chat: "c2", Queue: "desk",
		Reason: routing.ReasonReturned, Comment: "wrong_language", Customer: "customer of c2", EnqueuedAt: c2.EnqueuedAt}, queued[0])
}

func TestReturnOfAnOfferedQueueOffersTheNextAgent(t *testing.T) {
	t.Parallel()
	// SPEC U7: a chat of an offered queue returned by its owner is offered
	// at once to the next agent, never to the one who returned it;
	// consultants are dropped and a pending invite withdrawn.
	r, b := setup(t, routing.Queue{ID: "q", AcceptTimeout: 20 * time.Second})
	login(t, r, b, "ann", 2, "q")
	enqueue(t, r, b, "c1", "q")
	_, err := r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	login(t, r, b, "cy", 1, "q")
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "cy"})
	require.NoError(t, err)
	_, err = r.Accept(b.ctx, "cy", onlyOffer(t, r, b, "cy").ID)
	require.NoError(t, err)
	login(t, r, b, "dee", 1, "q")
	_, err = r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "dee"})
	require.NoError(t, err)

	require.NoError(t, r.Return(b.ctx, "ann", "c1", "needs_billing"))
	c := mustChat(t, r, b, "c1")
	require.Empty(t, c.Consultants)
	require.False(t, c.Invitation.Pending())
	require.Equal(t, routing.Offered, c.State)
	require.Empty(t, offers(t, r, b, "ann"))
	require.Zero(t, load(t, r, b, "ann"))
	got := offeredTo(t, r, b, "c1", "cy", "dee")
	require.Len(t, got, 1)
	_, err = r.Accept(b.ctx, got[0], onlyOffer(t, r, b, got[0]).ID)
	require.NoError(t, err)
	require.Equal(t, got[0], mustChat(t, r, b, "c1").Agent)
}

func TestReturnRefusalsChangeNothing(t *testing.T) {
	t.Parallel()
	// SPEC U8: only the owner returns a chat, only an assigned one, and
	// only with a reason; a refusal changes nothing.
	r, b := setup(t, deskQueue)
	login(t, r, b, "ann", 1, "desk")
	login(t, r, b, "bob", 1, "desk")
	enqueue(t, r, b, "c1", "desk")
	enqueue(t, r, b, "c2", "desk")
	_, err := r.Pick(b.ctx, "ann", "c1")
	require.NoError(t, err)
	c1, c2 := mustChat(t, r, b, "c1"), mustChat(t, r, b, "c2")
	ann, bob := mustAgent(t, r, b, "ann"), mustAgent(t, r, b, "bob")

	err = r.Return(b.ctx, "bob", "c1", "busy")
	require.ErrorIs(t, err, routing.ErrNotOwner)
	require.ErrorIs(t, err, switchboard.ErrForbidden)
	var se *routing.StateError
	require.ErrorAs(t, r.Return(b.ctx, "ann", "c2", "busy"), &se)
	require.ErrorIs(t, r.Return(b.ctx, "ann", "c1", ""), routing.ErrInvalid)
	require.ErrorIs(t, r.Return(b.ctx, "ann", "nope", "busy"), routing.ErrChatNotFound)
	require.ErrorIs(t, r.Return(b.ctx, "", "c1", "busy"), routing.ErrInvalid)

	require.Equal(t, c1, mustChat(t, r, b, "c1"))
	require.Equal(t, c2, mustChat(t, r, b, "c2"))
	require.Equal(t, ann, mustAgent(t, r, b, "ann"))
	require.Equal(t, bob, mustAgent(t, r, b, "bob"))

	// Returned once, it is no longer the agent's to return.
	require.NoError(t, r.Return(b.ctx, "ann", "c1", "busy"))
	require.ErrorAs(t, r.Return(b.ctx, "ann", "c1", "busy"), &se)
}

func TestExplainSaysAManualChatWaitsToBePicked(t *testing.T) {
	t.Parallel()
	// SPEC U9: Explain holds a Manual queue's chat back from every agent
	// with ManualPickReason, while its verdicts still say who may pick it.
	r, b := setup(t, deskQueue)
	login(t, r, b, "ann", 1, "desk")
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "desk", Preferred: "bob"})
	require.NoError(t, err)
	e, err := r.Explain(b.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []routing.PassReason{routing.ManualPickReason}, e.Held)
	require.Equal(t, "manual_pick", routing.ManualPickReason.String())
	v, ok := e.Verdict("ann")
	require.True(t, ok)
	require.True(t, v.Eligible)
}

func TestPickableFollowsRelaxation(t *testing.T) {
	t.Parallel()
	// SPEC U2: a chat whose skills a relaxation step dropped is listed to,
	// and picked by, an agent who lacks them once the step applied.
	q := deskQueue
	q.RequiredSkills = []routing.SkillRequirement{{Skill: "billing", Min: 2}}
	q.Relax = []routing.RelaxStep{{After: 30 * time.Second, Drop: []string{"billing"}}}
	r, b := setup(t, q)
	login(t, r, b, "ann", 1, "desk")
	enqueue(t, r, b, "c1", "desk")
	require.Empty(t, pickableIDs(t, r, b, "ann", 5))
	_, err := r.Pick(b.ctx, "ann", "c1")
	require.ErrorIs(t, err, routing.ErrNotEligible)
	advance(t, r, b, 31*time.Second)
	require.Equal(t, []switchboard.ChatID{"c1"}, pickableIDs(t, r, b, "ann", 5))
	_, err = r.Pick(b.ctx, "ann", "c1")
	require.NoError(t, err)
}

func TestClosedManualQueueIsPickedOnlyOnceOpen(t *testing.T) {
	t.Parallel()
	// SPEC U14: a Manual queue closed by its business hours lists nothing
	// and refuses a pick, saying when it opens, with nothing changed; at
	// the opening its waiting chats can be picked.
	q := deskQueue
	q.Hours = officeHours() // opens at 10:00; start is 09:00
	r, b := setup(t, q)
	login(t, r, b, "ann", 2, "desk")
	enqueue(t, r, b, "c1", "desk")
	require.Empty(t, pickableIDs(t, r, b, "ann", 10))
	before := mustChat(t, r, b, "c1")
	b.events.Drain()
	_, err := r.Pick(b.ctx, "ann", "c1")
	require.ErrorIs(t, err, routing.ErrQueueClosed)
	var closed *routing.ClosedError
	require.ErrorAs(t, err, &closed)
	require.Equal(t, switchboard.QueueID("desk"), closed.Queue)
	require.True(t, closed.Opens.Equal(start.Add(time.Hour)), "opens %v", closed.Opens)
	require.Equal(t, before, mustChat(t, r, b, "c1"))
	require.Equal(t, 0, load(t, r, b, "ann"))
	require.Empty(t, b.events.Drain())

	b.clock.Set(start.Add(time.Hour))
	require.Equal(t, []switchboard.ChatID{"c1"}, pickableIDs(t, r, b, "ann", 10))
	a, err := r.Pick(b.ctx, "ann", "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Assigned, a.Chat.State)
}
