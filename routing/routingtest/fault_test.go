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

func TestFaultStoreFailsRandomly(t *testing.T) {
	ctx := context.Background()
	mem := routingmem.New(routingmem.Config{})
	f := routingtest.NewFaultStore(mem)
	draws := []float64{0.05, 0.15, 0.25, 0.25, 0.9, 0.05}
	next := func() float64 { d := draws[0]; draws = draws[1:]; return d }
	f.FailRandomly(0.1, 0.1, 0.1, next)
	f.Fail(4, nil) // a fault set at a number wins and draws nothing
	q := routing.Queue{ID: "q"}

	err := f.Commit(ctx, routing.Txn{ID: "t1", Queues: []routing.Queue{q}}) // 1: 0.05 fails
	require.ErrorIs(t, err, routingtest.ErrInjected)
	require.NotErrorIs(t, err, routing.ErrConflict)
	ok, err := mem.Applied(ctx, "t1")
	require.NoError(t, err)
	require.False(t, ok, "a failed call does not reach the store")

	err = f.Commit(ctx, routing.Txn{ID: "t2", Queues: []routing.Queue{q}}) // 2: 0.15 loses
	require.ErrorIs(t, err, routing.ErrOutcomeUnknown)
	ok, err = mem.Applied(ctx, "t2")
	require.NoError(t, err)
	require.True(t, ok, "a lost outcome still applied")

	err = f.Commit(ctx, routing.Txn{ID: "t3", Queues: []routing.Queue{q}}) // 3: 0.25 conflicts
	require.ErrorIs(t, err, routing.ErrConflict)
	require.ErrorIs(t, err, routingtest.ErrInjected)
	ok, err = mem.Applied(ctx, "t3")
	require.NoError(t, err)
	require.False(t, ok, "a conflict does not reach the store")

	_, err = f.Chat(ctx, "c") // 4: the fault set at 4
	require.ErrorIs(t, err, routingtest.ErrInjected)
	_, err = f.Queue(ctx, "q") // 5: 0.25 is a conflict only for writes: it reads
	require.NoError(t, err)
	_, err = f.Queue(ctx, "q") // 6: 0.9 goes through
	require.NoError(t, err)
	require.ErrorIs(t, f.SaveCursor(ctx, routing.Cursor{Consumer: "c"}), routingtest.ErrInjected, "7: 0.05 fails")
	require.Empty(t, draws, "one draw per call with no fault set")

	f.Clear()
	require.NoError(t, f.SaveCursor(ctx, routing.Cursor{Consumer: "c"}), "Clear stops the random faults")
	f.FailRandomly(1, 0, 0, func() float64 { return 0.5 })
	_, err = f.Queue(ctx, "q")
	require.ErrorIs(t, err, routingtest.ErrInjected)
	f.FailRandomly(0, 0, 0, func() float64 { panic("no draw when every probability is zero") })
	_, err = f.Queue(ctx, "q")
	require.NoError(t, err)
}
