package session_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

type testBundle struct {
	store     *sessionmem.Store
	transport *sessionmem.Transport
	clock     *clock.Mock
	dir       *sessionmem.Directory
	ids       int
}

var (
	ctx      = context.Background()
	customer = session.CustomerParticipant("u1")
	ann      = session.AgentRef{ID: "ann", Name: "Ann"}
	bob      = session.AgentRef{ID: "bob", Name: "Bob"}
	sue      = session.AgentRef{ID: "sue", Name: "Sue"}
	annP     = session.AgentParticipant("ann")
	bobP     = session.AgentParticipant("bob")
	sueP     = session.AgentParticipant("sue")
)

// testingT is what setup needs from *testing.T and *rapid.T.
type testingT interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// setup returns a Manager over in-memory ports with a mock clock; mutate
// adjusts the config first.
func setup(t testingT, mutate ...func(*session.Config)) (*session.Manager, *testBundle) {
	t.Helper()
	b := &testBundle{store: sessionmem.NewStore(), transport: sessionmem.NewTransport(), clock: clock.NewMock(),
		dir: sessionmem.NewDirectory()}
	b.clock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	cfg := session.Config{Clock: b.clock, Transport: b.transport, Directory: b.dir,
		NewID: func() switchboard.ChatID { b.ids++; return switchboard.ChatID(fmt.Sprintf("gen-%d", b.ids)) },
		Queues: map[switchboard.QueueID]session.QueueConfig{
			"sales": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale"}}, WrapUpTime: 30 * time.Second},
		}}
	for _, f := range mutate {
		f(&cfg)
	}
	m, err := session.NewManager(b.store, cfg)
	require.NoError(t, err)
	return m, b
}

// chatWithOwner creates customer session "c1" on queue sales owned by Ann.
func chatWithOwner(t testingT, m *session.Manager) switchboard.ChatID {
	t.Helper()
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", ann)
	require.NoError(t, err)
	return "c1"
}

func send(t *testing.T, m *session.Manager, chat switchboard.ChatID, from session.ParticipantID, mode session.Mode, text string) session.Sent {
	t.Helper()
	s, err := m.Send(ctx, chat, session.Message{From: from, Mode: mode, Text: text})
	require.NoError(t, err)
	return s
}

func texts(vs []session.View) []string {
	var out []string
	for _, v := range vs {
		if v.Type == session.EntryMessage {
			out = append(out, v.Text)
		}
	}
	return out
}

func deliveredTexts(ds []session.Delivery) []string {
	var out []string
	for _, d := range ds {
		if d.Item.Type == session.EntryMessage {
			out = append(out, d.Item.Text)
		}
	}
	return out
}

func history(t *testing.T, m *session.Manager, chat switchboard.ChatID, viewer session.ParticipantID) []session.View {
	t.Helper()
	h, err := m.History(ctx, chat, viewer)
	require.NoError(t, err)
	return h
}

// snapshot captures a session's state and full log to prove that a call
// changed nothing.
type snapshot struct {
	state session.Session
	log   []session.Entry
}

func snap(t *testing.T, b *testBundle, chat switchboard.ChatID) snapshot {
	t.Helper()
	s, err := b.store.GetSession(ctx, chat)
	require.NoError(t, err)
	log, err := b.store.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	return snapshot{s, log}
}
