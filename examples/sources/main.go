// Command sources configures switchboard as each of the five contact-centre
// products its behaviour catalogue was drawn from, and runs the behaviour
// where they differ. It runs on a mock clock, so it finishes at once.
//
//	go run ./examples/sources
//
// Where the products disagree, the library has a policy with a documented
// default; each product's choice is reachable by configuration:
//
//	product                      strategy    transfer not accepted   after close      attachments
//	Web CCA agent chat           (A2A only)  -                       -                -
//	XCALLY Motion chat           ring-all    -                       reopen, reroute  -
//	Webex Contact Center chat    one at a    end: "agent has left"   -                office, < 35 MB
//	                             time, RONA
//	Virtual Contact Center A2A   (A2A only)  -                       -                -
//	web chat agent application   one at a    -                       -                5 × 20 MB text,
//	                             time                                                 PDF, image
package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

func main() {
	ctx := context.Background()
	for _, run := range []func(context.Context) error{webCCA, xcally, webex, vcc, webChat} {
		if err := run(ctx); err != nil {
			log.Fatal(err)
		}
		fmt.Println()
	}
}

// center is one contact centre on in-memory ports and a mock clock.
type center struct {
	clock    *clock.Mock
	router   *routing.Router
	sessions *session.Manager
	desk     *engine.Engine
	events   *routingmem.Subscription
}

func newCenter(cfg session.Config, queues ...routing.Queue) (*center, error) {
	ctx := context.Background()
	c := &center{clock: clock.NewMock()}
	c.clock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	c.events = bus.Subscribe(nil)
	var err error
	queueSettings := cfg.Queues
	cfg.Queues = nil // they go into the routing queues' records below
	c.desk, err = engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: bus, Participants: session.Discard{}, Clock: c.clock, Manual: true, Session: cfg,
	})
	if err != nil {
		return nil, err
	}
	c.router, c.sessions = c.desk.Router(), c.desk.Sessions()
	// The chat settings of each queue (wrap-up reasons, after-close
	// policy) live in its routing record, beside the routing settings.
	for _, q := range queues {
		if qc, ok := queueSettings[q.ID]; ok {
			q.Chat = qc.ChatSettings
		}
		if _, err := c.router.PutQueue(ctx, q); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *center) login(ctx context.Context, id switchboard.AgentID, name, team string, queues ...switchboard.QueueID) error {
	_, err := c.router.Login(ctx, id, routing.Profile{DisplayName: name, Tenant: "acme", Team: team, Queues: queues})
	return err
}

// pass lets time go by: deadlines expire and sessions follow routing.
func (c *center) pass(ctx context.Context, d time.Duration) error {
	c.clock.Add(d)
	return c.desk.Settle(ctx)
}

func (c *center) offerOf(ctx context.Context, agent switchboard.AgentID) (routing.Offer, error) {
	os, err := c.router.Offers(ctx, agent)
	if err != nil || len(os) == 0 {
		return routing.Offer{}, fmt.Errorf("%s has no offer (%v)", agent, err)
	}
	return os[0], nil
}

func customerSees(ctx context.Context, c *center, chat switchboard.ChatID, customer switchboard.CustomerID) ([]string, error) {
	views, err := c.sessions.History(ctx, chat, session.CustomerParticipant(customer))
	var out []string
	for _, v := range views {
		if v.Text != "" {
			out = append(out, v.FromName+": "+v.Text)
		}
	}
	return out, err
}

