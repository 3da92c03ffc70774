package routingmem_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

func TestLendEventsIsWhatEventsReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{Partitions: 1})
	(&consumer{name: "c"}).register(t, s)
	for i := range 5 {
		e := routing.Event{Type: routing.ChatQueued, Chat: switchboard.ChatID(fmt.Sprint("c", i))}
		require.NoError(t, s.Commit(ctx, routing.Txn{ID: fmt.Sprint(i), Events: []routing.Event{e}}))
	}
	for _, q := range []struct {
		after uint64
		limit int
	}{{0, 0}, {2, 0}, {0, 2}, {3, 1}, {5, 0}, {9, 3}} {
		want, err := s.Events(ctx, 0, q.after, q.limit)
		require.NoError(t, err)
		got, err := s.LendEvents(ctx, 0, q.after, q.limit)
		require.NoError(t, err)
		require.Equal(t, want, got, "after %d, limit %d", q.after, q.limit)
	}
	_, err := s.LendEvents(ctx, 1, 0, 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.LendEvents(ctx, 0, 0, -1)
	require.ErrorIs(t, err, routing.ErrInvalid)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.LendEvents(cancelled, 0, 0, 0)
	require.ErrorIs(t, err, context.Canceled)
}

// TestLentEventsNeverChange lends events, then has the log trimmed, moved
// down and refilled many times over: what was lent reads the same.
func TestLentEventsNeverChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{Partitions: 1})
	c := &consumer{name: "c"}
	c.register(t, s)
	type loan struct {
		lent, copied []routing.Event
	}
	var loans []loan
	for i := range 400 {
		e := routing.Event{Type: routing.ChatQueued, Chat: switchboard.ChatID(fmt.Sprint("c", i)),
			Queues: []switchboard.QueueID{switchboard.QueueID(fmt.Sprint("q", i))}}
		require.NoError(t, s.Commit(ctx, routing.Txn{ID: fmt.Sprint(i), Events: []routing.Event{e}}))
		if i%7 == 0 {
			lent, err := s.LendEvents(ctx, 0, 0, 0)
			require.NoError(t, err)
			copied, err := s.Events(ctx, 0, 0, 0)
			require.NoError(t, err)
			loans = append(loans, loan{lent, copied})
		}
		if i%5 == 4 {
			c.catchUp(t, s) // trims what every cursor passed
		}
	}
	for _, l := range loans {
		require.Equal(t, l.copied, l.lent)
	}
}

func TestLentQueuesNeverChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{})
	lent, err := s.LendQueues(ctx)
	require.NoError(t, err)
	require.Empty(t, lent)
	put := func(q routing.Queue) {
		t.Helper()
		if old, err := s.Queue(ctx, q.ID); err == nil {
			q.Version = old.Version
		}
		require.NoError(t, s.Commit(ctx, routing.Txn{Queues: []routing.Queue{q}}))
	}
	put(routing.Queue{ID: "b", Priority: 1, RequiredSkills: []routing.SkillRequirement{{Skill: "fr", Min: 1}}})
	put(routing.Queue{ID: "a", Priority: 2})
	before, err := s.LendQueues(ctx)
	require.NoError(t, err)
	copied, err := s.Queues(ctx)
	require.NoError(t, err)
	require.Equal(t, copied, before)
	require.Equal(t, []switchboard.QueueID{"a", "b"}, []switchboard.QueueID{before[0].ID, before[1].ID})

	put(routing.Queue{ID: "b", Priority: 5})
	put(routing.Queue{ID: "c"})
	require.Equal(t, copied, before, "a change of queues showed in what was lent before it")
	after, err := s.LendQueues(ctx)
	require.NoError(t, err)
	now, err := s.Queues(ctx)
	require.NoError(t, err)
	require.Equal(t, now, after)
	require.Len(t, after, 3)
	require.Equal(t, 5, after[1].Priority)
	require.Empty(t, after[1].RequiredSkills)

	// What Queues returns is the caller's own.
	now[0].ID = "changed"
	again, err := s.LendQueues(ctx)
	require.NoError(t, err)
	require.Equal(t, switchboard.QueueID("a"), again[0].ID)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.LendQueues(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}
