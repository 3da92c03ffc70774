package enginetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// Epoch is the time a Kit's clock starts at unless [Options].Start says
// otherwise: Monday 1 January 2024, 09:00 UTC.
var Epoch = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// Agent is an agent a Kit logs in when it is built.
type Agent struct {
	// ID identifies the agent.
	ID switchboard.AgentID
	// Profile is what the agent logs in with: display name, tenant, team,
	// queues, skills, capacity. An empty DisplayName becomes the ID.
	Profile routing.Profile
	// State is the agent's state once logged in. Defaults to what
	// logging in gives (routing.Available); routing.NotReady, say, keeps
	// the agent from being offered chats until the test makes it available.
	State routing.State
	// Reason is the reason code of State, which routing requires for
	// NotReady. Defaults to "away".
	Reason string
}

// Options is what a Kit is built from. Every field is optional.
type Options struct {
	// Queues are put, in order, before any agent logs in.
	Queues []routing.Queue
	// Agents log in, in order, after the queues are put: with the
	// longest-idle strategy the first is offered a chat first.
	Agents []Agent
	// LicenceLimit caps the chats handled at once by all agents together
	// (routing.Router.SetLicenceLimit). Defaults to 0: no limit.
	LicenceLimit int
	// Start is the time the mock clock starts at. Defaults to [Epoch].
	Start time.Time
	// Configure, if set, adjusts the engine's Config before the engine is
	// built: routing, session and conference settings, attachment
	// policies and a file store, a tracer, or stores of your own (a store
	// you are testing, a routingtest.FaultStore). The Kit then sets Clock,
	// Desktops, Participants and Manual itself, since its methods read
	// them: to test transports of your own, set Desktops and Participants
	// below.
	Configure func(*engine.Config)
	// Desktops, if set, is sent every routing event after the Kit has
	// recorded it, as the engine would send it: a desktop transport under
	// test sees exactly what [Kit.Desktop] reports. An error it returns is
	// returned to the router, which logs it and carries on.
	Desktops routing.Transport
	// Participants, if set, is sent every delivery after the Kit has
	// recorded it: a participant transport under test sees exactly what
	// [Kit.Saw] renders. An error it returns is the engine's delivery
	// error (session.Config.OnDeliveryError).
	Participants session.Transport
}

// Kit is a whole switchboard (an [engine.Engine] over in-memory routing and
// session stores) on a mock clock, with recording transports, built for
// one test. Every method settles the engine before it returns, so what a
// test reads is what users see once the engine has caught up, and every
// method fails the test with t.Fatalf on an error. A Kit is meant for the
// test goroutine; its fields are there for what the methods do not cover.
type Kit struct {
	// Engine is the engine under test, built with Manual set.
	Engine *engine.Engine
	// Router and Sessions are the engine's.
	Router   *routing.Router
	Sessions *session.Manager
	// Clock is the mock clock every part runs on.
	Clock *clock.Mock
	// Participants records every delivery to chat participants.
	Participants *sessionmem.Transport

	t         testing.TB
	ctx       context.Context
	desktops  *recorder
	customers map[switchboard.ChatID]switchboard.CustomerID
}

// tee records each delivery, then passes it on to next, if any.
type tee struct {
	rec  *sessionmem.Transport
	next session.Transport
}

func (t tee) Deliver(ctx context.Context, to session.ParticipantID, d session.Delivery) error {
	if err := t.rec.Deliver(ctx, to, d); err != nil {
		return err
	}
	if t.next == nil {
		return nil
	}
	return t.next.Deliver(ctx, to, d)
}

