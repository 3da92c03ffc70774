package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// StartRequest describes a customer chat to start.
type StartRequest struct {
	// ID of the chat and its session; required and unique.
	ID switchboard.ChatID
	// Queue the chat comes in on; required. The chat's tenant is the
	// queue's: Tenant may be left empty, and a different one is refused
	// with [ErrInvalid].
	Tenant switchboard.TenantID
	Queue  switchboard.QueueID
	// Customer and CustomerName identify the customer. Customer may be
	// empty when Bot is set ([session.Manager.AddCustomer] brings the
	// customer in).
	Customer     switchboard.CustomerID
	CustomerName string
	// Attributes of the customer, verified or claimed (SPEC S14).
	Attributes []session.Attribute
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

func (r *StartRequest) routing() routing.ChatRequest {
	return routing.ChatRequest{
		ID: r.ID, Queue: r.Queue, Customer: routing.Customer{ID: string(r.Customer), Name: r.CustomerName},
		Priority: r.Priority, Skills: r.Skills, Transcript: r.Transcript, Preferred: r.Preferred,
	}
}

// op starts tracing an operation and checks that the engine runs.
func (e *Engine) op(ctx context.Context, name string, attrs ...slog.Attr) (context.Context, func(error), error) {
	if err := e.ready(ctx); err != nil {
		return ctx, noEnd, err
	}
	if !e.traced {
		return ctx, noEnd, nil
	}
	// A copy, so the caller's attributes stay on its stack when nothing
	// traces.
	ctx, end := e.cfg.Tracer.Start(ctx, name, slices.Clone(attrs)...)
	return ctx, end, nil
}

// noEnd ends an operation nothing traces.
func noEnd(error) {}

// Start creates the chat's session and queues the chat for routing.
//
// The request is checked first, so routing cannot refuse it afterwards
// for a reason known in advance. Start is idempotent: called again with
// the same request after an error (or after a crash), it finishes what the
// first call began and returns the session; a chat that already exists
// under the ID and is routed is simply returned.
//
// A queue closed by its business hours whose policy refuses chats (SPEC
// B10) makes Start return the router's [*routing.ClosedError], saying when
// the queue opens, and leave no session behind; should the queue close
// between that check and the routing of the chat, the session just
// created is ended at once with the reason [routing.ReasonClosed], the
// customer being told Config.NoAgentText. So is a session an earlier call
// made before it failed, when Start is called again once the queue has
// closed.
func (e *Engine) Start(ctx context.Context, req StartRequest) (s session.Session, err error) {
	ctx, end, err := e.op(ctx, "engine.Start", slog.String(KeyChat, string(req.ID)), slog.String(KeyQueue, string(req.Queue)))
	if err != nil {
		return session.Session{}, err
	}
	defer func() { end(err) }()
	rreq := req.routing()
	if err := rreq.Validate(); err != nil {
		return session.Session{}, fmt.Errorf("engine: start %s: %w", req.ID, err)
	}
	q, err := e.router.Queue(ctx, req.Queue)
	if err != nil {
		return session.Session{}, fmt.Errorf("engine: start %s: %w", req.ID, err)
	}
	// The queue is the one authority on a chat's tenant.
	if req.Tenant != "" && req.Tenant != q.Tenant {
		return session.Session{}, fmt.Errorf("engine: start %s: %w: tenant %q, but queue %s belongs to %q",
			req.ID, ErrInvalid, req.Tenant, q.ID, q.Tenant)
	}
	if err := e.admits(ctx, &q, req.ID); err != nil {
		if errors.Is(err, routing.ErrQueueClosed) {
			// An earlier call may have made the session before it failed:
			// it is ended as if the queue had refused that call.
			err = e.refused(ctx, req.ID, err)
		}
		return session.Session{}, fmt.Errorf("engine: start %s: %w", req.ID, err)
	}
	s, err = e.sessions.Create(ctx, session.CustomerSession{
		ID: req.ID, Tenant: q.Tenant, Queue: req.Queue, Customer: req.Customer,
		CustomerName: req.CustomerName, Attributes: req.Attributes, Bot: req.Bot,
	})
	if errors.Is(err, session.ErrExists) {
		// An earlier call created it (or its outcome was unknown): finish
		// what it began.
		s, err = e.sessions.Session(ctx, req.ID)
		if err == nil && (s.Kind != session.KindCustomer || s.Queue != req.Queue) {
			return session.Session{}, fmt.Errorf("engine: start %s: %w: a different session has this ID", req.ID, session.ErrExists)
		}
	}
	if err != nil {
		return session.Session{}, fmt.Errorf("engine: start %s: %w", req.ID, err)
	}
	if _, err := e.router.Enqueue(ctx, rreq); err != nil {
		if errors.Is(err, routing.ErrQueueClosed) {
			err = e.refused(ctx, req.ID, err)
		}
		if !errors.Is(err, routing.ErrChatExists) {
			return session.Session{}, fmt.Errorf("engine: start %s: %w", req.ID, err)
		}
	}
	return e.syncFrom(ctx, req.ID, &s)
}

// sync applies the chat's consequences now, so the caller sees them. If
// that fails, the error is returned: the operations that call it are
// idempotent, so the host calls again, and the engine's event processing
// finishes it meanwhile.
func (e *Engine) sync(ctx context.Context, chat switchboard.ChatID) (session.Session, error) {
	return e.syncFrom(ctx, chat, nil)
}

// syncFrom is sync for a caller that holds have (which may be nil), a
// copy of the session of its own: when the consequences leave the session
// at have's version, have is what is returned, and the session is not
// copied again.
func (e *Engine) syncFrom(ctx context.Context, chat switchboard.ChatID, have *session.Session) (session.Session, error) {
	owned := false
	s, err := e.reconcileOwned(ctx, chat, &owned)
	if err != nil {
		return session.Session{}, fmt.Errorf("engine: the session of %s does not follow routing yet (call again): %w", chat, err)
	}
	switch {
	case owned:
		return s, nil
	case have != nil && have.ID == s.ID && have.Version == s.Version && have.Txn == s.Txn:
		return *have, nil
	}
	return s.Clone(), nil
}

// follow makes the chat's session agree with routing before the
// conversation ends, so that it ends with the participants routing holds
// (an owner a hand-over let go leaves as everyone saw it happen, not as a
// side effect of the end). A chat routing does not know (an agent-to-agent
// session) is left alone.
func (e *Engine) follow(ctx context.Context, chat switchboard.ChatID) error {
	_, err := e.reconcile(ctx, chat)
	if errors.Is(err, routing.ErrChatNotFound) {
		return nil
	}
	return err
}

// repairing runs fn, a session step acting for a participant; if the
// session refuses it because it does not yet follow routing (the agent is
// not yet its owner, say, when a consequence was interrupted), it makes the
// session follow routing and runs fn once more.
func (e *Engine) repairing(ctx context.Context, chat switchboard.ChatID, fn func() error) error {
	err := fn()
	if !errors.Is(err, session.ErrNotParticipant) && !errors.Is(err, session.ErrForbidden) {
		return err
	}
	if _, rerr := e.reconcile(ctx, chat); rerr != nil {
		return err
	}
	return fn()
}

// Sync makes the chat's session agree with routing now, rather than when
// the engine's event processing reaches the chat's events. Operations of
// the engine call it themselves; packages built on the engine call it after
// routing operations of their own.
func (e *Engine) Sync(ctx context.Context, chat switchboard.ChatID) (session.Session, error) {
	if err := e.ready(ctx); err != nil {
		return session.Session{}, err
	}
	s, err := e.reconcile(ctx, chat)
	if err != nil {
		return session.Session{}, err
	}
	return s.Clone(), nil
}

// Accept accepts a routing offer for agent and makes it the owner of the
// chat's session: the customer is told who joined, by display name. The
// assignment carries the bot transcript (SPEC R11). Accept is idempotent:
// accepting again an offer the agent already accepted returns the same
// assignment.
func (e *Engine) Accept(ctx context.Context, agent switchboard.AgentID, offer routing.OfferID) (s session.Session, a routing.Assignment, err error) {
	ctx, end, err := e.op(ctx, "engine.Accept", slog.String(KeyAgent, string(agent)), slog.String(KeyOffer, string(offer)))
	if err != nil {
		return session.Session{}, routing.Assignment{}, err
	}
	defer func() { end(err) }()
	a, err = e.router.Accept(ctx, agent, offer)
	if err != nil {
		o, oerr := e.router.Offer(ctx, offer)
		if oerr != nil || o.Outcome != routing.Accepted || o.Agent != agent {
			return session.Session{}, routing.Assignment{}, err
		}
		// Accepted already (a retry after an unknown outcome).
		c, cerr := e.router.Chat(ctx, o.Chat)
		if cerr != nil {
			return session.Session{}, routing.Assignment{}, err
		}
		a = routing.Assignment{Chat: c, Offer: o}
	}
	s, err = e.sync(ctx, a.Chat.ID)
	return s, a, err
}

// Reject rejects a routing offer for agent; see [routing.Router.Reject].
func (e *Engine) Reject(ctx context.Context, agent switchboard.AgentID, offer routing.OfferID) (err error) {
	ctx, end, err := e.op(ctx, "engine.Reject", slog.String(KeyAgent, string(agent)), slog.String(KeyOffer, string(offer)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	return e.router.Reject(ctx, agent, offer)
}

// Send sends a message into a session. A customer writing to a closed
// session is handled by the queue's after-close policy: a reopened session
// is routed again to the first free agent of its queue, never held for the
// agent who had it (SPEC R9), even while that agent is still wrapping it
// up; a new linked session is routed as a new chat. An agent's message in
// an agent-to-agent session is just sent.
func (e *Engine) Send(ctx context.Context, chat switchboard.ChatID, msg session.Message) (sent session.Sent, err error) {
	ctx, end, err := e.op(ctx, "engine.Send", slog.String(KeyChat, string(chat)))
	if err != nil {
		return session.Sent{}, err
	}
	defer func() { end(err) }()
	err = e.repairing(ctx, chat, func() (err error) { sent, err = e.sessions.Send(ctx, chat, msg); return })
	// A message sent again finds itself stored and reports no policy, even
	// when it is in a linked session whose routing step failed the first
	// time: a linked session is routed whenever it is named.
	if err != nil || sent.AfterClose == 0 && sent.Chat == chat {
		return sent, err
	}
	if sent.AfterClose == 0 {
		sent.AfterClose = switchboard.PolicyNewLinked // as the first call reported
	}
	s, err := e.sessions.Session(ctx, sent.Chat)
	if err != nil {
		return sent, fmt.Errorf("engine: route %s after close: %w", sent.Chat, err)
	}
	if sent.AfterClose == switchboard.PolicyReopen {
		_, err = e.router.Reopen(ctx, routeRequest(&s))
	} else {
		_, err = e.router.Enqueue(ctx, routeRequest(&s))
		if errors.Is(err, routing.ErrChatExists) {
			err = nil
		}
	}
	if err != nil {
		return sent, fmt.Errorf("engine: route %s after close: %w", sent.Chat, err)
	}
	return sent, nil
}

// CustomerLeft records that the customer left: agents are told and can no
// longer send (SPEC S9). A chat still waiting for an agent is withdrawn from
// routing as abandoned and its session closed; an assigned one stays with
// its owner, who ends it with a wrap-up reason, while its consulted agents
// are dropped without one and a pending invite or transfer is withdrawn
// (SPEC C9).
func (e *Engine) CustomerLeft(ctx context.Context, chat switchboard.ChatID, customer switchboard.CustomerID) (err error) {
	ctx, end, err := e.op(ctx, "engine.CustomerLeft", slog.String(KeyChat, string(chat)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if err := e.sessions.Leave(ctx, chat, session.CustomerParticipant(customer)); err != nil && !errors.Is(err, session.ErrLeft) {
		return err
	}
	c, err := e.router.Chat(ctx, chat)
	if err != nil {
		return err
	}
	if c.State == routing.Queued || c.State == routing.Offered {
		var se *routing.StateError
		if err := e.router.Abandon(ctx, chat); err != nil && !errors.As(err, &se) {
			return err
		}
	}
	_, err = e.reconcile(ctx, chat)
	return err
}

// End ends the conversation with a wrap-up reason (SPEC S11): the session
// ends and routing puts the chat in wrap-up, keeping the agent's slot until
// [Engine.CompleteWrapUp] or the routing queue's WrapUp time passes, then
// freeing it; the session then closes as a consequence (SPEC K3), so a
// host need not call [Engine.Close]. An agent-to-agent session just ends.
//
// The returned WrapUp.Until is when routing frees the slot: the routing
// queue's WrapUp time after now, unless opts.WrapUpUntil is set.
//
// End is idempotent: called again by the same agent after an error or a
// crash, it finishes the routing side and returns the session's wrap-up.
func (e *Engine) End(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID, opts session.EndOptions) (w session.WrapUp, err error) {
	ctx, end, err := e.op(ctx, "engine.End", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(agent)))
	if err != nil {
		return session.WrapUp{}, err
	}
	defer func() { end(err) }()
	if err := e.follow(ctx, chat); err != nil {
		return session.WrapUp{}, err
	}
	if err := e.wrapUpUntil(ctx, chat, &opts); err != nil {
		return session.WrapUp{}, err
	}
	w, err = e.sessions.End(ctx, chat, agent, opts)
	if err != nil {
		var se *session.StatusError
		s, serr := e.sessions.Session(ctx, chat)
		if !errors.As(err, &se) || serr != nil || s.WrapUp == nil || s.WrapUp.Owner != agent {
			return w, err
		}
		w = *s.WrapUp // ended already: finish the routing side
	}
	return w, e.endRouting(ctx, chat)
}

// wrapUpUntil sets opts.WrapUpUntil, unless the caller did, to when
// routing will end the wrap-up of a chat it has assigned.
func (e *Engine) wrapUpUntil(ctx context.Context, chat switchboard.ChatID, opts *session.EndOptions) error {
	if !opts.WrapUpUntil.IsZero() {
		return nil
	}
	c, err := e.router.Chat(ctx, chat)
	if errors.Is(err, routing.ErrChatNotFound) {
		return nil // an agent-to-agent session: nothing routed
	}
	if err != nil {
		return err
	}
	if c.Kind != routing.CustomerChat || c.State != routing.Assigned {
		return nil
	}
	q, err := e.router.Queue(ctx, c.Queue)
	if err != nil {
		return err
	}
	opts.WrapUpUntil = e.cfg.Clock.Now().Add(q.WrapUp)
	return nil
}

// Close closes the session; if that also ended the conversation, routing
// puts the chat in wrap-up as [Engine.End] does. Close is idempotent in
// the same way as End: closing again a session the agent closed finishes
// the routing side and reports the closure.
func (e *Engine) Close(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID, opts session.EndOptions) (c session.Closure, err error) {
	ctx, end, err := e.op(ctx, "engine.Close", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(agent)))
	if err != nil {
		return session.Closure{}, err
	}
	defer func() { end(err) }()
	return e.close(ctx, chat, agent, opts)
}

func (e *Engine) close(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID, opts session.EndOptions) (session.Closure, error) {
	if err := e.follow(ctx, chat); err != nil {
		return session.Closure{}, err
	}
	if err := e.wrapUpUntil(ctx, chat, &opts); err != nil {
		return session.Closure{}, err
	}
	c, err := e.sessions.Close(ctx, chat, agent, opts)
	if errors.Is(err, session.ErrAlreadyClosed) {
		s, serr := e.sessions.Session(ctx, chat)
		if serr != nil || s.WrapUp == nil || s.WrapUp.Owner != agent {
			return c, err
		}
		c = session.Closure{WrapUp: *s.WrapUp}
		err = nil
	}
	if err != nil {
		return c, err
	}
	return c, e.endRouting(ctx, chat)
}

// endRouting puts an assigned chat whose session ended in wrap-up, and
// withdraws one still waiting. A chat already past that is left alone.
func (e *Engine) endRouting(ctx context.Context, chat switchboard.ChatID) error {
	c, err := e.router.Chat(ctx, chat)
	if errors.Is(err, routing.ErrChatNotFound) {
		return nil // an agent-to-agent session: nothing routed
	}
	if err != nil {
		return err
	}
	switch c.State {
	case routing.Assigned:
		err = e.router.End(ctx, chat)
	case routing.Queued, routing.Offered:
		err = e.router.Withdraw(ctx, chat)
	}
	if err == nil {
		return nil
	}
	if se := (*routing.StateError)(nil); errors.As(err, &se) {
		return nil // moved on meanwhile
	}
	return err
}

// CompleteWrapUp completes the agent's wrap-up of a chat early: its slot is
// free again. The chat's ended session then closes, keeping the wrap-up
// its owner recorded (SPEC K3): the engine carries that out as it
// processes routing's log (at once in [Engine.Settle], shortly in
// [Engine.Run]), so it survives a crash. A session closed already is left
// as it is, and [Engine.Close] called afterwards by the owner returns the
// closure with no error.
func (e *Engine) CompleteWrapUp(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.CompleteWrapUp", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(agent)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	return e.router.CompleteWrapUp(ctx, chat, agent)
}

// Logout logs the agent out of routing (its offers are withdrawn and its
// chats go back to their queues, SPEC R17) and out of its sessions: in each
// customer session it owned the customer is told the agent left and waits
// for the next agent; a session whose customer had already left is closed
// with Config.DisconnectReason; it leaves its agent-to-agent sessions.
func (e *Engine) Logout(ctx context.Context, agent switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.Logout", slog.String(KeyAgent, string(agent)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	return e.logout(ctx, agent, e.router.Logout)
}

// Disconnect tells the engine the agent's connection was lost. With no
// routing grace (Config.Router.DisconnectGrace, default 0) it is
// [Engine.Logout]. With one, the agent keeps its state and its sessions,
// and is offered nothing, until it reconnects ([Engine.Reconnect]) or the
// grace passes; then Run or Settle, in any process, logs it out and its
// sessions follow as after Logout (SPEC H2, H4).
func (e *Engine) Disconnect(ctx context.Context, agent switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.Disconnect", slog.String(KeyAgent, string(agent)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if e.cfg.Router.DisconnectGrace > 0 {
		return e.router.Disconnect(ctx, agent)
	}
	return e.logout(ctx, agent, e.router.Disconnect)
}

func (e *Engine) logout(ctx context.Context, agent switchboard.AgentID, out func(context.Context, switchboard.AgentID) error) error {
	// The agent's chats, as the sessions and as routing see them: an
	// interrupted earlier call may have left them disagreeing.
	ids, err := e.sessions.ActiveSessions(ctx, agent)
	if err != nil {
		return err
	}
	routed, err := e.router.AgentChats(ctx, agent)
	if err != nil {
		return err
	}
	for _, c := range routed {
		if !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	// Finish what an interrupted call began (a session the agent ended
	// whose chat routing still holds), so routing does not re-queue it.
	for _, id := range ids {
		if _, err := e.reconcile(ctx, id); err != nil && !errors.Is(err, session.ErrNotFound) && !errors.Is(err, routing.ErrChatNotFound) {
			return fmt.Errorf("engine: logout %s: %w", agent, err)
		}
	}
	// Chats whose customer left are ended, not re-queued for another agent.
	for _, id := range ids {
		s, err := e.sessions.Session(ctx, id)
		if errors.Is(err, session.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if s.Kind != session.KindCustomer || s.Status != session.StatusCustomerLeft {
			continue
		}
		if o := s.Owner(); o != nil && o.ID == session.AgentParticipant(agent) {
			if _, err := e.close(ctx, id, agent, session.EndOptions{Reason: e.cfg.DisconnectReason, Confirm: true, Forced: true}); err != nil {
				return fmt.Errorf("engine: logout %s: close %s: %w", agent, id, err)
			}
		}
	}
	if err := out(ctx, agent); err != nil && !errors.Is(err, routing.ErrLoggedOut) {
		return err
	}
	// The sessions follow: the agent leaves its customer sessions (their
	// chats went back to their queues) and its agent-to-agent sessions.
	var errs []error
	me := session.AgentParticipant(agent)
	for _, id := range ids {
		s, err := e.sessions.Session(ctx, id)
		if errors.Is(err, session.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		switch {
		case s.Status == session.StatusClosed || s.Status == session.StatusEnded:
		case s.Kind == session.KindCustomer:
			_, err = e.reconcile(ctx, id)
		default:
			err = e.sessions.Leave(ctx, id, me)
		}
		if err != nil && !errors.Is(err, session.ErrLeft) && !errors.Is(err, session.ErrNotParticipant) {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("engine: logout %s: %w", agent, errors.Join(errs...))
	}
	return nil
}

// StartA2A starts an agent-to-agent chat (SPEC R10, S6–S8): it is
// delivered at once, never offered, and takes no slot, so routing holds
// nothing of it and its one home is the session; each recipient carries a
// pending-reply marker until it answers with [Engine.Send]. The agents are
// found through the directory over routing's presence: every one must be
// logged in and visible to from.
func (e *Engine) StartA2A(ctx context.Context, from switchboard.AgentID, to []switchboard.AgentID, text string) (s session.Session, err error) {
	ctx, end, err := e.op(ctx, "engine.StartA2A", slog.String(KeyAgent, string(from)))
	if err != nil {
		return session.Session{}, err
	}
	defer func() { end(err) }()
	return e.sessions.StartA2A(ctx, from, to, text)
}
