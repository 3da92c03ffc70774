package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
	"github.com/switchboard-cc/switchboard/session"
)

func TestRetriedSendRoutesTheLinkedSession(t *testing.T) {
	t.Parallel()
	// SPEC R9 with the new-linked-session policy, when the routing step
	// fails: the customer's message started the linked session, then
	// routing was unreachable. The client sends the message again with the
	// same ID; the session finds it already in the linked session, and the
	// linked chat must still be routed rather than left waiting for ever
	// in a session routing never heard of.
	var rs *routingtest.FaultStore
	b := setup(t, func(c *engine.Config) {
		c.Session.AfterClose = switchboard.PolicyNewLinked
		rs = routingtest.NewFaultStore(routingmem.New(routingmem.Config{}))
		c.Routing = rs
	})
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.NoError(t, b.eng.CompleteWrapUp(ctx, "c1", "ann"))

	msg := session.Message{ID: "m1", From: customer, Text: "Me again"}
	rs.FailFrom(rs.Count()+1, nil)
	_, err = b.eng.Send(ctx, "c1", msg)
	require.ErrorIs(t, err, routingtest.ErrInjected)
	rs.Clear()

	sent, err := b.eng.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.NotEqual(t, switchboard.ChatID("c1"), sent.Chat)
	c, err := b.router.Chat(ctx, sent.Chat)
	require.NoError(t, err, "the linked chat is routed")
	require.Equal(t, routing.Offered, c.State)
	require.Equal(t, sent.Chat, b.offer(t, "ann").Chat)

	// Sending it once more changes nothing.
	again, err := b.eng.Send(ctx, "c1", msg)
	require.NoError(t, err)
	require.Equal(t, sent, again)
	require.Equal(t, routing.Offered, b.routingState(t, sent.Chat))
}