// New builds a Kit for t from opts: the engine, its queues and its
// logged-in agents. The engine's context ends when t ends.
func New(t testing.TB, opts Options) *Kit {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	k := &Kit{
		t: t, ctx: ctx, Clock: clock.NewMock(), Participants: sessionmem.NewTransport(),
		desktops: &recorder{next: opts.Desktops}, customers: map[switchboard.ChatID]switchboard.CustomerID{},
	}
	k.Clock.Set(cmp.Or(opts.Start, Epoch))
	cfg := engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore()}
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	cfg.Clock, cfg.Desktops, cfg.Manual = k.Clock, k.desktops, true
	cfg.Participants = tee{rec: k.Participants, next: opts.Participants}
	eng, err := engine.New(ctx, cfg)
	if err != nil {
		t.Fatalf("enginetest: the engine cannot be built from these options: %v", err)
	}
	k.Engine, k.Router, k.Sessions = eng, eng.Router(), eng.Sessions()
	for _, q := range opts.Queues {
		if _, err := k.Router.PutQueue(ctx, q); err != nil {
			t.Fatalf("enginetest: queue %s is refused: %v", q.ID, err)
		}
	}
	if opts.LicenceLimit != 0 {
		if err := k.Router.SetLicenceLimit(ctx, opts.LicenceLimit); err != nil {
			t.Fatalf("enginetest: licence limit %d is refused: %v", opts.LicenceLimit, err)
		}
	}
	for _, a := range opts.Agents {
		k.Login(a.ID, a.Profile)
		if a.State != routing.LoggedOut && a.State != routing.Available {
			k.SetState(a.ID, a.State, cmp.Or(a.Reason, "away"))
		}
	}
	return k
}

// Context returns the context the Kit's methods use; it ends when the test
// does.
func (k *Kit) Context() context.Context { return k.ctx }

// Now returns the mock clock's time.
func (k *Kit) Now() time.Time { return k.Clock.Now() }

// Settle has the engine expire whatever is due and carry out every pending
// routing event (engine.Engine.Settle).
func (k *Kit) Settle() {
	k.t.Helper()
	if err := k.Engine.Settle(k.ctx); err != nil {
		k.t.Fatalf("enginetest: settling the engine at %s: %v", k.since(), err)
	}
}

// Advance moves the clock on by d and settles: offers time out, chats
// overflow, wrap-ups end, exactly as if d had passed.
func (k *Kit) Advance(d time.Duration) {
	k.t.Helper()
	if d < 0 {
		k.t.Fatalf("enginetest: Advance(%s): time only moves forward", d)
	}
	k.Clock.Add(d)
	k.Settle()
}

// since is the clock's time of day, for failure messages.
func (k *Kit) since() string { return k.Now().Format("15:04:05") }

// Login logs agent id in with profile p (an empty DisplayName becomes the
// ID) and settles.
func (k *Kit) Login(id switchboard.AgentID, p routing.Profile) {
	k.t.Helper()
	if p.DisplayName == "" {
		p.DisplayName = string(id)
	}
	if _, err := k.Router.Login(k.ctx, id, p); err != nil {
		k.t.Fatalf("enginetest: agent %s cannot log in: %v", id, err)
	}
	k.Settle()
}

// Logout logs agent id out through the engine (its chats go where the
// engine sends them) and settles.
func (k *Kit) Logout(id switchboard.AgentID) {
	k.t.Helper()
	if err := k.Engine.Logout(k.ctx, id); err != nil {
		k.t.Fatalf("enginetest: agent %s cannot log out: %v", id, err)
	}
	k.Settle()
}

// SetState sets agent id's state, as its desktop would (back to Available
// after RONA, say), and settles.
func (k *Kit) SetState(id switchboard.AgentID, s routing.State, reason string) {
	k.t.Helper()
	if err := k.Router.SetState(k.ctx, id, s, reason); err != nil {
		k.t.Fatalf("enginetest: agent %s cannot go %s: %v", id, s, err)
	}
	k.Settle()
}

// Start starts a customer chat and settles. A request without a customer
// gets customer "customer-<chat>" named "Customer".
func (k *Kit) Start(req engine.StartRequest) {
	k.t.Helper()
	if req.Customer == "" && req.Bot == "" {
		req.Customer = switchboard.CustomerID("customer-" + string(req.ID))
		req.CustomerName = cmp.Or(req.CustomerName, "Customer")
	}
	if _, err := k.Engine.Start(k.ctx, req); err != nil {
		k.t.Fatalf("enginetest: chat %s cannot start in queue %s: %v", req.ID, req.Queue, err)
	}
	k.customers[req.ID] = req.Customer
	k.Settle()
}

// StartChat starts chat id in queue for a customer named "Customer", and
// settles.
func (k *Kit) StartChat(id switchboard.ChatID, queue switchboard.QueueID) {
	k.t.Helper()
	k.Start(engine.StartRequest{ID: id, Queue: queue})
}

