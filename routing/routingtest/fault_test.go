package routingtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
)

func TestFaultStoreCountsAndInjects(t *testing.T) {
	ctx := context.Background()
	mem := routingmem.New(routingmem.Config{Partitions: 2})
	f := routingtest.NewFaultStore(mem)
	require.Equal(t, 2, f.Partitions())
	require.Zero(t, f.Count(), "Partitions is not counted")

	boom := errors.New("boom")
	f.Fail(2, boom)
	f.LoseOutcome(3)
	f.Fail(4, nil)
	_, err := f.Queue(ctx, "q") // 1
	require.ErrorIs(t, err, routing.ErrQueueNotFound, "no fault: the store's answer")
	q := routing.Queue{ID: "q"}
	err = f.Commit(ctx, routing.Txn{ID: "t1", Queues: []routing.Queue{q}}) // 2
	require.ErrorIs(t, err, boom)
	_, err = mem.Queue(ctx, "q")
	require.ErrorIs(t, err, routing.ErrQueueNotFound, "a failed call does not reach the store")
	err = f.Commit(ctx, routing.Txn{ID: "t2", Queues: []routing.Queue{q}}) // 3
	require.ErrorIs(t, err, routing.ErrOutcomeUnknown)
	ok, err := mem.Applied(ctx, "t2")
	require.NoError(t, err)
	require.True(t, ok, "a lost outcome still applied")
	_, err = f.Chat(ctx, "c") // 4
	require.ErrorIs(t, err, routingtest.ErrInjected)
	_, err = f.Queue(ctx, "q") // 5
	require.NoError(t, err)

	f.FailFrom(7, boom)
	require.NoError(t, f.SaveCursor(ctx, routing.Cursor{Consumer: "c"})) // 6
	_, err = f.Applied(ctx, "t2")                                        // 7
	require.ErrorIs(t, err, boom)
	_, err = f.Events(ctx, 0, 0, 0) // 8
	require.ErrorIs(t, err, boom)
	f.Clear()
	_, err = f.Events(ctx, 0, 0, 0) // 9
	require.NoError(t, err)

	calls := f.Calls()
	require.Len(t, calls, 9)
	require.Equal(t, f.Count(), len(calls))
	want := []string{"Queue", "Commit", "Commit", "Chat", "Queue", "SaveCursor", "Applied", "Events", "Events"}
	for i, c := range calls {
		require.Equal(t, i+1, c.N)
		require.Equal(t, want[i], c.Method)
	}
	require.ErrorIs(t, calls[2].Err, routing.ErrOutcomeUnknown, "calls record what they returned")
	require.NoError(t, calls[4].Err)
	require.Same(t, routing.Store(mem), f.Unwrap())
}

func TestFaultStoreLosesASavedCursorsOutcome(t *testing.T) {
	ctx := context.Background()
	mem := routingmem.New(routingmem.Config{})
	f := routingtest.NewFaultStore(mem)
	f.LoseOutcome(1)
	err := f.SaveCursor(ctx, routing.Cursor{Consumer: "sessions", Partition: 1})
	require.ErrorIs(t, err, routing.ErrOutcomeUnknown)
	c, err := mem.Cursor(ctx, "sessions", 1)
	require.NoError(t, err)
	require.EqualValues(t, 1, c.Version, "the save applied")
}

func TestFaultStorePassesTheConformanceSuite(t *testing.T) {
	routingtest.RunStoreTests(t, func(*testing.T) routing.Store {
		return routingtest.NewFaultStore(routingmem.New(routingmem.Config{}))
	})
}
