package engine_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

func TestSetWorkThroughTheEngine(t *testing.T) {
	t.Parallel()
	// SPEC L5 through the engine: an agent on a call the host routes,
	// which chats may not interrupt, is offered the started chat once the
	// host reports the call over, and the chat's session follows.
	b := setup(t)
	_, err := b.router.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Tenant: "t1", Team: "sales",
		Queues: []switchboard.QueueID{"sales"}, LimitInterrupts: true,
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 1}, {Channel: "voice", Max: 1}}})
	require.NoError(t, err)
	require.NoError(t, b.eng.SetWork(ctx, "ann", "voice", 1))
	b.start(t, "c1")
	x, err := b.eng.Explain(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []routing.PassReason{routing.InterruptBlockedReason}, x.Agents[0].Reasons)

	require.NoError(t, b.eng.SetWork(ctx, "ann", "voice", 0))
	_, _, err = b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	require.NoError(t, b.eng.Settle(ctx))
	s, err := b.eng.Sync(ctx, "c1")
	require.NoError(t, err)
	require.NotNil(t, s.Owner())
	require.Equal(t, session.AgentParticipant("ann"), s.Owner().ID)

	require.ErrorIs(t, b.eng.SetWork(ctx, "ann", "voice", -1), routing.ErrInvalid)
	require.ErrorIs(t, b.eng.SetWork(ctx, "nobody", "voice", 1), routing.ErrAgentNotFound)
}
