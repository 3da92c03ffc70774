package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

// statsProcess is one process of a host: an engine over shared stores,
// feeding its own stats consumer, which saves to the shared stats store.
func statsProcess(t *testing.T, name string, rs routing.Store, ss session.Store, st stats.Store, clk *clock.Mock) *engine.Engine {
	t.Helper()
	cons, err := stats.NewConsumer(stats.Config{}, st, nil)
	require.NoError(t, err)
	e, err := engine.New(context.Background(), engine.Config{Routing: rs, Sessions: ss,
		Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
		Clock: clk, Manual: true, Process: name, Lease: 10 * time.Second, Consumers: []engine.EventConsumer{cons}})
	require.NoError(t, err)
	return e
}

// chatThrough has agent ada take one chat of queue q through e, from
// entry to done.
func chatThrough(t *testing.T, e *engine.Engine, id switchboard.ChatID) {
	t.Helper()
	ctx := context.Background()
	_, err := e.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "q", Customer: "u1", CustomerName: "Dan"})
	require.NoError(t, err)
	os, err := e.Router().Offers(ctx, "ada")
	require.NoError(t, err)
	require.Len(t, os, 1)
	_, _, err = e.Accept(ctx, "ada", os[0].ID)
	require.NoError(t, err)
	_, err = e.End(ctx, id, "ada", session.EndOptions{Confirm: true, Forced: true})
	require.NoError(t, err)
	require.NoError(t, e.Settle(ctx))
}

// TestEngineFeedsStatisticsAcrossProcesses checks that an engine feeds its
// registered consumers routing's events under their own cursor and lease,
// so the figures are right when a second process takes over a crashed
// one's partitions, and when the first comes back with what it held in
// memory outdated (SPEC M6).
func TestEngineFeedsStatisticsAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	rs, ss, st := routingmem.New(routingmem.Config{}), sessionmem.NewStore(), statsmem.New()
	a := statsProcess(t, "a", rs, ss, st, clk)
	b := statsProcess(t, "b", rs, ss, st, clk)
	_, err := a.Router().PutQueue(ctx, routing.Queue{ID: "q", Tenant: "t1"})
	require.NoError(t, err)
	_, err = a.Router().Login(ctx, "ada", routing.Profile{Tenant: "t1", Team: "red", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)

	answered := func() int64 {
		states, err := stats.LoadAll(ctx, st, rs.Partitions())
		require.NoError(t, err)
		f := stats.Window(stats.ByQueue, "q", clk.Now().Add(-time.Hour), clk.Now().Add(time.Hour), states...)
		require.Equal(t, f.Answered, f.Handled, "every chat is done")
		require.Equal(t, f.Entered, f.Handled)
		return f.Answered
	}
	chatThrough(t, a, "c1")
	require.Equal(t, int64(1), answered())

	// a stops (crashes); b waits for a's leases to end, then carries on
	// from the stored states.
	clk.Add(11 * time.Second)
	chatThrough(t, b, "c2")
	require.Equal(t, int64(2), answered())

	// a comes back: its states in memory are behind the stored ones.
	clk.Add(11 * time.Second)
	chatThrough(t, a, "c3")
	require.Equal(t, int64(3), answered())
	require.NoError(t, b.Settle(ctx))
	require.Equal(t, int64(3), answered(), "nothing is counted twice")
}

// named is a consumer with a name that does nothing.
type named string

func (n named) Name() string                                      { return string(n) }
func (named) Consume(context.Context, int, []routing.Event) error { return nil }

// TestConsumersNeedDistinctNames checks that New refuses a consumer with no
// name, the engine's own name or another consumer's (SPEC M6).
func TestConsumersNeedDistinctNames(t *testing.T) {
	for _, cs := range [][]engine.EventConsumer{{named("")}, {named(engine.Consumer)}, {named("x"), named("x")}, {nil}} {
		_, err := engine.New(context.Background(), engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
			Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
			Manual: true, Consumers: cs})
		require.True(t, errors.Is(err, engine.ErrConfig), "consumers %v: %v", cs, err)
	}
}

// TestFirstResponseFromTheSessionsFeed checks that a consumer that is a
// FeedConsumer is given the sessions' feed too, so statistics time an
// agent's first response after it took a chat: its first message counts,
// later ones do not, and a chat it ends without writing counts none
// (SPEC M10).
func TestFirstResponseFromTheSessionsFeed(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	rs, ss, st := routingmem.New(routingmem.Config{}), sessionmem.NewStore(), statsmem.New()
	e := statsProcess(t, "a", rs, ss, st, clk)
	_, err := e.Router().PutQueue(ctx, routing.Queue{ID: "q", Tenant: "t1"})
	require.NoError(t, err)
	_, err = e.Router().Login(ctx, "ada", routing.Profile{Tenant: "t1", Queues: []switchboard.QueueID{"q"},
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 3}}})
	require.NoError(t, err)
	ada := session.AgentParticipant("ada")
	take := func(id switchboard.ChatID) {
		t.Helper()
		_, err := e.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "q", Customer: switchboard.CustomerID("u-" + id), CustomerName: "Dan"})
		require.NoError(t, err)
		os, err := e.Router().Offers(ctx, "ada")
		require.NoError(t, err)
		require.Len(t, os, 1)
		_, _, err = e.Accept(ctx, "ada", os[0].ID)
		require.NoError(t, err)
	}
	say := func(id switchboard.ChatID, from session.ParticipantID) {
		t.Helper()
		_, err := e.Send(ctx, id, session.Message{From: from, Text: "hello"})
		require.NoError(t, err)
	}
	take("c1")
	clk.Add(30 * time.Second)
	say("c1", ada) // 30s
	clk.Add(time.Minute)
	say("c1", ada) // not a first response
	take("c2")
	clk.Add(time.Minute)
	say("c2", session.CustomerParticipant("u-c2"))
	clk.Add(time.Minute)
	say("c2", ada) // 2m
	take("c3")
	clk.Add(time.Minute)
	_, err = e.End(ctx, "c3", "ada", session.EndOptions{Confirm: true, Forced: true}) // never wrote
	require.NoError(t, err)
	require.NoError(t, e.Settle(ctx))

	states, err := stats.LoadAll(ctx, st, max(rs.Partitions(), ss.Partitions()))
	require.NoError(t, err)
	f := stats.Window(stats.ByAgent, "ada", clk.Now().Add(-time.Hour), clk.Now().Add(time.Hour), states...)
	require.Equal(t, int64(2), f.Responded)
	require.Equal(t, 2*time.Minute+30*time.Second, f.ResponseTime)
	avg, ok := f.AverageFirstResponse()
	require.True(t, ok)
	require.Equal(t, 75*time.Second, avg)
	require.Equal(t, int64(3), f.Answered, "the routing figures are folded beside")
}
