package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

func TestQueueTimeoutOverflow(t *testing.T) {
	t.Parallel()
	// SPEC R15: a chat waiting longer than the queue's limit moves to the
	// overflow queue, keeping its age; without one it ends with a reason.
	r, b := setup(t,
		routing.Queue{ID: "tier1", MaxWait: 2 * time.Minute, Overflow: "tier2"},
		routing.Queue{ID: "tier2", MaxWait: time.Minute})
	enqueue(t, r, b, "c1", "tier1")
	advance(t, r, b, 119*time.Second)
	require.Equal(t, switchboard.QueueID("tier1"), mustChat(t, r, b, "c1").Queue)
	advance(t, r, b, time.Second)

	c := mustChat(t, r, b, "c1")
	require.Equal(t, switchboard.QueueID("tier2"), c.Queue)
	require.Equal(t, routing.Queued, c.State)
	require.Equal(t, start, c.EnqueuedAt, "keeps its original age")
	ov := eventsOf(b, routing.ChatOverflowed)
	require.Len(t, ov, 1)
	require.Equal(t, switchboard.QueueID("tier1"), ov[0].FromQueue)

	st, err := r.Status(b.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, 2*time.Minute, st.Waiting)

	advance(t, r, b, time.Minute)
	c = mustChat(t, r, b, "c1")
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndTimedOut, c.EndReason)
	require.Equal(t, "timed-out", c.EndReason.String())
	ended := eventsOf(b, routing.ChatEnded)
	require.Len(t, ended, 1)
	require.Equal(t, routing.EndTimedOut, ended[0].EndReason)
}

func TestOverflowLoopIsBounded(t *testing.T) {
	t.Parallel()
	// SPEC R15: overflow queues pointing at each other cannot pass a chat
	// around forever.
	r, b := setup(t,
		routing.Queue{ID: "a", MaxWait: time.Second, Overflow: "b"},
		routing.Queue{ID: "b", MaxWait: time.Second, Overflow: "a"})
	enqueue(t, r, b, "c1", "a")
	for range 20 {
		advance(t, r, b, time.Second)
	}
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndTimedOut, c.EndReason)
	require.Equal(t, 8, c.Hops)
}

func TestUnansweredOffersEscalate(t *testing.T) {
	t.Parallel()
	// SPEC R16: after N unanswered offer rounds the chat escalates instead
	// of ringing forever.
	r, b := setup(t,
		routing.Queue{ID: "q", MaxUnanswered: 2, AcceptTimeout: 10 * time.Second, Overflow: "supervisors"},
		routing.Queue{ID: "supervisors"})
	login(t, r, b, "a1", 1, "q")
	login(t, r, b, "a2", 1, "q")
	enqueue(t, r, b, "c1", "q")

	// Round 1: the offer times out (a1 goes to RONA). Round 2: a2 rejects.
	first := offeredTo(t, r, b, "c1", "a1", "a2")
	require.Len(t, first, 1)
	advance(t, r, b, 10*time.Second)
	require.Equal(t, 1, mustChat(t, r, b, "c1").Unanswered)
	second := offeredTo(t, r, b, "c1", "a1", "a2")
	require.Len(t, second, 1)
	require.NotEqual(t, first, second)
	require.NoError(t, r.Reject(b.ctx, second[0], onlyOffer(t, r, b, second[0]).ID))

	c := mustChat(t, r, b, "c1")
	require.Equal(t, switchboard.QueueID("supervisors"), c.Queue)
	require.Equal(t, routing.Queued, c.State)

	// Without an overflow queue the chat ends as escalated.
	r2, b2 := setup(t, routing.Queue{ID: "q", MaxUnanswered: 1, Strategy: routing.RingAll})
	login(t, r2, b2, "a1", 1, "q")
	login(t, r2, b2, "a2", 1, "q")
	enqueue(t, r2, b2, "c1", "q")
	require.NoError(t, r2.Reject(b2.ctx, "a1", onlyOffer(t, r2, b2, "a1").ID))
	require.Equal(t, routing.Offered, chatState(t, r2, b2, "c1"), "a ring-all round ends with its last offer")
	require.NoError(t, r2.Reject(b2.ctx, "a2", onlyOffer(t, r2, b2, "a2").ID))
	c = mustChat(t, r2, b2, "c1")
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndEscalated, c.EndReason)
}

func TestWrapUp(t *testing.T) {
	t.Parallel()
	// SPEC S11 (routing side): an ended chat keeps the agent's slot through
	// wrap-up, which completes on request or when its time passes.
	r, b := setup(t, routing.Queue{ID: "q", WrapUp: 30 * time.Second})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	enqueue(t, r, b, "c2", "q")
	_, err := r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, "c1"))
	require.Equal(t, routing.InWrapUp, chatState(t, r, b, "c1"))
	require.Equal(t, routing.WrapUp, agentState(t, r, b, "a1"))
	require.Empty(t, offers(t, r, b, "a1"))

	advance(t, r, b, 29*time.Second)
	require.Equal(t, routing.InWrapUp, chatState(t, r, b, "c1"))
	advance(t, r, b, time.Second)
	require.Equal(t, routing.Done, chatState(t, r, b, "c1"))
	require.Equal(t, routing.Available, agentState(t, r, b, "a1"))
	require.Equal(t, switchboard.ChatID("c2"), onlyOffer(t, r, b, "a1").Chat)

	// Completing early; a paused agent stays paused after wrap-up.
	_, err = r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, "c2"))
	require.NoError(t, r.SetState(b.ctx, "a1", routing.NotReady, "coffee"))
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c2", "a1"))
	require.Equal(t, routing.Done, chatState(t, r, b, "c2"))
	require.Equal(t, routing.NotReady, agentState(t, r, b, "a1"))
	a, err := r.Agent(b.ctx, "a1")
	require.NoError(t, err)
	require.Zero(t, a.Load(switchboard.DefaultChannel))

	var se *routing.StateError
	require.ErrorAs(t, r.CompleteWrapUp(b.ctx, "c2", "a1"), &se)
	require.ErrorAs(t, r.End(b.ctx, "c2"), &se)
}

