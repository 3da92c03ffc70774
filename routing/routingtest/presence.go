package routingtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// testAgentDeadlines checks that Due answers agents by their disconnect
// grace ([routing.AgentDeadline]), and that the deadline moves or goes with
// the record.
func testAgentDeadlines(t *testing.T, s routing.Store) {
	ctx := context.Background()
	gone := agent("gone", 0, 0, 1, "q")
	gone.DisconnectedAt, gone.GraceUntil = t0, t0.Add(time.Minute)
	later := agent("later", 0, 0, 1, "q")
	later.DisconnectedAt, later.GraceUntil = t0, t0.Add(time.Hour)
	here := agent("here", 0, 0, 1, "q")
	out := agent("out", 0, 0, 1, "q")
	out.State, out.GraceUntil = routing.LoggedOut, t0.Add(time.Second) // logged out: no deadline
	commit(t, s, routing.Txn{Agents: []routing.Agent{gone, later, here, out}})

	due, err := s.Due(ctx, t0.Add(2*time.Minute), 0)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{{At: t0.Add(time.Minute), Kind: routing.AgentDeadline, Key: "gone"}}, normaliseDue(due))

	// Reconnected: the deadline goes.
	g, err := s.Agent(ctx, "gone")
	require.NoError(t, err)
	require.Equal(t, t0.Add(time.Minute), g.GraceUntil.UTC())
	g.DisconnectedAt, g.GraceUntil = time.Time{}, time.Time{}
	commit(t, s, routing.Txn{Agents: []routing.Agent{g}})
	due, err = s.Due(ctx, t0.Add(2*time.Hour), 0)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{{At: t0.Add(time.Hour), Kind: routing.AgentDeadline, Key: "later"}}, normaliseDue(due))

	// Logged out: the deadline goes too.
	l, err := s.Agent(ctx, "later")
	require.NoError(t, err)
	l.State = routing.LoggedOut
	commit(t, s, routing.Txn{Agents: []routing.Agent{l}})
	due, err = s.Due(ctx, t0.Add(2*time.Hour), 0)
	require.NoError(t, err)
	require.Empty(t, due)
}

// testDisconnectedCandidates checks that an agent in its disconnect grace is
// never a candidate, and is one again once it reconnects.
func testDisconnectedCandidates(t *testing.T, s routing.Store) {
	ctx := context.Background()
	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("q", routing.LongestIdle)}})
	a := agent("a", 0, 0, 1, "q")
	a.DisconnectedAt, a.GraceUntil = t0, t0.Add(time.Minute)
	b := agent("b", time.Second, 0, 1, "q")
	commit(t, s, routing.Txn{Agents: []routing.Agent{a, b}})
	q := routing.CandidateQuery{Queue: "q", Channel: switchboard.DefaultChannel, Order: routing.ByIdle}
	got, err := s.Candidates(ctx, q)
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"b"}, got)

	a, err = s.Agent(ctx, "a")
	require.NoError(t, err)
	a.DisconnectedAt, a.GraceUntil = time.Time{}, time.Time{}
	commit(t, s, routing.Txn{Agents: []routing.Agent{a}})
	got, err = s.Candidates(ctx, q)
	require.NoError(t, err)
	require.Equal(t, []switchboard.AgentID{"a", "b"}, got)
}