// Customer returns the participant ID of chat's customer, as Start set it.
func (k *Kit) Customer(chat switchboard.ChatID) session.ParticipantID {
	k.t.Helper()
	c, ok := k.customers[chat]
	if !ok {
		k.t.Fatalf("enginetest: chat %s was not started by this Kit", chat)
	}
	if c == "" {
		k.t.Fatalf("enginetest: chat %s was started for its bot, with no customer yet", chat)
	}
	return session.CustomerParticipant(c)
}

// Offers returns agent's pending offers, oldest first.
func (k *Kit) Offers(agent switchboard.AgentID) []routing.Offer {
	k.t.Helper()
	os, err := k.Router.Offers(k.ctx, agent)
	if err != nil {
		k.t.Fatalf("enginetest: reading the offers of %s: %v", agent, err)
	}
	return os
}

// HasOffer reports whether agent has a pending offer of chat.
func (k *Kit) HasOffer(agent switchboard.AgentID, chat switchboard.ChatID) bool {
	k.t.Helper()
	_, ok := k.offer(agent, chat)
	return ok
}

func (k *Kit) offer(agent switchboard.AgentID, chat switchboard.ChatID) (routing.Offer, bool) {
	k.t.Helper()
	for _, o := range k.Offers(agent) {
		if o.Chat == chat {
			return o, true
		}
	}
	return routing.Offer{}, false
}

// Offer returns agent's pending offer of chat, and fails the test, saying
// where the chat is, if there is none.
func (k *Kit) Offer(agent switchboard.AgentID, chat switchboard.ChatID) routing.Offer {
	k.t.Helper()
	o, ok := k.offer(agent, chat)
	if !ok {
		k.t.Fatalf("enginetest: at %s %s has no offer of chat %s; %s; %s's offers: %s",
			k.since(), agent, chat, k.where(chat), agent, k.offerList(agent))
	}
	return o
}

func (k *Kit) offerList(agent switchboard.AgentID) string {
	k.t.Helper()
	os := k.Offers(agent)
	if len(os) == 0 {
		return "none"
	}
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = string(o.Chat)
	}
	return strings.Join(parts, ", ")
}

// where describes chat's routing state for a failure message.
func (k *Kit) where(chat switchboard.ChatID) string {
	c, err := k.Router.Chat(k.ctx, chat)
	if err != nil {
		return fmt.Sprintf("chat %s: %v", chat, err)
	}
	s := fmt.Sprintf("chat %s is %s in queue %s", chat, c.State, c.Queue)
	if c.Agent != "" {
		s += " with agent " + string(c.Agent)
	}
	if c.EndReason != 0 {
		s += fmt.Sprintf(" (ended: %s)", c.EndReason)
	}
	return s
}

// Accept has agent accept its offer of chat through the engine, and
// settles.
func (k *Kit) Accept(agent switchboard.AgentID, chat switchboard.ChatID) {
	k.t.Helper()
	o := k.Offer(agent, chat)
	if _, _, err := k.Engine.Accept(k.ctx, agent, o.ID); err != nil {
		k.t.Fatalf("enginetest: %s cannot accept chat %s: %v", agent, chat, err)
	}
	k.Settle()
}

// Reject has agent reject its offer of chat through the engine, and
// settles.
func (k *Kit) Reject(agent switchboard.AgentID, chat switchboard.ChatID) {
	k.t.Helper()
	o := k.Offer(agent, chat)
	if err := k.Engine.Reject(k.ctx, agent, o.ID); err != nil {
		k.t.Fatalf("enginetest: %s cannot reject chat %s: %v", agent, chat, err)
	}
	k.Settle()
}

// Send sends a message into chat through the engine, and settles.
func (k *Kit) Send(chat switchboard.ChatID, msg session.Message) {
	k.t.Helper()
	if _, err := k.Engine.Send(k.ctx, chat, msg); err != nil {
		k.t.Fatalf("enginetest: %s cannot send %q in chat %s: %v", msg.From, msg.Text, chat, err)
	}
	k.Settle()
}

// CustomerSays sends text from chat's customer.
func (k *Kit) CustomerSays(chat switchboard.ChatID, text string) {
	k.t.Helper()
	k.Send(chat, session.Message{From: k.Customer(chat), Text: text})
}

