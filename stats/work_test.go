package stats_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

func TestHostReportedWorkIsNoContact(t *testing.T) {
	t.Parallel()
	// SPEC L5: the event of work the host routes itself concerns an agent,
	// not a chat: folding it makes no contact, and the figures count only
	// the chats routing routed.
	g := newRig(t, stats.Config{}, routing.Queue{ID: "sales", Tenant: "acme"})
	_, err := g.r.Login(g.ctx, "ada", routing.Profile{Tenant: "acme", Queues: []switchboard.QueueID{"sales"},
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 1}, {Channel: "voice", Max: 1}}})
	require.NoError(t, err)
	require.NoError(t, g.r.SetWork(g.ctx, "ada", "voice", 1))
	g.enqueue("c1", "sales")
	g.to("09:05:00")
	require.NoError(t, g.r.SetWork(g.ctx, "ada", "voice", 0))
	chats := 0
	for _, st := range g.fold() {
		for id := range st.Chats {
			require.NotEmpty(t, id, "a contact with no chat")
			chats++
		}
	}
	require.Equal(t, 1, chats, "c1 alone")
	f := g.window(stats.ByQueue, "sales", "09:00:00", "09:15:00")
	require.Equal(t, int64(1), f.Entered)
}
