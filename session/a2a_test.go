package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

func directoryFixture(b *testBundle) {
	for _, a := range []session.AgentInfo{
		{ID: "ann", Tenant: "t1", Name: "Ann", Group: "sales", LoggedIn: true},
		{ID: "bob", Tenant: "t1", Name: "Bob", Group: "sales", LoggedIn: true},
		{ID: "cat", Tenant: "t1", Name: "Cat", Group: "sales", LoggedIn: false},
		{ID: "dan", Tenant: "t1", Name: "Dan", Group: "support", LoggedIn: true},
		{ID: "sue", Tenant: "t1", Name: "Sue", Group: "support", Supervisor: true, LoggedIn: true},
		{ID: "zed", Tenant: "t2", Name: "Zed", Group: "sales", LoggedIn: true},
		{ID: "zoe", Tenant: "t2", Name: "Zoe", Group: "sales", Supervisor: true, LoggedIn: true},
	} {
		b.dir.Put(a)
	}
}

func names(p session.DirectoryPage) []string {
	var out []string
	for _, a := range p.Agents {
		out = append(out, a.Name)
	}
	return out
}

// SPEC S6: the directory lists, searches and pages logged-in agents of the
// same tenant and group; supervisors see across groups, never tenants.
func TestDirectory(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	directoryFixture(b)
	cases := []struct {
		name   string
		viewer switchboard.AgentID
		q      session.DirectoryQuery
		want   []string
		pages  int
	}{
		{"agent sees own group, logged in, not itself", "ann", session.DirectoryQuery{}, []string{"Bob"}, 1},
		{"other groups are hidden", "dan", session.DirectoryQuery{}, []string{"Sue"}, 1},
		{"supervisor sees every group of its tenant", "sue", session.DirectoryQuery{}, []string{"Ann", "Bob", "Dan"}, 1},
		{"supervisor never crosses tenants", "zoe", session.DirectoryQuery{}, []string{"Zed"}, 1},
		{"search", "sue", session.DirectoryQuery{Search: "an"}, []string{"Ann", "Dan"}, 1},
		{"page 0", "sue", session.DirectoryQuery{PageSize: 2}, []string{"Ann", "Bob"}, 2},
		{"page 1", "sue", session.DirectoryQuery{PageSize: 2, Page: 1}, []string{"Dan"}, 2},
		{"past the end", "sue", session.DirectoryQuery{PageSize: 2, Page: 5}, nil, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := m.Directory(ctx, c.viewer, c.q)
			require.NoError(t, err)
			require.Equal(t, c.want, names(p))
			require.Equal(t, c.pages, p.Pages)
		})
	}
	t.Run("chat only with visible agents", func(t *testing.T) {
		t.Parallel()
		for _, to := range []switchboard.AgentID{"dan", "zed", "cat"} {
			_, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{to}, "hi")
			require.ErrorIs(t, err, session.ErrNotVisible, "%s", to)
		}
		_, err := m.StartA2A(ctx, "sue", []switchboard.AgentID{"ann", "dan"}, "hi")
		require.NoError(t, err, "supervisors chat across groups")
	})
	t.Run("unlimited A2A chats", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t, func(c *session.Config) { c.MaxParticipants = 2 })
		directoryFixture(b)
		for range 50 {
			_, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "")
			require.NoError(t, err)
		}
		n, err := m.ActiveCount(ctx, "bob")
		require.NoError(t, err)
		require.Equal(t, 50, n)
	})
	t.Run("unavailable without a directory", func(t *testing.T) {
		t.Parallel()
		m, _ := setup(t, func(c *session.Config) { c.Directory = nil })
		_, err := m.Directory(ctx, "ann", session.DirectoryQuery{})
		require.ErrorIs(t, err, session.ErrUnavailable)
		_, err = m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "")
		require.ErrorIs(t, err, session.ErrUnavailable)
	})
}

// SPEC R10 SPEC S8: an A2A chat arrives without accept or reject, as a new
// session, and a pending-reply marker stays until the recipient answers.
func TestA2AArrivesWithPendingReply(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	directoryFixture(b)
	s, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "got a minute?")
	require.NoError(t, err)
	got := b.transport.Received(bobP)
	require.True(t, got[0].Invitation, "shown as a new tab")
	require.Equal(t, session.EntryCreated, got[0].Item.Type)
	require.Equal(t, []string{"got a minute?"}, deliveredTexts(got))
	require.True(t, s.Participant(bobP).AwaitingReply)
	require.False(t, s.Participant(annP).AwaitingReply)
	require.True(t, s.Participant(bobP).Present(), "no accept needed")

	send(t, m, s.ID, bobP, session.ModeNormal, "sure")
	s, err = m.Session(ctx, s.ID)
	require.NoError(t, err)
	require.False(t, s.Participant(bobP).AwaitingReply)
	require.True(t, s.Participant(annP).AwaitingReply)
}

// SPEC S8: an invitation from a different user opens a separate session
// and notifies the agent. SPEC S7: the agent's active session count is
// observable.
func TestInvitationOpensSeparateSession(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	directoryFixture(b)
	first, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "hi")
	require.NoError(t, err)
	n, err := m.ActiveCount(ctx, "bob")
	require.NoError(t, err)
	require.Equal(t, 1, n)

	second, err := m.StartA2A(ctx, "sue", []switchboard.AgentID{"bob"}, "hello from Sue")
	require.NoError(t, err)
	require.NotEqual(t, first.ID, second.ID)
	var invitations []switchboard.ChatID
	for _, d := range b.transport.Received(bobP) {
		if d.Invitation {
			invitations = append(invitations, d.Chat)
		}
	}
	require.Equal(t, []switchboard.ChatID{first.ID, second.ID}, invitations)

	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	last := b.transport.Received(bobP)
	require.True(t, last[len(last)-1].Invitation)
	require.Equal(t, chat, last[len(last)-1].Chat)
	require.NoError(t, m.Join(ctx, chat, "bob"))

	n, err = m.ActiveCount(ctx, "bob")
	require.NoError(t, err)
	require.Equal(t, 3, n, "an agent has many sessions at once")
	n, err = m.ActiveCount(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, 2, n)

	_, err = m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.NoError(t, m.Leave(ctx, first.ID, bobP))
	n, err = m.ActiveCount(ctx, "bob")
	require.NoError(t, err)
	require.Equal(t, 1, n)
}
