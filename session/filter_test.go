package session_test

import (
	"context"
	"errors"
	"github.com/switchboard-cc/switchboard"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard/session"
)

// maskFilter is a fake inbound filter: it masks digits once the sender's
// last message and the new one hold 12 digits or more between them, and
// corrects the last message when the number was split over both.
type maskFilter struct {
	mu     sync.Mutex
	fail   error
	bogus  bool // return a correction for a message that is not the sender's
	inputs []session.FilterInput
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

func mask(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '*'
		}
		return r
	}, s)
}

func (f *maskFilter) Filter(_ context.Context, in session.FilterInput) (session.FilterOutput, error) {
	f.mu.Lock()
	f.inputs = append(f.inputs, in)
	f.mu.Unlock()
	if f.fail != nil {
		return session.FilterOutput{}, f.fail
	}
	if f.bogus {
		return session.FilterOutput{Text: in.Text, Corrections: []session.Correction{{Seq: 1, Text: "x"}}}, nil
	}
	out := session.FilterOutput{Text: in.Text}
	if digits(in.Text) >= 12 {
		out.Text = mask(in.Text)
	}
	if n := len(in.Recent); n > 0 && digits(in.Text) > 0 {
		last := in.Recent[n-1]
		if d := digits(last.Text); d > 0 && d+digits(in.Text) >= 12 {
			out.Text = mask(in.Text)
			out.Corrections = []session.Correction{{Seq: last.Seq, Text: mask(last.Text)}}
		}
	}
	return out, nil
}

func TestInboundFilter(t *testing.T) {
	t.Parallel()
	t.Run("rewrites before storing or delivering", func(t *testing.T) {
		t.Parallel()
		f := &maskFilter{}
		m, b := setup(t, func(c *session.Config) { c.Filter = f })
		chat := chatWithOwner(t, m)
		sent := send(t, m, chat, customer, session.ModeNormal, "card 4111 1111 1111 1111")
		require.Equal(t, "card **** **** **** ****", sent.Text)
		for _, p := range []session.ParticipantID{customer, annP} {
			require.NotContains(t, strings.Join(deliveredTexts(b.transport.Received(p)), "|"), "4111")
			require.NotContains(t, strings.Join(texts(history(t, m, chat, p)), "|"), "4111")
		}
		org, err := m.OrganisationLog(ctx, chat)
		require.NoError(t, err)
		for _, l := range org {
			require.NotContains(t, l.Text, "4111")
		}
	})
	t.Run("corrects a number split over two messages", func(t *testing.T) {
		t.Parallel()
		f := &maskFilter{}
		m, b := setup(t, func(c *session.Config) { c.Filter = f })
		chat := chatWithOwner(t, m)
		send(t, m, chat, annP, session.ModeNormal, "hello")
		first := send(t, m, chat, customer, session.ModeNormal, "it is 4111 1111")
		require.Equal(t, "it is 4111 1111", first.Text, "8 digits alone are left alone")
		second := send(t, m, chat, customer, session.ModeNormal, "1111 1111")
		require.Equal(t, "**** ****", second.Text)

		in := f.inputs[len(f.inputs)-1]
		require.Equal(t, customer, in.Sender)
		require.Len(t, in.Recent, 1, "the sender's own recent messages only")
		require.Equal(t, first.Seq, in.Recent[0].Seq)
		require.Equal(t, "it is 4111 1111", in.Recent[0].Text)
		require.False(t, in.Recent[0].At.IsZero(), "the filter sees when each message was sent")
		require.False(t, in.At.IsZero())

		log := snap(t, b, chat).log
		require.Equal(t, "it is **** ****", log[first.Seq-1].Text, "the stored message is corrected")
		for _, p := range []session.ParticipantID{customer, annP} {
			var fixes []session.View
			for _, d := range b.transport.Received(p) {
				if d.Item.Type == session.EntryCorrection {
					fixes = append(fixes, d.Item)
				}
			}
			require.Len(t, fixes, 1, "%s", p)
			require.Equal(t, first.Seq, fixes[0].Ref)
			require.Equal(t, "it is **** ****", fixes[0].Text)
			require.Equal(t, []string{"hello", "it is **** ****", "**** ****"}, texts(history(t, m, chat, p)))
		}
	})
	t.Run("corrections follow the corrected message's visibility", func(t *testing.T) {
		t.Parallel()
		f := &maskFilter{}
		m, b := setup(t, func(c *session.Config) { c.Filter = f; c.History = switchboard.HistoryFromJoin })
		chat := chatWithOwner(t, m)
		first := send(t, m, chat, annP, session.ModeWhisper, "ref 4111 1111")
		require.NoError(t, m.Invite(ctx, chat, "ann", bob))
		require.NoError(t, m.Join(ctx, chat, "bob"))
		send(t, m, chat, annP, session.ModeWhisper, "1111 1111")
		for _, c := range []struct {
			p    session.ParticipantID
			want int
		}{{annP, 1}, {bobP, 0}, {customer, 0}} {
			n := 0
			for _, d := range b.transport.Received(c.p) {
				if d.Item.Type == session.EntryCorrection {
					n++
					require.Equal(t, first.Seq, d.Item.Ref)
				}
			}
			require.Equal(t, c.want, n, "%s", c.p)
		}
	})
	t.Run("an offer's prompt is filtered too", func(t *testing.T) {
		t.Parallel()
		f := &maskFilter{}
		m, b := setup(t, func(c *session.Config) { c.Filter = f })
		chat := chatWithOwner(t, m)
		require.NoError(t, m.OfferOptions(ctx, chat, "ann", "Pay with 4111 1111 1111 1111?", []session.Option{{ID: "y", Label: "Yes"}}))
		got := b.transport.Received(customer)
		require.Equal(t, "Pay with **** **** **** ****?", got[len(got)-1].Item.Text)
		f.fail = errors.New("down")
		before := snap(t, b, chat)
		require.ErrorIs(t, m.OfferOptions(ctx, chat, "ann", "again?", []session.Option{{ID: "y", Label: "Yes"}}), session.ErrFiltered)
		require.Equal(t, before, snap(t, b, chat))
	})
	t.Run("a filter error rejects the message and stores nothing", func(t *testing.T) {
		t.Parallel()
		f := &maskFilter{fail: errors.New("scanner down")}
		m, b := setup(t, func(c *session.Config) { c.Filter = f })
		chat := chatWithOwner(t, m)
		before := snap(t, b, chat)
		delivered := len(b.transport.Received(annP))
		_, err := m.Send(ctx, chat, session.Message{From: customer, Text: "4111 1111 1111 1111"})
		require.ErrorIs(t, err, session.ErrFiltered)
		require.ErrorContains(t, err, "scanner down")
		require.Equal(t, before, snap(t, b, chat))
		require.Len(t, b.transport.Received(annP), delivered)
	})
	t.Run("a correction of someone else's message is rejected", func(t *testing.T) {
		t.Parallel()
		f := &maskFilter{bogus: true}
		m, b := setup(t, func(c *session.Config) { c.Filter = f })
		chat := chatWithOwner(t, m)
		before := snap(t, b, chat)
		_, err := m.Send(ctx, chat, session.Message{From: customer, Text: "hi"})
		require.ErrorIs(t, err, session.ErrFiltered)
		require.Equal(t, before, snap(t, b, chat))
	})
}
