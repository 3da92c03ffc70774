package session_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// Concurrent senders and membership changes on one session: every message
// is stored exactly once, sequence numbers have no gaps, and each
// participant receives its messages once each. Two Managers share the
// store, as two processes would share a database.
func TestConcurrentSendsAndJoins(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	other, err := session.NewManager(b.store, session.Config{Clock: b.clock, Transport: b.transport})
	require.NoError(t, err)
	chat := chatWithOwner(t, m)
	const each = 40
	var g group
	for i, sender := range []session.ParticipantID{customer, annP} {
		mgr := []*session.Manager{m, other}[i]
		g.Go(func() error {
			for n := range each {
				if _, err := mgr.Send(ctx, chat, session.Message{From: sender, Text: fmt.Sprintf("%s-%d", sender, n)}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		for _, a := range []session.AgentRef{bob, {ID: "cat", Name: "Cat"}, {ID: "dan", Name: "Dan"}} {
			if err := other.Invite(ctx, chat, "ann", a); err != nil {
				return err
			}
			if err := m.Join(ctx, chat, a.ID); err != nil {
				return err
			}
		}
		return m.Supervise(ctx, chat, sue, session.SupervisorMonitor)
	})
	require.NoError(t, g.Wait())

	log, err := b.store.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	seen := map[string]int{}
	for i, e := range log {
		require.Equal(t, uint64(i+1), e.Seq)
		if e.Type == session.EntryMessage {
			seen[e.Text]++
		}
	}
	require.Len(t, seen, 2*each)
	for text, n := range seen {
		require.Equal(t, 1, n, text)
	}
	for _, p := range []session.ParticipantID{customer, annP} {
		got := deliveredTexts(b.transport.Received(p))
		require.Len(t, got, 2*each, "%s", p)
		require.ElementsMatch(t, texts(history(t, m, chat, p)), got)
	}
}

// group runs functions concurrently and keeps the first error. (The
// module's golang.org/x/sync version needs a newer Go than go.mod names.)
type group struct {
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

func (g *group) Go(f func() error) {
	g.wg.Go(func() {
		if err := f(); err != nil {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.err == nil {
				g.err = err
			}
		}
	})
}

func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}

// A failed delivery does not fail the send; the participant catches up.
func TestDeliveryFailure(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var failed []session.ParticipantID
	tr := &sessionmem.Transport{Fail: func(to session.ParticipantID, d session.Delivery) error {
		if to == customer && d.Item.Type == session.EntryMessage {
			return errors.New("socket closed")
		}
		return nil
	}}
	m, _ := setup(t, func(c *session.Config) {
		c.Transport = tr
		c.OnDeliveryError = func(_ context.Context, chat switchboard.ChatID, to session.ParticipantID, err error) {
			mu.Lock()
			defer mu.Unlock()
			failed = append(failed, to)
		}
	})
	chat := chatWithOwner(t, m)
	sent := send(t, m, chat, annP, session.ModeNormal, "are you there?")
	require.Equal(t, []session.ParticipantID{customer}, failed)
	require.Empty(t, deliveredTexts(tr.Received(customer)))
	missed, err := m.CatchUp(ctx, chat, customer, sent.Seq-1, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"are you there?"}, texts(missed))
}

// A cancelled context stops the call before anything is written.
func TestCancelledContext(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	before := snap(t, b, chat)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := m.Send(cctx, chat, session.Message{From: customer, Text: "hi"})
	require.ErrorIs(t, err, context.Canceled)
	_, err = m.End(cctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, before, snap(t, b, chat))
}

// Concurrent customer messages to a closed session under PolicyNewLinked
// agree on one linked session.
func TestConcurrentLinkedSession(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	n := 0
	m, _ := setup(t, func(c *session.Config) {
		c.AfterClose = switchboard.PolicyNewLinked
		c.NewID = func() switchboard.ChatID {
			mu.Lock()
			defer mu.Unlock()
			n++
			return switchboard.ChatID(fmt.Sprintf("linked-%d", n))
		}
	})
	chat := chatWithOwner(t, m)
	_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	var g group
	chats := make([]switchboard.ChatID, 6)
	starts := make([]bool, len(chats))
	for i := range chats {
		g.Go(func() error {
			sent, err := m.Send(ctx, chat, session.Message{From: customer, Text: fmt.Sprint(i)})
			chats[i], starts[i] = sent.Chat, sent.AfterClose == switchboard.PolicyNewLinked
			return err
		})
	}
	require.NoError(t, g.Wait())
	old, err := m.Session(ctx, chat)
	require.NoError(t, err)
	for _, c := range chats {
		require.Equal(t, old.LinkedTo, c)
	}
	started := 0
	for _, s := range starts {
		if s {
			started++
		}
	}
	require.Equal(t, 1, started, "exactly one message reports the new session, so it is routed once")
	require.Len(t, texts(history(t, m, old.LinkedTo, customer)), len(chats))
}
