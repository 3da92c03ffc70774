package routing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Errors of picking a chat by hand and of returning one to its queue.
var (
	// ErrChatTaken: another agent picked the chat, or it was assigned
	// otherwise, before this agent could. Of every agent picking one chat
	// at once, all but one get it.
	ErrChatTaken = switchboard.NewError(switchboard.ErrConflict, "chat was taken by another agent")
	// ErrNotManual: the chat's queue is not a [Manual] queue, so its chats
	// are offered, not picked.
	ErrNotManual = switchboard.NewError(switchboard.ErrState, "chat's queue is not picked by hand")
	// ErrNotEligible: the agent may never take this chat as it is: it does
	// not serve the chat's queue, lacks a skill the queue or the chat
	// requires, or rejected or returned the chat.
	ErrNotEligible = switchboard.NewError(switchboard.ErrForbidden, "agent may not take the chat")
	// ErrLicenceFull: every unit of the licence limit is in use (SPEC R7),
	// so no chat that holds none can be assigned now.
	ErrLicenceFull = switchboard.NewError(switchboard.ErrUnavailable, "no licence unit is free")
)

// MaxPickable is the largest limit [Router.Pickable] takes.
const MaxPickable = 500

// pickScanFactor bounds the waiting chats [Router.Pickable] looks at in
// each queue: this many times its limit.
const pickScanFactor = 10

// Pickable lists the chats agent may pick now ([Router.Pick]): the waiting
// chats of the [Manual] queues it serves that it may take, by [Eligible]
// (it is Available and connected, has room for an item of the queue's
// channel ([Agent.HasRoom]: a free slot, within its budget and interrupt
// rules) and the skills the queue and the chat require, and has not rejected or
// returned the chat; the chat's skills as its queue's relaxation steps
// have widened them). They come in the order the router would serve them:
// higher effective priority (the queue's plus the chat's) first, then the
// first to arrive, by each queue's order ([Chat.QueueOrder], then Seq). At most limit chats are listed, 1 to [MaxPickable].
//
// It reads the agent, its queues and, in each manual queue it may take
// chats of, the waiting chats in queue order until limit of them fit the
// agent, looking at no more than ten times limit of them: the cost does
// not grow with the number of agents, nor with the depth of a queue beyond
// what it looks at. A chat deep behind many the agent may not take can be
// left out. A queue closed by its business hours lists nothing until it
// opens (SPEC U14). An agent who may take no chat now (not Available, say)
// gets an empty list; a logged-out agent gets [ErrLoggedOut].
//
// The list is a snapshot: another agent may pick a chat of it first, and
// [Router.Pick] then returns [ErrChatTaken].
func (r *Router) Pickable(ctx context.Context, agent switchboard.AgentID, limit int) ([]Chat, error) {
	if err := validateID("agent ID", agent); err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxPickable {
		return nil, invalid("limit", fmt.Sprintf("%d is not between 1 and %d", limit, MaxPickable))
	}
	a, err := r.store.Agent(ctx, agent)
	if err != nil {
		return nil, fmt.Errorf("routing: pickable for %s: %w", agent, err)
	}
	if a.State == LoggedOut {
		return nil, fmt.Errorf("routing: pickable for %s: %w", agent, ErrLoggedOut)
	}
	var out []Chat
	var prio []int // effective priority of out[i]
	queues := 0    // the queues out has chats of
	for _, qid := range a.Profile.Queues {
		q, err := r.store.Queue(ctx, qid)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("routing: pickable for %s: %w", agent, err)
		}
		if q.Strategy != Manual || a.State != Available || a.Disconnected() || !a.HasRoom(q.Channel) ||
			!a.HasSkills(q.widest()) {
			continue
		}
		if open, _ := q.Hours.openAt(r.cfg.Clock.Now(), false); !open {
			continue // closed by its business hours: nothing is picked until it opens
		}
		found, scanned := 0, 0
		for found < limit && scanned < pickScanFactor*limit {
			ids, err := r.store.Waiting(ctx, q.ID, scanned, min(limit, pickScanFactor*limit-scanned))
			if err != nil {
				return nil, fmt.Errorf("routing: pickable for %s: %w", agent, err)
			}
			scanned += len(ids)
			for _, id := range ids {
				c, err := r.store.Chat(ctx, id)
				if isNotFound(err) {
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("routing: pickable for %s: %w", agent, err)
				}
				if c.State == Queued && c.Queue == q.ID && Eligible(&a, &q, &c) && found < limit {
					if out == nil {
						out, prio = make([]Chat, 0, limit), make([]int, 0, limit)
					}
					if found == 0 {
						queues++
					}
					out = append(out, c)
					p, _ := c.QueueOrder()
					prio = append(prio, q.Priority+p)
					found++
				}
			}
			if len(ids) < limit {
				break // the queue has no more
			}
		}
	}
	if queues < 2 {
		return out, nil // one queue's chats, in its order already
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(prio[j], prio[i]); c != 0 {
			return c
		}
		a, b := &out[i], &out[j]
		_, ak := a.QueueOrder()
		_, bk := b.QueueOrder()
		if c := ak.Compare(bk); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	sorted := make([]Chat, 0, min(len(idx), limit))
	for _, i := range idx[:min(len(idx), limit)] {
		sorted = append(sorted, out[i])
	}
	return sorted, nil
}

