package routing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// A Manual queue: agents list the waiting chats and pick one. One of two
// agents picking the same chat gets it; its owner then returns it with a
// reason, and it waits where it was for another agent.
func ExampleRouter_Pick() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	router, _ := routing.New(routingmem.New(routingmem.Config{}), bus, routing.Config{Clock: mock})

	router.PutQueue(ctx, routing.Queue{ID: "desk", Strategy: routing.Manual})
	for _, id := range []switchboard.AgentID{"ada", "bo"} {
		router.Login(ctx, id, routing.Profile{Queues: []switchboard.QueueID{"desk"}})
	}
	for _, id := range []switchboard.ChatID{"chat-1", "chat-2"} {
		router.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "desk"})
		mock.Add(time.Second)
	}

	list, _ := router.Pickable(ctx, "ada", 10)
	for _, c := range list {
		fmt.Println("ada may pick", c.ID, "waiting since", c.EnqueuedAt.Format("15:04:05"))
	}
	a, _ := router.Pick(ctx, "ada", "chat-1")
	fmt.Println(a.Chat.ID, "assigned to", a.Chat.Agent)
	_, err := router.Pick(ctx, "bo", "chat-1")
	fmt.Println("bo:", errors.Is(err, routing.ErrChatTaken), errors.Is(err, switchboard.ErrConflict))

	router.Return(ctx, "ada", "chat-1", "wrong_language")
	list, _ = router.Pickable(ctx, "bo", 10)
	for _, c := range list {
		fmt.Println("bo may pick", c.ID, "waiting since", c.EnqueuedAt.Format("15:04:05"))
	}
	list, _ = router.Pickable(ctx, "ada", 10)
	fmt.Println("ada may pick", len(list), "chat:", list[0].ID)
	// Output:
	// ada may pick chat-1 waiting since 09:00:00
	// ada may pick chat-2 waiting since 09:00:01
	// chat-1 assigned to ada
	// bo: true true
	// bo may pick chat-1 waiting since 09:00:00
	// bo may pick chat-2 waiting since 09:00:01
	// ada may pick 1 chat: chat-2
}
