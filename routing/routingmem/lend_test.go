package routingmem_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

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
