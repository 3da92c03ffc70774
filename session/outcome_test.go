package session_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// failure says what a flakyStore does to the next matching write.
type failure int

const (
	applyThenUnknown  failure = iota + 1 // applies the write, then reports ErrOutcomeUnknown
	applyThenError                       // applies the write, then reports a plain error
	unknownNotApplied                    // applies nothing and reports ErrOutcomeUnknown
	conflictFirst                        // another writer bumps the version first
	applyThenBlind                       // applies, reports ErrOutcomeUnknown, and lookups fail from then on
	lateCommit                           // reports ErrOutcomeUnknown and applies at the next session read, after the look-ups
)

// flakyStore is an in-memory store whose writes fail as scripted: each
// write method takes the next failure queued for it.
type flakyStore struct {
	*sessionmem.Store
	mu      sync.Mutex
	next    map[string][]failure
	lookups error  // returned by EntryByID when set
	late    func() // a write that commits at the next GetSession
	foreign bool   // the next append finds its last entry's ID taken by Ann
}

func newFlaky() *flakyStore {
	return &flakyStore{Store: sessionmem.NewStore(), next: map[string][]failure{}}
}

func (f *flakyStore) queue(method string, fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next[method] = append(f.next[method], fs...)
}

func (f *flakyStore) take(method string) failure {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.next[method]
	if len(q) == 0 {
		return 0
	}
	f.next[method] = q[1:]
	return q[0]
}

// write runs apply as the failure queued for method says.
func (f *flakyStore) write(ctx context.Context, method string, chat switchboard.ChatID,
	apply func() ([]session.Entry, error)) ([]session.Entry, error) {
	switch f.take(method) {
	case applyThenUnknown:
		if _, err := apply(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("commit timed out: %w", session.ErrOutcomeUnknown)
	case applyThenError:
		if _, err := apply(); err != nil {
			return nil, err
		}
		return nil, errStoreDown
	case applyThenBlind:
		if _, err := apply(); err != nil {
			return nil, err
		}
		f.mu.Lock()
		f.lookups = errStoreDown
		f.mu.Unlock()
		return nil, fmt.Errorf("commit timed out: %w", session.ErrOutcomeUnknown)
	case unknownNotApplied:
		return nil, fmt.Errorf("connection reset: %w", session.ErrOutcomeUnknown)
	case lateCommit:
		f.mu.Lock()
		f.late = func() { _, _ = apply() }
		f.mu.Unlock()
		return nil, fmt.Errorf("commit timed out: %w", session.ErrOutcomeUnknown)
	case conflictFirst:
		cur, err := f.Store.GetSession(ctx, chat)
		if err != nil {
			return nil, err
		}
		if _, err := f.Store.UpdateSession(ctx, cur, nil); err != nil {
			return nil, err
		}
	}
	return apply()
}

func (f *flakyStore) GetSession(ctx context.Context, id switchboard.ChatID) (session.Session, error) {
	f.mu.Lock()
	late := f.late
	f.late = nil
	f.mu.Unlock()
	if late != nil {
		late()
	}
	return f.Store.GetSession(ctx, id)
}

// LendSession is a session read too: it lets a late write commit first.
func (f *flakyStore) LendSession(ctx context.Context, id switchboard.ChatID) (*session.Session, error) {
	f.mu.Lock()
	late := f.late
	f.late = nil
	f.mu.Unlock()
	if late != nil {
		late()
	}
	return f.Store.LendSession(ctx, id)
}

func (f *flakyStore) CreateSession(ctx context.Context, s session.Session, e []session.Entry) ([]session.Entry, error) {
	return f.write(ctx, "create", s.ID, func() ([]session.Entry, error) { return f.Store.CreateSession(ctx, s, e) })
}

func (f *flakyStore) UpdateSession(ctx context.Context, s session.Session, e []session.Entry) ([]session.Entry, error) {
	return f.write(ctx, "update", s.ID, func() ([]session.Entry, error) { return f.Store.UpdateSession(ctx, s, e) })
}

// KeepSession fails as scripted for UpdateSession.
func (f *flakyStore) KeepSession(ctx context.Context, s *session.Session, e []session.Entry) ([]session.Entry, error) {
	return f.UpdateSession(ctx, *s, e)
}

// KeepEntries fails as scripted for AppendEntries.
func (f *flakyStore) KeepEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) ([]session.Entry, error) {
	return f.AppendEntries(ctx, chat, v, e)
}

