package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// agentOf returns the agent a participant ID names, or "" for a customer or
// a bot.
func agentOf(p session.ParticipantID) switchboard.AgentID {
	if a, ok := p.Agent(); ok {
		return a
	}
	return ""
}

// inSession reports whether p is present or invited.
func inSession(p *session.Participant) bool { return p.Present() || p.Invited() }

// reconcileOnce makes a chat's session agree with routing:
//
//   - the agent routing assigned the chat to owns the session; consultants
//     routing admitted are present; a pending invite shows its invitee as
//     invited; agents routing no longer counts in the chat leave, and
//     everyone is told (SPEC C6, T4); a chat back in a queue releases its
//     owner;
//   - a chat routing ended before any agent took it (it waited too long,
//     was escalated or abandoned) ends and closes its session, telling a
//     connected customer why; so does one that went back to a queue and
//     ended there before the session let its former owner go;
//   - a chat routing ended because its transfer failed ends its session,
//     telling the customer the agent has left (SPEC T3);
//   - a session its owner ended or closed ends the chat in routing, which
//     puts the owner in wrap-up, or withdraws it if routing put it back
//     in a queue meanwhile (this finishes an [Engine.End] interrupted
//     between its two steps);
//   - a session a customer reopened after close is routed again (SPEC R9),
//     finishing an [Engine.Send] interrupted between its two steps;
//   - a session whose timer took the chat from its owner
//     (session.TimerState.Reassign) has routing queue the chat for
//     another agent (SPEC D2), finishing a pass of the timers interrupted
//     between its two steps;
//   - an ended session closes once routing finished its owner's wrap-up
//     (the owner completed it, or its time passed): the chat is done,
//     and routing heard of every reopening of the session, so a done
//     chat of an earlier conversation closes nothing;
//   - an ended session keeps no agent but its owner (routing dropped the
//     consultants when the chat ended, SPEC C9), and so does one whose
//     customer left;
//   - the session is on hold exactly while routing holds the chat on hold
//     for its owner, and the customer is told when it goes on hold and when
//     its owner resumes it (SPEC O6).
//
// Supervisors are left alone. The session returned may be lent by the
// store ([session.Manager.Peek]): it is not to be modified or handed out,
// unless owned is set (owned may be nil), as it is when the session
// returned is the copy an assignment of the owner returned.
func (e *Engine) reconcileOnce(ctx context.Context, chat switchboard.ChatID, owned *bool) (session.Session, error) {
	c, s, err := e.readBoth(ctx, chat)
	if err != nil {
		return session.Session{}, err
	}
	if s.Kind != session.KindCustomer {
		return s, nil
	}
	if (s.Status == session.StatusEnded || s.Status == session.StatusClosed) && s.WrapUp != nil &&
		(c.State == routing.Assigned || c.State == routing.Queued || c.State == routing.Offered) {
		// The owner ended the session; routing must follow, as End's own
		// routing step would have, even if routing moved the chat on in
		// between (a transfer declined and the chat taken by another
		// agent): the conversation is over.
		if err := e.endRouting(ctx, chat); err != nil {
			return session.Session{}, err
		}
		return e.sessions.Peek(ctx, chat)
	}
	if want := c.State == routing.Assigned && c.OnHold; s.OnHold != want {
		if s, err = e.followHold(ctx, &s, &c, want); err != nil {
			return session.Session{}, err
		}
	}
	if wrappedUp(&s, &c) {
		// The owner's wrap-up is over: the session closes, as its owner
		// would have closed it.
		err := e.sessions.CloseWrappedUp(ctx, chat, c.Reopens)
		if err != nil && !errors.Is(err, session.ErrAlreadyClosed) && !errors.Is(err, session.ErrConflict) {
			return session.Session{}, err
		}
		if s, err = e.sessions.Peek(ctx, chat); err != nil {
			return session.Session{}, err
		}
	}
	if s.Status == session.StatusClosed {
		return s, nil
	}
	var errs []error
	// stale reports that s may be behind the store: a write was tried
	// since it was read.
	stale := false
	keep := func(err error) {
		stale = true
		if err != nil && !errors.Is(err, session.ErrAlreadyParticipant) && !errors.Is(err, session.ErrLeft) && !errors.Is(err, session.ErrNotParticipant) {
			errs = append(errs, err)
		}
	}
	if s.Status == session.StatusEnded {
		return e.settleEnded(ctx, s, keep, &errs, &stale)
	}
	owner := s.Owner()
	if owner != nil && !owner.Present() {
		owner = nil
	}
	// A timer took the chat from its owner (SPEC D2): routing queues it
	// for another agent rather than give it back.
	asked, err := e.reassignIfDue(ctx, &s, &c)
	if err != nil {
		return session.Session{}, err
	}
	if asked {
		if c, err = e.router.Chat(ctx, chat); err != nil {
			return session.Session{}, err
		}
	}
	if owner == nil && staleAssignment(&s, &c) {
		// The owner ended the conversation and the customer wrote again
		// (and may have left since) before routing heard of the end:
		// routing still holds the chat for the old owner. Finish the end
		// (the owner wraps up), then route the reopened chat, rather than
		// give the old owner back a conversation that was over; a chat
		// whose customer left is then withdrawn as abandoned.
		if err := e.endRouting(ctx, chat); err != nil {
			return session.Session{}, err
		}
		if err := e.reroute(ctx, &s); err != nil {
			return session.Session{}, err
		}
		return e.sessions.Peek(ctx, chat)
	}
	if owner == nil && reopenedAfter(&s, &c) {
		// The customer wrote after close and the session reopened, but
		// routing has not heard of it yet.
		if err := e.reroute(ctx, &s); err != nil {
			return session.Session{}, err
		}
		return e.sessions.Peek(ctx, chat)
	}
	if owner != nil && s.Status == session.StatusActive && c.State == routing.Ended && c.EndReason != routing.EndAgentLeft {
		// Routing gave up on a chat that went back to a queue (a transfer
		// to a queue, a logout) before the session let its owner go: the
		// owner goes first, as it would have on the way, and the session
		// then closes below as any chat routing gave up on.
		if err := e.sessions.ReleaseOwner(ctx, chat, agentOf(owner.ID)); err != nil && !errors.Is(err, session.ErrNotParticipant) {
			return session.Session{}, err
		}
		owner = nil
	}
	if owner == nil && c.State == routing.Ended && c.EndReason != routing.EndAgentLeft {
		// Routing gave up on the chat before any agent took it.
		err := e.sessions.Expire(ctx, chat, c.EndReason.String(), e.cfg.NoAgentText)
		if err != nil && !errors.Is(err, session.ErrAlreadyClosed) {
			return session.Session{}, err
		}
		return e.sessions.Peek(ctx, chat)
	}
	if s.Status == session.StatusCustomerLeft && customerGone(&c) {
		// The interaction is over for everyone but the owner (SPEC C9),
		// whatever routing admitted after the customer left.
		if err := e.dropAfterCustomer(ctx, &c); err != nil {
			return session.Session{}, err
		}
		if c, err = e.router.Chat(ctx, chat); err != nil {
			return session.Session{}, err
		}
	}
	if s.Status == session.StatusCustomerLeft && (c.State == routing.Queued || c.State == routing.Offered) {
		// The chat went back to a queue (a transfer to a queue, say) as
		// its customer left: nobody is waiting for an agent any more, so
		// it is withdrawn as abandoned, and the owner stays to end the
		// session.
		var se *routing.StateError
		if err := e.router.Abandon(ctx, chat); err != nil && !errors.As(err, &se) {
			return session.Session{}, err
		}
		if c, err = e.router.Chat(ctx, chat); err != nil {
			return session.Session{}, err
		}
	}

	// The owner.
	assigned := false // s is the copy the assignment returned
	var want switchboard.AgentID
	if c.State == routing.Assigned {
		want = c.Agent
	}
	cur := s.Owner()
	switch {
	case want != "" && (cur == nil || agentOf(cur.ID) != want):
		now, err := e.assign(ctx, chat, want)
		keep(err)
		if err == nil {
			// The session as the assignment stored it, in a copy of
			// this call's own.
			s, stale, assigned = now, false, true
		}
	case want == "" && cur != nil && (c.State == routing.Queued || c.State == routing.Offered):
		keep(e.sessions.ReleaseOwner(ctx, chat, agentOf(cur.ID)))
	case want == "" && cur != nil && c.State == routing.Ended && c.EndReason == routing.EndAgentLeft:
		_, err := e.sessions.End(ctx, chat, agentOf(cur.ID), session.EndOptions{Reason: e.cfg.DisconnectReason, Confirm: true, Forced: true})
		keep(err)
		if s, err = e.sessions.Peek(ctx, chat); err != nil {
			return session.Session{}, err
		}
		stale = false
		return e.settleEnded(ctx, s, keep, &errs, &stale)
	}

	// Consultants and the pending invitee.
	in := func(a switchboard.AgentID) bool { return a == want && want != "" || slices.Contains(c.Consultants, a) }
	var invitee switchboard.AgentID
	if c.State == routing.Assigned && c.Invitation.Pending() && c.Invitation.Kind == routing.InviteOffer {
		o, err := e.router.Offer(ctx, c.Invitation.Offer)
		if err != nil {
			return session.Session{}, err
		}
		invitee = o.Agent
	}
	if stale {
		if s, err = e.sessions.Peek(ctx, chat); err != nil {
			return session.Session{}, err
		}
		stale, assigned = false, false
	}
	for i := range s.Participants {
		p := &s.Participants[i]
		a := agentOf(p.ID)
		if a == "" || p.Role == session.RoleSupervisor || p.Role == session.RoleOwner || !inSession(p) {
			continue // the owner is settled above
		}
		if p.Invited() && a != invitee && !in(a) || p.Present() && !in(a) {
			keep(e.sessions.Leave(ctx, chat, p.ID))
		}
	}
	inviter := c.Invitation.From
	if inviter == "" {
		inviter = want
	}
	for _, a := range c.Consultants {
		p := s.Participant(session.AgentParticipant(a))
		if p != nil && p.Present() {
			continue
		}
		if p == nil || !p.Invited() {
			keep(e.invite(ctx, chat, want, a))
		}
		keep(e.sessions.Join(ctx, chat, a))
	}
	if invitee != "" {
		if p := s.Participant(session.AgentParticipant(invitee)); p == nil || !inSession(p) {
			keep(e.invite(ctx, chat, inviter, invitee))
		}
	}
	if len(errs) > 0 {
		return session.Session{}, fmt.Errorf("engine: reconcile %s: %w", chat, errors.Join(errs...))
	}
	if !stale {
		if owned != nil {
			*owned = assigned
		}
		return s, nil
	}
	return e.sessions.Peek(ctx, chat)
}

