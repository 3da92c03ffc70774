package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/session"
)

// TestReturnedSessionsAreTheCallers checks that the sessions Start and
// Accept return are the stored session as it is, and the caller's own:
// changing one changes nothing stored, nor the next one returned.
func TestReturnedSessionsAreTheCallers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.login(t, "ann", "Ann")
	mangle := func(s *session.Session) {
		for i := range s.Participants {
			s.Participants[i].Name = "mangled"
			for j := range s.Participants[i].Stints {
				s.Participants[i].Stints[j].Joined = 999
			}
		}
		for i := range s.Attributes {
			s.Attributes[i].Value = "mangled"
		}
		if s.WrapUp != nil {
			s.WrapUp.Reason = "mangled"
		}
		s.Status = session.StatusClosed
	}
	check := func(got session.Session) {
		t.Helper()
		stored, err := b.m.Session(ctx, got.ID)
		require.NoError(t, err)
		require.Equal(t, stored, got, "what was returned is the session as stored")
		mangle(&got)
		again, err := b.m.Session(ctx, got.ID)
		require.NoError(t, err)
		require.Equal(t, stored, again, "changing what was returned changed the stored session")
	}

	started, err := b.eng.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol",
		Attributes: []session.Attribute{{Name: "plan", Value: "gold"}}})
	require.NoError(t, err)
	check(started)
	// Started again: the session already stored is returned.
	again, err := b.eng.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol",
		Attributes: []session.Attribute{{Name: "plan", Value: "gold"}}})
	require.NoError(t, err)
	require.Equal(t, "Carol", again.Customer().Name)
	check(again)

	accepted, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	require.Equal(t, session.AgentParticipant("ann"), accepted.Owner().ID)
	check(accepted)
	_, err = b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "Hello"})
	require.NoError(t, err)
	synced, err := b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
	check(synced)
	held, err := b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)
	require.True(t, held.OnHold)
	check(held)
	resumed, err := b.eng.Resume(ctx, "ann", "c1")
	require.NoError(t, err)
	require.False(t, resumed.OnHold)
	check(resumed)
}
