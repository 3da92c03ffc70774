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

// TestLoggedLoginOwnsItsSlices checks that a login read from the event log
// shares no memory with the log: changing what one read returned leaves
// the next read as it was.
func TestLoggedLoginOwnsItsSlices(t *testing.T) {
	r, b := setup(t, routing.Queue{ID: "q"})
	require.NoError(t, b.store.SaveCursor(b.ctx, routing.Cursor{Consumer: "reader", Partition: routing.PartitionOf(&routing.Event{Agent: "ada"}, b.store.Partitions())}))
	_, err := r.Login(b.ctx, "ada", routing.Profile{Queues: qids("q"), Capacity: chatCap(2)})
	require.NoError(t, err)
	p := routing.PartitionOf(&routing.Event{Agent: "ada"}, b.store.Partitions())
	first, err := b.store.Events(b.ctx, p, 0, 0)
	require.NoError(t, err)
	require.Len(t, first, 1)
	first[0].Queues[0], first[0].Capacity[0].Max = "changed", 99
	again, err := b.store.Events(b.ctx, p, 0, 0)
	require.NoError(t, err)
	require.Equal(t, qids("q"), again[0].Queues)
	require.Equal(t, chatCap(2), again[0].Capacity)
}