// wrappedUp reports whether routing finished the wrap-up of the
// conversation that ended session s: the session was ended by its owner,
// chat c is done, and routing heard of every reopening of the session, so
// the done chat is not an earlier conversation's. The reopen counts, not
// the stamps of two processes' clocks, tell which conversation is which.
//
// A chat routing ended under its owner (a transfer nobody accepted, with
// the queue's TransferEnd, SPEC T3) is Ended, not Done: the owner's
// wrap-up is then a [routing.Hold] of the chat, and is over once the
// chat holds none of the owner's (SPEC K7).
func wrappedUp(s *session.Session, c *routing.Chat) bool {
	if s.Status != session.StatusEnded || s.WrapUp == nil || s.WrapUp.Owner == "" || s.Reopens != c.Reopens {
		return false
	}
	return c.State == routing.Done || c.State == routing.Ended && c.HoldIndex(s.WrapUp.Owner) < 0
}

// reopenedAfter reports whether session s was reopened by its customer
// after routing last finished with chat c. A customer who reopened it and
// then left before routing heard of it counts too: routing is told, and
// withdraws the chat as abandoned since its customer left (which ends it,
// so this does not hold again).
func reopenedAfter(s *session.Session, c *routing.Chat) bool {
	if s.ReopenedAt.IsZero() {
		return false
	}
	if s.Status != session.StatusActive && (s.Status != session.StatusCustomerLeft || c.State == routing.Ended) {
		return false
	}
	if !c.State.Final() && c.State != routing.InWrapUp {
		return false
	}
	if s.Reopens != 0 {
		// Routing keeps the count of reopenings it routed: a larger one
		// in the session is a reopening it has not heard of, even when
		// the end reached routing only later (the owner's end was
		// interrupted between its two steps). The session's and
		// routing's stamps come from different processes' clocks, which
		// cannot order the two.
		return s.Reopens > c.Reopens
	}
	// A session stored before reopenings were counted: reopened after
	// routing finished with the chat, or after its last assignment.
	return !s.ReopenedAt.Before(c.EndedAt) || !c.AssignedAt.IsZero() && c.AssignedAt.Before(s.ReopenedAt)
}

