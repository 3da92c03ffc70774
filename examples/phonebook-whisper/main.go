// Command phonebook-whisper runs the chat window of a web agent
// application where agents pick colleagues from a phone book and whisper:
//
//   - the phone book lists the agents logged in, a page at a time, and
//     can be searched by name; picking one opens a chat with that agent;
//   - each chat shows what it is about (the queue a customer came in on,
//     or A2A between agents) and who started it, and a chat someone else
//     starts opens as a new, highlighted tab;
//   - in a customer chat with a second agent, a whisper goes to the other
//     agent and never to the customer; in a chat between agents there is
//     nobody to hide it from, so every agent sees it.
//
// It runs on a mock clock and finishes at once:
//
//	go run ./examples/phonebook-whisper
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
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
	participants := sessionmem.NewTransport()
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: participants, Clock: clk, Manual: true,
	})
	if err != nil {
		return err
	}
	router, sessions := eng.Router(), eng.Sessions()
	if _, err := router.PutQueue(ctx, routing.Queue{ID: "Billing"}); err != nil {
		return err
	}
	for _, a := range []struct{ id, name string }{{"ann", "Ann"}, {"bob", "Bob"}, {"cat", "Cat"}, {"cal", "Cal"}} {
		if _, err := router.Login(ctx, switchboard.AgentID(a.id), routing.Profile{DisplayName: a.name, Team: "billing",
			Queues: []switchboard.QueueID{"Billing"}}); err != nil {
			return err
		}
	}
	ann, bob, cat := session.AgentParticipant("ann"), session.AgentParticipant("bob"), session.AgentParticipant("cat")

	fmt.Fprintln(w, "1. Carol's chat comes in on Billing; Ann takes it and adds Bob.")
	if _, err := eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "Billing", Customer: "carol", CustomerName: "Carol"}); err != nil {
		return err
	}
	if err := acceptOffer(ctx, eng, "ann", "c1"); err != nil {
		return err
	}
	if _, err := eng.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"}); err != nil {
		return err
	}
	if err := acceptOffer(ctx, eng, "bob", "c1"); err != nil {
		return err
	}
	s, err := sessions.Session(ctx, "c1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   About: %s; Initiated by: %s\n", s.About(), s.Participant(s.InitiatedBy).Name)

	fmt.Fprintln(w, "2. Ann whispers to Bob: Carol does not see it.")
	for _, m := range []session.Message{
		{From: session.CustomerParticipant("carol"), Text: "I was charged twice."},
		{From: ann, Mode: session.ModeWhisper, Text: "Refunds are yours, right?"},
		{From: bob, Mode: session.ModeWhisper, Text: "Yes, I'll take it."},
		{From: bob, Text: "I can refund the second charge."},
	} {
		if _, err := eng.Send(ctx, "c1", m); err != nil {
			return err
		}
	}
	show.SideBySide(w, participants, "c1", show.Customer("carol"), show.Agent("ann"), show.Agent("bob"))

	fmt.Fprintln(w, "3. Ann opens the phone book, two agents a page, and searches for \"ca\".")
	for page := 0; ; page++ {
		p, err := sessions.Directory(ctx, "ann", session.DirectoryQuery{Page: page, PageSize: 2})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   page %d of %d: %s\n", page+1, p.Pages, names(p.Agents))
		if page+1 >= p.Pages {
			break
		}
	}
	found, err := sessions.Directory(ctx, "ann", session.DirectoryQuery{Search: "ca"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   search \"ca\": %s\n", names(found.Agents))

	fmt.Fprintln(w, "4. Ann picks Cat and Bob and chats with them; she whispers, and both see it.")
	a2a, err := eng.StartA2A(ctx, "ann", []switchboard.AgentID{"cat", "bob"}, "Who covers Friday?")
	if err != nil {
		return err
	}
	tab := false
	for _, d := range participants.Received(cat) {
		tab = tab || d.Chat == a2a.ID && d.Invitation
	}
	fmt.Fprintf(w, "   About: %s; Initiated by: %s; a new highlighted tab for Cat: %v\n",
		a2a.About(), a2a.Participant(a2a.InitiatedBy).Name, tab)
	if _, err := eng.Send(ctx, a2a.ID, session.Message{From: ann, Mode: session.ModeWhisper, Text: "(just between us) I'd rather not"}); err != nil {
		return err
	}
	if _, err := eng.Send(ctx, a2a.ID, session.Message{From: cat, Text: "I'll do it."}); err != nil {
		return err
	}
	show.SideBySide(w, participants, a2a.ID, show.Agent("ann"), show.Agent("cat"), show.Agent("bob"))
	return nil
}

func names(as []session.AgentInfo) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return strings.Join(out, ", ")
}

func acceptOffer(ctx context.Context, eng *engine.Engine, agent switchboard.AgentID, chat switchboard.ChatID) error {
	os, err := eng.Router().Offers(ctx, agent)
	if err != nil {
		return err
	}
	for _, o := range os {
		if o.Chat == chat {
			_, _, err := eng.Accept(ctx, agent, o.ID)
			return err
		}
	}
	return fmt.Errorf("%s has no offer of %s", agent, chat)
}
