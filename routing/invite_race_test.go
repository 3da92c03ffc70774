package routing_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// race runs the functions at once and waits for them.
func race(fns ...func() error) error {
	var g errgroup.Group
	gun := make(chan struct{})
	for _, fn := range fns {
		g.Go(func() error {
			<-gun
			return fn()
		})
	}
	close(gun)
	return g.Wait()
}

func TestInviteAcceptRacesEnd(t *testing.T) {
	t.Parallel()
	// SPEC C9, C2: an invitee accepts while the chat ends: either the
	// accept loses (the offer was cancelled) or it wins and End drops the
	// new consultant; either way nobody keeps a slot of the chat but its
	// owner.
	for round := range 30 {
		r, b := inConference(t)
		o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a3"})
		require.NoError(t, err)
		err = race(
			func() error {
				_, err := r.Accept(b.ctx, "a3", o.ID)
				if errors.Is(err, routing.ErrOfferCancelled) {
					return nil
				}
				return err
			},
			func() error { return r.End(b.ctx, "c1") },
		)
		require.NoError(t, err, "round %d", round)
		c := mustChat(t, r, b, "c1")
		require.Equal(t, routing.InWrapUp, c.State)
		require.Empty(t, c.Consultants)
		require.Empty(t, c.Invitation.Offer)
		require.Equal(t, 1, load(t, r, b, "a1"))
		for _, a := range []switchboard.AgentID{"a2", "a3"} {
			require.Zero(t, load(t, r, b, a), "round %d agent %s", round, a)
			require.Empty(t, offers(t, r, b, a))
		}
	}
}

func TestConcurrentTransfers(t *testing.T) {
	t.Parallel()
	// SPEC T2: eight transfers of one chat at once, through two routers
	// over one store: exactly one is pending, the others get
	// ErrTransferPending.
	for round := range 20 {
		r, b := setup(t, conferenceQueues...)
		second, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
		require.NoError(t, err)
		routers := []*routing.Router{r, second}
		assignedTo(t, r, b, "c1", "q", "a1", "red")
		targets := make([]switchboard.AgentID, 8)
		for i := range targets {
			targets[i] = switchboard.AgentID(fmt.Sprintf("t%d", i))
			loginTeam(t, r, b, targets[i], "red")
		}
		var made atomic.Int32
		fns := make([]func() error, len(targets))
		for i := range targets {
			fns[i] = func() error {
				_, err := routers[i%2].Transfer(b.ctx, routing.TransferRequest{Chat: "c1", From: "a1", Agent: targets[i]})
				switch {
				case err == nil:
					made.Add(1)
					return nil
				case errors.Is(err, routing.ErrTransferPending):
					return nil
				}
				return err
			}
		}
		require.NoError(t, race(fns...), "round %d", round)
		require.EqualValues(t, 1, made.Load(), "round %d", round)
		pending, err := b.store.PendingOffers(b.ctx, routing.OfferFilter{Chat: "c1"})
		require.NoError(t, err)
		require.Len(t, pending, 1)
		require.Equal(t, pending[0].ID, mustChat(t, r, b, "c1").Invitation.Offer)
		loaded := 0
		for _, a := range targets {
			loaded += load(t, r, b, a)
		}
		require.Equal(t, 1, loaded)
	}
}

func TestLateInviteAcceptRaces(t *testing.T) {
	t.Parallel()
	// SPEC C3: once an invite moved on to another agent, the first invitee
	// accepting gets the offer's sentinel and changes nothing, even while
	// the new invitee accepts at the same moment; and an invitee accepting
	// while the owner ends the conference either joins and is dropped or is
	// told the invite was withdrawn.
	for round := range 20 {
		r, b := inConference(t)
		b.clock.Add(time.Second)
		loginTeam(t, r, b, "a5", "red", "q")
		first, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a5"})
		require.NoError(t, err)
		advance(t, r, b, 20*time.Second)
		next := onlyOffer(t, r, b, "a3")
		err = race(
			func() error {
				_, err := r.Accept(b.ctx, "a5", first.ID)
				if !errors.Is(err, routing.ErrOfferExpired) {
					return fmt.Errorf("late accept: %w", err)
				}
				return nil
			},
			func() error { _, err := r.Accept(b.ctx, "a3", next.ID); return err },
		)
		require.NoError(t, err, "round %d", round)
		require.Equal(t, []switchboard.AgentID{"a2", "a3"}, mustChat(t, r, b, "c1").Consultants)
		require.Zero(t, load(t, r, b, "a5"))

		o, err := r.Invite(b.ctx, routing.InviteRequest{Chat: "c1", From: "a1", Agent: "a4"})
		require.NoError(t, err)
		err = race(
			func() error {
				_, err := r.Accept(b.ctx, "a4", o.ID)
				if errors.Is(err, routing.ErrOfferWithdrawn) {
					return nil
				}
				return err
			},
			func() error { return r.DropConsultants(b.ctx, "c1", "a1") },
		)
		require.NoError(t, err, "round %d", round)
		c := mustChat(t, r, b, "c1")
		require.Empty(t, c.Consultants)
		require.Empty(t, c.Invitation.Offer)
		for _, a := range []switchboard.AgentID{"a2", "a3", "a4"} {
			require.Zero(t, load(t, r, b, a), "round %d agent %s", round, a)
		}
	}
}
