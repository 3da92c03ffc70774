package routingmem_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

func TestQueueListFollowsEveryPut(t *testing.T) {
	t.Parallel()
	// SPEC X6: the store lists its queues again only when one is read
	// after a change, so storing many in a row costs no listing each;
	// every read still sees every queue stored before it, in ID order.
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{})
	r := plainRouter(t, s)
	lent, err := s.LendQueues(ctx)
	require.NoError(t, err)
	require.Empty(t, lent)
	rnd := rand.New(rand.NewPCG(1, 2))
	want := map[switchboard.QueueID]time.Duration{}
	for i := range 2000 {
		id := switchboard.QueueID(fmt.Sprintf("q%03d", rnd.IntN(300)))
		wait := time.Duration(i+1) * time.Second
		_, err := r.PutQueue(ctx, routing.Queue{ID: id, MaxWait: wait})
		require.NoError(t, err)
		want[id] = wait
		if rnd.IntN(4) > 0 {
			continue // several puts in a row, then a read
		}
		lent, err := s.LendQueues(ctx)
		require.NoError(t, err)
		copied, err := s.Queues(ctx)
		require.NoError(t, err)
		require.Len(t, lent, len(want))
		require.True(t, slices.IsSortedFunc(lent, func(a, b routing.Queue) int { return cmp.Compare(a.ID, b.ID) }), "in ID order")
		for j, q := range lent {
			require.Equal(t, want[q.ID], q.MaxWait, "queue %s as last stored", q.ID)
			require.Equal(t, q.ID, copied[j].ID)
			require.Equal(t, q.MaxWait, copied[j].MaxWait)
		}
	}
}

func TestQueueListUnderConcurrentPuts(t *testing.T) {
	t.Parallel()
	// SPEC X6: readers lending the list while queues are stored see a
	// sorted list of whole queues each time (run it with -race).
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{})
	r := plainRouter(t, s)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 300 {
				q := routing.Queue{ID: switchboard.QueueID(fmt.Sprintf("w%d-%03d", w, i%100)), MaxWait: time.Duration(i+1) * time.Second}
				if _, err := r.PutQueue(ctx, q); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 300 {
				qs, err := s.LendQueues(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if !slices.IsSortedFunc(qs, func(a, b routing.Queue) int { return cmp.Compare(a.ID, b.ID) }) {
					t.Error("the lent list is not in ID order")
					return
				}
				for _, q := range qs {
					if q.MaxWait <= 0 {
						t.Errorf("queue %s lent half stored", q.ID)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	qs, err := s.LendQueues(ctx)
	require.NoError(t, err)
	require.Len(t, qs, 200)
}

// plainRouter is a router over s that stores nothing of its own.
func plainRouter(t *testing.T, s *routingmem.Store) *routing.Router {
	t.Helper()
	r, err := routing.New(s, routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), routing.Config{Clock: clock.NewMock()})
	require.NoError(t, err)
	return r
}
