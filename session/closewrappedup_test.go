package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// SPEC K3: once the owner's wrap-up is over, the system closes the ended
// session: the wrap-up stays as recorded, everyone leaves, and a later
// customer message meets the after-close policy.
func TestCloseWrappedUpClosesAnEndedSession(t *testing.T) {
	t.Parallel()
	m, b := setup(t, func(c *session.Config) {
		qc := c.Queues["sales"]
		qc.WrapUpTags = []string{"vip"}
		c.Queues["sales"] = qc
	})
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	w, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Tags: []string{"vip"}, Confirm: true})
	require.NoError(t, err)
	b.clock.Add(30 * time.Second)

	require.NoError(t, m.CloseWrappedUp(ctx, chat, 0))
	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
	require.Equal(t, b.clock.Now(), s.ClosedAt)
	require.Equal(t, w, *s.WrapUp, "the wrap-up stays as the owner recorded it")
	require.Equal(t, switchboard.AgentID("ann"), s.WrapUp.Owner)
	for _, p := range s.Participants {
		require.False(t, p.Present() || p.Invited(), "%s is still in the session", p.ID)
	}
	log, err := b.store.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	require.Equal(t, session.EntryClosed, log[len(log)-1].Type)

	sent, err := m.Send(ctx, chat, session.Message{From: customer, Text: "One more thing"})
	require.NoError(t, err)
	require.Equal(t, switchboard.PolicyReopen, sent.AfterClose)
}

// SPEC K3: a session that is not ended, is closed already, or reopened
// since the wrap-up it is asked to close for is left as it is.
func TestCloseWrappedUpRefusesWhatIsNotDue(t *testing.T) {
	t.Parallel()
	t.Run("active", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t)
		chat := chatWithOwner(t, m)
		before := snap(t, b, chat)
		err := m.CloseWrappedUp(ctx, chat, 0)
		var se *session.StatusError
		require.ErrorAs(t, err, &se)
		require.Equal(t, session.StatusActive, se.From)
		require.Equal(t, before, snap(t, b, chat))
	})
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t)
		chat := chatWithOwner(t, m)
		_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
		require.NoError(t, err)
		before := snap(t, b, chat)
		b.clock.Add(time.Minute)
		require.ErrorIs(t, m.CloseWrappedUp(ctx, chat, 0), session.ErrAlreadyClosed)
		require.Equal(t, before, snap(t, b, chat))
	})
	t.Run("reopened since", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t)
		chat := chatWithOwner(t, m)
		_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
		require.NoError(t, err)
		send(t, m, chat, customer, session.ModeNormal, "back again")
		_, err = m.AssignOwner(ctx, chat, bob)
		require.NoError(t, err)
		_, err = m.End(ctx, chat, "bob", session.EndOptions{Reason: "no-sale", Confirm: true})
		require.NoError(t, err)
		before := snap(t, b, chat)
		require.ErrorIs(t, m.CloseWrappedUp(ctx, chat, 0), session.ErrConflict, "the wrap-up over is the first conversation's")
		require.Equal(t, before, snap(t, b, chat))
		require.NoError(t, m.CloseWrappedUp(ctx, chat, 1))
	})
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		m, _ := setup(t)
		require.ErrorIs(t, m.CloseWrappedUp(ctx, "nope", 0), session.ErrNotFound)
	})
}
