package session_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// meddlingStore is an in-memory store that lets another process act on
// the session around the next append, as its mode says.
type meddlingStore struct {
	*sessionmem.Store
	mu     sync.Mutex
	meddle func()
	mode   meddling
	late   func()
}

// meddling says when the other process acts.
type meddling int

const (
	// meddleFirst acts, then applies the append.
	meddleFirst meddling = iota
	// meddleUnknown applies the append, acts, then reports
	// ErrOutcomeUnknown.
	meddleUnknown
	// meddleLate reports ErrOutcomeUnknown without applying the append,
	// which commits at the next session read, after the caller's
	// look-ups; then the other process acts.
	meddleLate
)

func (s *meddlingStore) AppendEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) ([]session.Entry, error) {
	s.mu.Lock()
	meddle := s.meddle
	s.meddle = nil
	s.mu.Unlock()
	if meddle == nil {
		return s.Store.AppendEntries(ctx, chat, v, e)
	}
	switch s.mode {
	case meddleUnknown:
		if _, err := s.Store.AppendEntries(ctx, chat, v, e); err != nil {
			return nil, err
		}
		meddle()
		return nil, fmt.Errorf("commit timed out: %w", session.ErrOutcomeUnknown)
	case meddleLate:
		// The commit in flight holds the entries as they were sent, as
		// a database's would: the caller may reuse its own.
		e := slices.Clone(e)
		s.mu.Lock()
		s.late = func() {
			if _, err := s.Store.AppendEntries(ctx, chat, v, e); err == nil {
				meddle()
			}
		}
		s.mu.Unlock()
		return nil, fmt.Errorf("commit timed out: %w", session.ErrOutcomeUnknown)
	}
	meddle()
	return s.Store.AppendEntries(ctx, chat, v, e)
}

// commitLate lets a late append commit.
func (s *meddlingStore) commitLate() {
	s.mu.Lock()
	late := s.late
	s.late = nil
	s.mu.Unlock()
	if late != nil {
		late()
	}
}

func (s *meddlingStore) GetSession(ctx context.Context, id switchboard.ChatID) (session.Session, error) {
	s.commitLate()
	return s.Store.GetSession(ctx, id)
}

// LendSession is a session read too: it lets a late append commit first.
func (s *meddlingStore) LendSession(ctx context.Context, id switchboard.ChatID) (*session.Session, error) {
	s.commitLate()
	return s.Store.LendSession(ctx, id)
}

// KeepEntries is AppendEntries, so that the meddling applies to it too.
func (s *meddlingStore) KeepEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) ([]session.Entry, error) {
	return s.AppendEntries(ctx, chat, v, e)
}

// redeliverSetup returns a Manager over a meddlingStore holding chat "c1"
// owned by Ann, a second Manager over the same data (another process), and
// the transport both deliver through.
func redeliverSetup(t *testing.T) (*session.Manager, *session.Manager, *meddlingStore, *sessionmem.Transport) {
	t.Helper()
	st, tr := &meddlingStore{Store: sessionmem.NewStore()}, sessionmem.NewTransport()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	m, err := session.NewManager(st, session.Config{Clock: clk, Transport: tr})
	require.NoError(t, err)
	other, err := session.NewManager(st.Store, session.Config{Clock: clk, Transport: tr})
	require.NoError(t, err)
	chatWithOwner(t, m)
	return m, other, st, tr
}

// messageSeqs returns the Seqs of the messages delivered to p in chat.
func messageSeqs(tr *sessionmem.Transport, p session.ParticipantID) []uint64 {
	var out []uint64
	for _, d := range tr.Received(p) {
		if d.Item.Type == session.EntryMessage {
			out = append(out, d.Item.Seq)
		}
	}
	return out
}

// requireCaughtUp checks that p, though it got no live delivery of the
// message with seq, finds it in its history: what was written before it
// joined reaches it through catch-up (SPEC S19).
func requireCaughtUp(t *testing.T, m *session.Manager, p session.ParticipantID, seq uint64) {
	t.Helper()
	h, err := m.CatchUp(ctx, "c1", p, 0, 0)
	require.NoError(t, err)
	for _, v := range h {
		if v.Seq == seq {
			return
		}
	}
	t.Fatalf("%s does not find message %d in its catch-up", p, seq)
}

