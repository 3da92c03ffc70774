package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func TestMarkReadThroughTheEngine(t *testing.T) {
	t.Parallel()
	// SPEC I1, I3 through the engine: the agent's position is stored and
	// reaches the customer as a receipt on the last message it can see,
	// never on the agent's whisper; a bad position changes nothing.
	tr := sessionmem.NewTransport()
	b := setup(t, func(c *engine.Config) { c.Participants = tr })
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	hello, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "hello"})
	require.NoError(t, err)
	note, err := b.eng.Send(ctx, "c1", session.Message{From: annP, Mode: session.ModeWhisper, Text: "regular"})
	require.NoError(t, err)
	tr.Reset()

	require.NoError(t, b.eng.MarkRead(ctx, "c1", annP, note.Seq))
	var got []session.CustomerView
	for _, d := range tr.Received(customer) {
		cd, err := session.CustomerDeliveryOf(d)
		require.NoError(t, err)
		got = append(got, cd.Item)
	}
	require.Len(t, got, 1)
	require.Equal(t, session.EntryRead, got[0].Type)
	require.Equal(t, hello.Seq, got[0].Ref, "the customer is told of its own message, not the whisper")

	rs, err := b.eng.Sessions().Receipts(ctx, "c1", customer)
	require.NoError(t, err)
	require.Equal(t, []session.Receipt{{Name: "Ann", Seq: hello.Seq, At: b.clock.Now()}}, rs)

	before, err := b.eng.Sessions().Session(ctx, "c1")
	require.NoError(t, err)
	require.ErrorIs(t, b.eng.MarkRead(ctx, "c1", customer, note.Seq), session.ErrInvalid)
	require.ErrorIs(t, b.eng.MarkRead(ctx, "c1", session.AgentParticipant("zed"), 1), session.ErrNotParticipant)
	after, err := b.eng.Sessions().Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, before, after)
}