// reroute tells routing that reopened session s is to be routed again; if
// its customer has left since, the chat is withdrawn as abandoned at once,
// as it would be had routing heard of the reopening in time, rather than
// offered to agents until a later pass withdraws it.
func (e *Engine) reroute(ctx context.Context, s *session.Session) error {
	var se *routing.StateError
	if _, err := e.router.Reopen(ctx, routeRequest(s)); err != nil && !errors.As(err, &se) {
		return err
	}
	if s.Status != session.StatusCustomerLeft {
		return nil
	}
	if err := e.router.Abandon(ctx, s.ID); err != nil && !errors.As(err, &se) {
		return err
	}
	return nil
}

// staleAssignment reports whether routing still holds chat c for an
// agent whose conversation in session s was over before the customer
// reopened it: assigned before the reopening, or at the same instant to
// an agent who had already left the session.
func staleAssignment(s *session.Session, c *routing.Chat) bool {
	if s.ReopenedAt.IsZero() || c.State != routing.Assigned ||
		s.Status != session.StatusActive && s.Status != session.StatusCustomerLeft {
		return false
	}
	if s.Reopens != 0 {
		// Routing cannot assign a chat it has not reopened, so an
		// assignment made without hearing of the latest reopening is
		// from before it, whatever the processes' clocks stamped.
		return s.Reopens > c.Reopens
	}
	// A session stored before reopenings were counted.
	if c.AssignedAt.Before(s.ReopenedAt) {
		return true
	}
	p := s.Participant(session.AgentParticipant(c.Agent))
	return c.AssignedAt.Equal(s.ReopenedAt) && p != nil && !p.Present() &&
		slices.ContainsFunc(p.Stints, func(st session.Stint) bool { return st.Joined != 0 })
}

