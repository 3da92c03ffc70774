// Command rona-transfer runs a chat queue the way a cloud contact centre's
// agent desktop does when each request goes to one agent at a time:
//
//   - the request shows the customer's name, the queue that routed it and
//     how long it has waited, and the agent who accepts it sees what the
//     customer told the chat bot first;
//   - an agent who does not accept in time goes to RONA (ring on no
//     answer) and gets nothing more until it makes itself Available, and
//     the request goes to the next agent;
//   - card numbers are masked in the conversation, and an attachment that
//     holds one is not sent;
//   - a blind transfer to an agent who does not accept in time ends the
//     chat, and the customer is told the agent has left; a transfer that
//     is accepted shows the customer one agent leaving and another
//     joining;
//   - ending a chat takes a wrap-up reason from the queue's list.
//
// It runs on a mock clock and finishes at once:
//
//	go run ./examples/rona-transfer
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/examples/internal/show"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	participants := sessionmem.NewTransport()
	redactor, err := compliance.New(compliance.Config{})
	if err != nil {
		return err
	}
	office := attachment.OfficeDocuments() // office formats, under 35 MB in all
	office.Scanner = redactor
	desktops := routingmem.NewBus()
	catDesk := desktops.Subscribe(routingmem.ForAgent("cat"))
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: desktops, Participants: participants, Clock: clk, Manual: true,
		// Card numbers are masked in every message, split or not.
		Session:            session.Config{Filter: engine.RedactingFilter(redactor), Fragments: sessionmem.NewFragmentStore()},
		AttachmentPolicies: map[string]attachment.Policy{"office": office},
		Files:              &files{},
	})
	if err != nil {
		return err
	}
	router := eng.Router()

	// One agent at a time (longest idle first), 30 seconds to accept, a
	// transfer nobody accepts ends the chat, and wrap-up reasons to pick from.
	if _, err := router.PutQueue(ctx, routing.Queue{ID: "Support", Description: "Customer support",
		AcceptTimeout: 30 * time.Second, WrapUp: 2 * time.Minute, TransferFallback: routing.TransferEnd,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"Resolved", "Escalated"}, Attachments: "office"}}); err != nil {
		return err
	}
	for _, a := range []struct{ id, name string }{{"ann", "Ann"}, {"bob", "Bob"}, {"cat", "Cat"}} {
		if _, err := router.Login(ctx, switchboard.AgentID(a.id), routing.Profile{DisplayName: a.name, Team: "tier1",
			Queues: []switchboard.QueueID{"Support"}}); err != nil {
			return err
		}
	}
	if err := router.SetState(ctx, "cat", routing.NotReady, "meeting"); err != nil {
		return err
	}

	fmt.Fprintln(w, "1. Carol tells the bot her order number, then asks for an agent.")
	if _, err := eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "Support", Customer: "carol", CustomerName: "Carol",
		Transcript: []routing.Turn{{From: "bot", Text: "Which order is it about?"}, {From: "customer", Text: "#1234"}}}); err != nil {
		return err
	}
	clk.Add(10 * time.Second)
	o := offerOf(ctx, router, "ann", "c1")
	fmt.Fprintf(w, "   Ann's request: %s, queue %s, waiting %s\n", o.Customer, o.Queue, o.Waiting(clk.Now()))

	fmt.Fprintln(w, "2. Ann does not accept within 30 seconds.")
	clk.Add(20 * time.Second)
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	ann, err := router.Agent(ctx, "ann")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   Ann is now %s; the request went to Bob: %v\n", ann.State, offerOf(ctx, router, "bob", "c1").ID != "")
	_, a, err := eng.Accept(ctx, "bob", offerOf(ctx, router, "bob", "c1").ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "   Bob accepts and sees the bot conversation first:")
	for _, t := range a.Chat.Transcript {
		fmt.Fprintf(w, "     %s: %s\n", t.From, t.Text)
	}

	fmt.Fprintln(w, "3. Carol pays over chat, and tries to send a page holding her card number.")
	carol, bob := session.CustomerParticipant("carol"), session.AgentParticipant("bob")
	if _, err := eng.Send(ctx, "c1", session.Message{From: carol, Text: "My card is 4111 1111 1111 1111"}); err != nil {
		return err
	}
	_, err = eng.SendFiles(ctx, "c1", session.Message{From: carol, Text: "here is the receipt"},
		[]attachment.Upload{{Name: "receipt.html", Body: strings.NewReader("<html><body>Card 4111 1111 1111 1111</body></html>")}})
	var refused *attachment.RejectedError
	if !errors.As(err, &refused) {
		return fmt.Errorf("the receipt was not refused: %v", err)
	}
	fmt.Fprintf(w, "   receipt.html not sent: %s\n", refused.Reason)

	fmt.Fprintln(w, "4. Bob transfers the chat to Cat, who does not accept in time.")
	if err := router.SetState(ctx, "cat", routing.Available, ""); err != nil {
		return err
	}
	if _, err := eng.Send(ctx, "c1", session.Message{From: bob, Text: "Let me pass you to billing."}); err != nil {
		return err
	}
	catDesk.Drain() // from here on, what Cat's desktop is sent
	if _, err := eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "bob", Agent: "cat", Comment: "refund for #1234"}); err != nil {
		return err
	}
	clk.Add(30 * time.Second)
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	c1, err := router.Chat(ctx, "c1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   c1 is %s (%s)\n", c1.State, c1.EndReason)
	for _, e := range catDesk.Drain() {
		switch e.Type {
		case routing.ChatOffered:
			fmt.Fprintf(w, "   Cat's desktop: %s offered by %s: %q\n", e.Kind, e.From, e.Comment)
		case routing.OfferResolved:
			fmt.Fprintf(w, "   Cat's desktop: the offer %s\n", e.Outcome)
		case routing.AgentStateChanged:
			fmt.Fprintf(w, "   Cat's desktop: state %s\n", e.State)
		}
	}
	show.SideBySide(w, participants, "c1", show.Customer("carol"), show.Agent("bob"))

	fmt.Fprintln(w, "5. Bob's wrap-up of c1 ends; Dave's chat goes to him, and he transfers it to Ann.")
	clk.Add(2 * time.Minute)
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	if err := router.SetState(ctx, "cat", routing.NotReady, "meeting"); err != nil {
		return err
	}
	if err := router.SetState(ctx, "ann", routing.NotReady, "coffee"); err != nil {
		return err
	}
	if _, err := eng.Start(ctx, engine.StartRequest{ID: "c2", Queue: "Support", Customer: "dave", CustomerName: "Dave"}); err != nil {
		return err
	}
	if err := acceptOffer(ctx, eng, "bob", "c2"); err != nil {
		return err
	}
	if err := router.SetState(ctx, "ann", routing.Available, ""); err != nil {
		return err
	}
	if _, err := eng.Send(ctx, "c2", session.Message{From: session.CustomerParticipant("dave"), Text: "I need a refund"}); err != nil {
		return err
	}
	if _, err := eng.Transfer(ctx, transfer.Request{Chat: "c2", From: "bob", Agent: "ann", Comment: "refund"}); err != nil {
		return err
	}
	if err := acceptOffer(ctx, eng, "ann", "c2"); err != nil {
		return err
	}
	if _, err := eng.Send(ctx, "c2", session.Message{From: session.AgentParticipant("ann"), Text: "Hi Dave, I can refund that."}); err != nil {
		return err
	}

	fmt.Fprintln(w, "6. Ann ends the chat and picks a wrap-up reason from the list.")
	_, err = eng.End(ctx, "c2", "ann", session.EndOptions{Reason: "Lunch", Confirm: true})
	fmt.Fprintf(w, "   reason \"Lunch\" refused: %v\n", err != nil)
	if _, err := eng.End(ctx, "c2", "ann", session.EndOptions{Reason: "Resolved", Confirm: true}); err != nil {
		return err
	}
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	c2, err := router.Chat(ctx, "c2")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   c2 is %s\n", c2.State)
	show.SideBySide(w, participants, "c2", show.Customer("dave"), show.Agent("bob"), show.Agent("ann"))
	return nil
}

// offerOf returns agent's pending offer of chat, or the zero Offer.
func offerOf(ctx context.Context, router *routing.Router, agent switchboard.AgentID, chat switchboard.ChatID) routing.Offer {
	os, _ := router.Offers(ctx, agent)
	for _, o := range os {
		if o.Chat == chat {
			return o
		}
	}
	return routing.Offer{}
}

func acceptOffer(ctx context.Context, eng *engine.Engine, agent switchboard.AgentID, chat switchboard.ChatID) error {
	o := offerOf(ctx, eng.Router(), agent, chat)
	if o.ID == "" {
		return fmt.Errorf("%s has no offer of %s", agent, chat)
	}
	_, _, err := eng.Accept(ctx, agent, o.ID)
	return err
}

// files keeps accepted attachments in memory; a host keeps them in its
// blob storage (see docs/implementing-file-store.md).
type files struct {
	mu    sync.Mutex
	files map[string]attachment.Accepted
}

func (f *files) PutFile(ctx context.Context, chat switchboard.ChatID, a attachment.Accepted) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string]attachment.Accepted{}
	}
	ref := fmt.Sprintf("%s/%d", chat, len(f.files)+1)
	f.files[ref] = a
	return ref, nil
}
