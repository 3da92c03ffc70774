package conference_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/internal/desktest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

func TestRaceAcceptInviteWhileCustomerLeaves(t *testing.T) {
	t.Parallel()
	// SPEC C2, C9 under a race: the invitee accepts while the customer
	// leaves. Whichever wins, the invitee ends up out of the chat with its
	// slot free, the owner keeps the chat to wrap it up, and the session
	// agrees with routing.
	for i := 0; i < 25; i++ {
		b := setup(t, conference.Config{})
		b.conference()
		o, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
		require.NoError(t, err)
		errs := desktest.Race(
			func() error { _, _, err := b.Engine.Accept(ctx, "bob", o.ID); return err },
			func() error { return b.Engine.CustomerLeft(ctx, "c1", "u1") },
		)
		require.NoError(t, errs[1])
		if errs[0] != nil {
			// Lost the race in routing, or won it there while the session
			// had already closed its doors; either way nothing is half done.
			var se *session.StatusError
			if !errorsIsAny(errs[0], routing.ErrOfferCancelled, routing.ErrOfferWithdrawn) {
				require.ErrorAs(t, errs[0], &se)
			}
		}
		b.Pump()
		_, err = b.Engine.Sync(ctx, "c1")
		require.NoError(t, err)

		c := b.Chat()
		require.Equal(t, routing.Assigned, c.State)
		require.Equal(t, switchboard.AgentID("ann"), c.Agent)
		require.Empty(t, c.Consultants)
		require.False(t, b.Pending())
		require.Equal(t, 0, b.Load("bob"), "bob's slot is free, with no wrap-up")
		require.False(t, b.Present(bobP))
		require.False(t, b.Invited(bobP))
		require.Equal(t, session.StatusCustomerLeft, b.Session().Status)
		require.Equal(t, annP, b.Owner())
		_, err = b.Engine.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold"})
		require.NoError(t, err)
	}
}

func TestRaceAcceptAfterInviteMovedOn(t *testing.T) {
	t.Parallel()
	// SPEC C3 under a race: the first invitee accepts just as its invite
	// times out and moves on. Exactly one agent ends up consulted, and the
	// session shows exactly that one.
	for i := 0; i < 25; i++ {
		b := setup(t, conference.Config{})
		b.conference()
		first, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Queue: "sales"})
		require.NoError(t, err)
		b.Clock.Add(21 * time.Second)
		errs := desktest.Race(
			func() error { _, _, err := b.Engine.Accept(ctx, first.Agent, first.ID); return err },
			func() error { _, err := b.Router.Sweep(ctx); return err },
		)
		require.ErrorIs(t, errs[0], routing.ErrOfferExpired, "the invite was no longer the first invitee's")
		require.NoError(t, errs[1])
		b.Pump()
		next := b.Offer(other(first.Agent))
		// The late invitee tries again while the next one accepts.
		errs = desktest.Race(
			func() error { _, _, err := b.Engine.Accept(ctx, first.Agent, first.ID); return err },
			func() error { _, _, err := b.Engine.Accept(ctx, next.Agent, next.ID); return err },
		)
		require.Error(t, errs[0])
		require.NoError(t, errs[1])
		b.Pump()
		require.Equal(t, []switchboard.AgentID{next.Agent}, b.Chat().Consultants)
		require.True(t, b.Present(session.AgentParticipant(next.Agent)))
		require.False(t, b.Present(session.AgentParticipant(first.Agent)))
		require.False(t, b.Invited(session.AgentParticipant(first.Agent)))
		require.Equal(t, 0, b.Load(first.Agent))
	}
}

func other(a switchboard.AgentID) switchboard.AgentID {
	if a == "bob" {
		return "sue"
	}
	return "bob"
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