// webCCA: agent-to-agent chat picked from the phone book; a whisper in an
// A2A chat reaches every agent (000).
func webCCA(ctx context.Context) error {
	fmt.Println("Web CCA agent chat (000): A2A from the phone book; whispers reach every agent")
	c, err := newCenter(session.Config{})
	if err != nil {
		return err
	}
	for _, a := range []struct{ id, name string }{{"ann", "Ann"}, {"bob", "Bob"}, {"cat", "Cat"}} {
		if err := c.login(ctx, switchboard.AgentID(a.id), a.name, "sales"); err != nil {
			return err
		}
	}
	page, err := c.sessions.Directory(ctx, "ann", session.DirectoryQuery{Search: "b"})
	if err != nil {
		return err
	}
	fmt.Printf("  phone book search %q: %d agent(s), first %s\n", "b", page.Total, page.Agents[0].Name)
	s, err := c.sessions.StartA2A(ctx, "ann", []switchboard.AgentID{"bob", "cat"}, "Quick question")
	if err != nil {
		return err
	}
	by, _ := s.InitiatedBy.Agent()
	fmt.Printf("  session about %s, initiated by %s\n", s.About(), by)
	if _, err := c.sessions.Send(ctx, s.ID, session.Message{From: session.AgentParticipant("ann"), Mode: session.ModeWhisper, Text: "private?"}); err != nil {
		return err
	}
	views, err := c.sessions.History(ctx, s.ID, session.AgentParticipant("cat"))
	if err != nil {
		return err
	}
	fmt.Printf("  cat sees the whisper: %v\n", strings.Contains(fmt.Sprint(views), "private?"))
	return nil
}

// xcally: every agent of the queue is offered the chat, the first accept
// wins and the others are told; a licence caps sessions; a customer writing
// after close reopens the chat for the first free agent (001).
func xcally(ctx context.Context) error {
	fmt.Println("XCALLY Motion chat (001): ring-all, licence limit, reopen to the first free agent")
	c, err := newCenter(session.Config{AfterClose: switchboard.PolicyReopen},
		routing.Queue{ID: "ChatQueue", Tenant: "acme", Strategy: routing.RingAll})
	if err != nil {
		return err
	}
	if err := c.router.SetLicenceLimit(ctx, 1); err != nil {
		return err
	}
	for _, id := range []switchboard.AgentID{"ann", "bob", "cat"} {
		if err := c.login(ctx, id, strings.ToUpper(string(id[:1]))+string(id[1:]), "support", "ChatQueue"); err != nil {
			return err
		}
	}
	for _, id := range []switchboard.ChatID{"c1", "c2"} {
		if _, err := c.desk.Start(ctx, engine.StartRequest{ID: id, Tenant: "acme", Queue: "ChatQueue", Customer: switchboard.CustomerID("cust-" + id), CustomerName: "Carol"}); err != nil {
			return err
		}
	}
	o, err := c.offerOf(ctx, "bob")
	if err != nil {
		return err
	}
	if err := c.desk.Reject(ctx, "bob", o.ID); err != nil {
		return err
	}
	o, err = c.offerOf(ctx, "ann")
	if err != nil {
		return err
	}
	if _, _, err := c.desk.Accept(ctx, "ann", o.ID); err != nil {
		return err
	}
	taken := 0
	for _, e := range c.events.Drain() {
		if e.Type == routing.OfferResolved && e.Taken {
			taken++
		}
	}
	st, err := c.router.Status(ctx, "c2")
	if err != nil {
		return err
	}
	fmt.Printf("  c1 taken by ann; %d other agent(s) told; c2 waits for a licence, position %d\n", taken, st.Position)
	if _, err := c.desk.Close(ctx, "c1", "ann", session.EndOptions{Confirm: true}); err != nil {
		return err
	}
	if err := c.desk.Logout(ctx, "ann"); err != nil { // ann goes home
		return err
	}
	if err := c.router.SetLicenceLimit(ctx, 0); err != nil { // more licences bought
		return err
	}
	o, err = c.offerOf(ctx, "bob") // c2 rang everyone when c1 freed the licence
	if err != nil {
		return err
	}
	if _, _, err := c.desk.Accept(ctx, "bob", o.ID); err != nil {
		return err
	}
	sent, err := c.desk.Send(ctx, "c1", session.Message{From: session.CustomerParticipant("cust-c1"), Text: "Hello again"})
	if err != nil {
		return err
	}
	var offered []string
	for _, id := range []switchboard.AgentID{"ann", "bob", "cat"} {
		os, err := c.router.Offers(ctx, id)
		if err != nil {
			return err
		}
		for _, o := range os {
			if o.Chat == "c1" {
				offered = append(offered, string(id))
			}
		}
	}
	fmt.Printf("  customer writes after close: %s; c1 is offered to %v, not to ann who left\n", sent.AfterClose, offered)
	return nil
}

