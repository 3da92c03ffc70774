package engine_test

import (
	"github.com/switchboard-cc/switchboard"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

func TestCustomerLeavingAReopeningRoutingMissedClosesIt(t *testing.T) {
	t.Parallel()
	// SPEC R9, S9: the customer wrote to the closed session, which
	// reopened, but the routing step failed (the host's retry finds the
	// message stored and routes nothing more); then the customer left
	// before the engine processed the reopening. Nobody waits for an
	// agent: routing withdraws the chat as abandoned and the session
	// closes, as for any chat whose customer left while it waited,
	// rather than staying open with nobody in it for ever.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.NoError(t, b.eng.CompleteWrapUp(ctx, "c1", "ann"))
	b.settle(t)

	sent, err := b.m.Send(ctx, "c1", session.Message{ID: "m1", From: customer, Text: "One more thing"})
	require.NoError(t, err)
	require.Equal(t, switchboard.PolicyReopen, sent.AfterClose, "the session reopened; routing has not heard")
	require.NoError(t, b.eng.CustomerLeft(ctx, "c1", "u1"))
	b.settle(t)

	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndAbandoned, c.EndReason)
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
	os, err := b.router.Offers(ctx, "ann")
	require.NoError(t, err)
	require.Empty(t, os, "nobody is offered a chat whose customer is gone")
}
