package session_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// A Desk routes a customer chat to an agent and runs its session: the
// agent accepts the offer, answers, whispers a note the customer never
// sees, and ends the chat with a wrap-up reason.
func ExampleDesk() {
	ctx := context.Background()
	mock := clock.NewMock()
	router, _ := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})
	sessions, _ := session.NewManager(sessionmem.NewStore(), session.Config{Clock: mock,
		Queues: map[switchboard.QueueID]session.QueueConfig{"support": {WrapUpReasons: []string{"resolved"}}}})
	desk, _ := session.NewDesk(router, sessions, session.DeskConfig{})

	router.PutQueue(ctx, routing.Queue{ID: "support", WrapUp: time.Minute})
	router.Login(ctx, "ada", routing.Profile{DisplayName: "Ada", Queues: []switchboard.QueueID{"support"}})
	desk.Start(ctx, session.ChatRequest{ID: "chat-1", Queue: "support", Customer: "grace", CustomerName: "Grace"})

	offers, _ := router.Offers(ctx, "ada")
	desk.Accept(ctx, "ada", offers[0].ID)
	ada, grace := session.AgentParticipant("ada"), session.CustomerParticipant("grace")
	desk.Send(ctx, "chat-1", session.Message{From: grace, Text: "My order is late"})
	desk.Send(ctx, "chat-1", session.Message{From: ada, Text: "Let me check that for you"})
	desk.Send(ctx, "chat-1", session.Message{From: ada, Mode: session.ModeWhisper, Text: "note: second complaint"})
	desk.End(ctx, "chat-1", "ada", session.EndOptions{Reason: "resolved", Confirm: true})

	views, _ := sessions.History(ctx, "chat-1", grace)
	for _, v := range views {
		if v.Type == session.EntryMessage {
			fmt.Printf("%s: %s\n", v.FromName, v.Text)
		}
	}
	c, _ := router.Chat(ctx, "chat-1")
	fmt.Println("routing:", c.State)
	// Output:
	// Grace: My order is late
	// Ada: Let me check that for you
	// routing: WrapUp
}
