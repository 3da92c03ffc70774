package routing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// errStale makes [Router.do] retry an attempt whose reads disagreed with each
// other because another transition committed in between.
var errStale = fmt.Errorf("%w (stale read)", ErrConflict)

type routeResult uint8

const (
	gone        routeResult = iota // the chat is no longer waiting
	offered                        // offers were made
	noAgent                        // no agent can take it now
	parked                         // no agent can take it until one changes
	licenceFull                    // no licence unit is free
)

// routeQueues offers waiting chats of the queues, queues of higher priority
// first.
func (r *Router) routeQueues(ctx context.Context, ids []switchboard.QueueID) error {
	var qs []Queue
	for _, id := range ids {
		head, err := r.store.Waiting(ctx, id, 0, 1)
		if err != nil {
			return err
		}
		if len(head) == 0 {
			continue // nothing waits: nothing to route
		}
		q, err := r.store.Queue(ctx, id)
		if errors.Is(err, ErrQueueNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		qs = append(qs, q)
	}
	return r.routeEach(ctx, qs)
}

// routeAll offers waiting chats of every queue.
func (r *Router) routeAll(ctx context.Context) error {
	var qs []Queue
	var err error
	if l, ok := r.store.(QueueLender); ok {
		// Lent queues are read, never written: copy them only to sort.
		if qs, err = l.LendQueues(ctx); err == nil && !byPriority(qs) {
			qs = slices.Clone(qs)
		}
	} else {
		qs, err = r.store.Queues(ctx)
	}
	if err != nil {
		return err
	}
	return r.routeEach(ctx, qs)
}

func higherPriority(a, b Queue) int { return cmp.Compare(b.Priority, a.Priority) }

// byPriority reports whether qs is ordered by priority, highest first.
func byPriority(qs []Queue) bool { return slices.IsSortedFunc(qs, higherPriority) }

func (r *Router) routeEach(ctx context.Context, qs []Queue) error {
	if !byPriority(qs) {
		slices.SortStableFunc(qs, higherPriority)
	}
	for i := range qs {
		full, err := r.routeQueue(ctx, &qs[i])
		if err != nil || full {
			return err
		}
	}
	return nil
}

// routeQueue offers the waiting chats of q, first in queue order first, while
// agents can take them. It reports whether it stopped at the licence limit.
func (r *Router) routeQueue(ctx context.Context, q *Queue) (licenceLimited bool, err error) {
	if q.Strategy == Manual {
		return false, nil // its chats wait to be picked
	}
	head, err := r.store.Waiting(ctx, q.ID, 0, 1)
	if err != nil || len(head) == 0 {
		return false, err
	}
	any, err := r.store.Candidates(ctx, CandidateQuery{
		Queue: q.ID, Channel: q.Channel, Require: q.widest(), Order: OrderOf(q.Strategy), Limit: 1,
	})
	if err != nil || len(any) == 0 {
		return false, err
	}
	skipped := 0
	for {
		ids, err := r.store.Waiting(ctx, q.ID, skipped, dispatchBatch)
		if err != nil || len(ids) == 0 {
			return false, err
		}
		for _, id := range ids {
			res, special, err := r.offerChat(ctx, id)
			if err != nil {
				return false, err
			}
			switch res {
			case licenceFull:
				return true, nil
			case noAgent:
				if !special {
					// Every chat behind this one asks at least as much of an
					// agent, so none of them can be offered either.
					return false, nil
				}
				skipped++
			}
			// An offered or parked chat is no longer in Waiting: the
			// offset counts only the chats passed over and still there.
		}
	}
}

// offerAtOnce offers a chat being enqueued in the same transaction, when no
// chat waits ahead of it: the common case costs one commit, not two. It
// reports whether it made offers; if not, the queue is routed afterwards.
func (w *work) offerAtOnce(c *Chat, q *Queue) (bool, error) {
	if q.Strategy == Manual {
		return false, nil
	}
	ahead, err := w.r.store.Waiting(w.ctx, q.ID, 0, 1)
	if err != nil || len(ahead) > 0 {
		return false, err
	}
	free, err := w.licenceFree(c)
	if err != nil || !free {
		return false, err
	}
	agents, err := w.pickAgents(c, q)
	if err != nil || len(agents) == 0 {
		return false, err
	}
	return true, w.makeOffers(c, q, agents)
}

// offerChat offers one queued chat to the agent(s) its queue's strategy picks.
// special reports that the chat asks more of an agent than its queue does.
func (r *Router) offerChat(ctx context.Context, id switchboard.ChatID) (res routeResult, special bool, err error) {
	err = r.do(ctx, func(w *work) error {
		res, special = gone, false
		c, err := w.chat(id)
		if errors.Is(err, ErrChatNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.State != Queued || c.Kind != CustomerChat {
			return nil
		}
		special = constrained(c)
		var st *QueueState
		if special {
			// Read before the agents, so that the chat is parked only on
			// what an agent's change since then makes conflict.
			if st, err = w.queueState(c.Queue); err != nil {
				return err
			}
		}
		q, err := w.queue(c.Queue)
		if err != nil {
			return err
		}
		if q.Strategy == Manual {
			res, special = noAgent, false // it waits to be picked
			return nil
		}
		free, err := w.licenceFree(c)
		if err != nil {
			return err
		}
		if !free {
			res = licenceFull
			return nil
		}
		agents, err := w.pickAgents(c, q)
		if err != nil {
			return err
		}
		if len(agents) == 0 {
			res = noAgent
			if special && c.Preferred == "" {
				// A chat waiting for its preferred agent is not parked: its
				// wait ends by the clock, not by an agent's change.
				res = parked
				w.park(c, q, st)
			}
			return nil
		}
		res = offered
		return w.makeOffers(c, q, agents)
	})
	return res, special, err
}

// pickAgents returns the agents chat c of queue q is to be offered to now,
// by the preferred agent and the queue's strategy.
func (w *work) pickAgents(c *Chat, q *Queue) ([]*Agent, error) {
	if c.Preferred != "" {
		a, err := w.agent(c.Preferred)
		if err != nil && !errors.Is(err, ErrAgentNotFound) {
			return nil, err
		}
		if err == nil && Eligible(a, q, c) {
			return []*Agent{a}, nil
		}
		waiting := err == nil && a.Serves(q.ID) && !slices.Contains(c.Rejected, a.ID) && w.now.Before(c.PreferredUntil)
		if waiting {
			return nil, nil
		}
		// The preferred agent is gone, rejected the chat, or its time is up:
		// fall back to the queue's strategy from now on.
		c.Preferred, c.PreferredUntil = "", time.Time{}
		w.touchChat(c)
	}
	cq := candidateQuery(q, c)
	switch q.Strategy {
	case RingAll:
		cq.Limit = q.ringAllLimit()
	case Random:
		cq.Limit = 0
	case RoundRobin:
		st, err := w.queueState(q.ID)
		if err != nil {
			return nil, err
		}
		cq.Limit, cq.After = 1, st.Cursor
	default:
		cq.Limit = 1
	}
	ids, err := w.r.store.Candidates(w.ctx, cq)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 && cq.After != "" {
		cq.After = "" // wrap around
		if ids, err = w.r.store.Candidates(w.ctx, cq); err != nil {
			return nil, err
		}
	}
	if q.Strategy == Random && len(ids) > 1 {
		i := w.r.cfg.Rand(len(ids)) % len(ids) // guard a Rand that breaks its contract
		if i < 0 {
			i += len(ids)
		}
		ids = ids[i : i+1]
	}
	agents := w.picked[:0]
	for _, id := range ids {
		a, err := w.agent(id)
		if err != nil {
			return nil, err
		}
		if !Eligible(a, q, c) {
			return nil, errStale
		}
		agents = append(agents, a)
	}
	w.picked = agents
	return agents, nil
}

// makeOffers offers chat c of queue q to agents, reserving a slot of each and
// a licence unit for the chat.
func (w *work) makeOffers(c *Chat, q *Queue, agents []*Agent) error {
	if err := w.takeLicence(c); err != nil {
		return err
	}
	if q.Strategy == RoundRobin {
		st, err := w.queueState(q.ID)
		if err != nil {
			return err
		}
		st.Cursor = agents[0].ID
		w.touchQueueState(st)
	}
	for _, a := range agents {
		c.Offers++
		o := w.newOffer(Offer{
			ID: offerID(c.ID, c.Offers), Chat: c.ID, Agent: a.ID, Queue: q.ID, Channel: q.Channel,
			Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt,
			CreatedAt: w.now, ExpiresAt: w.now.Add(q.AcceptTimeout),
		})
		a.addLoad(q.Channel, 1)
		a.IdleSince = w.now // it is about to start a chat
		w.touchAgent(a)
		w.emit(Event{Type: ChatOffered, Agent: a.ID, Chat: c.ID, Queue: q.ID, Offer: o.ID,
			Customer: o.Customer, EnqueuedAt: o.EnqueuedAt, ExpiresAt: o.ExpiresAt})
	}
	c.State, c.Pending = Offered, len(agents)
	w.touchChat(c)
	return nil
}
