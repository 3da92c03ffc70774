package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/session"
)

func notices(vs []session.View) []session.Notice {
	var out []session.Notice
	for _, v := range vs {
		if v.Type == session.EntryNotice {
			out = append(out, v.Notice)
		}
	}
	return out
}

func TestNoticesReachOnlyTheCustomer(t *testing.T) {
	t.Parallel()
	// SPEC H5: a notice's audience is the customer alone; agents and
	// supervisors never see it, live or in history.
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorMonitor))
	b.transport.Reset()

	n := session.Notice{Kind: session.NoticePosition, Position: 2, Wait: time.Minute, Estimated: true}
	require.NoError(t, m.Notify(ctx, chat, "p2", n, "You are number 2 in the queue."))
	got := b.transport.Received(customer)
	require.Len(t, got, 1)
	require.Equal(t, session.EntryNotice, got[0].Item.Type)
	require.Equal(t, n, got[0].Item.Notice)
	require.Equal(t, "You are number 2 in the queue.", got[0].Item.Text)
	require.False(t, got[0].Item.Private)
	require.Empty(t, b.transport.Received(annP))
	require.Empty(t, b.transport.Received(sueP))

	hist, err := m.History(ctx, chat, customer)
	require.NoError(t, err)
	require.Equal(t, []session.Notice{n}, notices(hist))
	for _, p := range []session.ParticipantID{annP, sueP} {
		hist, err := m.History(ctx, chat, p)
		require.NoError(t, err)
		require.Empty(t, notices(hist), "%s sees no notice", p)
	}

	// The same notice again is stored once, and delivered with its first
	// sequence number.
	require.NoError(t, m.Notify(ctx, chat, "p2", n, "You are number 2 in the queue."))
	hist, err = m.History(ctx, chat, customer)
	require.NoError(t, err)
	require.Len(t, notices(hist), 1)
	again := b.transport.Received(customer)
	require.Equal(t, again[0].Item.Seq, again[len(again)-1].Item.Seq)

	// SPEC H7: the log tells a restarted process what the customer was
	// last told.
	last, ok, err := m.LastNotice(ctx, chat)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, n, last)
	require.NoError(t, m.Notify(ctx, chat, "t", session.Notice{Kind: session.NoticeTransferred}, "You are being transferred."))
	last, ok, err = m.LastNotice(ctx, chat)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 2, last.Position, "a notice with no position leaves the last position")
	_, ok, err = m.LastNotice(ctx, "nope")
	require.ErrorIs(t, err, session.ErrNotFound)
	require.False(t, ok)
}

func TestNotifyRefusesBadInput(t *testing.T) {
	t.Parallel()
	// SPEC H5: bad notices are refused and change nothing.
	m, _ := setup(t)
	chat := chatWithOwner(t, m)
	before, err := m.History(ctx, chat, customer)
	require.NoError(t, err)
	ok := session.Notice{Kind: session.NoticeQueued, Position: 1}
	require.ErrorIs(t, m.Notify(ctx, chat, "", ok, "text"), session.ErrInvalid)
	require.ErrorIs(t, m.Notify(ctx, chat, "id", ok, ""), session.ErrInvalid)
	require.ErrorIs(t, m.Notify(ctx, chat, "id", session.Notice{}, "text"), session.ErrInvalid)
	require.ErrorIs(t, m.Notify(ctx, chat, "id", session.Notice{Kind: 99}, "text"), session.ErrInvalid)
	require.ErrorIs(t, m.Notify(ctx, "nope", "id", ok, "text"), session.ErrNotFound)
	after, err := m.History(ctx, chat, customer)
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.Equal(t, "position", session.NoticePosition.String())
}
