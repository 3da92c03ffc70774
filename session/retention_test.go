package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// closedChat runs chat id to its close one minute after the clock's time.
func closedChat(t *testing.T, m *session.Manager, b *testBundle, id switchboard.ChatID) {
	t.Helper()
	b.clock.Add(time.Minute)
	_, err := m.Create(ctx, session.CustomerSession{ID: id, Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, id, ann)
	require.NoError(t, err)
	_, err = m.Send(ctx, id, session.Message{From: customer, Text: "hi from " + string(id)})
	require.NoError(t, err)
	_, err = m.Close(ctx, id, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
}

func TestForgetClosedKeepsThenForgets(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	closedChat(t, m, b, "c1")
	closedChat(t, m, b, "c2")
	cutoff := b.clock.Now().Add(time.Second)
	closedChat(t, m, b, "c3")
	_, err := m.Create(ctx, session.CustomerSession{ID: "open", Queue: "sales", Customer: "u2", CustomerName: "Dan"})
	require.NoError(t, err)
	want := map[switchboard.ChatID]snapshot{"c1": snap(t, b, "c1"), "c2": snap(t, b, "c2")}

	var got []switchboard.ChatID
	n, err := m.ForgetClosed(ctx, cutoff, func(_ context.Context, s session.Session, log []session.Entry) error {
		require.Equal(t, want[s.ID], snapshot{s, log}, "keep sees the session and its whole log")
		got = append(got, s.ID)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, []switchboard.ChatID{"c1", "c2"}, got, "oldest first, only those closed before the time")

	for _, id := range []switchboard.ChatID{"c1", "c2"} {
		_, err = m.Send(ctx, id, session.Message{From: customer, Text: "anyone there?"})
		require.ErrorIs(t, err, session.ErrNotFound, "a customer writing to a forgotten chat")
		_, err = m.History(ctx, id, customer)
		require.ErrorIs(t, err, session.ErrNotFound)
	}
	for _, id := range []switchboard.ChatID{"c3", "open"} {
		_, err = m.Session(ctx, id)
		require.NoError(t, err, "%s is kept", id)
	}

	n, err = m.ForgetClosed(ctx, b.clock.Now().Add(time.Hour), nil)
	require.NoError(t, err)
	require.Equal(t, 1, n, "without keep the session is just forgotten")
	_, err = m.Session(ctx, "c3")
	require.ErrorIs(t, err, session.ErrNotFound)
	_, err = m.Session(ctx, "open")
	require.NoError(t, err, "an open session is never forgotten")
}

func TestForgetClosedKeepsWhatKeepRefuses(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		closedChat(t, m, b, id)
	}
	archiveDown := errors.New("archive down")
	n, err := m.ForgetClosed(ctx, b.clock.Now().Add(time.Hour), func(_ context.Context, s session.Session, _ []session.Entry) error {
		if s.ID == "c2" {
			return archiveDown
		}
		return nil
	})
	require.ErrorIs(t, err, archiveDown)
	require.ErrorContains(t, err, "c2")
	require.Equal(t, 2, n, "the others are forgotten")
	before := snap(t, b, "c2")
	require.Equal(t, session.StatusClosed, before.state.Status, "c2 is kept whole")
	require.Len(t, before.log, 7)

	n, err = m.ForgetClosed(ctx, b.clock.Now().Add(time.Hour), func(context.Context, session.Session, []session.Entry) error { return nil })
	require.NoError(t, err)
	require.Equal(t, 1, n, "a later call forgets it")
}

func TestForgetClosedKeepsASessionThatChanged(t *testing.T) {
	t.Parallel()
	m, b := setup(t, func(c *session.Config) { c.AfterClose = switchboard.PolicyReopen })
	closedChat(t, m, b, "c1")
	n, err := m.ForgetClosed(ctx, b.clock.Now().Add(time.Hour), func(ctx context.Context, s session.Session, _ []session.Entry) error {
		// The customer writes again while the host is archiving.
		_, err := m.Send(ctx, s.ID, session.Message{From: customer, Text: "one more thing"})
		return err
	})
	require.NoError(t, err)
	require.Zero(t, n)
	s, err := m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusActive, s.Status, "the reopened session is kept")
	require.Contains(t, texts(history(t, m, "c1", customer)), "one more thing")
}

// storeOnly hides the optional interfaces of the store it wraps.
type storeOnly struct{ session.Store }

func TestForgetClosedNeedsARetentionStore(t *testing.T) {
	t.Parallel()
	_, b := setup(t)
	m, err := session.NewManager(storeOnly{b.store}, session.Config{})
	require.NoError(t, err)
	_, err = m.ForgetClosed(ctx, time.Now(), nil)
	require.ErrorIs(t, err, session.ErrUnavailable)
}

// SPEC S4: what keep is handed yields the customer's transcript (private
// notes left out) and the organisation's log (notes kept) exactly as the
// Manager gave them before the session was forgotten.
func TestForgetClosedHandsOverTranscriptAndOrganisationLog(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	send(t, m, chat, customer, session.ModeNormal, "my card is lost")
	send(t, m, chat, annP, session.ModeWhisper, "note: blocked it")
	send(t, m, chat, annP, session.ModeNormal, "blocked, new one on its way")
	_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	transcript, err := m.Transcript(ctx, chat)
	require.NoError(t, err)
	orgLog, err := m.OrganisationLog(ctx, chat)
	require.NoError(t, err)

	var keptTranscript []session.View
	var keptLog []session.LogLine
	n, err := m.ForgetClosed(ctx, b.clock.Now().Add(time.Second), func(_ context.Context, s session.Session, log []session.Entry) error {
		keptTranscript, keptLog = session.CustomerTranscript(&s, log), session.OrganisationLog(log)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, transcript, keptTranscript)
	require.Equal(t, orgLog, keptLog)
	require.NotContains(t, texts(keptTranscript), "note: blocked it")
	var notes []string
	for _, l := range keptLog {
		if l.InternalNote && l.Type == session.EntryMessage {
			notes = append(notes, l.Text)
		}
	}
	require.Equal(t, []string{"note: blocked it"}, notes)
	_, err = m.Transcript(ctx, chat)
	require.ErrorIs(t, err, session.ErrNotFound)
}
