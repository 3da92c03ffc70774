package routing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// estimatingStore answers positions with an estimate, as a store may where
// an exact rank is costly.
type estimatingStore struct{ *routingmem.Store }

func (s estimatingStore) Position(ctx context.Context, id switchboard.ChatID) (int, bool, error) {
	n, _, err := s.Store.Position(ctx, id)
	return n, false, err
}

func TestStatusSaysWhetherThePositionIsExact(t *testing.T) {
	t.Parallel()
	// SPEC X4: Status passes on whether the store's position is exact.
	r, b := setup(t, routing.Queue{ID: "q"})
	enqueue(t, r, b, "c1", "q")
	enqueue(t, r, b, "c2", "q")
	st, err := r.Status(b.ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, 2, st.Position)
	require.True(t, st.Exact, "the in-memory store's positions are exact")

	est, err := routing.New(estimatingStore{b.store}, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	st, err = est.Status(b.ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, 2, st.Position)
	require.False(t, st.Exact)
}
