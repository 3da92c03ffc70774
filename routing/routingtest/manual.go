package routingtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// testPickRace has agents pick one chat of a Manual queue at once through
// a router over the store: the store's compare-and-set lets exactly one
// have it, and the others' attempts write and log nothing. The winner
// then returns it, and it waits at its place for the others.
func testPickRace(t *testing.T, s routing.Store) {
	ctx := context.Background()
	const n = 16
	r, mock := racingAgents(t, s, routing.Manual, n)
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		_, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"})
		require.NoError(t, err)
		mock.Add(1)
	}
	var wg sync.WaitGroup
	wins := make(chan switchboard.AgentID, n)
	for i := range n {
		id := switchboard.AgentID(fmt.Sprintf("a%02d", i))
		wg.Go(func() {
			if _, err := r.Pick(ctx, id, "c2"); err == nil {
				wins <- id
			} else if !errors.Is(err, routing.ErrChatTaken) {
				t.Errorf("agent %s: %v", id, err)
			}
		})
	}
	wg.Wait()
	close(wins)
	var winners []switchboard.AgentID
	for w := range wins {
		winners = append(winners, w)
	}
	require.Len(t, winners, 1)
	for i := range n {
		a, err := r.Agent(ctx, switchboard.AgentID(fmt.Sprintf("a%02d", i)))
		require.NoError(t, err)
		want := 0
		if a.ID == winners[0] {
			want = 1
		}
		require.Equal(t, want, a.Load(switchboard.DefaultChannel))
	}
	assigned := 0
	for _, e := range allEvents(t, s) {
		if e.Type == routing.ChatAssigned {
			assigned++
		}
	}
	require.Equal(t, 1, assigned, "the losers' attempts logged nothing")

	require.NoError(t, r.Return(ctx, winners[0], "c2", "wrong_team"))
	other := switchboard.AgentID("a00")
	if winners[0] == other {
		other = "a01"
	}
	cs, err := r.Pickable(ctx, other, 10)
	require.NoError(t, err)
	var ids []switchboard.ChatID
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	require.Equal(t, []switchboard.ChatID{"c1", "c2", "c3"}, ids, "the returned chat waits at its place")
	cs, err = r.Pickable(ctx, winners[0], 10)
	require.NoError(t, err)
	require.Len(t, cs, 2, "the returning agent is not shown the chat it returned")
}