// A message sent again with its ID is delivered again to those it reached
// when it was written, never to an agent who joined since: live delivery
// carries only what is written while the recipient is present; the rest is
// catch-up (SPEC S19).
func TestMessageSentAgainSkipsWhoJoinedSince(t *testing.T) {
	t.Parallel()
	m, _, _, tr := redeliverSetup(t)
	msg := session.Message{ID: "m-1", From: annP, Text: "hello"}
	sent, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", bob) // handed over: Ann stays, consulted
	require.NoError(t, err)
	require.Empty(t, messageSeqs(tr, bobP))

	again, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.Equal(t, sent.Seq, again.Seq)
	require.Equal(t, []uint64{sent.Seq, sent.Seq}, messageSeqs(tr, customer), "the customer was there: delivered again")
	require.Equal(t, []uint64{sent.Seq, sent.Seq}, messageSeqs(tr, annP), "the sender was there: delivered again")
	require.Empty(t, messageSeqs(tr, bobP), "Bob joined after it was written")
	requireCaughtUp(t, m, bobP, sent.Seq)
}

// A send whose write applied but whose outcome was unknown is delivered,
// once found, to those present when it was written, not to an agent who
// joined in the meantime (SPEC S19).
func TestOutcomeUnknownSendSkipsWhoJoinedMeanwhile(t *testing.T) {
	t.Parallel()
	m, other, st, tr := redeliverSetup(t)
	st.meddle, st.mode = func() {
		_, err := other.AssignOwner(ctx, "c1", bob)
		require.NoError(t, err)
	}, meddleUnknown
	sent, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
	require.NoError(t, err)
	s, err := m.Session(ctx, "c1")
	require.NoError(t, err)
	require.True(t, s.Participant(bobP).Present(), "Bob joined between the write and its look-up")
	require.Equal(t, []uint64{sent.Seq}, messageSeqs(tr, customer))
	require.Equal(t, []uint64{sent.Seq}, messageSeqs(tr, annP))
	require.Empty(t, messageSeqs(tr, bobP), "Bob joined after it was written")
	requireCaughtUp(t, m, bobP, sent.Seq)
}

// A send whose first write was not found when its outcome was unknown,
// and that committed late, is delivered, once the next attempt finds it,
// to those present when it was written, not to an agent who joined after
// it committed (SPEC S19).
func TestLateCommittedSendSkipsWhoJoinedAfter(t *testing.T) {
	t.Parallel()
	m, other, st, tr := redeliverSetup(t)
	st.meddle, st.mode = func() {
		_, err := other.AssignOwner(ctx, "c1", bob)
		require.NoError(t, err)
	}, meddleLate
	sent, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
	require.NoError(t, err)
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"), "stored once")
	s, err := m.Session(ctx, "c1")
	require.NoError(t, err)
	require.True(t, s.Participant(bobP).Present(), "Bob joined after the late commit")
	require.Equal(t, []uint64{sent.Seq}, messageSeqs(tr, customer))
	require.Equal(t, []uint64{sent.Seq}, messageSeqs(tr, annP))
	require.Empty(t, messageSeqs(tr, bobP), "Bob joined after it was written")
	requireCaughtUp(t, m, bobP, sent.Seq)
}

// When two sends of one message ID race, the one that finds the other's
// entry stored delivers it to those present when it was written, not to an
// agent who joined before the loser's write was tried (SPEC S19).
func TestRacingSendOfOneIDSkipsWhoJoinedMeanwhile(t *testing.T) {
	t.Parallel()
	m, other, st, tr := redeliverSetup(t)
	msg := session.Message{ID: "m-1", From: customer, Text: "hello"}
	var first session.Sent
	st.meddle, st.mode = func() {
		var err error
		first, err = other.Send(ctx, "c1", msg)
		require.NoError(t, err)
		_, err = other.AssignOwner(ctx, "c1", bob)
		require.NoError(t, err)
	}, meddleFirst
	sent, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.Equal(t, first.Seq, sent.Seq, "one message")
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
	require.Equal(t, []uint64{sent.Seq, sent.Seq}, messageSeqs(tr, annP), "each send delivers it to Ann")
	require.Empty(t, messageSeqs(tr, bobP), "Bob joined after it was written")
	requireCaughtUp(t, m, bobP, sent.Seq)
}
