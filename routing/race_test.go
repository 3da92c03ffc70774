package routing_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestRingAllRaceExactlyOneWins(t *testing.T) {
	t.Parallel()
	// SPEC R4, R7: 64 agents accept the same ring-all chat at once: exactly
	// one wins, the rest get ErrOfferTaken, nobody goes over capacity.
	for round := range 10 {
		r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RingAll, RingAllMax: -1})
		const n = 64
		agents := make([]switchboard.AgentID, n)
		for i := range agents {
			agents[i] = switchboard.AgentID(fmt.Sprintf("a%02d", i))
			login(t, r, b, agents[i], 1, "q")
		}
		enqueue(t, r, b, "c1", "q")
		offerOf := make([]routing.OfferID, n)
		for i, a := range agents {
			offerOf[i] = onlyOffer(t, r, b, a).ID
		}

		var wins atomic.Int32
		var winner atomic.Value
		var g errgroup.Group
		startGun := make(chan struct{})
		for i := range agents {
			g.Go(func() error {
				<-startGun
				_, err := r.Accept(b.ctx, agents[i], offerOf[i])
				switch {
				case err == nil:
					wins.Add(1)
					winner.Store(agents[i])
					return nil
				case errors.Is(err, routing.ErrOfferTaken):
					return nil
				default:
					return err
				}
			})
		}
		close(startGun)
		require.NoError(t, g.Wait(), "round %d", round)
		require.EqualValues(t, 1, wins.Load(), "round %d", round)

		c := mustChat(t, r, b, "c1")
		require.Equal(t, routing.Assigned, c.State)
		require.Equal(t, winner.Load(), c.Agent)
		for _, a := range agents {
			ag, err := r.Agent(b.ctx, a)
			require.NoError(t, err)
			want := 0
			if a == c.Agent {
				want = 1
			}
			require.Equal(t, want, ag.Load(switchboard.DefaultChannel), "agent %s", a)
			require.Empty(t, offers(t, r, b, a))
		}
	}
}

func TestSameOfferAcceptedConcurrently(t *testing.T) {
	t.Parallel()
	// SPEC R4: 64 goroutines accept one offer: one succeeds, the rest are
	// told it was already answered.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "a1")
	var ok, answered atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			_, err := r.Accept(b.ctx, "a1", o.ID)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, routing.ErrOfferAnswered):
				answered.Add(1)
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, ok.Load())
	require.EqualValues(t, 63, answered.Load())
	a, err := r.Agent(b.ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, 1, a.Load(switchboard.DefaultChannel))
}

func TestAcceptRacesTimeoutAndAbandon(t *testing.T) {
	t.Parallel()
	// SPEC R6: an accept racing the offer's timeout and the customer leaving
	// has exactly one outcome, and nothing is lost.
	for round := range 50 {
		r, b := setup(t, routing.Queue{ID: "q", AcceptTimeout: 10 * time.Second})
		login(t, r, b, "a1", 1, "q")
		enqueue(t, r, b, "c1", "q")
		o := onlyOffer(t, r, b, "a1")
		b.clock.Add(9 * time.Second)

		var acceptErr, abandonErr error
		var wg sync.WaitGroup
		wg.Go(func() { _, acceptErr = r.Accept(b.ctx, "a1", o.ID) })
		wg.Go(func() { abandonErr = r.Abandon(b.ctx, "c1") })
		wg.Go(func() { _, _ = r.Sweep(b.ctx) })
		wg.Wait()

		c := mustChat(t, r, b, "c1")
		a, err := r.Agent(b.ctx, "a1")
		require.NoError(t, err)
		if acceptErr == nil {
			require.Equal(t, routing.Assigned, c.State, "round %d", round)
			var se *routing.StateError
			require.ErrorAs(t, abandonErr, &se, "round %d", round)
			require.Equal(t, 1, a.Load(switchboard.DefaultChannel))
		} else {
			require.ErrorIs(t, acceptErr, routing.ErrOfferCancelled, "round %d", round)
			require.NoError(t, abandonErr)
			require.Equal(t, routing.Ended, c.State)
			require.Zero(t, a.Load(switchboard.DefaultChannel))
		}
	}
}

func TestRoutersShareOneStore(t *testing.T) {
	t.Parallel()
	// Several routers over one store, each driven by its own goroutines,
	// route every chat exactly once and keep every agent within capacity.
	r0, b := setup(t, routing.Queue{ID: "q", Strategy: routing.LeastBusy})
	routers := []*routing.Router{r0}
	for range 3 {
		r, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
		require.NoError(t, err)
		routers = append(routers, r)
	}
	const agents, chats = 8, 200
	for i := range agents {
		login(t, r0, b, switchboard.AgentID(fmt.Sprintf("a%d", i)), 3, "q")
	}
	var g errgroup.Group
	for w, r := range routers {
		g.Go(func() error {
			for i := w; i < chats; i += len(routers) {
				if _, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("c%03d", i)), Queue: "q"}); err != nil {
					return err
				}
			}
			return nil
		})
		g.Go(func() error {
			// Each router's agents answer offers: accept, then end.
			for done := 0; done < 2000; done++ {
				id := switchboard.AgentID(fmt.Sprintf("a%d", done%agents))
				os, err := r.Offers(b.ctx, id)
				if err != nil {
					return err
				}
				for _, o := range os {
					if _, err := r.Accept(b.ctx, id, o.ID); err == nil {
						if err := r.End(b.ctx, o.Chat); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	// Drain what is left with one router.
	for i := 0; i < 1000; i++ {
		left := false
		for a := range agents {
			id := switchboard.AgentID(fmt.Sprintf("a%d", a))
			for _, o := range offers(t, r0, b, id) {
				left = true
				_, err := r0.Accept(b.ctx, id, o.ID)
				require.NoError(t, err)
				require.NoError(t, r0.End(b.ctx, o.Chat))
			}
		}
		if !left {
			break
		}
	}
	for i := range chats {
		c := mustChat(t, r0, b, switchboard.ChatID(fmt.Sprintf("c%03d", i)))
		require.Equal(t, routing.Done, c.State, c.ID)
	}
	for i := range agents {
		a, err := r0.Agent(b.ctx, switchboard.AgentID(fmt.Sprintf("a%d", i)))
		require.NoError(t, err)
		require.Zero(t, a.Load(switchboard.DefaultChannel))
	}
}