// webex: an offer shows customer, queue and timer; no accept in time puts
// the agent in RONA; wrap-up needs a reason from the list; a transfer not
// accepted in time ends the chat and the customer sees "agent has left";
// attachments are office documents below 35 MB (002).
func webex(ctx context.Context) error {
	fmt.Println("Webex Contact Center chat (002): RONA, wrap-up reasons, blind transfer that ends on no answer")
	c, err := newCenter(session.Config{Queues: map[switchboard.QueueID]session.QueueConfig{
		"Support": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"Resolved", "Escalated"}}},
	}}, routing.Queue{ID: "Support", Tenant: "acme", Description: "Customer support", AcceptTimeout: 30 * time.Second,
		TransferFallback: routing.TransferEnd})
	if err != nil {
		return err
	}
	for _, a := range []struct{ id, name string }{{"ann", "Ann"}, {"bob", "Bob"}, {"cat", "Cat"}} {
		if err := c.login(ctx, switchboard.AgentID(a.id), a.name, "tier1", "Support"); err != nil {
			return err
		}
	}
	if err := c.router.SetState(ctx, "cat", routing.NotReady, "meeting"); err != nil {
		return err
	}
	if _, err := c.desk.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "acme", Queue: "Support", Customer: "u1", CustomerName: "Carol",
		Transcript: []routing.Turn{{From: "bot", Text: "Which order?"}, {From: "customer", Text: "#1234"}}}); err != nil {
		return err
	}
	o, err := c.offerOf(ctx, "ann")
	if err != nil {
		return err
	}
	fmt.Printf("  offer to ann: %s in %s, waiting %s\n", o.Customer, o.Queue, o.Waiting(c.clock.Now()))
	if err := c.pass(ctx, 30*time.Second); err != nil {
		return err
	}
	ann, err := c.router.Agent(ctx, "ann")
	if err != nil {
		return err
	}
	o, err = c.offerOf(ctx, "bob")
	if err != nil {
		return err
	}
	_, a, err := c.desk.Accept(ctx, "bob", o.ID)
	if err != nil {
		return err
	}
	fmt.Printf("  ann went to %s; bob accepted and sees the bot conversation (%d turns)\n", ann.State, len(a.Chat.Transcript))
	if err := c.router.SetState(ctx, "cat", routing.Available, ""); err != nil {
		return err
	}
	if _, err := c.desk.Transfer(ctx, transfer.Request{Chat: "c1", From: "bob", Agent: "cat", Comment: "billing question"}); err != nil {
		return err
	}
	if err := c.pass(ctx, 30*time.Second); err != nil {
		return err
	}
	rc, err := c.router.Chat(ctx, "c1")
	if err != nil {
		return err
	}
	seen, err := customerSees(ctx, c, "c1", "u1")
	if err != nil {
		return err
	}
	fmt.Printf("  cat did not accept: chat %s (%s); the customer last saw %q\n", rc.State, rc.EndReason, seen[len(seen)-1])
	policy := attachment.OfficeDocuments()
	policy.Scanner = mustRedactor()
	_, err = policy.Check(ctx, []attachment.Upload{{Name: "notes.exe", Body: strings.NewReader("MZ")}})
	fmt.Printf("  attachment policy: below %d MB in total; notes.exe refused: %v\n", (policy.MaxTotalSize+1)/1_000_000, err != nil)
	return nil
}

