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
	router.CompleteWrapUp(ctx, "chat-1", "ada")

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

// An offer not accepted in time: the sweeper withdraws it, the agent goes to
// RONA, and the chat is offered to the next agent. Tests drive time with a
// mock clock and call Sweep.
func ExampleRouter_Sweep() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	router, _ := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})
	router.PutQueue(ctx, routing.Queue{ID: "support", AcceptTimeout: 30 * time.Second})
	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"support"}})
	mock.Add(time.Second)
	router.Login(ctx, "bob", routing.Profile{Queues: []switchboard.QueueID{"support"}})
	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "support"})

	mock.Add(30 * time.Second)
	router.Sweep(ctx)

	ada, _ := router.Agent(ctx, "ada")
	offers, _ := router.Offers(ctx, "bob")
	fmt.Println("ada is", ada.State)
	fmt.Println("bob is offered", offers[0].Chat)
	// Output:
	// ada is RONA
	// bob is offered chat-1
}

// Ring-all: both agents are offered the chat; the first accept wins and the
// other agent is told the chat was taken.
func Example_ringAll() {
	ctx := context.Background()
	bus := routingmem.NewBus()
	bobsDesktop := bus.Subscribe(routingmem.ForAgent("bob"))
	router, _ := routing.New(routingmem.New(routingmem.Config{}), bus, routing.Config{Clock: clock.NewMock()})
	router.PutQueue(ctx, routing.Queue{ID: "sales", Strategy: routing.RingAll})
	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"sales"}})
	router.Login(ctx, "bob", routing.Profile{Queues: []switchboard.QueueID{"sales"}})
	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "sales"})

	adas, _ := router.Offers(ctx, "ada")
	bobs, _ := router.Offers(ctx, "bob")
	router.Accept(ctx, "ada", adas[0].ID)
	_, err := router.Accept(ctx, "bob", bobs[0].ID)
	fmt.Println("bob:", err)
	for _, e := range bobsDesktop.Drain() {
		fmt.Println(e)
	}
	// Output:
	// bob: routing: accept chat-1#2: routing: chat was taken by another agent
	// AgentLoggedIn agent=bob state=Available
	// ChatOffered agent=bob chat=chat-1 queue=sales offer=chat-1#2
	// OfferResolved agent=bob chat=chat-1 queue=sales offer=chat-1#2 outcome=rescinded taken=true
}

// A warm transfer: ada invites bob into her chat, bob joins as a consultant,
// and ada hands the customer over to him and wraps up.
func ExampleRouter_HandOver() {
	ctx := context.Background()
	mock := clock.NewMock()
	bus := routingmem.NewBus()
	adasDesktop := bus.Subscribe(routingmem.ForAgent("ada"))
	router, _ := routing.New(routingmem.New(routingmem.Config{}), bus, routing.Config{Clock: mock})
	router.PutQueue(ctx, routing.Queue{ID: "support", WrapUp: time.Minute})
	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"support"}})
	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "support"})
	offers, _ := router.Offers(ctx, "ada")
	router.Accept(ctx, "ada", offers[0].ID)
	router.Login(ctx, "bob", routing.Profile{})
	adasDesktop.Drain()

	invite, _ := router.Invite(ctx, routing.InviteRequest{Chat: "chat-1", From: "ada", Agent: "bob"})
	fmt.Println("offer to bob:", invite.Kind, "from", invite.From)
	router.Accept(ctx, "bob", invite.ID)
	router.HandOver(ctx, "chat-1", "ada", "bob")
	chat, _ := router.Chat(ctx, "chat-1")
	fmt.Println("owner:", chat.Agent, "holds:", len(chat.Holds))
	router.CompleteWrapUp(ctx, "chat-1", "ada")
	for _, e := range adasDesktop.Drain() {
		fmt.Println(e)
	}
	// Output:
	// offer to bob: invite from ada
	// owner: bob holds: 1
	// ChatWrapUp agent=ada chat=chat-1 queue=support reason=handed-over
	// AgentStateChanged agent=ada state=WrapUp reason=wrap-up
	// WrapUpDone agent=ada chat=chat-1 queue=support
	// AgentStateChanged agent=ada state=Available
}

// A blind transfer to a busy agent that is not accepted in time: by default
// the chat goes back to its queue and the transferring agent wraps up.
func ExampleRouter_Transfer() {
	ctx := context.Background()
	mock := clock.NewMock()
	router, _ := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})
	router.PutQueue(ctx, routing.Queue{ID: "support", AcceptTimeout: 20 * time.Second, WrapUp: time.Minute})
	router.Login(ctx, "ada", routing.Profile{Team: "tier1", Queues: []switchboard.QueueID{"support"}})
	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "support"})
	offers, _ := router.Offers(ctx, "ada")
	router.Accept(ctx, "ada", offers[0].ID)
	router.Login(ctx, "bob", routing.Profile{Team: "tier1"})

	o, _ := router.Transfer(ctx, routing.TransferRequest{Chat: "chat-1", From: "ada", Agent: "bob", Comment: "refund"})
	fmt.Println(o.Kind, "offer to", o.Agent, "expires", o.ExpiresAt.Sub(o.CreatedAt))
	mock.Add(20 * time.Second)
	router.Sweep(ctx)
	chat, _ := router.Chat(ctx, "chat-1")
	bob, _ := router.Agent(ctx, "bob")
	ada, _ := router.Agent(ctx, "ada")
	fmt.Println("chat:", chat.State, "bob:", bob.State, "ada:", ada.State)
	// Output:
	// transfer offer to bob expires 20s
	// chat: Queued bob: RONA ada: WrapUp
}

// Why a chat waits: one agent is on a break, the other lacks the chat's
// skill, so the chat is parked until an agent who could take it changes.
func ExampleRouter_Explain() {
	ctx := context.Background()
	mock := clock.NewMock()
	router, _ := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})

	router.PutQueue(ctx, routing.Queue{ID: "support"})
	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"support"}, Skills: []routing.Skill{{Name: "french", Level: 3}}})
	router.SetState(ctx, "ada", routing.NotReady, "break")
	router.Login(ctx, "bob", routing.Profile{Queues: []switchboard.QueueID{"support"}})
	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "support",
		Skills: []routing.SkillRequirement{{Skill: "french", Min: 2}}})

	e, _ := router.Explain(ctx, "chat-1")
	fmt.Println(e.Chat, e.State, e.Held)
	for _, v := range e.Agents {
		fmt.Println(v.Agent, v.Eligible, v.Reasons, v.StateReason, v.Missing)
	}
	// Output:
	// chat-1 Queued [parked]
	// ada false [not_ready] break []
	// bob false [missing_skill]  [{french 2 false 0}]
}
