package routing

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// This file holds chats on hold: an owner pauses its conversation with the
// customer, giving its slot back to routing while it keeps the chat. (A
// [Hold] is something else: the wrap-up of an agent who handed a chat over.)

// OnHoldPolicy decides what happens to a chat on hold when its queue's
// MaxOnHold passes (SPEC O3).
type OnHoldPolicy uint8

const (
	// OnHoldResume resumes the chat with its owner, which takes one of its
	// slots back. An owner with no room for it then ([Agent.HasRoom])
	// cannot take it, and the chat goes back to its queue as with
	// [OnHoldRequeue]. It is the
	// default: the customer keeps the agent it was talking to.
	OnHoldResume OnHoldPolicy = iota
	// OnHoldRequeue takes the chat from its owner back to its queue, at
	// its original position (it keeps its EnqueuedAt), for the next free
	// agent.
	OnHoldRequeue
)

var onHoldPolicyNames = [...]string{"resume", "requeue"}

// String returns the policy in words, such as "requeue".
func (p OnHoldPolicy) String() string {
	if int(p) < len(onHoldPolicyNames) {
		return onHoldPolicyNames[p]
	}
	return "OnHoldPolicy(" + strconv.Itoa(int(p)) + ")"
}

// PutOnHold puts an assigned chat on hold on behalf of its owner (SPEC
// O1). The chat stays [Assigned] to agent, marked [Chat.OnHold] since now;
// agent's slot for it is free, so routing may offer agent another chat. With
// the queue's MaxOnHold the hold ends by itself at [Chat.OnHoldUntil],
// stored in the chat (SPEC O3). It emits [ChatOnHold].
//
// Errors: [ErrNotOwner] when agent does not own the chat, [ErrChatEnded] or
// a [*StateError] when the chat is not assigned, [ErrOnHold] when it is on
// hold already, [ErrInvitePending] or [ErrTransferPending] while an invite
// or transfer is out, and [ErrInConference] while it has consultants. An
// error changes nothing.
func (r *Router) PutOnHold(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) error {
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "put on hold")
		if err != nil {
			return err
		}
		if !c.Owns(agent) {
			return ErrNotOwner
		}
		if c.OnHold {
			return ErrOnHold
		}
		if err := checkNoInvitation(c); err != nil {
			return err
		}
		if len(c.Consultants) > 0 {
			return ErrInConference
		}
		q, err := w.queue(c.Queue)
		if err != nil {
			return err
		}
		a, err := w.agent(agent)
		if err != nil {
			return err
		}
		c.OnHold, c.OnHoldSince, c.OnHoldUntil = true, w.now, deadline(w.now, q.MaxOnHold)
		w.touchChat(c)
		a.addLoad(c.Channel, -1)
		w.touchAgent(a)
		w.routeAgent(a) // the freed slot may take a waiting chat
		w.emit(Event{Type: ChatOnHold, Agent: agent, Chat: c.ID, Queue: c.Queue, ExpiresAt: c.OnHoldUntil})
		return nil
	})
	if err != nil {
		return fmt.Errorf("routing: put %s on hold: %w", chat, err)
	}
	return nil
}

// Resume takes a chat on hold off hold on behalf of its owner (SPEC O2): it
// takes one of agent's slots on the chat's channel again, and [ChatResumed]
// is emitted with [ReasonResumed]. An agent with no room for it
// ([Agent.HasRoom]: its slots are all in use, as when routing gave the one
// the hold freed to another chat, or its budget is, or it has work the
// chat's channel may not interrupt) gets [ErrNoFreeSlot], and the chat
// stays on hold until room frees and agent resumes it, or its maximum
// on-hold time passes.
//
// Errors: [ErrNotOwner] when agent does not own the chat, [ErrChatEnded] or
// a [*StateError] when the chat is not assigned, [ErrNotOnHold],
// [ErrNoFreeSlot]. An error changes nothing.
func (r *Router) Resume(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) error {
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "resume")
		if err != nil {
			return err
		}
		if !c.Owns(agent) {
			return ErrNotOwner
		}
		if !c.OnHold {
			return ErrNotOnHold
		}
		a, err := w.agent(agent)
		if err != nil {
			return err
		}
		if !a.HasRoom(c.Channel) {
			if a.Profile.Budget > 0 {
				return fmt.Errorf("%s uses %d of %d slots and %d of %d budget units: %w", agent,
					a.Load(c.Channel), a.Capacity(c.Channel), a.Units(), a.Profile.Budget, ErrNoFreeSlot)
			}
			return fmt.Errorf("%s uses %d of %d slots: %w", agent, a.Load(c.Channel), a.Capacity(c.Channel), ErrNoFreeSlot)
		}
		w.resumeOnHold(c, a, ReasonResumed)
		return nil
	})
	if err != nil {
		return fmt.Errorf("routing: resume %s: %w", chat, err)
	}
	return nil
}

// resumeOnHold takes chat c off hold with its owner a, who has a free slot.
func (w *work) resumeOnHold(c *Chat, a *Agent, reason string) {
	clearOnHold(c)
	w.touchChat(c)
	a.addLoad(c.Channel, 1)
	w.touchAgent(a)
	w.emit(Event{Type: ChatResumed, Agent: a.ID, Chat: c.ID, Queue: c.Queue, Reason: reason})
}

// onHoldExpired applies the queue's OnHoldEnd to chat c, on hold past its
// maximum on-hold time (SPEC O3).
func (w *work) onHoldExpired(c *Chat) error {
	q, err := w.queue(c.Queue)
	if err != nil {
		return err
	}
	a, err := w.agent(c.Agent)
	if err != nil {
		return err
	}
	if q.OnHoldEnd == OnHoldResume && a.HasRoom(c.Channel) {
		w.resumeOnHold(c, a, ReasonOnHoldExpired)
		return nil
	}
	w.emit(Event{Type: ChatOnHoldRequeued, Agent: c.Agent, Chat: c.ID, Queue: c.Queue, Reason: ReasonOnHoldExpired})
	// The owner used no slot for the chat: it leaves it with nothing to
	// free and no wrap-up.
	return w.requeue(c, ReasonOnHoldExpired, false)
}

// clearOnHold takes chat c off hold.
func clearOnHold(c *Chat) {
	c.OnHold, c.OnHoldSince, c.OnHoldUntil = false, time.Time{}, time.Time{}
}

// onHoldWrapUpDone completes the wrap-up of chat c, ended while on hold, by
// its owner: it frees no slot (SPEC O4).
func (w *work) onHoldWrapUpDone(c *Chat) error {
	a, err := w.agent(c.Agent)
	if err != nil {
		return err
	}
	clearOnHold(c)
	w.touchChat(c)
	w.emit(Event{Type: WrapUpDone, Chat: c.ID, Queue: c.Queue, Agent: c.Agent})
	return w.endWrapUp(a, c.Channel, false, true)
}
