package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

// day is the day of every scripted timeline.
var day = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// at returns the instant "15:04:05" of day.
func at(hms string) time.Time {
	t, err := time.Parse("15:04:05", hms)
	if err != nil {
		panic(err)
	}
	return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second)
}

// rig is a router on an in-memory store and a mock clock, with a stats
// consumer folding its event log into an in-memory stats store.
type rig struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Mock
	store *routingmem.Store
	r     *routing.Router
	stats *statsmem.Store
	cons  *stats.Consumer
	cfg   stats.Config
}

func newRig(t *testing.T, cfg stats.Config, queues ...routing.Queue) *rig {
	t.Helper()
	g := &rig{t: t, ctx: context.Background(), clock: clock.NewMock(), stats: statsmem.New(), cfg: cfg}
	g.clock.Set(at("09:00:00"))
	g.store = routingmem.New(routingmem.Config{Partitions: 4, KeepFinished: -1})
	for p := range g.store.Partitions() {
		require.NoError(t, g.store.SaveCursor(g.ctx, routing.Cursor{Consumer: stats.ConsumerName, Partition: p}))
		// A cursor that never moves keeps the whole log, for events().
		require.NoError(t, g.store.SaveCursor(g.ctx, routing.Cursor{Consumer: "whole-log", Partition: p}))
	}
	var err error
	g.r, err = routing.New(g.store, routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), routing.Config{Clock: g.clock})
	require.NoError(t, err)
	g.cons, err = stats.NewConsumer(cfg, g.stats, nil)
	require.NoError(t, err)
	for _, q := range queues {
		_, err := g.r.PutQueue(g.ctx, q)
		require.NoError(t, err)
	}
	return g
}

// to moves the clock to hms and expires what is due.
func (g *rig) to(hms string) {
	g.t.Helper()
	g.clock.Set(at(hms))
	_, err := g.r.Sweep(g.ctx)
	require.NoError(g.t, err)
}

func (g *rig) login(agent switchboard.AgentID, team string, capacity int, queues ...switchboard.QueueID) {
	g.t.Helper()
	_, err := g.r.Login(g.ctx, agent, routing.Profile{Tenant: "acme", Team: team, Queues: queues,
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: capacity}}})
	require.NoError(g.t, err)
}

func (g *rig) enqueue(chat switchboard.ChatID, q switchboard.QueueID) {
	g.t.Helper()
	_, err := g.r.Enqueue(g.ctx, routing.ChatRequest{ID: chat, Queue: q})
	require.NoError(g.t, err)
}

// accept accepts agent's only pending offer.
func (g *rig) accept(agent switchboard.AgentID) {
	g.t.Helper()
	os, err := g.r.Offers(g.ctx, agent)
	require.NoError(g.t, err)
	require.Len(g.t, os, 1, "offers of %s", agent)
	_, err = g.r.Accept(g.ctx, agent, os[0].ID)
	require.NoError(g.t, err)
}

// fold gives the consumer every partition's new events, as an engine
// would, and returns the stored states.
func (g *rig) fold() []*stats.State {
	g.t.Helper()
	for p := range g.store.Partitions() {
		cur, err := g.store.Cursor(g.ctx, stats.ConsumerName, p)
		require.NoError(g.t, err)
		evs, err := g.store.Events(g.ctx, p, cur.Position, 0)
		require.NoError(g.t, err)
		if len(evs) == 0 {
			continue
		}
		require.NoError(g.t, g.cons.Consume(g.ctx, p, evs))
		cur.Position = evs[len(evs)-1].Seq
		require.NoError(g.t, g.store.SaveCursor(g.ctx, cur))
	}
	states, err := stats.LoadAll(g.ctx, g.stats, g.store.Partitions())
	require.NoError(g.t, err)
	return states
}

// window folds and returns the figures of dim/id over [from, to).
func (g *rig) window(dim stats.Dim, id string, from, to string) stats.Figures {
	g.t.Helper()
	return stats.Window(dim, id, at(from), at(to), g.fold()...)
}

// events returns every event of the routing log, partition by partition.
func (g *rig) events() [][]routing.Event {
	g.t.Helper()
	out := make([][]routing.Event, g.store.Partitions())
	for p := range out {
		evs, err := g.store.Events(g.ctx, p, 0, 0)
		require.NoError(g.t, err)
		out[p] = evs
	}
	return out
}

// accept2 accepts agent's pending offer of chat.
func (g *rig) accept2(agent switchboard.AgentID, chat switchboard.ChatID) {
	g.t.Helper()
	os, err := g.r.Offers(g.ctx, agent)
	require.NoError(g.t, err)
	for _, o := range os {
		if o.Chat == chat {
			_, err = g.r.Accept(g.ctx, agent, o.ID)
			require.NoError(g.t, err)
			return
		}
	}
	g.t.Fatalf("%s has no offer of %s", agent, chat)
}
