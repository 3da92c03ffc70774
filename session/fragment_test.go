package session_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// holdFilter is a fake inbound filter that holds back the digits ending a
// message for a minute: a next message of digits only that brings the
// total to 12 completes a number (the mask stays), anything else reveals
// them. before, when set, runs inside Filter.
type holdFilter struct {
	mu     sync.Mutex
	before func(in session.FilterInput)
	out    func(in session.FilterInput, out *session.FilterOutput)
}

func endsWithDigit(s string) bool { return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9' }

func (f *holdFilter) Filter(_ context.Context, in session.FilterInput) (session.FilterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.before != nil {
		f.before(in)
	}
	out := session.FilterOutput{Text: in.Text}
	for _, r := range in.Recent {
		if !r.Held {
			continue
		}
		if strings.Trim(in.Text, "0123456789 ") == "" && digits(r.Text)+digits(in.Text) >= 12 {
			out.Text = mask(in.Text)
			continue // completed: the mask stays
		}
		out.Corrections = append(out.Corrections, session.Correction{Seq: r.Seq, Text: r.Text})
	}
	if endsWithDigit(in.Text) && out.Text == in.Text {
		out.Held, out.HeldUntil, out.Text = in.Text, in.At.Add(time.Minute), mask(in.Text)
	}
	if f.out != nil {
		f.out(in, &out)
	}
	return out, nil
}

func TestHeldFragments(t *testing.T) {
	t.Parallel()
	setupHeld := func(t *testing.T, f *holdFilter) (*session.Manager, *testBundle, *sessionmem.FragmentStore) {
		frags := sessionmem.NewFragmentStore()
		m, b := setup(t, func(c *session.Config) { c.Filter, c.Fragments = f, frags })
		return m, b, frags
	}
	held := func(t *testing.T, frags *sessionmem.FragmentStore) []session.Fragment {
		t.Helper()
		fs, err := frags.ExpiredFragments(ctx, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)
		require.NoError(t, err)
		return fs
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		// SPEC P1, P4: held digits are masked in the log and in deliveries,
		// and kept masked when the next message completes the number.
		m, b, frags := setupHeld(t, &holdFilter{})
		chat := chatWithOwner(t, m)
		first := send(t, m, chat, customer, session.ModeNormal, "card 411111")
		require.Equal(t, "card ******", first.Text)
		require.Equal(t, []string{"card ******"}, deliveredTexts(b.transport.Received(annP)))
		fs := held(t, frags)
		require.Len(t, fs, 1)
		require.Equal(t, "card 411111", fs[0].Text)
		require.Equal(t, b.clock.Now().Add(time.Minute), fs[0].Until)
		second := send(t, m, chat, customer, session.ModeNormal, "111111")
		require.Equal(t, "******", second.Text)
		require.Empty(t, held(t, frags))
		require.Equal(t, []string{"card ******", "******"}, deliveredTexts(b.transport.Received(annP)))
		n, err := m.ExpireFragments(ctx, 0)
		require.NoError(t, err)
		require.Zero(t, n)
	})

	t.Run("RevealedByTheNextMessage", func(t *testing.T) {
		t.Parallel()
		m, b, frags := setupHeld(t, &holdFilter{})
		chat := chatWithOwner(t, m)
		first := send(t, m, chat, customer, session.ModeNormal, "room 12")
		send(t, m, chat, customer, session.ModeNormal, "please")
		require.Empty(t, held(t, frags))
		require.Contains(t, texts(history(t, m, chat, annP)), "room 12")
		var fixed []string
		for _, d := range b.transport.Received(annP) {
			if d.Item.Type == session.EntryCorrection && d.Item.Ref == first.Seq {
				fixed = append(fixed, d.Item.Text)
			}
		}
		require.Equal(t, []string{"room 12"}, fixed)
	})

	t.Run("RevealedWhenDue", func(t *testing.T) {
		t.Parallel()
		m, b, frags := setupHeld(t, &holdFilter{})
		chat := chatWithOwner(t, m)
		send(t, m, chat, customer, session.ModeNormal, "room 12")
		b.clock.Add(time.Minute)
		n, err := m.ExpireFragments(ctx, 0)
		require.NoError(t, err)
		require.Zero(t, n, "due after the deadline, not at it")
		require.Contains(t, texts(history(t, m, chat, annP)), "room **")
		b.clock.Add(time.Millisecond)
		n, err = m.ExpireFragments(ctx, 0)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Contains(t, texts(history(t, m, chat, annP)), "room 12")
		require.Empty(t, held(t, frags))
	})

	t.Run("MessageNeverStored", func(t *testing.T) {
		t.Parallel()
		m, b, frags := setupHeld(t, &holdFilter{})
		chat := chatWithOwner(t, m)
		require.NoError(t, frags.PutFragment(ctx, session.Fragment{Chat: chat, Sender: customer, Message: "lost", Text: "x 1",
			At: b.clock.Now(), Until: b.clock.Now().Add(time.Second)}))
		b.clock.Add(time.Minute)
		n, err := m.ExpireFragments(ctx, 0)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Empty(t, held(t, frags), "deleted all the same")
	})

	t.Run("WithoutAFragmentStoreTheMaskStays", func(t *testing.T) {
		t.Parallel()
		m, _ := setup(t, func(c *session.Config) { c.Filter = &holdFilter{} })
		chat := chatWithOwner(t, m)
		first := send(t, m, chat, customer, session.ModeNormal, "room 12")
		require.Equal(t, "room **", first.Text)
		send(t, m, chat, customer, session.ModeNormal, "please")
		require.Contains(t, texts(history(t, m, chat, annP)), "room **")
		n, err := m.ExpireFragments(ctx, 0)
		require.NoError(t, err)
		require.Zero(t, n)
	})

	t.Run("ErrFiltered", func(t *testing.T) {
		t.Parallel()
		for name, bad := range map[string]func(session.FilterInput, *session.FilterOutput){
			"HoldingAMessageNotHeld": func(in session.FilterInput, out *session.FilterOutput) {
				out.Holding = []uint64{in.Recent[len(in.Recent)-1].Seq + 100}
			},
			"HeldUntilNow": func(in session.FilterInput, out *session.FilterOutput) {
				out.Held, out.HeldUntil = in.Text, in.At
			},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f := &holdFilter{}
				m, b, frags := setupHeld(t, f)
				chat := chatWithOwner(t, m)
				send(t, m, chat, customer, session.ModeNormal, "room 12")
				f.mu.Lock()
				f.out = bad
				f.mu.Unlock()
				before := snap(t, b, chat)
				_, err := m.Send(ctx, chat, session.Message{From: customer, Text: "hello 5"})
				require.ErrorIs(t, err, session.ErrFiltered)
				require.Equal(t, before, snap(t, b, chat), "nothing stored")
				require.Len(t, held(t, frags), 1, "the held message stays held")
			})
		}
	})

	t.Run("ReleasedConcurrently", func(t *testing.T) {
		t.Parallel()
		// The window closes while the next message is filtered and another
		// process claims the held message to reveal it: a next message
		// that completes the number is refused with ErrConflict and stores
		// nothing (sent again, it sees the message as revealed); one that
		// does not complete it leaves the reveal to that process.
		for _, c := range []struct{ name, text string }{{"Completing", "111111"}, {"NotCompleting", "please"}} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				f := &holdFilter{}
				m, b, frags := setupHeld(t, f)
				chat := chatWithOwner(t, m)
				first := send(t, m, chat, customer, session.ModeNormal, "card 411111")
				f.mu.Lock()
				f.before = func(in session.FilterInput) { _ = frags.DeleteFragment(ctx, chat, in.Recent[0].ID) }
				f.mu.Unlock()
				before := snap(t, b, chat)
				_, err := m.Send(ctx, chat, session.Message{From: customer, Text: c.text})
				if c.name == "Completing" {
					require.ErrorIs(t, err, session.ErrConflict)
					require.Equal(t, before, snap(t, b, chat), "nothing stored")
				} else {
					require.NoError(t, err)
				}
				require.Contains(t, texts(history(t, m, chat, annP)), "card ******", "not revealed here")
				for _, d := range b.transport.Received(annP) {
					require.False(t, d.Item.Type == session.EntryCorrection && d.Item.Ref == first.Seq, "no correction from this send")
				}
			})
		}
	})
}
