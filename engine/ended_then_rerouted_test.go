package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

func TestRoutingFollowsAnEndEvenAfterMovingTheChatOn(t *testing.T) {
	t.Parallel()
	// SPEC S11, T3: ann ended the conversation while her transfer to bob
	// was pending, and the routing step of End failed. Before the engine
	// finished it, bob declined, routing put the chat back in its queue
	// and cy took it. The conversation is over all the same: routing must
	// not keep a chat waiting or assigned whose session ended, or cy's
	// slot is held for ever by a chat nobody can end.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	b.login(t, "bob", "Bob")
	o, err := b.router.Transfer(ctx, routing.TransferRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	_, err = b.m.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true}) // the session step only
	require.NoError(t, err)
	require.NoError(t, b.router.Reject(ctx, "bob", o.ID))
	require.NoError(t, b.router.Logout(ctx, "bob"))
	b.login(t, "cy", "Cy")
	if os, err := b.router.Offers(ctx, "cy"); err == nil && len(os) == 1 {
		_, err = b.router.Accept(ctx, "cy", os[0].ID)
		require.NoError(t, err)
	}
	b.settle(t)

	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.NotContains(t, []routing.ChatState{routing.Queued, routing.Offered, routing.Assigned}, c.State,
		"routing follows the ended session")
	b.clock.Add(time.Minute)
	b.settle(t)
	cy, err := b.router.Agent(ctx, "cy")
	require.NoError(t, err)
	require.Zero(t, cy.Load(switchboard.DefaultChannel), "cy's slot is free again")
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status, "cy's wrap-up is over: the session closed (SPEC K3)")
	require.Equal(t, "sold", s.WrapUp.Reason)
	require.Equal(t, switchboard.AgentID("ann"), s.WrapUp.Owner, "the wrap-up stays as ann recorded it")
}
