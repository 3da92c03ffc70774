package routing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// A queue, an agent and a chat: the chat is offered to the agent, who
// accepts it, ends it and wraps it up.
func Example() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	events := bus.Subscribe(nil)
	router, _ := routing.New(routingmem.New(routingmem.Config{}), bus, routing.Config{Clock: mock})

	router.PutQueue(ctx, routing.Queue{ID: "support", AcceptTimeout: 20 * time.Second, WrapUp: time.Minute})
	router.Login(ctx, "ada", routing.Profile{DisplayName: "Ada", Queues: []switchboard.QueueID{"support"}})
	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "support", Customer: routing.Customer{Name: "Grace"}})

	offers, _ := router.Offers(ctx, "ada")
	fmt.Printf("offer %s: %s in %s, expires %s\n", offers[0].ID, offers[0].Customer, offers[0].Queue, offers[0].ExpiresAt.Format("15:04:05"))

	mock.Add(5 * time.Second)
	a, _ := router.Accept(ctx, "ada", offers[0].ID)
	fmt.Println("assigned to", a.Chat.Agent)

	router.End(ctx, "chat-1")
	router.CompleteWrapUp(ctx, "chat-1")

	for _, e := range events.Drain() {
		fmt.Println(e.At.Format("15:04:05"), e)
	}
	// Output:
	// offer chat-1#1: Grace in support, expires 09:00:20
	// assigned to ada
	// 09:00:00 AgentLoggedIn agent=ada state=Available
	// 09:00:00 ChatQueued chat=chat-1 queue=support
	// 09:00:00 ChatOffered agent=ada chat=chat-1 queue=support offer=chat-1#1
	// 09:00:05 OfferResolved agent=ada chat=chat-1 queue=support offer=chat-1#1 outcome=accepted
	// 09:00:05 ChatAssigned agent=ada chat=chat-1 queue=support
	// 09:00:05 ChatWrapUp agent=ada chat=chat-1 queue=support
	// 09:00:05 AgentStateChanged agent=ada state=WrapUp reason=wrap-up
	// 09:00:05 ChatDone agent=ada chat=chat-1 queue=support
	// 09:00:05 AgentStateChanged agent=ada state=Available
}
