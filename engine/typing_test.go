package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func TestTypingThroughTheEngine(t *testing.T) {
	t.Parallel()
	// SPEC Q3 through the engine: the customer sees the agent typing a
	// message, not a whisper, and the agent sees the customer typing.
	tr := sessionmem.NewTransport()
	b := setup(t, func(c *engine.Config) { c.Participants = tr })
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	tr.Reset()

	typing := func(p session.ParticipantID) []session.ParticipantID {
		var out []session.ParticipantID
		for _, d := range tr.Received(p) {
			if d.Item.Type == session.EntryTyping {
				out = append(out, d.Item.From)
			}
		}
		return out
	}
	require.NoError(t, b.eng.Typing(ctx, "c1", annP, true))
	require.Empty(t, typing(customer), "a whisper being typed is not shown to the customer")
	b.clock.Add(2 * time.Second) // the default TypingInterval
	require.NoError(t, b.eng.Typing(ctx, "c1", annP, false))
	require.Len(t, typing(customer), 1)
	require.NoError(t, b.eng.Typing(ctx, "c1", customer, false))
	require.Equal(t, []session.ParticipantID{customer}, typing(annP))

	require.ErrorIs(t, b.eng.Typing(ctx, "c1", customer, true), session.ErrForbidden)
}