// vcc: agent-to-agent chat arrives without accept or reject and shows a
// pending-reply marker until answered; supervisors see every group (003).
func vcc(ctx context.Context) error {
	fmt.Println("Virtual Contact Center A2A (003): delivered at once, pending-reply marker, functional groups")
	c, err := newCenter(session.Config{})
	if err != nil {
		return err
	}
	if err := c.login(ctx, "ann", "Ann", "sales"); err != nil {
		return err
	}
	if err := c.login(ctx, "bob", "Bob", "support"); err != nil {
		return err
	}
	if err := c.login(ctx, "cy", "Cy", "sales"); err != nil {
		return err
	}
	if _, err := c.router.Login(ctx, "sam", routing.Profile{DisplayName: "Sam", Tenant: "acme", Team: "support", Supervisor: true}); err != nil {
		return err
	}
	page, err := c.sessions.Directory(ctx, "ann", session.DirectoryQuery{})
	if err != nil {
		return err
	}
	sup, err := c.sessions.Directory(ctx, "sam", session.DirectoryQuery{})
	if err != nil {
		return err
	}
	fmt.Printf("  ann (sales) sees %d agent(s); supervisor sam sees %d\n", page.Total, sup.Total)
	s, err := c.sessions.StartA2A(ctx, "sam", []switchboard.AgentID{"ann"}, "Can you cover the 3pm shift?")
	if err != nil {
		return err
	}
	fmt.Printf("  ann is in the chat at once, awaiting reply: %v\n", s.Participant(session.AgentParticipant("ann")).AwaitingReply)
	if _, err := c.sessions.Send(ctx, s.ID, session.Message{From: session.AgentParticipant("ann"), Text: "Yes"}); err != nil {
		return err
	}
	s, err = c.sessions.Session(ctx, s.ID)
	if err != nil {
		return err
	}
	fmt.Printf("  after ann answers, awaiting reply: %v\n", s.Participant(session.AgentParticipant("ann")).AwaitingReply)
	return nil
}

// webChat: a rejected request goes back to the queue and to another agent;
// private messages are left out of the customer's transcript but kept in
// the organisation's log; at most five attachments of 20 MB (004).
func webChat(ctx context.Context) error {
	fmt.Println("web chat agent application (004): reject to the next agent, private notes, five attachments")
	c, err := newCenter(session.Config{}, routing.Queue{ID: "web", Tenant: "acme"})
	if err != nil {
		return err
	}
	for _, id := range []switchboard.AgentID{"ann", "bob"} {
		if err := c.login(ctx, id, strings.ToUpper(string(id[:1]))+string(id[1:]), "web", "web"); err != nil {
			return err
		}
	}
	if _, err := c.desk.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "acme", Queue: "web", Customer: "u1", CustomerName: "Carol",
		Attributes: []session.Attribute{{Name: "email", Value: "carol@example.com", Verified: true}}}); err != nil {
		return err
	}
	o, err := c.offerOf(ctx, "ann")
	if err != nil {
		return err
	}
	if err := c.desk.Reject(ctx, "ann", o.ID); err != nil {
		return err
	}
	o, err = c.offerOf(ctx, "bob")
	if err != nil {
		return err
	}
	if _, _, err := c.desk.Accept(ctx, "bob", o.ID); err != nil {
		return err
	}
	fmt.Println("  ann rejected; the chat went back to the queue and bob accepted it")
	bob := session.AgentParticipant("bob")
	if _, err := c.desk.Send(ctx, "c1", session.Message{From: bob, Text: "Hi Carol"}); err != nil {
		return err
	}
	if _, err := c.desk.Send(ctx, "c1", session.Message{From: bob, Mode: session.ModeWhisper, Text: "internal: VIP"}); err != nil {
		return err
	}
	transcript, err := c.sessions.Transcript(ctx, "c1")
	if err != nil {
		return err
	}
	orgLog, err := c.sessions.OrganisationLog(ctx, "c1")
	if err != nil {
		return err
	}
	notes := 0
	for _, l := range orgLog {
		if l.InternalNote && l.Text != "" {
			notes++
		}
	}
	fmt.Printf("  customer transcript holds the note: %v; organisation log internal notes: %d\n",
		strings.Contains(fmt.Sprint(transcript), "VIP"), notes)
	policy := attachment.TextPDFImages()
	policy.Scanner = mustRedactor()
	six := make([]attachment.Upload, 6)
	for i := range six {
		six[i] = attachment.Upload{Name: fmt.Sprintf("f%d.txt", i), Body: strings.NewReader("hello")}
	}
	_, err = policy.Check(ctx, six)
	fmt.Printf("  attachments: at most %d files of %d MB; six files refused: %v\n", policy.MaxFiles, policy.MaxFileSize/1_000_000, err != nil)
	return nil
}

func mustRedactor() *compliance.Redactor {
	r, err := compliance.New(compliance.Config{})
	if err != nil {
		log.Fatal(err)
	}
	return r
}