// AgentSays sends text from agent to everyone in chat.
func (k *Kit) AgentSays(chat switchboard.ChatID, agent switchboard.AgentID, text string) {
	k.t.Helper()
	k.Send(chat, session.Message{From: session.AgentParticipant(agent), Text: text})
}

// AgentWhispers sends text from agent to the other agents of chat only.
func (k *Kit) AgentWhispers(chat switchboard.ChatID, agent switchboard.AgentID, text string) {
	k.t.Helper()
	k.Send(chat, session.Message{From: session.AgentParticipant(agent), Mode: session.ModeWhisper, Text: text})
}

// End has agent end chat with wrap-up reason (which may be empty when the
// queue lists none), and settles.
func (k *Kit) End(chat switchboard.ChatID, agent switchboard.AgentID, reason string) {
	k.t.Helper()
	if _, err := k.Engine.End(k.ctx, chat, agent, session.EndOptions{Reason: reason, Confirm: true}); err != nil {
		k.t.Fatalf("enginetest: %s cannot end chat %s: %v", agent, chat, err)
	}
	k.Settle()
}

// CustomerLeaves has chat's customer leave, and settles.
func (k *Kit) CustomerLeaves(chat switchboard.ChatID) {
	k.t.Helper()
	c, _ := k.Customer(chat).Customer()
	if err := k.Engine.CustomerLeft(k.ctx, chat, c); err != nil {
		k.t.Fatalf("enginetest: the customer cannot leave chat %s: %v", chat, err)
	}
	k.Settle()
}

// Chat returns chat's routing record: its state, queue, agent, offers and
// end reason.
func (k *Kit) Chat(chat switchboard.ChatID) routing.Chat {
	k.t.Helper()
	c, err := k.Router.Chat(k.ctx, chat)
	if err != nil {
		k.t.Fatalf("enginetest: reading chat %s: %v", chat, err)
	}
	return c
}

// Agent returns agent id's routing record: its state and load.
func (k *Kit) Agent(id switchboard.AgentID) routing.Agent {
	k.t.Helper()
	a, err := k.Router.Agent(k.ctx, id)
	if err != nil {
		k.t.Fatalf("enginetest: reading agent %s: %v", id, err)
	}
	return a
}

// Desktop returns the routing events agent's desktop received so far,
// oldest first: its offers, their outcomes, its state changes.
func (k *Kit) Desktop(agent switchboard.AgentID) []routing.Event {
	return k.desktops.of(agent)
}

// DesktopTypes returns the types of the events agent's desktop received,
// oldest first, such as "ChatOffered".
func (k *Kit) DesktopTypes(agent switchboard.AgentID) []string {
	es := k.Desktop(agent)
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Type.String()
	}
	return out
}

// CustomerSaw returns what chat's customer was delivered, one line per
// entry (see [Line]).
func (k *Kit) CustomerSaw(chat switchboard.ChatID) []string {
	k.t.Helper()
	return k.Saw(chat, k.Customer(chat))
}

// AgentSaw returns what agent was delivered in chat, one line per entry
// (see [Line]).
func (k *Kit) AgentSaw(chat switchboard.ChatID, agent switchboard.AgentID) []string {
	k.t.Helper()
	return k.Saw(chat, session.AgentParticipant(agent))
}

// Saw returns what participant p was delivered in chat, one line per
// entry, as a client shows it: in sequence order, each entry once however
// often it was delivered, and messages with the text of any later
// correction (a masked card number split over messages) in place of the
// text first delivered. Corrections themselves are not lines.
func (k *Kit) Saw(chat switchboard.ChatID, p session.ParticipantID) []string {
	var views []session.View
	for _, d := range k.Participants.Received(p) {
		if d.Chat == chat {
			views = append(views, d.Item)
		}
	}
	return Lines(views)
}

