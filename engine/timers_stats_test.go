package engine_test

import (
	"context"
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

func TestTimersCountInTheStatistics(t *testing.T) {
	// SPEC D10: a missed first response, a reply-promise breach, an agent
	// silence and a close for the customer's silence each count once, for
	// the owner they concern; the reassignment counts for the queue too.
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	rs, ss, st := routingmem.New(routingmem.Config{}), sessionmem.NewStore(), statsmem.New()
	e := statsProcess(t, "a", rs, ss, st, clk)
	_, err := e.Router().PutQueue(ctx, routing.Queue{ID: "q", Tenant: "t1", Chat: switchboard.ChatSettings{Timers: switchboard.Timers{
		FirstResponse: time.Minute, ResponseSLA: 30 * time.Second, AgentIdle: 45 * time.Second,
		CustomerIdle: 2 * time.Minute, CustomerIdleClose: time.Minute}}})
	require.NoError(t, err)
	for _, a := range []switchboard.AgentID{"ada", "bo"} {
		_, err = e.Router().Login(ctx, a, routing.Profile{Tenant: "t1", Queues: []switchboard.QueueID{"q"}})
		require.NoError(t, err)
	}
	_, err = e.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "q", Customer: "u1", CustomerName: "Dan"})
	require.NoError(t, err)
	accept := func() switchboard.AgentID {
		t.Helper()
		for _, a := range []switchboard.AgentID{"ada", "bo"} {
			os, err := e.Router().Offers(ctx, a)
			require.NoError(t, err)
			if len(os) == 1 {
				_, _, err = e.Accept(ctx, a, os[0].ID)
				require.NoError(t, err)
				return a
			}
		}
		t.Fatal("no offer")
		return ""
	}
	say := func(from session.ParticipantID, text string) {
		t.Helper()
		_, err := e.Send(ctx, "c1", session.Message{From: from, Text: text})
		require.NoError(t, err)
	}
	wait := func(d time.Duration) {
		t.Helper()
		clk.Add(d)
		require.NoError(t, e.Settle(ctx))
	}
	cust := session.CustomerParticipant("u1")
	first := accept()
	say(cust, "hello")
	wait(time.Minute) // first missed; SLA and agent silence too
	second := accept()
	require.NotEqual(t, first, second)
	say(session.AgentParticipant(second), "Hi Dan")
	wait(3 * time.Minute) // the customer is warned, then the chat closes
	wait(time.Hour)

	states, err := stats.LoadAll(ctx, st, max(rs.Partitions(), ss.Partitions()))
	require.NoError(t, err)
	window := func(dim stats.Dim, id string) stats.Figures {
		return stats.Window(dim, id, clk.Now().Add(-2*time.Hour), clk.Now().Add(time.Hour), states...)
	}
	f1, f2, q := window(stats.ByAgent, string(first)), window(stats.ByAgent, string(second)), window(stats.ByQueue, "q")
	require.Equal(t, int64(1), f1.FirstResponsesMissed)
	require.Equal(t, int64(1), f1.ResponseSLABreaches)
	require.Equal(t, int64(1), f1.AgentIdleAlerts)
	require.Equal(t, int64(1), f1.Reassigned)
	require.Equal(t, int64(0), f1.CustomerIdleCloses)
	require.Equal(t, int64(1), f2.CustomerIdleCloses)
	require.Equal(t, int64(0), f2.FirstResponsesMissed+f2.ResponseSLABreaches+f2.AgentIdleAlerts+f2.Reassigned)
	require.Equal(t, int64(1), q.Reassigned)
}
