package transfer_test

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
	"github.com/switchboard-cc/switchboard/transfer"
)

// Ann transfers a chat blind to Bob, who reads its whole history; Ann sees
// nothing written after she left, and the transfer stays on record.
func Example() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	eng, _ := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Clock: mock, Manual: true})
	router, sessions := eng.Router(), eng.Sessions()
	_, _ = router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "acme", Name: "Sales", Description: "Buying and upgrades"})

	profile := routing.Profile{Tenant: "acme", Team: "sales", Queues: []switchboard.QueueID{"sales"}}
	profile.DisplayName = "Ann"
	_, _ = router.Login(ctx, "ann", profile)
	_, _ = eng.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "acme", Queue: "sales", Customer: "u1", CustomerName: "Carol",
		Transcript: []routing.Turn{{From: "bot", Text: "Hi! What is it about?"}, {From: "customer", Text: "an invoice"}}})
	offers, _ := router.Offers(ctx, "ann")
	_, _, _ = eng.Accept(ctx, "ann", offers[0].ID)
	_, _ = eng.Send(ctx, "c1", session.Message{From: session.CustomerParticipant("u1"), Text: "Invoice 42 is wrong"})
	profile.DisplayName = "Bob"
	_, _ = router.Login(ctx, "bob", profile)

	agents, _ := eng.TransferTargets(ctx, "c1", "ann")
	fmt.Println("can take it:", agents[0].Name)
	offer, err := eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: agents[0].ID, Comment: "billing"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, assignment, _ := eng.Accept(ctx, "bob", offer.ID)
	fmt.Println("bot transcript:", len(assignment.Chat.Transcript), "turns")
	_, _ = eng.Send(ctx, "c1", session.Message{From: session.AgentParticipant("bob"), Text: "Let me fix that"})

	for _, who := range []switchboard.AgentID{"ann", "bob"} {
		views, _ := sessions.History(ctx, "c1", session.AgentParticipant(who))
		last := views[len(views)-1]
		fmt.Printf("%s last read: %s %q\n", who, last.Type, last.Text)
	}
	records, _ := eng.TransferHistory(ctx, "c1")
	for _, r := range records {
		fmt.Printf("transferred by %s to %s: %s\n", r.ByName, r.AgentName, r.Comment)
	}
	_, err = eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob"})
	fmt.Println(err)
	// Output:
	// can take it: Bob
	// bot transcript: 2 turns
	// ann last read: left "Ann has left"
	// bob last read: message "Let me fix that"
	// transferred by Ann to Bob: billing
	// engine: transfer c1: routing: transfer c1: agent does not own the chat
}
