package routing

import (
	"strconv"
	"testing"

	"github.com/switchboard-cc/switchboard"
)

// TestDescribeFindsRecordsThroughTheIndex describes the n offers of a
// ring-all round: each event gets its agent's team and the chat's
// priority, found through the work's index. Walking every agent the work
// holds for each event made a 10,000-agent round quadratic (0.4 s per
// chat); BenchmarkRingAll shows the cost per offer. To tell the two apart
// without a clock, the test then hides the records from a walk: the
// arena's list is pointed at strangers, which only a walk would meet, and
// describe must still find every agent.
func TestDescribeFindsRecordsThroughTheIndex(t *testing.T) {
	const n = 2000
	w := newWork()
	keys := 0
	key := w.agents.key
	w.agents.key = func(a *Agent) string { keys++; return key(a) }
	c := w.chats.alloc()
	*c = Chat{ID: "c1", Channel: switchboard.DefaultChannel, Priority: 3}
	for i := range n {
		a := w.agents.alloc()
		*a = Agent{ID: switchboard.AgentID("a" + strconv.Itoa(i)), Profile: Profile{Team: "t" + strconv.Itoa(i%7)}}
	}
	describeAll := func() {
		t.Helper()
		for i := range n {
			e := Event{Type: ChatOffered, Chat: "c1", Agent: switchboard.AgentID("a" + strconv.Itoa(i))}
			w.describe(&e)
			if want := "t" + strconv.Itoa(i%7); e.Team != want || e.Priority != 3 {
				t.Fatalf("event for a%d: team %q priority %d, want %q and 3", i, e.Team, e.Priority, want)
			}
		}
	}
	describeAll()
	if keys > 2*n {
		t.Fatalf("describing %d offers read %d agent keys, want at most %d", n, keys, 2*n)
	}
	for i := range w.agents.live {
		w.agents.live[i] = &Agent{ID: switchboard.AgentID("stranger-" + strconv.Itoa(i))}
	}
	describeAll()
}
