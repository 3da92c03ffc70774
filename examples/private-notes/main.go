// Command private-notes runs a web chat agent application in which agents
// who invite colleagues into a chat can talk privately, and those private
// messages double as internal notes:
//
//   - a request the agent rejects goes back to the queue and on to
//     another agent; the agent who accepts sees which of the customer's
//     details the website authenticated (shown with a lock) and which the
//     customer only typed;
//   - the agent can offer the customer a set of options to choose from,
//     and invite another agent, by name or any agent of a queue, and then
//     stay or leave;
//   - private messages, and files sent privately, reach the agents and
//     never the customer; the transcript the customer gets afterwards
//     leaves them out, and the organisation's chat log keeps them, marked
//     as internal notes;
//   - a message carries at most five attachments of text, PDF or images,
//     of 20 MB each;
//   - when the customer closes the chat, the agents are told.
//
// It runs on a mock clock and finishes at once:
//
//	go run ./examples/private-notes
package main

import (
	"context"
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
	redactor, err := compliance.New(compliance.Config{})
	if err != nil {
		return err
	}
	files := attachment.TextPDFImages() // five files of text, PDF or images, 20 MB each
	files.Scanner = redactor
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: participants, Clock: clk, Manual: true,
		AttachmentPolicies: map[string]attachment.Policy{"web": files},
		Files:              &fileStore{},
	})
	if err != nil {
		return err
	}
	router, sessions := eng.Router(), eng.Sessions()
	for _, q := range []routing.Queue{
		{ID: "webchat", Chat: switchboard.ChatSettings{Attachments: "web"}},
		{ID: "returns"},
	} {
		if _, err := router.PutQueue(ctx, q); err != nil {
			return err
		}
	}
	for _, a := range []struct {
		id, name string
		queue    switchboard.QueueID
	}{{"ann", "Ann", "webchat"}, {"bob", "Bob", "webchat"}, {"cat", "Cat", "returns"}} {
		if _, err := router.Login(ctx, switchboard.AgentID(a.id), routing.Profile{DisplayName: a.name, Team: "web",
			Queues: []switchboard.QueueID{a.queue}}); err != nil {
			return err
		}
	}
	carol, bob, cat := session.CustomerParticipant("carol"), session.AgentParticipant("bob"), session.AgentParticipant("cat")

	fmt.Fprintln(w, "1. Carol, signed in on the website, starts a chat; Ann rejects it, Bob accepts.")
	if _, err := eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "webchat", Customer: "carol", CustomerName: "Carol",
		Attributes: []session.Attribute{
			{Name: "e-mail", Value: "carol@example.com", Verified: true},
			{Name: "phone", Value: "+44 20 7946 0000"},
		}}); err != nil {
		return err
	}
	if err := answer(ctx, eng, "ann", "c1", false); err != nil {
		return err
	}
	if err := answer(ctx, eng, "bob", "c1", true); err != nil {
		return err
	}
	s, err := sessions.Session(ctx, "c1")
	if err != nil {
		return err
	}
	for _, a := range s.Attributes {
		lock := "  "
		if a.Verified {
			lock = "🔒"
		}
		fmt.Fprintf(w, "   Bob's chat details: %s %s: %s\n", lock, a.Name, a.Value)
	}

	fmt.Fprintln(w, "2. Bob offers Carol a choice; she picks one.")
	if _, err := eng.Send(ctx, "c1", session.Message{From: carol, Text: "The jacket is too small."}); err != nil {
		return err
	}
	if err := sessions.OfferOptions(ctx, "c1", "bob", "What would you like?",
		[]session.Option{{ID: "refund", Label: "Refund"}, {ID: "exchange", Label: "Exchange"}}); err != nil {
		return err
	}
	if _, err := sessions.Choose(ctx, "c1", carol, "exchange"); err != nil {
		return err
	}

	fmt.Fprintln(w, "3. Bob invites any agent of the returns queue; Cat joins. They talk privately.")
	if _, err := eng.Invite(ctx, conference.Request{Chat: "c1", From: "bob", Queue: "returns"}); err != nil {
		return err
	}
	if err := answer(ctx, eng, "cat", "c1", true); err != nil {
		return err
	}
	if _, err := eng.Send(ctx, "c1", session.Message{From: bob, Mode: session.ModeWhisper, Text: "Gold member, waive the fee."}); err != nil {
		return err
	}
	if _, err := eng.SendFiles(ctx, "c1", session.Message{From: bob, Mode: session.ModeWhisper, Text: "order history"},
		[]attachment.Upload{{Name: "orders.txt", Body: strings.NewReader("2024-01-01 jacket M\n")}}); err != nil {
		return err
	}
	if _, err := eng.SendFiles(ctx, "c1", session.Message{From: cat, Text: "Here is your return label."},
		[]attachment.Upload{{Name: "label.txt", Body: strings.NewReader("RETURN TO: Warehouse 4\n")}}); err != nil {
		return err
	}
	six := make([]attachment.Upload, 6)
	for i := range six {
		six[i] = attachment.Upload{Name: fmt.Sprintf("photo%d.txt", i+1), Body: strings.NewReader("photo")}
	}
	_, err = eng.SendFiles(ctx, "c1", session.Message{From: carol, Text: "photos"}, six)
	fmt.Fprintf(w, "   Carol's six files in one message are refused: %v\n", err != nil)

	fmt.Fprintln(w, "4. Bob leaves Cat to finish; Carol closes the chat.")
	if err := eng.Leave(ctx, "c1", "bob"); err != nil {
		return err
	}
	if _, err := eng.Send(ctx, "c1", session.Message{From: carol, Text: "Thanks, bye!"}); err != nil {
		return err
	}
	if err := eng.CustomerLeft(ctx, "c1", "carol"); err != nil {
		return err
	}
	if err := eng.Settle(ctx); err != nil {
		return err
	}
	show.SideBySide(w, participants, "c1", show.Customer("carol"), show.Agent("bob"), show.Agent("cat"))

	fmt.Fprintln(w, "\n5. Afterwards: the transcript Carol is sent, and the organisation's log.")
	transcript, err := sessions.Transcript(ctx, "c1")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "   Carol's transcript:")
	for _, v := range transcript {
		if v.Type == session.EntryMessage {
			fmt.Fprintf(w, "     %s: %s%s\n", v.FromName, v.Text, fileNames(v.Files))
		}
	}
	orgLog, err := sessions.OrganisationLog(ctx, "c1")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "   the organisation's log, internal notes marked:")
	for _, l := range orgLog {
		if l.Type == session.EntryMessage {
			note := ""
			if l.InternalNote {
				note = "[internal note] "
			}
			fmt.Fprintf(w, "     %s%s: %s%s\n", note, l.FromName, l.Text, fileNames(l.Files))
		}
	}
	return nil
}

func fileNames(fs []session.File) string {
	s := ""
	for _, f := range fs {
		s += " [" + f.Name + "]"
	}
	return s
}

// answer has agent accept or reject its offer of chat.
func answer(ctx context.Context, eng *engine.Engine, agent switchboard.AgentID, chat switchboard.ChatID, accept bool) error {
	os, err := eng.Router().Offers(ctx, agent)
	if err != nil {
		return err
	}
	for _, o := range os {
		if o.Chat == chat {
			if accept {
				_, _, err = eng.Accept(ctx, agent, o.ID)
				return err
			}
			return eng.Reject(ctx, agent, o.ID)
		}
	}
	return fmt.Errorf("%s has no offer of %s", agent, chat)
}

// fileStore keeps accepted attachments in memory; a host keeps them in
// its blob storage (see docs/implementing-file-store.md).
type fileStore struct {
	mu    sync.Mutex
	files map[string]attachment.Accepted
}

func (f *fileStore) PutFile(ctx context.Context, chat switchboard.ChatID, a attachment.Accepted) (string, error) {
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