func (f *flakyStore) AppendEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) ([]session.Entry, error) {
	f.mu.Lock()
	foreign := f.foreign
	f.foreign = false
	f.mu.Unlock()
	if foreign {
		other := session.Entry{ID: e[len(e)-1].ID, Type: session.EntryMessage, Audience: session.Everyone(), From: annP, Text: "mine"}
		if _, err := f.Store.AppendEntries(ctx, chat, v, []session.Entry{other}); err != nil {
			return nil, err
		}
	}
	return f.write(ctx, "append", chat, func() ([]session.Entry, error) { return f.Store.AppendEntries(ctx, chat, v, e) })
}

func (f *flakyStore) EntryByID(ctx context.Context, chat switchboard.ChatID, id string) (session.Entry, error) {
	f.mu.Lock()
	err := f.lookups
	f.mu.Unlock()
	if err != nil {
		return session.Entry{}, err
	}
	return f.Store.EntryByID(ctx, chat, id)
}

// flakySetup returns a Manager over a flakyStore holding chat "c1" owned
// by Ann, with deliveries recorded.
func flakySetup(t *testing.T) (*session.Manager, *flakyStore, *sessionmem.Transport) {
	t.Helper()
	st, tr := newFlaky(), sessionmem.NewTransport()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	m, err := session.NewManager(st, session.Config{Clock: clk, Transport: tr})
	require.NoError(t, err)
	chatWithOwner(t, m)
	tr.Reset()
	return m, st, tr
}

// messagesIn returns the texts of chat's stored messages.
func messagesIn(t *testing.T, st session.Store, chat switchboard.ChatID) []string {
	t.Helper()
	log, err := st.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	var out []string
	for _, e := range log {
		if e.Type == session.EntryMessage {
			out = append(out, e.Text)
		}
	}
	return out
}

func TestSendResolvesAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		msg  session.Message
	}{
		{"client ID", session.Message{ID: "m-1", From: customer, Text: "hello"}},
		{"no client ID", session.Message{From: customer, Text: "hello"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, st, tr := flakySetup(t)
			st.queue("append", applyThenUnknown)
			sent, err := m.Send(ctx, "c1", c.msg)
			require.NoError(t, err, "the write applied: the send succeeded")
			require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"), "stored once")
			require.Equal(t, "hello", sent.Text)
			got := tr.Received(annP)
			require.Len(t, got, 1, "delivered once")
			require.Equal(t, sent.Seq, got[0].Item.Seq)
			require.Len(t, tr.Received(customer), 1)
		})
	}
}

func TestSendRetriesAWriteThatDidNotApply(t *testing.T) {
	t.Parallel()
	m, st, tr := flakySetup(t)
	st.queue("append", unknownNotApplied)
	sent, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
	require.NoError(t, err)
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
	require.Equal(t, []uint64{sent.Seq}, seqs(tr.Received(annP)))
}

func TestSendAfterAVersionConflictThenAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	m, st, tr := flakySetup(t)
	st.queue("append", conflictFirst, applyThenUnknown)
	sent, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
	require.NoError(t, err)
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
	require.Equal(t, []uint64{sent.Seq}, seqs(tr.Received(annP)))

	st.queue("append", conflictFirst)
	_, err = m.Send(ctx, "c1", session.Message{ID: "m-2", From: annP, Text: "hi"})
	require.NoError(t, err, "a send after a version conflict still works")
	require.Equal(t, []string{"hello", "hi"}, messagesIn(t, st, "c1"))
}

func TestHostRetryWithTheSameMessageIDStoresOnce(t *testing.T) {
	t.Parallel()
	m, st, tr := flakySetup(t)
	st.queue("append", applyThenError)
	msg := session.Message{ID: "m-1", From: customer, Text: "hello"}
	_, err := m.Send(ctx, "c1", msg)
	require.ErrorIs(t, err, errStoreDown)
	require.Empty(t, tr.Received(annP), "a failed send delivers nothing")

	sent, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"), "stored once")
	require.Equal(t, []uint64{sent.Seq}, seqs(tr.Received(annP)), "delivered once")

	again, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.Equal(t, sent, again, "a repeated send returns the stored message")
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
	require.Equal(t, []uint64{sent.Seq, sent.Seq}, seqs(tr.Received(annP)),
		"a repeat is delivered again with the same Seq")
}