func TestLogoutRequeuesAtOriginalPosition(t *testing.T) {
	t.Parallel()
	// SPEC R17: logout or disconnect withdraws the agent's pending offers and
	// re-queues them at their original position.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	b.clock.Add(time.Second)
	enqueue(t, r, b, "c2", "q")
	o := onlyOffer(t, r, b, "a1")
	require.Equal(t, switchboard.ChatID("c1"), o.Chat)

	require.NoError(t, r.Disconnect(b.ctx, "a1"))
	require.Equal(t, routing.LoggedOut, agentState(t, r, b, "a1"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))
	st, err := r.Status(b.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, 1, st.Position, "ahead of the chat that came after it")
	got, err := r.Offer(b.ctx, o.ID)
	require.NoError(t, err)
	require.Equal(t, routing.Rescinded, got.Outcome)
	require.Zero(t, mustChat(t, r, b, "c1").Unanswered, "a withdrawal is not an unanswered round")
	out := eventsOf(b, routing.AgentLoggedOut)
	require.Len(t, out, 1)
	require.Equal(t, "disconnect", out[0].Reason)

	login(t, r, b, "a2", 1, "q")
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r, b, "a2").Chat)

	// Assigned chats of an agent who logs out are re-queued, not lost.
	_, err = r.Accept(b.ctx, "a2", onlyOffer(t, r, b, "a2").ID)
	require.NoError(t, err)
	require.NoError(t, r.Logout(b.ctx, "a2"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.Empty(t, c.Agent)
	require.ErrorIs(t, r.Logout(b.ctx, "a2"), routing.ErrLoggedOut)
}

func TestFreshRouterExpiresDeadlines(t *testing.T) {
	t.Parallel()
	// SPEC R6, R15: deadlines are stored data; a router started after the one
	// that set them crashed expires them.
	r, b := setup(t, routing.Queue{ID: "q", AcceptTimeout: 10 * time.Second, MaxWait: time.Minute})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	enqueue(t, r, b, "c2", "q")
	r = nil // the first router is gone

	fresh, err := routing.New(b.store, routingmem.NewBus(), routing.Config{Clock: b.clock})
	require.NoError(t, err)
	b.clock.Add(10 * time.Second)
	n, err := fresh.Sweep(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	a, err := fresh.Agent(b.ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, routing.RONA, a.State)

	b.clock.Add(time.Minute)
	_, err = fresh.Sweep(b.ctx)
	require.NoError(t, err)
	for _, id := range []switchboard.ChatID{"c1", "c2"} {
		c, err := fresh.Chat(b.ctx, id)
		require.NoError(t, err)
		require.Equal(t, routing.EndTimedOut, c.EndReason, string(id))
	}
}

func TestAbandon(t *testing.T) {
	t.Parallel()
	// A customer who leaves before an accept ends the chat; pending offers
	// are cancelled and their agents freed.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RingAll})
	login(t, r, b, "a1", 1, "q")
	login(t, r, b, "a2", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "a1")
	require.NoError(t, r.Abandon(b.ctx, "c1"))
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndAbandoned, c.EndReason)
	_, err := r.Accept(b.ctx, "a1", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferCancelled)
	for _, id := range []switchboard.AgentID{"a1", "a2"} {
		a, err := r.Agent(b.ctx, id)
		require.NoError(t, err)
		require.Zero(t, a.Load(switchboard.DefaultChannel))
	}
	var se *routing.StateError
	require.ErrorAs(t, r.Abandon(b.ctx, "c1"), &se)
}

func mustChat(t *testing.T, r *routing.Router, b *testBundle, id switchboard.ChatID) routing.Chat {
	t.Helper()
	c, err := r.Chat(b.ctx, id)
	require.NoError(t, err)
	return c
}

func TestRequeuedChatTimesOutAgain(t *testing.T) {
	t.Parallel()
	// SPEC R15, R17: a chat back in its queue after it was assigned (its
	// agent logged out) waits at most the queue's MaxWait again, rather
	// than for ever.
	r, b := setup(t, routing.Queue{ID: "q", MaxWait: time.Minute})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	_, err := r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
	require.NoError(t, err)
	advance(t, r, b, 10*time.Minute)
	require.NoError(t, r.Logout(b.ctx, "a1"))
	require.Equal(t, routing.Queued, mustChat(t, r, b, "c1").State)
	advance(t, r, b, 59*time.Second)
	require.Equal(t, routing.Queued, mustChat(t, r, b, "c1").State)
	advance(t, r, b, time.Second)
	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndTimedOut, c.EndReason)
}
