package session

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// EndOptions are the choices an agent makes when ending a conversation.
type EndOptions struct {
	// Reason is the wrap-up reason; it must come from the queue's
	// WrapUpReasons when the queue has a list (SPEC S11). Ignored for
	// agent-to-agent sessions.
	Reason string
	// Confirm confirms disconnecting a customer who is still connected
	// (SPEC S10). Not needed once the customer has left.
	Confirm bool
	// Forced marks an end the system decides rather than the agent (the
	// agent disconnected, a transfer was not accepted): Reason then records
	// why and need not come from the queue's list. Defaults to false.
	Forced bool
	// Tags label the conversation at wrap-up; each must come from the
	// queue's WrapUpTags, even for a forced end. A tag given twice counts
	// once. Ignored for agent-to-agent sessions. Defaults to none.
	Tags []string
	// WrapUpUntil, when set, is when the wrap-up ends, in place of the
	// queue's WrapUpTime after now; a time already past ends it at once. The
	// engine sets it from the routing queue's WrapUp time, so the session
	// and routing agree on when the owner's slot is free. Defaults to the
	// zero time: the queue's WrapUpTime applies.
	WrapUpUntil time.Time
}

// Closure reports what Close did.
type Closure struct {
	// WrapUp is the session's wrap-up.
	WrapUp WrapUp `json:"wrap_up,omitzero"`
	// Ended reports that this Close also ended the conversation, so the
	// wiring layer frees the owner's capacity now (after WrapUp.Until). When
	// false, the earlier End already reported it.
	Ended bool `json:"ended,omitzero"`
}

// End ends the conversation and puts the owner in wrap-up: the status
// becomes Ended, the customer (if still connected) is told "agent has
// left" and disconnected, and the wrap-up reason is recorded for agents.
// The returned WrapUp tells a wiring layer when to free the owner's
// routing capacity. In a customer session only the owner may end
// (ErrForbidden); in an agent-to-agent session any present agent may.
//
// It returns ErrConfirmationRequired while the customer is connected and
// opts.Confirm is false, a *WrapUpError for a reason not in the queue's
// list, and a *StatusError unless the session is Active or CustomerLeft; in
// every such case nothing changes.
func (m *Manager) End(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, opts EndOptions) (WrapUp, error) {
	// The session may be lent by the store: only its wrap-up is copied out.
	s, _, _, err := m.changeBuf(ctx, chat, nil, false, nil, func(s *Session, buf []Entry) ([]Entry, bool, error) {
		entries, err := m.end(ctx, s, by, opts, buf)
		return entries, true, err
	})
	if err != nil {
		return WrapUp{}, err
	}
	if s.WrapUp == nil { // a retried write found stored, and the session reopened since
		return WrapUp{}, fmt.Errorf("%w: %s reopened after it ended", ErrConflict, chat)
	}
	return s.WrapUp.clone(), nil
}

// end applies TriggerEnd to s, and returns the entries to write appended
// to buf.
func (m *Manager) end(ctx context.Context, s *Session, by switchboard.AgentID, opts EndOptions, buf []Entry) ([]Entry, error) {
	to, err := Next(s.Status, TriggerEnd)
	if err != nil {
		return nil, err
	}
	p, err := agentActor(s, by)
	if err != nil {
		return nil, err
	}
	if s.Kind == KindCustomer && p.Role != RoleOwner || !p.Role.IsAgent() {
		return nil, fmt.Errorf("%w: only the owner ends the session", ErrForbidden)
	}
	if s.CustomerConnected() && !opts.Confirm {
		return nil, ErrConfirmationRequired
	}
	qc, err := m.queueOf(ctx, s)
	if err != nil {
		return nil, err
	}
	reason := opts.Reason
	if s.Kind == KindA2A {
		reason = ""
	} else if !opts.Forced && len(qc.WrapUpReasons) > 0 && !slices.Contains(qc.WrapUpReasons, reason) {
		return nil, &WrapUpError{Reason: reason, Allowed: slices.Clone(qc.WrapUpReasons)}
	}
	var tags []string
	if s.Kind != KindA2A {
		if tags, err = WrapUpTags(opts.Tags, qc.WrapUpTags); err != nil {
			return nil, err
		}
	}
	now := m.now()
	s.Status = to
	until := now.Add(qc.WrapUpTime)
	if !opts.WrapUpUntil.IsZero() {
		until = opts.WrapUpUntil
		if until.Before(now) {
			until = now
		}
	}
	s.WrapUp = &WrapUp{Chat: s.ID, Tenant: s.Tenant, Queue: s.Queue, Reason: reason, Tags: tags, At: now, Until: until}
	if o := s.Owner(); o != nil {
		s.WrapUp.Owner, _ = o.ID.Agent()
	}
	s.Menu = nil
	c := s.Customer()
	n := 1 // the end itself, after the video's end and the customer's leaving
	if s.Video != nil {
		n++
	}
	if c != nil && c.Present() {
		n++
	}
	entries := slices.Grow(buf, n)
	if s.Video != nil {
		s.Video = nil
		e := event(EntryVideoEnded, Everyone(), p, p)
		e.Text = p.Name + " has left the video call"
		entries = append(entries, e)
	}
	if c != nil && c.Present() {
		leaveAt(c, s.Version+1)
		e := event(EntryLeft, Everyone(), p, p)
		e.Text = "agent has left"
		entries = append(entries, e)
	}
	e := event(EntryEnded, Agents(), p, nil)
	e.Reason, e.Tags = reason, slices.Clone(tags)
	return append(entries, e), nil
}

