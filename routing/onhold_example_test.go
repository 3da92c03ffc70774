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

// An agent with one slot puts its chat on hold: the slot takes the next
// chat, so resuming waits until that one ends. A second hold runs out its
// queue's maximum on-hold time and resumes by itself.
func ExampleRouter_PutOnHold() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	events := bus.Subscribe(nil)
	router, _ := routing.New(routingmem.New(routingmem.Config{}), bus, routing.Config{Clock: mock})
	router.PutQueue(ctx, routing.Queue{ID: "support", MaxOnHold: 2 * time.Minute})
	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"support"}})

	accept := func(chat switchboard.ChatID) {
		router.Enqueue(ctx, routing.ChatRequest{ID: chat, Queue: "support"})
		offers, _ := router.Offers(ctx, "ada")
		router.Accept(ctx, "ada", offers[0].ID)
	}
	accept("chat-1")
	router.PutOnHold(ctx, "ada", "chat-1")
	c, _ := router.Chat(ctx, "chat-1")
	fmt.Println("on hold:", c.OnHold, "until", c.OnHoldUntil.Format("15:04:05"))

	accept("chat-2") // the slot the hold freed
	fmt.Println("resume:", router.Resume(ctx, "ada", "chat-1"))
	router.End(ctx, "chat-2")
	fmt.Println("resume:", router.Resume(ctx, "ada", "chat-1"))

	router.PutOnHold(ctx, "ada", "chat-1")
	mock.Add(2 * time.Minute)
	router.Sweep(ctx)

	for _, e := range events.Drain() {
		switch e.Type {
		case routing.ChatOnHold, routing.ChatResumed:
			fmt.Println(e.At.Format("15:04:05"), e)
		}
	}
	// Output:
	// on hold: true until 09:02:00
	// resume: routing: resume chat-1: ada uses 1 of 1 slots: agent has no free slot
	// resume: <nil>
	// 09:00:00 ChatOnHold agent=ada chat=chat-1 queue=support
	// 09:00:00 ChatResumed agent=ada chat=chat-1 queue=support reason=resumed
	// 09:00:00 ChatOnHold agent=ada chat=chat-1 queue=support
	// 09:02:00 ChatResumed agent=ada chat=chat-1 queue=support reason=on_hold_expired
}