func TestRetriedSendDoesNotReopenAClosedSession(t *testing.T) {
	t.Parallel()
	m, st, _ := flakySetup(t)
	msg := session.Message{ID: "m-1", From: customer, Text: "bye"}
	first, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	_, err = m.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	again, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.Equal(t, first.Seq, again.Seq)
	require.Zero(t, again.AfterClose)
	s, err := m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status, "the repeat did not reopen the session")
	require.Equal(t, []string{"bye"}, messagesIn(t, st, "c1"))
}

func TestMessageIDOfAnotherSender(t *testing.T) {
	t.Parallel()
	m, st, _ := flakySetup(t)
	_, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
	require.NoError(t, err)
	before := snapOf(t, st, "c1")
	_, err = m.Send(ctx, "c1", session.Message{ID: "m-1", From: annP, Text: "hi"})
	require.ErrorIs(t, err, session.ErrDuplicate)
	require.Equal(t, before, snapOf(t, st, "c1"))
}

func TestMessageIDTakenByAnotherSenderMeanwhile(t *testing.T) {
	t.Parallel()
	m, st, _ := flakySetup(t)
	st.mu.Lock()
	st.foreign = true
	st.mu.Unlock()
	_, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
	require.ErrorIs(t, err, session.ErrDuplicate, "the customer's message is not confused with Ann's")
	require.Equal(t, []string{"mine"}, messagesIn(t, st, "c1"))
}

func TestMessageIDTooLong(t *testing.T) {
	t.Parallel()
	m, st, _ := flakySetup(t)
	before := snapOf(t, st, "c1")
	_, err := m.Send(ctx, "c1", session.Message{ID: strings.Repeat("x", session.MaxMessageIDBytes+1), From: customer, Text: "hi"})
	require.ErrorIs(t, err, session.ErrInvalid)
	_, err = m.Send(ctx, "c1", session.Message{ID: "\xff", From: customer, Text: "hi"})
	require.ErrorIs(t, err, session.ErrInvalid)
	require.Equal(t, before, snapOf(t, st, "c1"))
	_, err = m.Send(ctx, "c1", session.Message{ID: strings.Repeat("x", session.MaxMessageIDBytes), From: customer, Text: "hi"})
	require.NoError(t, err)
}

func TestStateWritesResolveAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	t.Run("update with entries", func(t *testing.T) {
		t.Parallel()
		m, st, tr := flakySetup(t)
		st.queue("update", applyThenUnknown)
		require.NoError(t, m.Invite(ctx, "c1", "ann", bob))
		s, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		require.NotNil(t, s.Participant(bobP))
		log, err := st.ReadEntries(ctx, "c1", 0, 0)
		require.NoError(t, err)
		invites := 0
		for _, e := range log {
			if e.Type == session.EntryInvited {
				invites++
			}
		}
		require.Equal(t, 1, invites, "stored once")
		require.Len(t, tr.Received(bobP), 1, "the invitation is delivered once")
	})
	t.Run("update without entries", func(t *testing.T) {
		t.Parallel()
		m, st, _ := flakySetup(t)
		before, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		st.queue("update", applyThenUnknown)
		require.NoError(t, m.SetAttribute(ctx, "c1", session.Attribute{Name: "plan", Value: "gold"}))
		s, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, before.Version+1, s.Version, "applied once")
		require.Equal(t, "gold", s.Attributes[len(s.Attributes)-1].Value)
	})
	t.Run("update that did not apply", func(t *testing.T) {
		t.Parallel()
		m, st, _ := flakySetup(t)
		before, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		st.queue("update", unknownNotApplied)
		require.NoError(t, m.SetAttribute(ctx, "c1", session.Attribute{Name: "plan", Value: "gold"}))
		s, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, before.Version+1, s.Version)
	})
	t.Run("create", func(t *testing.T) {
		t.Parallel()
		st, tr := newFlaky(), sessionmem.NewTransport()
		m, err := session.NewManager(st, session.Config{Clock: clock.NewMock(), Transport: tr})
		require.NoError(t, err)
		st.queue("create", applyThenUnknown)
		s, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		require.Equal(t, uint64(1), s.Version)
		require.Len(t, tr.Received(customer), 1, "the creation is delivered once")

		st.queue("create", unknownNotApplied)
		_, err = m.Create(ctx, session.CustomerSession{ID: "c2", Queue: "sales", Customer: "u2", CustomerName: "Dan"})
		require.NoError(t, err)
		got, err := m.Session(ctx, "c2")
		require.NoError(t, err)
		require.Equal(t, uint64(1), got.Version)

		st.queue("create", applyThenUnknown)
		_, err = m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u9", CustomerName: "Eve"})
		require.ErrorIs(t, err, session.ErrExists, "another create's session is not taken for this one")
	})
}

