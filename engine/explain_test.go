package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestExplainThroughTheEngine(t *testing.T) {
	t.Parallel()
	// SPEC Q1 through the engine: a supervisor asks why a started chat
	// waits, and is told the one agent of the queue is on a break.
	b := setup(t)
	b.login(t, "ann", "Ann")
	require.NoError(t, b.router.SetState(ctx, "ann", routing.NotReady, "break"))
	b.start(t, "c1")

	x, err := b.eng.Explain(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Queued, x.State)
	require.Len(t, x.Agents, 1)
	require.Equal(t, switchboard.AgentID("ann"), x.Agents[0].Agent)
	require.Equal(t, []routing.PassReason{routing.NotReadyReason}, x.Agents[0].Reasons)
	require.Equal(t, "break", x.Agents[0].StateReason)

	_, err = b.eng.Explain(ctx, "nope")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
}
