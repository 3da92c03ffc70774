package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// DeskConfig holds the optional settings of a [Desk]. The zero value is
// valid.
type DeskConfig struct {
	// Logger receives what the Desk repairs or cannot repair on its own.
	// Defaults to discarding it.
	Logger *slog.Logger
	// DisconnectReason is the reason the Desk records when it ends a session
	// itself: for an agent who logged out, a session whose customer had
	// already left; for a transfer routing ended because nobody accepted it.
	// It is a forced end ([EndOptions].Forced), so it need not be in the
	// queue's wrap-up list. Defaults to "agent disconnected".
	DisconnectReason string
	// Attachments returns the attachment policy of a session, for
	// [Desk.SendFiles]. Defaults to nil: attachments are off.
	Attachments AttachmentPolicy
	// Files stores accepted attachments, for [Desk.SendFiles]. Defaults to
	// nil: attachments are off.
	Files FileStore
}

// Desk runs customer chats end to end: it routes them with a
// [routing.Router] and runs their sessions with a [Manager], keeping the two
// in step, so a host does not glue them by hand. The router is the authority
// on who owns a chat; [Desk.Sync] makes a session agree with it again after a
// failure between the two stores.
//
// A Desk is safe for concurrent use; it keeps no state of its own.
type Desk struct {
	router   *routing.Router
	sessions *Manager
	cfg      DeskConfig
}

