package session_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// TestBadInputChangesNothing: every rejected call returns a sentinel or a
// typed error, and leaves the session's state, its log and every
// participant's deliveries exactly as they were.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	pic := session.File{Name: "a.png", MIMEType: "image/png", Size: 1, Ref: "r"}
	cases := []struct {
		name    string
		prepare func(t *testing.T, m *session.Manager, chat switchboard.ChatID)
		call    func(m *session.Manager, chat switchboard.ChatID) error
		want    error
	}{
		{"agent sends after the customer left",
			func(t *testing.T, m *session.Manager, chat switchboard.ChatID) {
				require.NoError(t, m.Leave(ctx, chat, customer))
			},
			func(m *session.Manager, chat switchboard.ChatID) error {
				_, err := m.Send(ctx, chat, session.Message{From: annP, Text: "hello?"})
				return err
			}, session.ErrCustomerLeft},
		{"non-member sends", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: bobP, Text: "hi"})
			return err
		}, session.ErrNotParticipant},
		{"second customer", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			return m.AddCustomer(ctx, chat, "u2", "Eve")
		}, session.ErrSecondCustomer},
		{"agent removes the customer", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			return m.Remove(ctx, chat, "ann", customer)
		}, session.ErrCannotRemoveCustomer},
		{"wrap-up reason not in the list", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "lunch", Confirm: true})
			return err
		}, session.ErrInvalidWrapUp},
		{"empty text", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: customer})
			return err
		}, session.ErrEmptyMessage},
		{"unknown option",
			func(t *testing.T, m *session.Manager, chat switchboard.ChatID) {
				require.NoError(t, m.OfferOptions(ctx, chat, "ann", "Pick", []session.Option{{ID: "a", Label: "A"}}))
			},
			func(m *session.Manager, chat switchboard.ChatID) error {
				_, err := m.Choose(ctx, chat, customer, "b")
				return err
			}, session.ErrUnknownOption},
		{"oversized text", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: customer, Text: strings.Repeat("x", 4097)})
			return err
		}, session.ErrTooLarge},
		{"too many files", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: customer, Files: []session.File{pic, pic, pic, pic, pic, pic}})
			return err
		}, session.ErrTooLarge},
		{"file without a storage reference", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: customer, Files: []session.File{{Name: "a", MIMEType: "text/plain"}}})
			return err
		}, session.ErrInvalid},
		{"text that is not UTF-8", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: customer, Text: "\xff"})
			return err
		}, session.ErrInvalid},
		{"customer whispers", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: customer, Mode: session.ModeWhisper, Text: "psst"})
			return err
		}, session.ErrForbidden},
		{"agent coaches", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Send(ctx, chat, session.Message{From: annP, Mode: session.ModeCoach, To: annP, Text: "x"})
			return err
		}, session.ErrForbidden},
		{"owner leaves instead of ending", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			return m.Leave(ctx, chat, annP)
		}, session.ErrForbidden},
		{"invite someone already in", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			return m.Invite(ctx, chat, "ann", ann)
		}, session.ErrAlreadyParticipant},
		{"join without an invitation", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			return m.Join(ctx, chat, "bob")
		}, session.ErrNotParticipant},
		{"participant cap",
			func(t *testing.T, m *session.Manager, chat switchboard.ChatID) {
				require.NoError(t, m.Invite(ctx, chat, "ann", bob))
			},
			func(m *session.Manager, chat switchboard.ChatID) error {
				return m.Supervise(ctx, chat, sue, session.SupervisorMonitor)
			}, session.ErrParticipantLimit},
		{"close an open session without wrap-up", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			_, err := m.Close(ctx, chat, "ann", session.EndOptions{Confirm: true})
			return err
		}, session.ErrInvalidWrapUp},
		{"end twice",
			func(t *testing.T, m *session.Manager, chat switchboard.ChatID) {
				_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
				require.NoError(t, err)
			},
			func(m *session.Manager, chat switchboard.ChatID) error {
				_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
				return err
			}, session.ErrInvalidState},
		{"video end without video", nil, func(m *session.Manager, chat switchboard.ChatID) error {
			return m.EndVideo(ctx, chat, customer)
		}, session.ErrVideo},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, b := setup(t, func(cfg *session.Config) { cfg.MaxParticipants = 3 })
			chat := chatWithOwner(t, m)
			send(t, m, chat, customer, session.ModeNormal, "hello")
			if c.prepare != nil {
				c.prepare(t, m, chat)
			}
			before := snap(t, b, chat)
			var delivered []int
			for _, p := range []session.ParticipantID{customer, annP, bobP, sueP} {
				delivered = append(delivered, len(b.transport.Received(p)))
			}
			err := c.call(m, chat)
			require.ErrorIs(t, err, c.want)
			require.Equal(t, before, snap(t, b, chat))
			for i, p := range []session.ParticipantID{customer, annP, bobP, sueP} {
				require.Len(t, b.transport.Received(p), delivered[i], "%s got a delivery", p)
			}
		})
	}
	t.Run("unknown session", func(t *testing.T) {
		t.Parallel()
		m, _ := setup(t)
		_, err := m.Send(ctx, "nope", session.Message{From: customer, Text: "hi"})
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = m.History(ctx, "nope", customer)
		require.ErrorIs(t, err, session.ErrNotFound)
	})
	t.Run("invalid config", func(t *testing.T) {
		t.Parallel()
		_, err := session.NewManager(nil, session.Config{})
		require.ErrorIs(t, err, session.ErrInvalid)
		_, b := setup(t)
		_, err = session.NewManager(b.store, session.Config{MaxParticipants: 1})
		require.ErrorIs(t, err, session.ErrInvalid)
		_, err = session.NewManager(b.store, session.Config{History: 9})
		require.ErrorIs(t, err, session.ErrInvalid)
	})
}