func TestAWriteThatCommitsLateIsFound(t *testing.T) {
	t.Parallel()
	t.Run("end", func(t *testing.T) {
		t.Parallel()
		m, st, tr := flakySetup(t)
		st.queue("update", lateCommit)
		w, err := m.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
		require.NoError(t, err, "the end landed: it is reported, not refused as already ended")
		require.Equal(t, "sold", w.Reason)
		ends := 0
		for _, d := range tr.Received(annP) {
			if d.Item.Type == session.EntryEnded {
				ends++
			}
		}
		require.Equal(t, 1, ends, "stored and delivered once")
	})
	t.Run("send", func(t *testing.T) {
		t.Parallel()
		m, st, tr := flakySetup(t)
		st.queue("append", lateCommit)
		sent, err := m.Send(ctx, "c1", session.Message{From: customer, Text: "hello"})
		require.NoError(t, err)
		require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
		require.Equal(t, []uint64{sent.Seq}, seqs(tr.Received(annP)))
	})
	t.Run("attribute", func(t *testing.T) {
		t.Parallel()
		m, st, _ := flakySetup(t)
		before, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		st.queue("update", lateCommit)
		require.NoError(t, m.SetAttribute(ctx, "c1", session.Attribute{Name: "plan", Value: "gold"}))
		s, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, before.Version+1, s.Version, "applied once")
	})
}

func TestUnresolvableOutcomeIsReported(t *testing.T) {
	t.Parallel()
	m, st, tr := flakySetup(t)
	st.queue("append", applyThenBlind)
	msg := session.Message{ID: "m-1", From: customer, Text: "hello"}
	_, err := m.Send(ctx, "c1", msg)
	require.ErrorIs(t, err, session.ErrOutcomeUnknown)
	require.Empty(t, tr.Received(annP))

	st.mu.Lock()
	st.lookups = nil
	st.mu.Unlock()
	sent, err := m.Send(ctx, "c1", msg)
	require.NoError(t, err, "the host retries with the same message ID")
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
	require.Equal(t, []uint64{sent.Seq}, seqs(tr.Received(annP)))
}

func TestConcurrentRetriesStoreOnce(t *testing.T) {
	t.Parallel()
	m, st, _ := flakySetup(t)
	var wg sync.WaitGroup
	seqCh := make(chan uint64, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent, err := m.Send(ctx, "c1", session.Message{ID: "m-1", From: customer, Text: "hello"})
			if err != nil {
				t.Error(err)
				return
			}
			seqCh <- sent.Seq
		}()
	}
	wg.Wait()
	close(seqCh)
	require.Equal(t, []string{"hello"}, messagesIn(t, st, "c1"))
	var first uint64
	for s := range seqCh {
		if first == 0 {
			first = s
		}
		require.Equal(t, first, s, "every sender sees the one stored message")
	}
}

func seqs(ds []session.Delivery) []uint64 {
	var out []uint64
	for _, d := range ds {
		out = append(out, d.Item.Seq)
	}
	return out
}

func snapOf(t *testing.T, st session.Store, chat switchboard.ChatID) snapshot {
	t.Helper()
	s, err := st.GetSession(ctx, chat)
	require.NoError(t, err)
	log, err := st.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	return snapshot{s, log}
}
