package engine_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// An Engine routes a customer chat to an agent and runs its session: the
// agent accepts the offer, answers, whispers a note the customer never
// sees, and ends the chat with a wrap-up reason. The engine here is Manual
// on a mock clock, as in a test; a server builds it without Manual and runs
// [engine.Engine.Run].
func Example() {
	ctx := context.Background()
	eng, err := engine.New(ctx, engine.Config{
		Routing:      routingmem.New(routingmem.Config{}),
		Sessions:     sessionmem.NewStore(),
		Desktops:     routingmem.NewBus(),
		Participants: session.Discard{},
		Clock:        clock.NewMock(),
		Manual:       true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	router, sessions := eng.Router(), eng.Sessions()
	router.PutQueue(ctx, routing.Queue{ID: "support", WrapUp: time.Minute,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"resolved"}}})
	router.Login(ctx, "ada", routing.Profile{DisplayName: "Ada", Queues: []switchboard.QueueID{"support"}})
	eng.Start(ctx, engine.StartRequest{ID: "chat-1", Queue: "support", Customer: "grace", CustomerName: "Grace"})

	offers, _ := router.Offers(ctx, "ada")
	eng.Accept(ctx, "ada", offers[0].ID)
	ada, grace := session.AgentParticipant("ada"), session.CustomerParticipant("grace")
	eng.Send(ctx, "chat-1", session.Message{From: grace, Text: "My order is late"})
	eng.Send(ctx, "chat-1", session.Message{From: ada, Text: "Let me check that for you"})
	eng.Send(ctx, "chat-1", session.Message{From: ada, Mode: session.ModeWhisper, Text: "note: second complaint"})
	eng.End(ctx, "chat-1", "ada", session.EndOptions{Reason: "resolved", Confirm: true})
	eng.Settle(ctx)

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

// A server builds the engine over its stores on the real clock and runs it
// for as long as it serves: Run expires offers, queue timeouts and wrap-ups
// and carries routing's outcomes to the sessions.
func ExampleEngine_Run() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	eng, err := engine.New(ctx, engine.Config{
		Routing:      routingmem.New(routingmem.Config{}),
		Sessions:     sessionmem.NewStore(),
		Desktops:     routingmem.NewBus(), // your websocket layer, for agent desktops
		Participants: session.Discard{},   // your websocket layer, for chat participants
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	running := make(chan error, 1)
	go func() { running <- eng.Run(ctx) }()

	router := eng.Router()
	router.PutQueue(ctx, routing.Queue{ID: "support", AcceptTimeout: 30 * time.Second, WrapUp: time.Minute})
	router.Login(ctx, "ada", routing.Profile{DisplayName: "Ada", Queues: []switchboard.QueueID{"support"}})
	eng.Start(ctx, engine.StartRequest{ID: "chat-1", Queue: "support", Customer: "grace", CustomerName: "Grace"})
	offers, _ := router.Offers(ctx, "ada")
	s, _, err := eng.Accept(ctx, "ada", offers[0].ID)
	fmt.Println(s.Owner().Name, err)

	stop()
	fmt.Println(<-running)
	// Output:
	// Ada <nil>
	// <nil>
}
