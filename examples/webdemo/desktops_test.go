package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// TestDesktopPayloads: the events of a transition travel to other
// processes' desktops in NOTIFY payloads under PostgreSQL's limit, in
// order, leaving out the events that concern no agent and an event too
// large for any payload.
func TestDesktopPayloads(t *testing.T) {
	var events []routing.Event
	for i := range 200 {
		events = append(events, routing.Event{Type: routing.ChatOffered, Agent: "ada",
			Chat: switchboard.ChatID(fmt.Sprint("chat-", i)), Customer: "Jane"})
	}
	events = append(events, routing.Event{Type: routing.ChatQueued, Chat: "no-agent"},
		routing.Event{Type: routing.ChatTransferred, Agent: "bob", Chat: "huge", Comment: strings.Repeat("x", maxNotify)},
		routing.Event{Type: routing.AgentStateChanged, Agent: "bob", State: routing.Available})
	payloads, err := desktopPayloads(events)
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads) < 2 {
		t.Fatalf("%d payloads, want the events split over several", len(payloads))
	}
	var got []routing.Event
	for _, p := range payloads {
		if len(p) > maxNotify {
			t.Errorf("payload of %d bytes, over %d", len(p), maxNotify)
		}
		var evs []routing.Event
		if err := json.Unmarshal([]byte(p), &evs); err != nil {
			t.Fatalf("payload %q: %v", p, err)
		}
		got = append(got, evs...)
	}
	if len(got) != 201 {
		t.Fatalf("%d events arrived, want the 200 offers and bob's state", len(got))
	}
	for i, e := range got[:200] {
		if e.Chat != events[i].Chat || e.Agent != "ada" || e.Type != routing.ChatOffered {
			t.Fatalf("event %d is %v, want %v", i, e, events[i])
		}
	}
	if last := got[200]; last.Agent != "bob" || last.State != routing.Available {
		t.Errorf("last event %v, want bob available", last)
	}
	if none, err := desktopPayloads([]routing.Event{{Type: routing.ChatQueued, Chat: "c"}}); err != nil || len(none) != 0 {
		t.Errorf("events for no agent: %q %v, want no payload", none, err)
	}
}