// Lines renders views as a client shows them: sorted by Seq, each Seq
// once, corrections applied to the messages they correct; see [Line].
// Items that are never stored (Seq 0: typing indicators and read
// receipts) are not lines.
func Lines(views []session.View) []string {
	views = slices.DeleteFunc(slices.Clone(views), func(v session.View) bool { return v.Seq == 0 })
	slices.SortStableFunc(views, func(a, b session.View) int { return cmp.Compare(a.Seq, b.Seq) })
	views = slices.CompactFunc(views, func(a, b session.View) bool { return a.Seq == b.Seq })
	at := map[uint64]int{}
	var shown []session.View
	for _, v := range views {
		if v.Type == session.EntryCorrection {
			if i, ok := at[v.Ref]; ok {
				shown[i].Text = v.Text
			}
			continue
		}
		at[v.Seq] = len(shown)
		shown = append(shown, v)
	}
	out := make([]string, len(shown))
	for i, v := range shown {
		out[i] = Line(v)
	}
	return out
}

// Line renders one view as a line a test can assert on. Messages read
// "Name: text", with "(private)" after the name for a message only agents
// see and the names of attached files in brackets; everything else is a
// system notice, starting with "* ": the notice's own words when it has
// them ("* customer has left"), or else what happened ("* Ada joined", "*
// Ada left"). A customer's view never carries a wrap-up reason, so neither
// does its line.
func Line(v session.View) string {
	name := func(s string) string { return cmp.Or(s, "someone") }
	switch v.Type {
	case session.EntryMessage:
		s := name(v.FromName)
		if v.Private {
			s += " (private)"
		}
		s += ": " + v.Text
		for _, f := range v.Files {
			s += " [" + f.Name + "]"
		}
		return s
	case session.EntryOptionsOffered:
		labels := make([]string, len(v.Options))
		for i, o := range v.Options {
			labels[i] = o.Label
		}
		return fmt.Sprintf("%s offers: %s [%s]", name(v.FromName), v.Text, strings.Join(labels, " | "))
	case session.EntryOptionChosen:
		labels := make([]string, len(v.Options))
		for i, o := range v.Options {
			labels[i] = o.Label
		}
		return fmt.Sprintf("%s chose: %s", name(v.FromName), strings.Join(labels, ", "))
	case session.EntryTransfer:
		to := cmp.Or(v.SubjectName, v.Reason)
		s := "* " + name(v.FromName) + " transferred the chat to " + name(to)
		if v.Text != "" {
			s += ": " + v.Text
		}
		return s
	case session.EntryCorrection:
		return fmt.Sprintf("* message %d now reads: %s", v.Ref, v.Text)
	}
	if v.Text != "" {
		// A notice that carries its own words, such as "customer has
		// left" or the text a waiting customer is told when no agent
		// took the chat.
		return "* " + v.Text
	}
	switch v.Type {
	case session.EntryCreated:
		return "* chat started"
	case session.EntryInvited:
		return "* " + name(v.SubjectName) + " was invited"
	case session.EntryJoined:
		return "* " + name(v.SubjectName) + " joined"
	case session.EntryLeft, session.EntryCustomerLeft:
		return "* " + name(v.SubjectName) + " left"
	case session.EntryOwnerChanged:
		return "* " + name(v.SubjectName) + " now owns the chat"
	case session.EntryModeChanged:
		return "* " + name(v.SubjectName) + " is now in " + v.Reason + " mode"
	case session.EntryEnded:
		if v.Reason != "" {
			return "* conversation ended: " + v.Reason
		}
		return "* conversation ended"
	case session.EntryClosed:
		return "* chat closed"
	case session.EntryReopened:
		return "* chat reopened"
	case session.EntryVideoStarted:
		return "* video started"
	case session.EntryVideoEnded:
		return "* video ended"
	}
	return "* " + v.Type.String()
}

// recorder is the desktops' transport: it keeps every event published,
// then passes them on to next, if any.
type recorder struct {
	mu     sync.Mutex
	events []routing.Event
	next   routing.Transport
}

var _ routing.Transport = (*recorder)(nil)

func (r *recorder) Publish(ctx context.Context, events ...routing.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	r.events = append(r.events, events...)
	r.mu.Unlock()
	if r.next == nil {
		return nil
	}
	return r.next.Publish(ctx, events...)
}

func (r *recorder) of(agent switchboard.AgentID) []routing.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []routing.Event
	for _, e := range r.events {
		if e.Agent == agent {
			out = append(out, e)
		}
	}
	return out
}
