package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

func TestSetOnHoldMarksTheSessionAndTellsTheCustomer(t *testing.T) {
	t.Parallel()
	// SPEC O6: the mark follows routing; when it changes the customer
	// alone is told, once however often the call is repeated.
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	b.transport.Reset()

	require.NoError(t, m.SetOnHold(ctx, chat, true, "Please hold on."))
	require.NoError(t, m.SetOnHold(ctx, chat, true, "Please hold on."))
	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.True(t, s.OnHold)
	got := b.transport.Received(customer)
	require.Len(t, got, 1)
	require.Equal(t, session.EntryNotice, got[0].Item.Type)
	require.Equal(t, session.Notice{Kind: session.NoticeOnHold}, got[0].Item.Notice)
	require.Equal(t, "Please hold on.", got[0].Item.Text)
	require.Empty(t, b.transport.Received(annP), "the owner is told by routing, not by the notice")

	require.NoError(t, m.SetOnHold(ctx, chat, false, "Thanks for waiting."))
	hist, err := m.History(ctx, chat, customer)
	require.NoError(t, err)
	require.Equal(t, []session.Notice{{Kind: session.NoticeOnHold}, {Kind: session.NoticeResumed}}, notices(hist))
	s, err = m.Session(ctx, chat)
	require.NoError(t, err)
	require.False(t, s.OnHold)

	// An empty text changes the mark and tells nobody.
	require.NoError(t, m.SetOnHold(ctx, chat, true, ""))
	hist, err = m.History(ctx, chat, customer)
	require.NoError(t, err)
	require.Len(t, notices(hist), 2)
	s, err = m.Session(ctx, chat)
	require.NoError(t, err)
	require.True(t, s.OnHold)

	require.ErrorIs(t, m.SetOnHold(ctx, "nope", true, "x"), session.ErrNotFound)

	// An agent-to-agent session has no hold.
	directoryFixture(b)
	a2a, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "hi")
	require.NoError(t, err)
	require.ErrorIs(t, m.SetOnHold(ctx, a2a.ID, true, "x"), session.ErrInvalid)
	s, err = m.Session(ctx, a2a.ID)
	require.NoError(t, err)
	require.False(t, s.OnHold)
	require.Equal(t, "on_hold", session.NoticeOnHold.String())
	require.Equal(t, "resumed", session.NoticeResumed.String())
}

func TestCustomerMessageOnHoldIsFlagged(t *testing.T) {
	t.Parallel()
	// SPEC O7: a customer's message on hold is flagged in agents' views,
	// never in the customer's; the owner's own messages are not flagged.
	m, _ := setup(t)
	chat := chatWithOwner(t, m)
	send(t, m, chat, customer, session.ModeNormal, "before")
	require.NoError(t, m.SetOnHold(ctx, chat, true, "Please hold on."))
	send(t, m, chat, customer, session.ModeNormal, "are you there?")
	send(t, m, chat, annP, session.ModeNormal, "one moment")
	require.NoError(t, m.SetOnHold(ctx, chat, false, "Thanks for waiting."))
	send(t, m, chat, customer, session.ModeNormal, "after")

	flagged := func(vs []session.View) map[string]bool {
		out := map[string]bool{}
		for _, v := range vs {
			if v.Type == session.EntryMessage {
				out[v.Text] = v.OnHold
			}
		}
		return out
	}
	hist, err := m.History(ctx, chat, annP)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"before": false, "are you there?": true, "one moment": false, "after": false}, flagged(hist))
	hist, err = m.History(ctx, chat, customer)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"before": false, "are you there?": false, "one moment": false, "after": false}, flagged(hist))
}
