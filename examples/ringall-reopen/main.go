// Command ringall-reopen runs a website chat queue the way an omnichannel
// agent desktop does when every agent of the chat queue is notified of
// each request at once:
//
//   - a request rings every agent of the queue; an agent who rejects it
//     leaves it to the others, and the first to accept takes it while the
//     rest are told it was taken by someone else;
//   - the system's licence caps how many chat sessions run at once, so a
//     request beyond it waits for a running session to end;
//   - an agent who pauses gets no new requests, but the chats it is
//     handling go on and their messages still reach it;
//   - a customer who writes again after the agent closed the interaction
//     reopens the session, and it goes to the first free agent.
//
// It runs on a mock clock and finishes at once:
//
//	go run ./examples/ringall-reopen
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/examples/internal/show"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
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
	desktops := routingmem.NewBus()
	events := desktops.Subscribe(nil)
	participants := sessionmem.NewTransport()
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: desktops, Participants: participants, Clock: clk, Manual: true,
	})
	if err != nil {
		return err
	}
	router := eng.Router()

	// The chat queue rings all its agents; a closed session reopens when
	// the customer writes again; the licence allows one session at a time.
	if _, err := router.PutQueue(ctx, routing.Queue{ID: "ChatQueue", Strategy: routing.RingAll,
		Chat: switchboard.ChatSettings{AfterClose: switchboard.PolicyReopen}}); err != nil {
		return err
	}
	if err := router.SetLicenceLimit(ctx, 1); err != nil {
		return err
	}
	for _, a := range []struct{ id, name string }{{"ann", "Ann"}, {"bob", "Bob"}, {"cat", "Cat"}} {
		if _, err := router.Login(ctx, switchboard.AgentID(a.id), routing.Profile{DisplayName: a.name,
			Queues: []switchboard.QueueID{"ChatQueue"}}); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "1. Two customers start a chat on the website; the licence allows one session.")
	for _, c := range []struct{ chat, customer, name string }{{"c1", "carol", "Carol"}, {"c2", "dave", "Dave"}} {
		if _, err := eng.Start(ctx, engine.StartRequest{ID: switchboard.ChatID(c.chat), Queue: "ChatQueue",
			Customer: switchboard.CustomerID(c.customer), CustomerName: c.name}); err != nil {
			return err
		}
	}
	rang, err := offeredTo(ctx, router, "c1", "ann", "bob", "cat")
	if err != nil {
		return err
	}
	st, err := router.Status(ctx, "c2")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   c1 rings %v at once; c2 waits for the licence, position %d in the queue\n", rang, st.Position)

	fmt.Fprintln(w, "2. Bob rejects c1, Ann accepts it.")
	if err := eng.Reject(ctx, "bob", offerOf(ctx, router, "bob", "c1")); err != nil {
		return err
	}
	if _, _, err := eng.Accept(ctx, "ann", offerOf(ctx, router, "ann", "c1")); err != nil {
		return err
	}
	for _, e := range events.Drain() {
		if e.Type == routing.OfferResolved && e.Chat == "c1" && e.Agent != "ann" {
			taken := ""
			if e.Taken {
				taken = ", taken by another agent"
			}
			fmt.Fprintf(w, "   %s's desktop: offer of c1 %s%s\n", e.Agent, e.Outcome, taken)
		}
	}

	fmt.Fprintln(w, "3. Ann pauses: no new requests reach her, but Carol's messages still do.")
	if err := router.SetState(ctx, "ann", routing.NotReady, "break"); err != nil {
		return err
	}
	carol := session.CustomerParticipant("carol")
	ann := session.AgentParticipant("ann")
	for _, m := range []session.Message{
		{From: carol, Text: "Is my parcel on its way?"},
		{From: ann, Text: "Yes, it ships today."},
	} {
		if _, err := eng.Send(ctx, "c1", m); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "4. Ann, still paused, closes the interaction; the licence frees and c2 rings the others.")
	if _, err := eng.Close(ctx, "c1", "ann", session.EndOptions{Confirm: true}); err != nil {
		return err
	}
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	rang, err = offeredTo(ctx, router, "c2", "ann", "bob", "cat")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   c2 rings %v\n", rang)
	if _, _, err := eng.Accept(ctx, "cat", offerOf(ctx, router, "cat", "c2")); err != nil {
		return err
	}
	if err := router.SetLicenceLimit(ctx, 0); err != nil { // more licences bought
		return err
	}

	fmt.Fprintln(w, "5. Carol writes again after the close: the session reopens for the first free agent.")
	sent, err := eng.Send(ctx, "c1", session.Message{From: carol, Text: "One more thing: can I change the address?"})
	if err != nil {
		return err
	}
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	rang, err = offeredTo(ctx, router, "c1", "ann", "bob", "cat")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   after close: %s; c1 rings %v (Ann is paused, Cat is busy)\n", sent.AfterClose, rang)
	if _, _, err := eng.Accept(ctx, "bob", offerOf(ctx, router, "bob", "c1")); err != nil {
		return err
	}
	history, err := eng.Sessions().History(ctx, "c1", session.AgentParticipant("bob"))
	if err != nil {
		return err
	}
	messages := 0
	last := ""
	for _, v := range history {
		if v.Type == session.EntryMessage {
			messages, last = messages+1, v.FromName+": "+v.Text
		}
	}
	fmt.Fprintf(w, "   Bob accepts; his tab opens on the whole conversation (%d messages), the last %q\n", messages, last)
	if _, err := eng.Send(ctx, "c1", session.Message{From: session.AgentParticipant("bob"), Text: "Sure, what is the new address?"}); err != nil {
		return err
	}
	if err := eng.Settle(ctx); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nWhat each of them was shown in c1:")
	show.SideBySide(w, participants, "c1", show.Customer("carol"), show.Agent("ann"), show.Agent("bob"))
	return nil
}

// offerOf returns agent's pending offer of chat, or "" if it has none (the
// engine then refuses to accept or reject it).
func offerOf(ctx context.Context, router *routing.Router, agent switchboard.AgentID, chat switchboard.ChatID) routing.OfferID {
	os, _ := router.Offers(ctx, agent)
	for _, o := range os {
		if o.Chat == chat {
			return o.ID
		}
	}
	return ""
}

// offeredTo returns which of agents have a pending offer of chat.
func offeredTo(ctx context.Context, router *routing.Router, chat switchboard.ChatID, agents ...switchboard.AgentID) ([]switchboard.AgentID, error) {
	var out []switchboard.AgentID
	for _, a := range agents {
		os, err := router.Offers(ctx, a)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			if o.Chat == chat {
				out = append(out, a)
			}
		}
	}
	return out, nil
}