// Pick assigns a waiting chat of a [Manual] queue to agent, which picked
// it from [Router.Pickable], in one compare-and-set: the agent takes a
// slot of the chat's channel, the chat a licence unit (SPEC R7), and the
// agent's desktop gets the events of an offer accepted at once
// ([ChatOffered], [OfferResolved] with [Accepted], [ChatAssigned]). The
// assignment carries the accepted offer, as [Router.Accept] returns it.
//
// When several agents pick one chat at once, exactly one gets it; every
// other gets [ErrChatTaken] (of kind [switchboard.ErrConflict]) and
// nothing of theirs changes. The agent that got it gets the same
// assignment again from a repeated Pick (a call repeated after an error
// whose outcome was unknown), and nothing is written. Pick also refuses, changing nothing, with
// [ErrNotManual] for a chat of a queue whose chats are offered,
// [ErrNotEligible] for an agent that does not serve the queue, lacks a
// required skill or rejected or returned the chat, [ErrAgentUnavailable]
// for one that is not Available, is disconnected or has no room for the
// chat's channel (no free slot, over its budget, or busy with a channel
// the chat's may not interrupt),
// [ErrLoggedOut], [ErrLicenceFull], a [*ClosedError] (matching
// [ErrQueueClosed]) while the queue is closed by its business hours (SPEC
// U14), and a [*StateError] for a chat that ended.
func (r *Router) Pick(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) (Assignment, error) {
	if err := validateID("agent ID", agent); err != nil {
		return Assignment{}, err
	}
	if err := validateID("chat ID", chat); err != nil {
		return Assignment{}, err
	}
	var out Assignment
	repeat := false
	err := r.do(ctx, func(w *work) error {
		repeat = false
		c, err := w.chat(chat)
		if err != nil {
			return err
		}
		q, err := w.queue(c.Queue)
		if err != nil {
			return err
		}
		switch {
		case c.State == Ended:
			return chatStateError(c, "pick")
		case q.Strategy != Manual:
			return ErrNotManual
		case c.Owns(agent) && c.Offers > 0:
			// Picked already (a call repeated after an unknown outcome):
			// the same assignment, with nothing written.
			o, err := w.offer(offerID(c.ID, c.Offers))
			if err != nil && !isNotFound(err) {
				return err
			}
			if err == nil && o.Agent == agent && o.Outcome == Accepted && o.Kind == RouteOffer {
				out, repeat = Assignment{Chat: *c, Offer: *o}, true
				return nil
			}
			return ErrChatTaken
		case c.State != Queued:
			return ErrChatTaken
		}
		if open, opens := q.Hours.openAt(w.now, true); !open {
			return &ClosedError{Queue: q.ID, Opens: opens}
		}
		a, err := w.agent(agent)
		if err != nil {
			return err
		}
		if err := pickRefusal(a, q, c); err != nil {
			return err
		}
		free, err := w.licenceFree(c)
		if err != nil {
			return err
		}
		if !free {
			return ErrLicenceFull
		}
		if err := w.takeLicence(c); err != nil {
			return err
		}
		c.Offers++
		o := w.newOffer(Offer{
			ID: offerID(c.ID, c.Offers), Chat: c.ID, Agent: a.ID, Queue: q.ID, Channel: q.Channel,
			Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt,
			CreatedAt: w.now, ExpiresAt: w.now.Add(q.AcceptTimeout),
			Outcome: Accepted, ResolvedAt: w.now,
		})
		a.addLoad(q.Channel, 1)
		a.IdleSince = w.now
		w.touchAgent(a)
		c.State, c.Agent, c.AssignedAt, c.Pending = Assigned, a.ID, w.now, 0
		c.QueueDeadline, c.PreferredUntil = time.Time{}, time.Time{}
		w.touchChat(c)
		w.emit(Event{Type: ChatOffered, Agent: a.ID, Chat: c.ID, Queue: q.ID, Offer: o.ID,
			Customer: o.Customer, EnqueuedAt: o.EnqueuedAt, ExpiresAt: o.ExpiresAt})
		w.emit(Event{Type: OfferResolved, Agent: a.ID, Chat: c.ID, Queue: q.ID, Offer: o.ID, Outcome: Accepted})
		w.emit(Event{Type: ChatAssigned, Agent: a.ID, Chat: c.ID, Queue: q.ID, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt})
		out = Assignment{Chat: *c, Offer: *o}
		return nil
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("routing: pick %s by %s: %w", chat, agent, err)
	}
	if !repeat {
		out.Chat.Version++
		out.Offer.Version++
	}
	return out, nil
}

// pickRefusal returns why agent a may not pick chat c of queue q now, or
// nil if it may: [Eligible] with the reason spelled out.
func pickRefusal(a *Agent, q *Queue, c *Chat) error {
	switch {
	case Eligible(a, q, c):
		return nil
	case a.State == LoggedOut:
		return ErrLoggedOut
	case !a.Serves(q.ID) || !a.HasSkills(Requirements(q, c)) || slices.Contains(c.Rejected, a.ID):
		return ErrNotEligible
	}
	return ErrAgentUnavailable
}

// Return puts an assigned chat back in its queue on behalf of its owner,
// agent, with a reason code for the organisation (such as "wrong_team"):
// the chat keeps its place (its EnqueuedAt and Seq do not change, so it
// waits where it waited before it was assigned) and waits at most the
// queue's MaxWait again; the agent's slot is freed at once, with no
// wrap-up, and the agent is kept out of the chat's next offers and picks,
// as one that rejected it (SPEC R5). A pending invite or transfer is
// withdrawn and consultants are dropped. The [ChatQueued] event says
// [ReasonReturned], names the agent and carries the reason code in its
// Comment; the chat is then offered to the next agent, or waits to be
// picked in a [Manual] queue.
//
// Only the owner may return a chat: another agent gets [ErrNotOwner], a
// chat that is not assigned a [*StateError], an empty reason or one longer
// than 256 bytes [ErrInvalid]; each changes nothing.
func (r *Router) Return(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID, reason string) error {
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	if err := validateID("reason", reason); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.chat(chat)
		if err != nil {
			return err
		}
		switch {
		case c.Owns(agent):
		case c.State == Assigned:
			return ErrNotOwner
		default:
			return chatStateError(c, "return")
		}
		if err := w.withdrawInvitation(c, Rescinded); err != nil {
			return err
		}
		if err := w.dropConsultants(c, ReasonRequeued); err != nil {
			return err
		}
		a, err := w.agent(agent)
		if err != nil {
			return err
		}
		// A chat on hold used no slot: returning it frees none (SPEC O4).
		if err := w.endWrapUp(a, c.Channel, !c.OnHold, false); err != nil {
			return err
		}
		if !slices.Contains(c.Rejected, agent) {
			c.Rejected = append(slices.Clip(c.Rejected), agent)
		}
		n := len(w.events)
		if err := w.requeue(c, ReasonReturned, false); err != nil {
			return err
		}
		for i := n; i < len(w.events); i++ {
			if e := &w.events[i]; e.Type == ChatQueued && e.Chat == c.ID {
				e.Agent, e.Comment = agent, reason
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("routing: return %s by %s: %w", chat, agent, err)
	}
	return nil
}
