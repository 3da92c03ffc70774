package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestReassignRequeuesForAnotherAgent(t *testing.T) {
	t.Parallel()
	// SPEC D2: a chat taken from an owner who did not answer goes back to
	// its queue at its original position, for another agent; the owner is
	// kept out of it, its slot is free, and it goes to RONA.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "a1")
	_, err := r.Accept(b.ctx, "a1", o.ID)
	require.NoError(t, err)
	advance(t, r, b, time.Second)
	enqueue(t, r, b, "c2", "q") // waits behind c1

	require.NoError(t, r.Reassign(b.ctx, "c1", "a1"))

	c := mustChat(t, r, b, "c1")
	require.Equal(t, routing.Queued, c.State)
	require.Equal(t, start, c.EnqueuedAt, "keeps its age and place")
	require.Contains(t, c.Rejected, switchboard.AgentID("a1"))
	require.Equal(t, 1, c.Unanswered, "counts like an unanswered offer")
	require.Equal(t, routing.RONA, agentState(t, r, b, "a1"))
	a, err := r.Agent(b.ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, []int{0}, a.Used, "no wrap-up: the slot is free at once")
	queued := eventsOf(b, routing.ChatQueued)
	require.Equal(t, routing.ReasonNoResponse, queued[len(queued)-1].Reason)

	st, err := r.Status(b.ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, 1, st.Position, "ahead of the chat that came after it")

	// The next agent gets it; a1 never again.
	login(t, r, b, "a2", 1, "q")
	require.Equal(t, "c1", string(onlyOffer(t, r, b, "a2").Chat))
	require.NoError(t, r.SetState(b.ctx, "a1", routing.Available, ""))
	for _, o := range offers(t, r, b, "a1") {
		require.NotEqual(t, switchboard.ChatID("c1"), o.Chat)
	}
}

func TestReassignRefusesWhatItCannotTake(t *testing.T) {
	t.Parallel()
	// SPEC D2: only the owner of an assigned chat can lose it; anything
	// else changes nothing.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 1, "q")
	login(t, r, b, "a2", 1, "q")
	enqueue(t, r, b, "c1", "q")
	err := r.Reassign(b.ctx, "c1", "a1")
	var se *routing.StateError
	require.ErrorAs(t, err, &se, "an offered chat has no owner to take it from")
	o := offeredTo(t, r, b, "c1", "a1", "a2")
	_, err = r.Accept(b.ctx, o[0], onlyOffer(t, r, b, o[0]).ID)
	require.NoError(t, err)
	other := switchboard.AgentID("a1")
	if o[0] == "a1" {
		other = "a2"
	}
	require.ErrorIs(t, r.Reassign(b.ctx, "c1", other), routing.ErrNotOwner)
	require.Equal(t, routing.Assigned, chatState(t, r, b, "c1"))
	require.ErrorIs(t, r.Reassign(b.ctx, "nope", o[0]), routing.ErrChatNotFound)
	require.ErrorIs(t, r.Reassign(b.ctx, "", o[0]), routing.ErrInvalid)
}
