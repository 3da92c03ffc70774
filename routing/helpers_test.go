package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

var start = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

type testBundle struct {
	ctx    context.Context
	store  *routingmem.Store
	bus    *routingmem.Bus
	events *routingmem.Subscription
	clock  *clock.Mock
}

// setup returns a router on an in-memory store and bus with a mock clock set
// to start, and the given queues created.
func setup(t *testing.T, queues ...routing.Queue) (*routing.Router, *testBundle) {
	t.Helper()
	b := &testBundle{ctx: context.Background(), store: routingmem.New(routingmem.Config{}), bus: routingmem.NewBus(), clock: clock.NewMock()}
	b.clock.Set(start)
	b.events = b.bus.Subscribe(nil)
	r, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	for _, q := range queues {
		_, err := r.PutQueue(b.ctx, q)
		require.NoError(t, err)
	}
	return r, b
}

func qids(ids ...string) []switchboard.QueueID {
	out := make([]switchboard.QueueID, len(ids))
	for i, id := range ids {
		out[i] = switchboard.QueueID(id)
	}
	return out
}

func chatCap(n int) []routing.Capacity {
	return []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: n}}
}

func login(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID, capacity int, queues ...string) {
	t.Helper()
	_, err := r.Login(b.ctx, id, routing.Profile{Queues: qids(queues...), Capacity: chatCap(capacity)})
	require.NoError(t, err)
}

func enqueue(t *testing.T, r *routing.Router, b *testBundle, id switchboard.ChatID, queue switchboard.QueueID) routing.Chat {
	t.Helper()
	c, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: id, Queue: queue, Customer: routing.Customer{Name: "customer of " + string(id)}})
	require.NoError(t, err)
	return c
}

func offers(t *testing.T, r *routing.Router, b *testBundle, agent switchboard.AgentID) []routing.Offer {
	t.Helper()
	os, err := r.Offers(b.ctx, agent)
	require.NoError(t, err)
	return os
}

// onlyOffer returns the single pending offer of agent.
func onlyOffer(t *testing.T, r *routing.Router, b *testBundle, agent switchboard.AgentID) routing.Offer {
	t.Helper()
	os := offers(t, r, b, agent)
	require.Len(t, os, 1, "pending offers of %s", agent)
	return os[0]
}

func chatState(t *testing.T, r *routing.Router, b *testBundle, id switchboard.ChatID) routing.ChatState {
	t.Helper()
	c, err := r.Chat(b.ctx, id)
	require.NoError(t, err)
	return c.State
}

func agentState(t *testing.T, r *routing.Router, b *testBundle, id switchboard.AgentID) routing.State {
	t.Helper()
	a, err := r.Agent(b.ctx, id)
	require.NoError(t, err)
	return a.State
}

// advance moves the mock clock and sweeps due deadlines.
func advance(t *testing.T, r *routing.Router, b *testBundle, d time.Duration) {
	t.Helper()
	b.clock.Add(d)
	_, err := r.Sweep(b.ctx)
	require.NoError(t, err)
}

// offeredTo returns the agents with a pending offer of chat.
func offeredTo(t *testing.T, r *routing.Router, b *testBundle, chat switchboard.ChatID, agents ...switchboard.AgentID) []switchboard.AgentID {
	t.Helper()
	var out []switchboard.AgentID
	for _, a := range agents {
		for _, o := range offers(t, r, b, a) {
			if o.Chat == chat {
				out = append(out, a)
			}
		}
	}
	return out
}

// eventsOf drains b's events and returns those of type typ, without the
// fields that describe the chat and agent (Tenant, Team, Priority, Channel,
// Queues, Capacity), which describe_test.go checks: the tests that use it
// check what happened.
func eventsOf(b *testBundle, typ routing.EventType) []routing.Event {
	var out []routing.Event
	for _, e := range b.events.Drain() {
		if e.Type == typ {
			e.Tenant, e.Team, e.Priority, e.Channel, e.Queues, e.Capacity = "", "", 0, "", nil, nil
			out = append(out, e)
		}
	}
	return out
}

// licenceSum reads every licence shard of store and returns the system-wide
// limit, the units in use summed over the shards, and the shards.
func licenceSum(ctx context.Context, store routing.Store) (total, inUse int, shards []routing.Licence, err error) {
	base, err := store.Licence(ctx, 0)
	if err != nil {
		return 0, 0, nil, err
	}
	for i := range max(base.Shards, 1) {
		l, err := store.Licence(ctx, i)
		if err != nil {
			return 0, 0, nil, err
		}
		inUse += l.InUse
		shards = append(shards, l)
	}
	return base.Total, inUse, shards, nil
}
