package sessionmem_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func TestTransport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := session.AgentParticipant("a")
	d := session.Delivery{Chat: "c", Item: session.View{Seq: 1, Files: []session.File{{Name: "x"}}}}

	t.Run("records per participant and copies", func(t *testing.T) {
		t.Parallel()
		tr := sessionmem.NewTransport()
		require.NoError(t, tr.Deliver(ctx, p, d))
		d.Item.Files[0].Name = "changed"
		got := tr.Received(p)
		require.Equal(t, "x", got[0].Item.Files[0].Name)
		got[0].Item.Files[0].Name = "changed"
		require.Equal(t, "x", tr.Received(p)[0].Item.Files[0].Name)
		require.Empty(t, tr.Received(session.AgentParticipant("b")))
		tr.Reset()
		require.Empty(t, tr.Received(p))
	})
	t.Run("injected failure", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		tr := &sessionmem.Transport{Fail: func(session.ParticipantID, session.Delivery) error { return boom }}
		require.ErrorIs(t, tr.Deliver(ctx, p, d), boom)
		require.Empty(t, tr.Received(p))
	})
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		tr := sessionmem.NewTransport()
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, tr.Deliver(cctx, p, session.Delivery{}), context.Canceled)
		require.Empty(t, tr.Received(p))
	})
}

func TestDirectory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := sessionmem.NewDirectory(
		session.AgentInfo{ID: "a", Tenant: "t1", LoggedIn: true},
		session.AgentInfo{ID: "b", Tenant: "t1"},
		session.AgentInfo{ID: "c", Tenant: "t2", LoggedIn: true},
	)
	in, err := d.LoggedIn(ctx, "t1")
	require.NoError(t, err)
	require.Equal(t, []session.AgentInfo{{ID: "a", Tenant: "t1", LoggedIn: true}}, in)
	b, err := d.Agent(ctx, "b")
	require.NoError(t, err)
	require.False(t, b.LoggedIn)
	_, err = d.Agent(ctx, "zz")
	require.ErrorIs(t, err, session.ErrNotFound)
	d.Put(session.AgentInfo{ID: "b", Tenant: "t1", LoggedIn: true})
	in, err = d.LoggedIn(ctx, "t1")
	require.NoError(t, err)
	require.Len(t, in, 2)
}

// The in-memory store and transport run a session in one process, for
// tests and examples.
func Example() {
	ctx := context.Background()
	tr := sessionmem.NewTransport()
	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{Transport: tr,
		NewID: func() switchboard.ChatID { return "x" }})
	_, _ = m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
	_, _ = m.AssignOwner(ctx, "c1", session.AgentRef{ID: "a1", Name: "Ann"})
	_, _ = m.Send(ctx, "c1", session.Message{From: session.AgentParticipant("a1"), Mode: session.ModeWhisper, Text: "note"})
	_, _ = m.Send(ctx, "c1", session.Message{From: session.AgentParticipant("a1"), Text: "Hello Carol"})
	for _, d := range tr.Received(session.CustomerParticipant("u1")) {
		fmt.Printf("%d %s by %s %q\n", d.Item.Seq, d.Item.Type, d.Item.FromName, d.Item.Text)
	}
	// Output:
	// 1 created by Carol ""
	// 2 joined by Ann ""
	// 5 message by Ann "Hello Carol"
}
