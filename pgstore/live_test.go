package pgstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// liveProc is a process: an engine whose participant transport is a Live.
type liveProc struct {
	eng  *engine.Engine
	live *pgstore.Live
}

func newLiveProc(t *testing.T, schema, name string, clk clock.Clock) liveProc {
	pool := newPool(t, schema, 4)
	ss := pgstore.NewSessions(pool, pgstore.SessionConfig{})
	live, err := pgstore.NewLive(pool, ss, pgstore.LiveConfig{})
	require.NoError(t, err)
	eng, err := engine.New(ctx, engine.Config{Routing: pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: clk}), Sessions: ss,
		Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: live,
		Clock: clk, Process: name, Poll: 20 * time.Millisecond})
	require.NoError(t, err)
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 2)
	go func() { done <- eng.Run(run) }()
	go func() { done <- live.Run(run) }()
	t.Cleanup(func() {
		stop()
		require.NoError(t, <-done)
		require.NoError(t, <-done)
	})
	return liveProc{eng: eng, live: live}
}

// eventually waits for cond, on the wall clock, for up to ten seconds.
func eventually(t *testing.T, wall clock.Clock, cond func() bool, what string) {
	t.Helper()
	for deadline := wall.Now().Add(10 * time.Second); !cond(); {
		require.True(t, wall.Now().Before(deadline), "never: %s", what)
		wall.Sleep(10 * time.Millisecond)
	}
}

// TestLiveAcrossProcesses connects a customer to one process and an agent
// to another: what each sends through its own process reaches the other
// live, with visibility applied (a whisper never reaches the customer),
// carried by NOTIFY and read from the durable log (SPEC G8).
func TestLiveAcrossProcesses(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	wall := clock.New()
	a, b := newLiveProc(t, schema, "a", wall), newLiveProc(t, schema, "b", wall)
	customer, agent := session.CustomerParticipant("u1"), session.AgentParticipant("ann")
	custBox, agentBox := sessionmem.NewTransport(), sessionmem.NewTransport()
	a.live.Connect(customer, custBox)
	b.live.Connect(agent, agentBox)

	r := b.eng.Router()
	_, err := r.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: time.Minute})
	require.NoError(t, err)
	_, err = r.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Tenant: "t1", Queues: []switchboard.QueueID{"sales"},
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 1}}})
	require.NoError(t, err)
	_, err = a.eng.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	offers, err := r.Offers(ctx, "ann")
	require.NoError(t, err)
	require.Len(t, offers, 1)
	_, _, err = b.eng.Accept(ctx, "ann", offers[0].ID)
	require.NoError(t, err)

	texts := func(box *sessionmem.Transport, p session.ParticipantID) string {
		var out []string
		for _, d := range box.Received(p) {
			if d.Item.Type == session.EntryMessage {
				out = append(out, d.Item.Text)
			}
		}
		return strings.Join(out, "|")
	}
	_, err = a.eng.Send(ctx, "c1", session.Message{ID: "m1", From: customer, Text: "hello from a"})
	require.NoError(t, err)
	eventually(t, wall, func() bool { return texts(agentBox, agent) == "hello from a" }, "the agent on b gets the customer's message sent on a")

	_, err = b.eng.Send(ctx, "c1", session.Message{ID: "m2", From: agent, Mode: session.ModeWhisper, Text: "a note"})
	require.NoError(t, err)
	_, err = b.eng.Send(ctx, "c1", session.Message{ID: "m3", From: agent, Text: "hi from b"})
	require.NoError(t, err)
	eventually(t, wall, func() bool { return strings.Contains(texts(custBox, customer), "hi from b") },
		"the customer on a gets the agent's message sent on b")
	require.Equal(t, "hello from a|hi from b", texts(custBox, customer), "the customer gets no whisper, and each message once")
	for _, d := range custBox.Received(customer) {
		require.Empty(t, d.Item.From, "a customer's view names no agent ID")
	}
	require.Equal(t, "hello from a|a note|hi from b", texts(agentBox, agent))
}
