package transfer_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/internal/desktest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

func TestRaceTwoTransfersAtOnce(t *testing.T) {
	t.Parallel()
	// SPEC T1, T5 under a race: two transfers of the same chat at once.
	// Exactly one is made and recorded; the other gets an error to match,
	// and the winner's target takes the chat.
	targets := []transfer.Request{
		{Chat: "c1", From: "ann", Agent: "bob", Comment: "one"},
		{Chat: "c1", From: "ann", Agent: "carl", Comment: "two"},
		{Chat: "c1", From: "ann", Queue: "support", Comment: "three"},
	}
	for i := 0; i < 30; i++ {
		b := setup(t)
		b.chatWithAnn()
		x, y := targets[i%3], targets[(i+1)%3]
		errs := desktest.Race(
			func() error { _, err := b.Engine.Transfer(ctx, x); return err },
			func() error { _, err := b.Engine.Transfer(ctx, y); return err },
		)
		won := -1
		for j, err := range errs {
			if err == nil {
				require.Equal(t, -1, won, "exactly one transfer is made")
				won = j
				continue
			}
			var se *routing.StateError
			if !errors.Is(err, transfer.ErrTransferPending) {
				require.ErrorAs(t, err, &se, "the loser of a race with a queue transfer finds the chat queued")
			}
		}
		require.NotEqual(t, -1, won)
		win := []transfer.Request{x, y}[won]
		b.Pump()

		hist, err := b.Engine.TransferHistory(ctx, "c1")
		require.NoError(t, err)
		require.Len(t, hist, 1)
		require.Equal(t, win.Comment, hist[0].Comment)
		if win.Queue != "" {
			require.Equal(t, routing.Queued, b.Chat().State)
			require.Equal(t, session.ParticipantID(""), b.Owner())
			continue
		}
		b.Accept(win.Agent)
		b.Pump()
		require.Equal(t, session.AgentParticipant(win.Agent), b.Owner())
		require.False(t, b.Present(annP))
		for _, a := range []switchboard.AgentID{"bob", "carl"} {
			if a != win.Agent {
				require.False(t, b.Present(session.AgentParticipant(a)))
				require.Empty(t, mustOffers(t, b, a))
			}
		}
	}
}

func mustOffers(t *testing.T, b *bundle, a switchboard.AgentID) []routing.Offer {
	t.Helper()
	os, err := b.Router.Offers(ctx, a)
	require.NoError(t, err)
	return os
}

func TestRaceAcceptTransferWhileCustomerLeaves(t *testing.T) {
	t.Parallel()
	// SPEC T1, C9 under a race: the target accepts a transfer while the
	// customer leaves. Whichever wins, exactly one agent owns the chat in
	// routing and in the session, and can end it.
	for i := 0; i < 30; i++ {
		b := setup(t)
		b.chatWithAnn()
		o, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob"})
		require.NoError(t, err)
		errs := desktest.Race(
			func() error { _, _, err := b.Engine.Accept(ctx, "bob", o.ID); return err },
			func() error { return b.Engine.CustomerLeft(ctx, "c1", "u1") },
		)
		require.NoError(t, errs[1])
		b.Pump()
		s, err := b.Engine.Sync(ctx, "c1")
		require.NoError(t, err, "accept: %v", errs[0])
		c := b.Chat()
		require.Equal(t, routing.Assigned, c.State)
		require.Equal(t, session.AgentParticipant(c.Agent), s.Owner().ID)
		require.False(t, c.Invitation.Pending())
		_, err = b.Engine.End(ctx, "c1", c.Agent, session.EndOptions{Reason: "sold"})
		require.NoError(t, err)
	}
}

func TestRaceTransferToQueueWhileCustomerLeaves(t *testing.T) {
	t.Parallel()
	// SPEC T2, C9 under a race: a transfer to a queue while the customer
	// leaves. The chat never waits in a queue for a customer who is gone,
	// and an owner left in the session can end it.
	for i := 0; i < 30; i++ {
		b := setup(t)
		b.chatWithAnn()
		errs := desktest.Race(
			func() error {
				_, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Queue: "support"})
				return err
			},
			func() error { return b.Engine.CustomerLeft(ctx, "c1", "u1") },
		)
		require.NoError(t, errs[1])
		if errs[0] != nil {
			require.ErrorIs(t, errs[0], transfer.ErrSessionEnded)
		}
		b.Pump()
		s, err := b.Engine.Sync(ctx, "c1")
		require.NoError(t, err)
		c := b.Chat()
		require.NotContains(t, []routing.ChatState{routing.Queued, routing.Offered}, c.State)
		if c.State == routing.Ended {
			require.Equal(t, routing.EndAbandoned, c.EndReason)
		} else {
			require.Equal(t, routing.Assigned, c.State)
		}
		if o := s.Owner(); o != nil && o.Present() {
			a, _ := o.ID.Agent()
			_, err = b.Engine.End(ctx, "c1", a, session.EndOptions{Reason: "sold"})
			require.NoError(t, err)
		}
	}
}