// WrapUpTags returns the wrap-up tags an agent gave, each once in the order
// first given, or a [*TagError] naming those not in allowed, the queue's
// WrapUpTags. It is a plain function; [Manager.End] applies it.
func WrapUpTags(given, allowed []string) ([]string, error) {
	var out, unknown []string
	for _, t := range given {
		switch {
		case !slices.Contains(allowed, t):
			if !slices.Contains(unknown, t) {
				unknown = append(unknown, t)
			}
		case !slices.Contains(out, t):
			out = append(out, t)
		}
	}
	if len(unknown) > 0 {
		return nil, &TagError{Unknown: unknown, Allowed: slices.Clone(allowed)}
	}
	return out, nil
}

// Close closes the session. From Active or CustomerLeft it ends the
// conversation first, exactly as [Manager.End] with opts (confirmation and
// wrap-up rules included) and reports Ended; from Ended it needs neither.
// Every participant is then out of the session; a later customer message
// is handled by the after-close policy. Closing a closed session returns
// ErrAlreadyClosed and writes nothing.
func (m *Manager) Close(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, opts EndOptions) (Closure, error) {
	var ended bool
	// The session may be lent by the store: only its wrap-up is copied out.
	s, _, _, err := m.changeFrom(ctx, chat, nil, false, nil, func(s *Session) ([]Entry, bool, error) {
		ended = false
		to, err := Next(s.Status, TriggerClose)
		if err != nil {
			return nil, false, err
		}
		var entries []Entry
		if s.Status != StatusEnded {
			if entries, err = m.end(ctx, s, by, opts, nil); err != nil {
				return nil, false, err
			}
			ended = true
		} else {
			p, err := agentActor(s, by)
			if err != nil {
				return nil, false, err
			}
			if s.Kind == KindCustomer && p.Role != RoleOwner {
				return nil, false, fmt.Errorf("%w: only the owner closes the session", ErrForbidden)
			}
		}
		return shut(s, to, m.now(), entries), true, nil
	})
	if err != nil {
		return Closure{}, err
	}
	if s.WrapUp == nil { // a retried write found stored, and the session reopened since
		return Closure{}, fmt.Errorf("%w: %s reopened after it closed", ErrConflict, chat)
	}
	return Closure{WrapUp: s.WrapUp.clone(), Ended: ended}, nil
}

// CloseWrappedUp closes an ended customer session on the system's behalf
// once its owner's wrap-up is over: routing finished the chat's wrap-up
// (the owner completed it, or its time passed). Nobody acts, so nobody's
// rights are checked; the wrap-up (owner, reason, tags) stays as the owner
// recorded it. As with [Manager.Close], every participant is then out of
// the session, [Session.ClosedAt] is set, the EntryClosed entry is
// written, and a later customer message is handled by the after-close
// policy.
//
// reopens is the count of reopenings (see [Session.Reopens]) that the
// finished wrap-up belongs to; a session whose count differs is a later
// conversation than the one wrapped up. It returns ErrAlreadyClosed for a
// closed session, a *StatusError for one that is not ended, and
// ErrConflict when the session's count is not reopens; in each case
// nothing changes.
func (m *Manager) CloseWrappedUp(ctx context.Context, chat switchboard.ChatID, reopens uint64) error {
	_, _, _, err := m.changeBuf(ctx, chat, nil, false, nil, func(s *Session, buf []Entry) ([]Entry, bool, error) {
		to, err := Next(s.Status, TriggerClose)
		if err != nil {
			return nil, false, err
		}
		if s.Status != StatusEnded {
			return nil, false, &StatusError{From: s.Status, Trigger: TriggerClose}
		}
		if s.Reopens != reopens {
			return nil, false, fmt.Errorf("%w: %s is at reopening %d, not %d", ErrConflict, chat, s.Reopens, reopens)
		}
		return shut(s, to, m.now(), buf), true, nil
	})
	return err
}

// shut closes s, whose life cycle leads to status to on TriggerClose, at
// now: every participant leaves, and the EntryClosed entry follows
// entries.
func shut(s *Session, to Status, now time.Time, entries []Entry) []Entry {
	s.Status, s.ClosedAt = to, now
	for i := range s.Participants {
		leaveAt(&s.Participants[i], s.Version+1)
		s.Participants[i].AwaitingReply = false
	}
	return append(entries, Entry{Type: EntryClosed, Audience: Everyone()})
}

// clone returns a copy of w sharing no memory with it.
func (w *WrapUp) clone() WrapUp {
	c := *w
	c.Tags = slices.Clone(c.Tags)
	return c
}
