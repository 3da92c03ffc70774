package stats_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/stats"
)

// TestBoardWireRefusesUnknownState: a board whose agents are counted under
// a state the library does not know is refused with an error matching
// switchboard.ErrInvalid, and the board read into is left as it was.
func TestBoardWireRefusesUnknownState(t *testing.T) {
	before := stats.Board{At: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)}
	b := before
	err := json.Unmarshal([]byte(`{"at":"2024-01-01T10:00:00Z","queues":{"sales":{"agents":{"by_state":{"asleep":2}}}}}`), &b)
	if !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("unknown state: %v, want an error matching ErrInvalid", err)
	}
	if !b.At.Equal(before.At) || b.Queues != nil {
		t.Fatalf("the board changed: %+v", b)
	}
}

// TestBoardWireCarriesASnapshot: a snapshot sent to a wallboard reads back
// with the same figures.
func TestBoardWireCarriesASnapshot(t *testing.T) {
	b := stats.Board{At: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC),
		Queues: map[switchboard.QueueID]*stats.QueueNow{"sales": {Chats: stats.Chats{Waiting: 2, Longest: 1500 * time.Millisecond},
			Agents: stats.Agents{LoggedIn: 1, ByState: [5]int{1: 1}}, Eligible: 1}},
		Teams: map[string]*stats.GroupNow{}, Tenants: map[switchboard.TenantID]*stats.GroupNow{}}
	data, err := json.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	var back stats.Board
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	q := back.Queues["sales"]
	if q == nil || q.Waiting != 2 || q.Longest != 1500*time.Millisecond || q.Agents.ByState[1] != 1 || q.Eligible != 1 {
		t.Fatalf("read back %s as %+v", data, q)
	}
}
