package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// typingFrom returns the names of the typists whose indicators p received,
// in order.
func typingFrom(t *testing.T, b *testBundle, p session.ParticipantID) []string {
	t.Helper()
	var out []string
	for _, d := range b.transport.Received(p) {
		if d.Item.Type == session.EntryTyping {
			require.Zero(t, d.Item.Seq, "a typing indicator is never stored")
			out = append(out, d.Item.FromName)
		}
	}
	return out
}

// conferenceChat is chatWithOwner with Bob joined as a consulted agent.
func conferenceChat(t *testing.T, m *session.Manager) switchboard.ChatID {
	t.Helper()
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Join(ctx, chat, "bob"))
	return chat
}

func TestTypingFollowsTheVisibilityOfMessages(t *testing.T) {
	t.Parallel()
	// SPEC Q3: typing shows to those who would see the message: a normal
	// message's typing to everyone else, a whisper's to agents only, never
	// to the customer; nothing is stored.
	m, b := setup(t)
	chat := conferenceChat(t, m)
	before := snap(t, b, chat)
	b.transport.Reset()

	require.NoError(t, m.Typing(ctx, chat, annP, true))
	require.Equal(t, []string{"Ann"}, typingFrom(t, b, bobP))
	require.Empty(t, typingFrom(t, b, customer), "an agent typing a whisper never shows as typing to the customer")
	require.Empty(t, typingFrom(t, b, annP), "the typist is not told of itself")

	require.NoError(t, m.Typing(ctx, chat, customer, false))
	require.Equal(t, []string{"Carol"}, typingFrom(t, b, annP))
	require.Equal(t, []string{"Ann", "Carol"}, typingFrom(t, b, bobP))
	for _, d := range b.transport.Received(annP) {
		require.Equal(t, session.EntryTyping, d.Item.Type)
		require.Equal(t, "typing", d.Item.Type.String())
	}

	b.clock.Add(time.Minute)
	require.NoError(t, m.Typing(ctx, chat, bobP, false))
	require.Equal(t, []string{"Bob"}, typingFrom(t, b, customer))
	for _, d := range b.transport.Received(customer) {
		require.Empty(t, d.Item.From, "the customer sees names, never IDs")
	}

	require.Equal(t, before, snap(t, b, chat), "typing is never stored")
}

func TestTypingIsRateLimitedPerParticipant(t *testing.T) {
	t.Parallel()
	// SPEC Q3: indicators of one participant closer than TypingInterval
	// are dropped; another participant's are not held back by them.
	m, b := setup(t, func(c *session.Config) { c.TypingInterval = 3 * time.Second })
	chat := chatWithOwner(t, m)
	b.transport.Reset()
	for range 5 {
		require.NoError(t, m.Typing(ctx, chat, annP, false))
		b.clock.Add(time.Second)
	}
	require.Equal(t, []string{"Ann", "Ann"}, typingFrom(t, b, customer), "at 0s and 3s")
	require.NoError(t, m.Typing(ctx, chat, customer, false))
	require.Equal(t, []string{"Carol"}, typingFrom(t, b, annP))

	_, err := session.NewManager(b.store, session.Config{TypingInterval: -time.Second})
	require.ErrorIs(t, err, session.ErrInvalid)
}

func TestTypingRefusesWhatSendRefuses(t *testing.T) {
	t.Parallel()
	// SPEC Q3: typing is refused as the message would be: a customer
	// cannot whisper, a silent supervisor cannot type, a stranger is not a
	// participant, and an ended session takes no messages; no indicator
	// is delivered.
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorMonitor))
	b.transport.Reset()

	require.ErrorIs(t, m.Typing(ctx, chat, customer, true), session.ErrForbidden)
	require.ErrorIs(t, m.Typing(ctx, chat, sueP, false), session.ErrForbidden)
	require.ErrorIs(t, m.Typing(ctx, chat, bobP, false), session.ErrNotParticipant)
	require.ErrorIs(t, m.Typing(ctx, "nope", annP, false), session.ErrNotFound)
	_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	b.transport.Reset()
	var se *session.StatusError
	require.ErrorAs(t, m.Typing(ctx, chat, annP, false), &se)
	require.Empty(t, typingFrom(t, b, customer))
	require.Empty(t, typingFrom(t, b, sueP))
}
