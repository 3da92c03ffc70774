package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// TestAgentToAgentChatEndsThroughTheEngine ends and closes an
// agent-to-agent chat through the engine (SPEC R10): it belongs to no
// queue, so no queue's wrap-up rules or responses are looked up, and
// routing, which holds nothing of it, is left alone.
func TestAgentToAgentChatEndsThroughTheEngine(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	a2a, err := b.eng.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "Can you take the next VIP?")
	require.NoError(t, err)
	_, err = b.eng.Send(ctx, a2a.ID, session.Message{From: bobP, Text: "Sure"})
	require.NoError(t, err)

	// Nor are there a queue's predefined responses.
	_, err = b.m.Responses(ctx, a2a.ID, "ann", "")
	require.ErrorIs(t, err, session.ErrUnavailable)
	_, err = b.m.InsertResponse(ctx, a2a.ID, "ann", "greeting")
	require.ErrorIs(t, err, session.ErrUnavailable)

	w, err := b.eng.End(ctx, a2a.ID, "ann", session.EndOptions{Reason: "ignored"})
	require.NoError(t, err)
	require.Empty(t, w.Reason, "an agent-to-agent chat records no wrap-up reason")
	s, err := b.m.Session(ctx, a2a.ID)
	require.NoError(t, err)
	require.Equal(t, session.StatusEnded, s.Status)
	require.NoError(t, b.eng.Settle(ctx))

	_, err = b.eng.Close(ctx, a2a.ID, "ann", session.EndOptions{})
	require.NoError(t, err)
	s, err = b.m.Session(ctx, a2a.ID)
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)

	// A second one, closed without ending it first.
	other, err := b.eng.StartA2A(ctx, "bob", []switchboard.AgentID{"ann"}, "lunch?")
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, other.ID, "bob", session.EndOptions{})
	require.NoError(t, err)
	s, err = b.m.Session(ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
}
