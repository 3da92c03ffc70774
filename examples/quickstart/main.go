// Command quickstart runs ten customer chats with three agents on the real
// clock through an engine.Engine, which routes each chat and runs its session,
// and prints the routing timeline: ring-all offers, a reject, a RONA,
// accepts, agents handling several chats at once, and wrap-up. It ends with
// one chat's transcript as the customer sees it: display names only, and no
// whisper.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	bus := routingmem.NewBus()
	desk, err := engine.New(ctx, engine.Config{
		Routing:      routingmem.New(routingmem.Config{}),
		Sessions:     sessionmem.NewStore(),
		Desktops:     bus,
		Participants: session.Discard{},
		Router:       routing.Config{SweepInterval: 50 * time.Millisecond},
		Poll:         20 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	// Run expires offers and wrap-ups and carries routing's outcomes to
	// the sessions, until ctx ends.
	running := make(chan error, 1)
	go func() { running <- desk.Run(ctx) }()
	router, sessions := desk.Router(), desk.Sessions()

	// One ring-all queue: every Available agent is offered each chat and the
	// first to accept wins. An offer waits 800ms; wrap-up lasts 300ms.
	if _, err := router.PutQueue(ctx, routing.Queue{
		ID: "support", Name: "Customer support", Strategy: routing.RingAll,
		AcceptTimeout: 800 * time.Millisecond, WrapUp: 300 * time.Millisecond,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"resolved", "follow-up"}},
	}); err != nil {
		return err
	}

	begin := time.Now()
	timeline := bus.Subscribe(nil)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		for {
			e, err := timeline.Next(ctx)
			if err != nil {
				return
			}
			fmt.Printf("%6.2fs  %s\n", e.At.Sub(begin).Seconds(), e)
		}
	}()

	agents := []struct {
		id       switchboard.AgentID
		name     string
		capacity int
		behave   behaviour
	}{
		{"ada", "Ada Lovelace", 3, acceptAll},      // takes up to three chats at once
		{"bob", "Bob Kahn", 2, rejectFirst},        // rejects the first chat he is offered
		{"cy", "Cy Young", 1, ignoreFirstThenBack}, // misses her first offer: RONA
	}
	var wg sync.WaitGroup
	for _, a := range agents {
		sub := bus.Subscribe(routingmem.ForAgent(a.id))
		if _, err := router.Login(ctx, a.id, routing.Profile{
			DisplayName: a.name, Queues: []switchboard.QueueID{"support"},
			Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: a.capacity}},
		}); err != nil {
			return err
		}
		wg.Go(func() { desktop(ctx, desk, a.id, sub, a.behave) })
	}
	// Ada starts in training and becomes Available a little later.
	if err := router.SetState(ctx, "ada", routing.NotReady, "training"); err != nil {
		return err
	}
	time.AfterFunc(1200*time.Millisecond, func() { _ = router.SetState(ctx, "ada", routing.Available, "") })

	const chats = 10
	for i := 1; i <= chats; i++ {
		_, err := desk.Start(ctx, engine.StartRequest{
			ID: switchboard.ChatID(fmt.Sprintf("chat-%02d", i)), Queue: "support",
			Customer: switchboard.CustomerID(fmt.Sprintf("customer-%d", i)), CustomerName: fmt.Sprintf("Customer %d", i),
			Transcript: []routing.Turn{{From: "bot", Text: "Hi! An agent will be with you shortly."}},
		})
		if err != nil {
			return err
		}
		time.Sleep(150 * time.Millisecond)
	}

	// Wait until every chat is done.
	for {
		done := 0
		for i := 1; i <= chats; i++ {
			c, err := router.Chat(ctx, switchboard.ChatID(fmt.Sprintf("chat-%02d", i)))
			if err != nil {
				return err
			}
			if c.State.Final() {
				done++
			}
		}
		if done == chats {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("only %d of %d chats finished: %w", done, chats, ctx.Err())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the last events print
	cancel()
	wg.Wait()
	if err := <-running; err != nil {
		return err
	}
	timeline.Close()
	<-printed

	fmt.Println("\nWho handled what:")
	for i := 1; i <= chats; i++ {
		c, err := router.Chat(context.Background(), switchboard.ChatID(fmt.Sprintf("chat-%02d", i)))
		if err != nil {
			return err
		}
		fmt.Printf("  %s  %-4s  waited %4dms  %s\n", c.ID, c.Agent, c.AssignedAt.Sub(c.EnqueuedAt).Milliseconds(), c.State)
	}

	fmt.Println("\nchat-01 as its customer sees it:")
	views, err := sessions.History(context.Background(), "chat-01", session.CustomerParticipant("customer-1"))
	if err != nil {
		return err
	}
	for _, v := range views {
		if line := transcriptLine(v); line != "" {
			fmt.Println("  " + line)
		}
	}
	return nil
}

// transcriptLine renders one entry of a customer's view: a message under
// its writer's name, and a notice the library wrote (such as "agent has
// left") as a notice, under nobody's name. Entries with nothing to say to
// the customer are left out.
func transcriptLine(v session.View) string {
	switch {
	case v.Type == session.EntryMessage:
		return fmt.Sprintf("%-14s %s", v.FromName+":", v.Text)
	case v.Text != "":
		return fmt.Sprintf("%-14s %s", "*", v.Text)
	}
	return ""
}

// behaviour decides what an agent does with the n-th offer it receives.
type behaviour func(n int) action

type action int

const (
	accept action = iota
	reject
	ignore
)

func acceptAll(int) action { return accept }

func rejectFirst(n int) action {
	if n == 1 {
		return reject
	}
	return accept
}

func ignoreFirstThenBack(n int) action {
	if n == 1 {
		return ignore
	}
	return accept
}

// desktop plays one agent: it answers offers, talks for a while (with a
// whisper the customer never sees), ends its chats with a wrap-up reason,
// and comes back from RONA.
func desktop(ctx context.Context, desk *engine.Engine, id switchboard.AgentID, sub *routingmem.Subscription, behave behaviour) {
	defer sub.Close()
	offers := 0
	me := session.AgentParticipant(id)
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			return
		}
		switch e.Type {
		case routing.ChatOffered:
			offers++
			switch behave(offers) {
			case accept:
				go func() {
					time.Sleep(100 * time.Millisecond) // reading the offer
					if _, _, err := desk.Accept(ctx, id, e.Offer); err != nil {
						return // another agent was faster, or the offer timed out
					}
					_, _ = desk.Send(ctx, e.Chat, session.Message{From: me, Text: "Hello, how can I help?"})
					_, _ = desk.Send(ctx, e.Chat, session.Message{From: me, Mode: session.ModeWhisper, Text: "note: returning customer"})
					time.Sleep(600 * time.Millisecond) // the conversation
					_, _ = desk.Send(ctx, e.Chat, session.Message{From: me, Text: "Glad I could help. Goodbye!"})
					_, _ = desk.End(ctx, e.Chat, id, session.EndOptions{Reason: "resolved", Confirm: true})
				}()
			case reject:
				go func() { _ = desk.Reject(ctx, id, e.Offer) }()
			case ignore:
			}
		case routing.AgentStateChanged:
			if e.State == routing.RONA {
				time.AfterFunc(400*time.Millisecond, func() { _ = desk.Router().SetState(ctx, id, routing.Available, "") })
			}
		}
	}
}
