// Command agent-to-agent runs chat between agents the way a hosted
// contact centre's agent console does:
//
//   - an agent sees, and may chat with, the logged-in agents of its own
//     functional group (sales, support, ...) in its tenant; a supervisor
//     sees every group;
//   - there is nothing to accept or reject: the chat is in the recipient's
//     console at once, marked as waiting for its reply until it answers;
//   - an agent may hold any number of these chats, and they never take a
//     slot a customer chat could use.
//
// It runs on a mock clock and finishes at once:
//
//	go run ./examples/agent-to-agent
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
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
	participants := sessionmem.NewTransport()
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: participants, Clock: clk, Manual: true,
	})
	if err != nil {
		return err
	}
	router, sessions := eng.Router(), eng.Sessions()

	// The agent list is routing's presence: who is logged in, in which
	// tenant and functional group (Profile.Team), and who supervises.
	for _, a := range []struct {
		id, name, tenant, team string
		supervisor             bool
	}{
		{"ann", "Ann", "acme", "sales", false},
		{"cy", "Cy", "acme", "sales", false},
		{"bob", "Bob", "acme", "support", false},
		{"sam", "Sam", "acme", "support", true},
		{"zoe", "Zoe", "globex", "sales", false},
	} {
		if _, err := router.Login(ctx, switchboard.AgentID(a.id), routing.Profile{DisplayName: a.name,
			Tenant: switchboard.TenantID(a.tenant), Team: a.team, Supervisor: a.supervisor}); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "1. The agent list each of them sees:")
	for _, id := range []switchboard.AgentID{"ann", "bob", "sam"} {
		page, err := sessions.Directory(ctx, id, session.DirectoryQuery{})
		if err != nil {
			return err
		}
		var names []string
		for _, a := range page.Agents {
			names = append(names, a.Name+" ("+a.Group+")")
		}
		fmt.Fprintf(w, "   %-4s %s\n", id+":", strings.Join(names, ", "))
	}
	_, err = eng.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "Hi Bob")
	fmt.Fprintf(w, "   Ann cannot chat with Bob of support: %v\n", errors.Is(err, session.ErrNotVisible))

	fmt.Fprintln(w, "2. Sam, a supervisor, starts a chat with Ann: no accept, no reject.")
	s, err := eng.StartA2A(ctx, "sam", []switchboard.AgentID{"ann"}, "Can you cover the 3pm shift?")
	if err != nil {
		return err
	}
	annP := session.AgentParticipant("ann")
	invited := false
	for _, d := range participants.Received(annP) {
		invited = invited || d.Chat == s.ID && d.Invitation
	}
	fmt.Fprintf(w, "   the chat (%s) is in Ann's console at once, as a new tab: %v\n", s.About(), invited)
	fmt.Fprintf(w, "   waiting for Ann's reply: %v\n", s.Participant(annP).AwaitingReply)

	fmt.Fprintln(w, "3. Ann is in a chat with Cy as well; neither takes a slot.")
	other, err := eng.StartA2A(ctx, "cy", []switchboard.AgentID{"ann"}, "Lunch at 1?")
	if err != nil {
		return err
	}
	ann, err := router.Agent(ctx, "ann")
	if err != nil {
		return err
	}
	active, err := sessions.ActiveSessions(ctx, "ann")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   Ann is %s, %d chats open, %d slots in use\n", ann.State, len(active), ann.Load(switchboard.DefaultChannel))

	fmt.Fprintln(w, "4. Ann answers Sam; the marker goes.")
	if _, err := eng.Send(ctx, s.ID, session.Message{From: annP, Text: "Yes, I can."}); err != nil {
		return err
	}
	for _, id := range []switchboard.ChatID{s.ID, other.ID} {
		cur, err := sessions.Session(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   chat with %s: waiting for Ann's reply: %v\n",
			cur.Participant(cur.InitiatedBy).Name, cur.Participant(annP).AwaitingReply)
	}
	if _, err := eng.Send(ctx, s.ID, session.Message{From: session.AgentParticipant("sam"), Text: "Thanks!"}); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nWhat each of them was shown in Sam's chat:")
	show.SideBySide(w, participants, s.ID, show.Agent("sam"), show.Agent("ann"))
	return nil
}
