package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestReopenRoutesToFirstFreeAgent(t *testing.T) {
	t.Parallel()
	// SPEC R9 (routing side): a closed chat whose customer writes again is
	// routed to the first free agent of its queue, not held for the agent
	// who had it.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "first", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "first")
	_, err := r.Accept(b.ctx, "first", o.ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, "c1"))
	require.NoError(t, r.Logout(b.ctx, "first"))
	login(t, r, b, "second", 1, "q")

	c, err := r.Reopen(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q"})
	require.NoError(t, err)
	require.Equal(t, routing.Offered, c.State)
	o2 := onlyOffer(t, r, b, "second")
	require.Equal(t, switchboard.ChatID("c1"), o2.Chat)
	require.NotEqual(t, o.ID, o2.ID, "offer IDs stay unique across the chat's life")
	_, err = r.Accept(b.ctx, "second", o2.ID)
	require.NoError(t, err)

	var se *routing.StateError
	_, err = r.Reopen(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q"})
	require.ErrorAs(t, err, &se, "an active chat cannot be reopened")
	_, err = r.Reopen(b.ctx, routing.ChatRequest{ID: "c1", Queue: "nope"})
	require.ErrorIs(t, err, routing.ErrQueueNotFound)

	// A chat the store no longer knows is created anew.
	c, err = r.Reopen(b.ctx, routing.ChatRequest{ID: "forgotten", Queue: "q"})
	require.NoError(t, err)
	require.Equal(t, routing.Queued, c.State)
}

func TestLoggedInAgents(t *testing.T) {
	t.Parallel()
	r, b := setup(t, routing.Queue{ID: "q"})
	for _, p := range []struct {
		id     switchboard.AgentID
		tenant switchboard.TenantID
	}{{"b", "acme"}, {"a", "acme"}, {"x", "other"}} {
		_, err := r.Login(b.ctx, p.id, routing.Profile{Tenant: p.tenant})
		require.NoError(t, err)
	}
	require.NoError(t, r.Logout(b.ctx, "b"))
	got, err := r.LoggedIn(b.ctx, "acme")
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, switchboard.AgentID("a"), got[0].ID)
}