// routeRequest is the routing request that routes session s again.
func routeRequest(s *session.Session) routing.ChatRequest {
	req := routing.ChatRequest{ID: s.ID, Queue: s.Queue, Reopens: s.Reopens}
	if c := s.Customer(); c != nil {
		cid, _ := c.ID.Customer()
		req.Customer = routing.Customer{ID: string(cid), Name: c.Name}
	}
	return req
}

// settleEnded takes the agents other than the owner out of ended session s:
// routing dropped its consultants and withdrew its invitation when the chat
// ended (SPEC C9), so none of them may stay present.
func (e *Engine) settleEnded(ctx context.Context, s session.Session, keep func(error), errs *[]error, stale *bool) (session.Session, error) {
	for i := range s.Participants {
		p := &s.Participants[i]
		if agentOf(p.ID) != "" && p.Role != session.RoleOwner && p.Role != session.RoleSupervisor && inSession(p) {
			keep(e.sessions.Leave(ctx, s.ID, p.ID))
		}
	}
	if len(*errs) > 0 {
		return session.Session{}, fmt.Errorf("engine: reconcile %s: %w", s.ID, errors.Join(*errs...))
	}
	if !*stale {
		return s, nil
	}
	return e.sessions.Peek(ctx, s.ID)
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
func (e *Engine) dropAfterCustomer(ctx context.Context, c *routing.Chat) error {
	var se *routing.StateError
	settled := func(err error) bool {
		return err == nil || errors.As(err, &se) || errors.Is(err, routing.ErrChatEnded) || errors.Is(err, routing.ErrNotOwner)
	}
	if c.Invitation.Kind == routing.TransferOffer {
		if err := e.router.CancelInvitation(ctx, c.ID, c.Agent); !settled(err) {
			return err
		}
	}
	if err := e.router.DropConsultants(ctx, c.ID, c.Agent); !settled(err) {
		return err
	}
	return nil
}

// assign makes agent the owner of chat's session, and returns the session
// as stored.
func (e *Engine) assign(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) (session.Session, error) {
	ref, err := e.agentRef(ctx, agent)
	if err != nil {
		return session.Session{}, err
	}
	return e.sessions.AssignOwner(ctx, chat, ref)
}

func (e *Engine) invite(ctx context.Context, chat switchboard.ChatID, by, agent switchboard.AgentID) error {
	ref, err := e.agentRef(ctx, agent)
	if err != nil {
		return err
	}
	return e.sessions.Invite(ctx, chat, by, ref)
}

// followHold marks session s on hold, or takes the mark off, as chat c is
// (want), and returns the session as stored. The customer is told of a
// hold, and of a resume by the owner it had; a chat that went back to its
// queue or ended takes the mark off silently, the customer being told that
// instead (SPEC O6).
func (e *Engine) followHold(ctx context.Context, s *session.Session, c *routing.Chat, want bool) (session.Session, error) {
	var n session.Notice
	switch owner := s.Owner(); {
	case want:
		n.Kind = session.NoticeOnHold
	case c.State == routing.Assigned && owner != nil && agentOf(owner.ID) == c.Agent:
		n.Kind = session.NoticeResumed
	}
	if err := e.sessions.SetOnHold(ctx, c.ID, want, NoticeText(n)); err != nil {
		return session.Session{}, err
	}
	return e.sessions.Peek(ctx, c.ID)
}

// readAttempts is how many times readBoth reads the session while routing
// keeps moving the chat on.
const readAttempts = 4

// readBoth reads chat from routing and its session, so that the session
// is never ahead of the chat read: routing moves first and the session
// follows, so a session read between two reads of the chat at one version
// shows nothing routing did after it. Reading routing once only, before the
// session, would let an accept (or any move of routing's and the session's
// step after it) land in between: the pass would see the chat still
// Offered and the session already owned, and take the session from its new
// owner. If routing moved the chat on meanwhile, both are read again; if it
// keeps moving, the chat read last is taken, which is as new as the
// session.
func (e *Engine) readBoth(ctx context.Context, chat switchboard.ChatID) (routing.Chat, session.Session, error) {
	c, err := e.router.Chat(ctx, chat)
	if err != nil {
		return routing.Chat{}, session.Session{}, err
	}
	for attempt := 1; ; attempt++ {
		s, err := e.sessions.Peek(ctx, chat)
		if err != nil {
			return routing.Chat{}, session.Session{}, err
		}
		again, err := e.router.Chat(ctx, chat)
		if err != nil {
			return routing.Chat{}, session.Session{}, err
		}
		if again.Version == c.Version || attempt == readAttempts {
			return again, s, nil
		}
		c = again
	}
}
