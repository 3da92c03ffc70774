package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// TestEventsDescribeChatAndAgent checks that events carry the tenant, team,
// priority and channel of what they concern, and a login its queues and
// capacity, as read from the records of the transition.
func TestEventsDescribeChatAndAgent(t *testing.T) {
	r, b := setup(t, routing.Queue{ID: "q", Tenant: "acme"})
	_, err := r.Login(b.ctx, "ada", routing.Profile{Tenant: "acme", Team: "red", Queues: qids("q"), Capacity: chatCap(2)})
	require.NoError(t, err)
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q", Priority: 3})
	require.NoError(t, err)
	byType := map[routing.EventType]routing.Event{}
	for _, e := range b.events.Drain() {
		byType[e.Type] = e
	}
	in := byType[routing.AgentLoggedIn]
	require.Equal(t, switchboard.TenantID("acme"), in.Tenant)
	require.Equal(t, "red", in.Team)
	require.Equal(t, qids("q"), in.Queues)
	require.Equal(t, chatCap(2), in.Capacity)
	queued := byType[routing.ChatQueued]
	require.Equal(t, switchboard.TenantID("acme"), queued.Tenant)
	require.Equal(t, 3, queued.Priority)
	require.Equal(t, switchboard.DefaultChannel, queued.Channel)
	offered := byType[routing.ChatOffered]
	require.Equal(t, "red", offered.Team)
	require.Equal(t, 3, offered.Priority)
	require.Nil(t, offered.Queues, "only a login lists the agent's queues")
}