// NewDesk returns a Desk over router and sessions.
func NewDesk(router *routing.Router, sessions *Manager, cfg DeskConfig) (*Desk, error) {
	if router == nil || sessions == nil {
		return nil, fmt.Errorf("%w: a desk needs a router and a session manager", ErrInvalid)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.DisconnectReason == "" {
		cfg.DisconnectReason = "agent disconnected"
	}
	return &Desk{router: router, sessions: sessions, cfg: cfg}, nil
}

// Router returns the desk's router.
func (d *Desk) Router() *routing.Router { return d.router }

// Sessions returns the desk's session manager.
func (d *Desk) Sessions() *Manager { return d.sessions }

// ChatRequest describes a customer chat to start.
type ChatRequest struct {
	// ID of the chat and its session; required and unique.
	ID switchboard.ChatID
	// Tenant and Queue the chat comes in on; Queue is required.
	Tenant switchboard.TenantID
	Queue  switchboard.QueueID
	// Customer and CustomerName identify the customer. Customer may be
	// empty when Bot is set ([Manager.AddCustomer] brings the customer in).
	Customer     CustomerID
	CustomerName string
	// Attributes of the customer, verified or claimed (SPEC S14).
	Attributes []Attribute
	// Bot is the display name of a bot present from the start, if any.
	Bot string
	// Transcript is the bot conversation before routing; the accepting
	// agent receives it (SPEC R11).
	Transcript []routing.Turn
	// Priority, Skills and Preferred are as in [routing.ChatRequest].
	Priority  int
	Skills    []routing.SkillRequirement
	Preferred switchboard.AgentID
}

func (r *ChatRequest) routing() routing.ChatRequest {
	return routing.ChatRequest{
		ID: r.ID, Queue: r.Queue, Customer: routing.Customer{ID: string(r.Customer), Name: r.CustomerName},
		Priority: r.Priority, Skills: r.Skills, Transcript: r.Transcript, Preferred: r.Preferred,
	}
}

// Start creates the chat's session, then queues the chat for routing. If
// routing refuses it (an unknown queue, say), the session is closed again
// and the error returned.
func (d *Desk) Start(ctx context.Context, req ChatRequest) (Session, error) {
	if _, err := d.router.Queue(ctx, req.Queue); err != nil {
		return Session{}, fmt.Errorf("session: start %s: %w", req.ID, err)
	}
	s, err := d.sessions.Create(ctx, CustomerSession{
		ID: req.ID, Tenant: req.Tenant, Queue: req.Queue, Customer: req.Customer,
		CustomerName: req.CustomerName, Attributes: req.Attributes, Bot: req.Bot,
	})
	if err != nil {
		return Session{}, fmt.Errorf("session: start %s: %w", req.ID, err)
	}
	if _, err := d.router.Enqueue(ctx, req.routing()); err != nil {
		if _, cerr := d.sessions.Close(ctx, req.ID, "", EndOptions{Confirm: true}); cerr != nil {
			d.cfg.Logger.ErrorContext(ctx, "session: closing a session routing refused failed", "chat", req.ID, "err", cerr)
		}
		return Session{}, fmt.Errorf("session: start %s: %w", req.ID, err)
	}
	return s, nil
}

// Accept accepts a routing offer for agent and makes it the owner of the
// chat's session: the customer is told who joined, by display name. The
// assignment carries the bot transcript (SPEC R11).
func (d *Desk) Accept(ctx context.Context, agent switchboard.AgentID, offer routing.OfferID) (Session, routing.Assignment, error) {
	a, err := d.router.Accept(ctx, agent, offer)
	if err != nil {
		return Session{}, routing.Assignment{}, err
	}
	s, err := d.Sync(ctx, a.Chat.ID)
	if err != nil {
		return Session{}, a, fmt.Errorf("session: accept %s: the chat is assigned but its session is not; call Sync: %w", offer, err)
	}
	return s, a, nil
}

// Reject rejects a routing offer for agent; see [routing.Router.Reject].
func (d *Desk) Reject(ctx context.Context, agent switchboard.AgentID, offer routing.OfferID) error {
	return d.router.Reject(ctx, agent, offer)
}

// Sync makes the chat's session agree with routing, which is the authority
// on who is in a chat: the agent routing assigned the chat to owns the
// session; consultants routing admitted are present; a pending invite shows
// its invitee as invited; agents routing no longer counts in the chat (an
// owner who transferred or handed the chat over, a consultant who exited or
// was dropped, an invitee who declined) leave, and everyone is told (SPEC
// C6, T4); a chat back in a queue releases its owner; a chat routing ended
// because its transfer failed ends its session, telling the customer the
// agent has left (SPEC T3); an ended session keeps no agent but its owner
// (routing dropped the consultants when the chat ended, SPEC C9), and so
// does one whose customer left: consultants and an invite routing still
// has are dropped there first (SPEC C9).
// Supervisors are left alone.
//
// Sync is idempotent and safe to run concurrently for the same chat. The
// Desk calls it after every change it makes; [Desk.Handle] calls it for
// every routing event, which is how outcomes decided inside the router
// (timeouts, invite fallbacks, transfers) reach sessions. A host also calls
// it to repair a session after a failure between the two stores.
func (d *Desk) Sync(ctx context.Context, chat switchboard.ChatID) (Session, error) {
	for attempt := 0; ; attempt++ {
		s, err := d.syncOnce(ctx, chat)
		var se *StateError
		if err == nil || !errors.As(err, &se) || attempt == 4 {
			return s, err
		}
		// The session changed under this pass (the customer left while a
		// transfer moved the chat, say): read both sides again.
	}
}

func (d *Desk) syncOnce(ctx context.Context, chat switchboard.ChatID) (Session, error) {
	c, err := d.router.Chat(ctx, chat)
	if err != nil {
		return Session{}, err
	}
	s, err := d.sessions.Session(ctx, chat)
	if err != nil {
		return Session{}, err
	}
	if s.Kind != KindCustomer || s.Status == StatusClosed {
		return s, nil
	}
	var errs []error
	keep := func(err error) {
		if err != nil && !errors.Is(err, ErrAlreadyParticipant) && !errors.Is(err, ErrLeft) && !errors.Is(err, ErrNotParticipant) {
			errs = append(errs, err)
		}
	}
	if s.Status == StatusEnded {
		return d.settleEnded(ctx, s, keep, &errs)
	}
	if s.Status == StatusCustomerLeft && customerGone(&c) {
		// The interaction is over for everyone but the owner (SPEC C9),
		// whatever routing admitted after the customer left.
		if err := d.dropAfterCustomer(ctx, &c); err != nil {
			return Session{}, err
		}
		if c, err = d.router.Chat(ctx, chat); err != nil {
			return Session{}, err
		}
	}
	if s.Status == StatusCustomerLeft && (c.State == routing.Queued || c.State == routing.Offered) {
		// The chat went back to a queue (a transfer to a queue, say) as
		// its customer left: nobody is waiting for an agent any more, so
		// it is withdrawn as abandoned, as CustomerLeft does, and the owner
		// stays to end the session.
		var se *routing.StateError
		if err := d.router.Abandon(ctx, chat); err != nil && !errors.As(err, &se) {
			return Session{}, err
		}
		if c, err = d.router.Chat(ctx, chat); err != nil {
			return Session{}, err
		}
	}

	// The owner.
	var want switchboard.AgentID
	if c.State == routing.Assigned {
		want = c.Agent
	}
	cur := s.Owner()
	switch {
	case want != "" && (cur == nil || cur.ID != AgentParticipant(want)):
		keep(d.assign(ctx, chat, want))
	case want == "" && cur != nil && (c.State == routing.Queued || c.State == routing.Offered):
		keep(d.sessions.ReleaseOwner(ctx, chat, cur.ID.agent()))
	case want == "" && cur != nil && c.State == routing.Ended && c.EndReason == routing.EndAgentLeft:
		_, err := d.sessions.End(ctx, chat, cur.ID.agent(), EndOptions{Reason: d.cfg.DisconnectReason, Confirm: true, Forced: true})
		keep(err)
		if s, err = d.sessions.Session(ctx, chat); err != nil {
			return Session{}, err
		}
		return d.settleEnded(ctx, s, keep, &errs)
	}

	// Consultants and the pending invitee.
	in := map[switchboard.AgentID]bool{}
	if want != "" {
		in[want] = true
	}
	for _, a := range c.Consultants {
		in[a] = true
	}
	var invitee switchboard.AgentID
	if c.State == routing.Assigned && c.Invitation.Pending() && c.Invitation.Kind == routing.InviteOffer {
		o, err := d.router.Offer(ctx, c.Invitation.Offer)
		if err != nil {
			return Session{}, err
		}
		invitee = o.Agent
	}
	if s, err = d.sessions.Session(ctx, chat); err != nil {
		return Session{}, err
	}
	for i := range s.Participants {
		p := &s.Participants[i]
		a := p.ID.agent()
		if a == "" || p.Role == RoleSupervisor || p.Role == RoleOwner || p.current() == nil {
			continue // the owner is settled above
		}
		if p.Invited() && a != invitee && !in[a] || p.Present() && !in[a] {
			keep(d.sessions.Leave(ctx, chat, p.ID))
		}
	}
	inviter := c.Invitation.From
	if inviter == "" {
		inviter = want
	}
	for _, a := range c.Consultants {
		p := s.Participant(AgentParticipant(a))
		if p != nil && p.Present() {
			continue
		}
		if p == nil || !p.Invited() {
			keep(d.invite(ctx, chat, want, a))
		}
		keep(d.sessions.Join(ctx, chat, a))
	}
	if invitee != "" {
		if p := s.Participant(AgentParticipant(invitee)); p == nil || p.current() == nil {
			keep(d.invite(ctx, chat, inviter, invitee))
		}
	}
	if len(errs) > 0 {
		return Session{}, fmt.Errorf("session: sync %s: %w", chat, errors.Join(errs...))
	}
	return d.sessions.Session(ctx, chat)
}

// settleEnded takes the agents other than the owner out of ended session s:
// routing dropped its consultants and withdrew its invitation when the chat
// ended (SPEC C9), so none of them may stay present.
func (d *Desk) settleEnded(ctx context.Context, s Session, keep func(error), errs *[]error) (Session, error) {
	for i := range s.Participants {
		p := &s.Participants[i]
		if p.ID.agent() != "" && p.Role != RoleOwner && p.Role != RoleSupervisor && p.current() != nil {
			keep(d.sessions.Leave(ctx, s.ID, p.ID))
		}
	}
	if len(*errs) > 0 {
		return Session{}, fmt.Errorf("session: sync %s: %w", s.ID, errors.Join(*errs...))
	}
	return d.sessions.Session(ctx, s.ID)
}

// Handle keeps sessions in step with one routing event: it syncs the
// event's chat, if the chat has a session. Feed it every event of the
// router's transport (for example from a routingmem.Bus subscription); any
// process may handle any event, and handling one twice is harmless.
func (d *Desk) Handle(ctx context.Context, e routing.Event) error {
	if e.Chat == "" {
		return nil
	}
	_, err := d.Sync(ctx, e.Chat)
	if errors.Is(err, ErrNotFound) || errors.Is(err, routing.ErrChatNotFound) {
		return nil // a chat with no session, or a session routing forgot
	}
	return err
}

func (d *Desk) assign(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	a, err := d.router.Agent(ctx, agent)
	if err != nil {
		return err
	}
	_, err = d.sessions.AssignOwner(ctx, chat, Agent{ID: a.ID, Name: a.Profile.DisplayName})
	return err
}

func (d *Desk) invite(ctx context.Context, chat switchboard.ChatID, by, agent switchboard.AgentID) error {
	a, err := d.router.Agent(ctx, agent)
	if err != nil {
		return err
	}
	return d.sessions.Invite(ctx, chat, by, Agent{ID: a.ID, Name: a.Profile.DisplayName})
}

// Send sends a message into a session. A customer writing to a closed
// session is handled by the queue's after-close policy: a reopened session
// is routed again to the first free agent of its queue, never held for the
// agent who had it (SPEC R9); a new linked session is routed as a new chat.
// An agent's message in an agent-to-agent session is just sent.
func (d *Desk) Send(ctx context.Context, chat switchboard.ChatID, msg Message) (Sent, error) {
	sent, err := d.sessions.Send(ctx, chat, msg)
	if err != nil || sent.AfterClose == 0 {
		return sent, err
	}
	s, err := d.sessions.Session(ctx, sent.Chat)
	if err != nil {
		return sent, fmt.Errorf("session: route %s after close: %w", sent.Chat, err)
	}
	req := routing.ChatRequest{ID: s.ID, Queue: s.Queue}
	if c := s.Customer(); c != nil {
		req.Customer = routing.Customer{ID: string(c.ID), Name: c.Name}
	}
	if sent.AfterClose == PolicyReopen {
		_, err = d.router.Reopen(ctx, req)
	} else {
		_, err = d.router.Enqueue(ctx, req)
	}
	if err != nil {
		return sent, fmt.Errorf("session: route %s after close: %w", sent.Chat, err)
	}
	return sent, nil
}

// CustomerLeft records that the customer left: agents are told and can no
// longer send (SPEC S9). A chat still waiting for an agent is withdrawn from
// routing as abandoned; an assigned one stays with its owner, who ends it
// with a wrap-up reason, while its consulted agents are dropped without one
// and a pending invite or transfer is withdrawn (SPEC C9).
func (d *Desk) CustomerLeft(ctx context.Context, chat switchboard.ChatID, customer CustomerID) error {
	if err := d.sessions.Leave(ctx, chat, CustomerParticipant(customer)); err != nil {
		return err
	}
	c, err := d.router.Chat(ctx, chat)
	if err != nil {
		return err
	}
	var se *routing.StateError
	switch {
	case c.State == routing.Queued || c.State == routing.Offered:
		if err := d.router.Abandon(ctx, chat); err != nil && !errors.As(err, &se) {
			return err
		}
	case customerGone(&c):
		// The interaction is over for everyone: consulted agents are
		// dropped without wrap-up and a pending transfer is withdrawn; the
		// owner wraps up (SPEC C9).
		if err := d.dropAfterCustomer(ctx, &c); err != nil {
			return err
		}
		if _, err := d.Sync(ctx, chat); err != nil {
			return err
		}
	}
	return nil
}

// customerGone reports whether assigned chat c has agents besides its owner
// to let go of once its customer left: consultants, or a pending invite or
// transfer.
func customerGone(c *routing.Chat) bool {
	return c.State == routing.Assigned && (len(c.Consultants) > 0 || c.Invitation.Pending())
}

// dropAfterCustomer withdraws c's pending transfer and drops its
// consultants and pending invite. A chat that moved on meanwhile is left
// alone.
func (d *Desk) dropAfterCustomer(ctx context.Context, c *routing.Chat) error {
	var se *routing.StateError
	settled := func(err error) bool {
		return err == nil || errors.As(err, &se) || errors.Is(err, routing.ErrChatEnded) || errors.Is(err, routing.ErrNotOwner)
	}
	if c.Invitation.Kind == routing.TransferOffer {
		if err := d.router.CancelInvitation(ctx, c.ID, c.Agent); !settled(err) {
			return err
		}
	}
	if err := d.router.DropConsultants(ctx, c.ID, c.Agent); !settled(err) {
		return err
	}
	return nil
}

// End ends the conversation with a wrap-up reason (SPEC S11): the session
// ends and routing puts the chat in wrap-up, keeping the agent's slot until
// [Desk.CompleteWrapUp] or the routing queue's WrapUp time passes, then
// freeing it. An agent-to-agent session just ends.
//
// The returned WrapUp.Until is when routing frees the slot: the routing
// queue's WrapUp time after now, whatever the session queue's WrapUpTime
// says, unless opts.WrapUpUntil is set.
func (d *Desk) End(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID, opts EndOptions) (WrapUp, error) {
	if err := d.wrapUpUntil(ctx, chat, &opts); err != nil {
		return WrapUp{}, err
	}
	w, err := d.sessions.End(ctx, chat, agent, opts)
	if err != nil {
		return w, err
	}
	return w, d.endRouting(ctx, chat)
}

// wrapUpUntil sets opts.WrapUpUntil, unless the caller did, to when
// routing will end the wrap-up of a chat it has assigned.
func (d *Desk) wrapUpUntil(ctx context.Context, chat switchboard.ChatID, opts *EndOptions) error {
	if !opts.WrapUpUntil.IsZero() {
		return nil
	}
	c, err := d.router.Chat(ctx, chat)
	if errors.Is(err, routing.ErrChatNotFound) {
		return nil // an agent-to-agent session: nothing routed
	}
	if err != nil {
		return err
	}
	if c.Kind != routing.CustomerChat || c.State != routing.Assigned {
		return nil
	}
	q, err := d.router.Queue(ctx, c.Queue)
	if err != nil {
		return err
	}
	opts.WrapUpUntil = d.router.Clock().Now().Add(q.WrapUp)
	return nil
}

// Close closes the session; if that also ended the conversation, routing
// puts the chat in wrap-up as [Desk.End] does.
func (d *Desk) Close(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID, opts EndOptions) (Closure, error) {
	if err := d.wrapUpUntil(ctx, chat, &opts); err != nil {
		return Closure{}, err
	}
	c, err := d.sessions.Close(ctx, chat, agent, opts)
	if err != nil || !c.Ended {
		return c, err
	}
	return c, d.endRouting(ctx, chat)
}

func (d *Desk) endRouting(ctx context.Context, chat switchboard.ChatID) error {
	c, err := d.router.Chat(ctx, chat)
	if errors.Is(err, routing.ErrChatNotFound) {
		return nil // an agent-to-agent session: nothing routed
	}
	if err != nil {
		return err
	}
	switch c.State {
	case routing.Assigned:
		return d.router.End(ctx, chat)
	case routing.Queued, routing.Offered:
		var se *routing.StateError
		if err := d.router.Withdraw(ctx, chat); err != nil && !errors.As(err, &se) {
			return err
		}
	}
	return nil
}

// CompleteWrapUp completes the agent's wrap-up of a chat early: its slot is
// free again.
func (d *Desk) CompleteWrapUp(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	return d.router.CompleteWrapUp(ctx, chat, agent)
}

// Logout logs the agent out of routing (its offers are withdrawn and its
// chats go back to their queues, SPEC R17) and out of its sessions: in each
// customer session it owned the customer is told the agent left and waits
// for the next agent; a session whose customer had already left is closed
// with DeskConfig.DisconnectReason; it leaves its agent-to-agent sessions.
func (d *Desk) Logout(ctx context.Context, agent switchboard.AgentID) error {
	return d.logout(ctx, agent, d.router.Logout)
}

// Disconnect is [Desk.Logout] for an agent whose connection was lost.
func (d *Desk) Disconnect(ctx context.Context, agent switchboard.AgentID) error {
	return d.logout(ctx, agent, d.router.Disconnect)
}

func (d *Desk) logout(ctx context.Context, agent switchboard.AgentID, out func(context.Context, switchboard.AgentID) error) error {
	chats, err := d.sessions.ActiveSessions(ctx, agent)
	if err != nil {
		return err
	}
	var gone []switchboard.ChatID // sessions whose customer already left
	for _, id := range chats {
		s, err := d.sessions.Session(ctx, id)
		if err != nil {
			return err
		}
		if s.Kind == KindCustomer && s.Status == StatusCustomerLeft {
			if o := s.Owner(); o != nil && o.ID == AgentParticipant(agent) {
				gone = append(gone, id)
			}
		}
	}
	// Chats whose customer left are ended, not re-queued for another agent.
	for _, id := range gone {
		if _, err := d.Close(ctx, id, agent, EndOptions{Reason: d.cfg.DisconnectReason, Confirm: true, Forced: true}); err != nil {
			d.cfg.Logger.WarnContext(ctx, "session: could not close a session at logout", "chat", id, "agent", agent, "err", err)
		}
	}
	if err := out(ctx, agent); err != nil {
		return err
	}
	var errs []error
	for _, id := range chats {
		if slices.Contains(gone, id) {
			continue
		}
		s, err := d.sessions.Session(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		me := AgentParticipant(agent)
		switch {
		case s.Status == StatusClosed || s.Status == StatusEnded:
		case s.Kind == KindCustomer && s.Owner() != nil && s.Owner().ID == me:
			err = d.sessions.ReleaseOwner(ctx, id, agent)
		default:
			err = d.sessions.Leave(ctx, id, me)
		}
		if err != nil && !errors.Is(err, ErrLeft) {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("session: logout %s: %w", agent, errors.Join(errs...))
	}
	return nil
}

// RouterDirectory returns a [Directory] of the agents logged in to router,
// for [Config].Directory: an agent's team is its functional group.
func RouterDirectory(router *routing.Router) Directory { return routerDirectory{router} }

type routerDirectory struct{ r *routing.Router }

func info(a routing.Agent) AgentInfo {
	return AgentInfo{
		ID: a.ID, Tenant: a.Profile.Tenant, Name: a.Profile.DisplayName, Group: a.Profile.Team,
		Supervisor: a.Profile.Supervisor, LoggedIn: a.State != routing.LoggedOut,
	}
}

func (d routerDirectory) LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]AgentInfo, error) {
	as, err := d.r.LoggedIn(ctx, tenant)
	if err != nil {
		return nil, err
	}
	out := make([]AgentInfo, len(as))
	for i, a := range as {
		out[i] = info(a)
	}
	return out, nil
}

func (d routerDirectory) Agent(ctx context.Context, id switchboard.AgentID) (AgentInfo, error) {
	a, err := d.r.Agent(ctx, id)
	if errors.Is(err, routing.ErrAgentNotFound) {
		return AgentInfo{}, fmt.Errorf("%w: agent %s", ErrNotFound, id)
	}
	if err != nil {
		return AgentInfo{}, err
	}
	return info(a), nil
}
