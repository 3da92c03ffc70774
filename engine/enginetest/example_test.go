package enginetest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine/enginetest"
	"github.com/switchboard-cc/switchboard/routing"
)

// A policy test: an offer nobody accepts in time puts the agent in RONA
// and goes to the next agent, and the customer never sees the whisper.
func Example() {
	t := &testing.T{} // in a test, the test's own *testing.T

	support := []switchboard.QueueID{"support"}
	k := enginetest.New(t, enginetest.Options{
		Queues: []routing.Queue{{ID: "support", AcceptTimeout: 30 * time.Second}},
		Agents: []enginetest.Agent{
			{ID: "ada", Profile: routing.Profile{DisplayName: "Ada", Queues: support}},
			{ID: "bob", Profile: routing.Profile{DisplayName: "Bob", Queues: support}},
		},
	})
	k.StartChat("c1", "support")
	k.Offer("ada", "c1") // fails the test if Ada was not offered the chat
	k.Advance(30 * time.Second)
	k.Accept("bob", "c1")
	k.CustomerSays("c1", "Where is my order?")
	k.AgentWhispers("c1", "bob", "second time this week")
	k.AgentSays("c1", "bob", "Let me check")

	fmt.Println("ada:", k.Agent("ada").State, k.DesktopTypes("ada"))
	fmt.Println("chat:", k.Chat("c1").State, "with", k.Chat("c1").Agent)
	for _, line := range k.CustomerSaw("c1") {
		fmt.Println("customer |", line)
	}
	for _, line := range k.AgentSaw("c1", "bob") {
		fmt.Println("bob      |", line)
	}
	// Output:
	// ada: RONA [AgentLoggedIn ChatOffered OfferResolved AgentStateChanged]
	// chat: Assigned with bob
	// customer | * chat started
	// customer | * You are number 1 in the queue.
	// customer | * We are still finding an agent for you. You are number 1 in the queue.
	// customer | * Bob joined
	// customer | Customer: Where is my order?
	// customer | Bob: Let me check
	// bob      | * Bob joined
	// bob      | * Bob now owns the chat
	// bob      | Customer: Where is my order?
	// bob      | Bob (private): second time this week
	// bob      | Bob: Let me check
}
