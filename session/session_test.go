package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// SPEC S1: a session records its kind, who initiated it and what it is about.
func TestSessionKindInitiatorAbout(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, session.KindCustomer, s.Kind)
	require.Equal(t, customer, s.InitiatedBy)
	require.Equal(t, "sales", s.About())

	b.dir.Put(session.AgentInfo{ID: "ann", Tenant: "t1", Name: "Ann", Group: "sales", LoggedIn: true})
	b.dir.Put(session.AgentInfo{ID: "bob", Tenant: "t1", Name: "Bob", Group: "sales", LoggedIn: true})
	a2a, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "")
	require.NoError(t, err)
	require.Equal(t, session.KindA2A, a2a.Kind)
	require.Equal(t, annP, a2a.InitiatedBy)
	require.Equal(t, "A2A", a2a.About())
}
