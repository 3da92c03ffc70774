package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Agent returns the agent's record.
func (r *Router) Agent(ctx context.Context, id switchboard.AgentID) (Agent, error) {
	a, err := r.store.Agent(ctx, id)
	if err != nil {
		return Agent{}, fmt.Errorf("routing: agent %s: %w", id, err)
	}
	return a, nil
}

// Chat returns the chat's record.
func (r *Router) Chat(ctx context.Context, id switchboard.ChatID) (Chat, error) {
	c, err := r.store.Chat(ctx, id)
	if err != nil {
		return Chat{}, fmt.Errorf("routing: chat %s: %w", id, err)
	}
	return c, nil
}

// Offer returns the offer's record, pending or resolved.
func (r *Router) Offer(ctx context.Context, id OfferID) (Offer, error) {
	o, err := r.store.Offer(ctx, id)
	if err != nil {
		return Offer{}, fmt.Errorf("routing: offer %s: %w", id, err)
	}
	return o, nil
}

// Offers returns the agent's pending offers, oldest first: what its desktop
// shows as separate items (SPEC R3). Use [Offer.Waiting] with the router's
// clock for how long each has been waiting.
func (r *Router) Offers(ctx context.Context, agent switchboard.AgentID) ([]Offer, error) {
	os, err := r.store.PendingOffers(ctx, OfferFilter{Agent: agent})
	if err != nil {
		return nil, fmt.Errorf("routing: offers of %s: %w", agent, err)
	}
	return os, nil
}

// AgentChats returns the chats the agent has now: assigned, in wrap-up, and
// direct chats it is in.
func (r *Router) AgentChats(ctx context.Context, agent switchboard.AgentID) ([]Chat, error) {
	cs, err := r.store.AgentChats(ctx, agent)
	if err != nil {
		return nil, fmt.Errorf("routing: chats of %s: %w", agent, err)
	}
	return cs, nil
}

// QueueStatus is where a waiting chat stands (SPEC R12).
type QueueStatus struct {
	Queue switchboard.QueueID
	State ChatState
	// Position is 1 for the chat served next; chats being offered count.
	Position int
	// Exact reports whether Position is exact; false when the store
	// answered with an estimate (see [ChatStore.Position]).
	Exact bool
	// Waiting is how long the chat has waited since it first entered a
	// queue.
	Waiting time.Duration
}

// Status returns the queue position and waiting time of a waiting (queued or
// offered) chat. A chat that is no longer waiting gets a [*StateError].
func (r *Router) Status(ctx context.Context, id switchboard.ChatID) (QueueStatus, error) {
	c, err := r.store.Chat(ctx, id)
	if err != nil {
		return QueueStatus{}, fmt.Errorf("routing: status of %s: %w", id, err)
	}
	if c.State != Queued && c.State != Offered {
		return QueueStatus{}, fmt.Errorf("routing: status: %w", chatStateError(&c, "report the queue position of"))
	}
	ahead, exact, err := r.store.Position(ctx, id)
	if err != nil {
		return QueueStatus{}, fmt.Errorf("routing: status of %s: %w", id, err)
	}
	return QueueStatus{
		Queue:    c.Queue,
		State:    c.State,
		Position: ahead + 1,
		Exact:    exact,
		Waiting:  r.cfg.Clock.Now().Sub(c.EnqueuedAt),
	}, nil
}

// Queue returns a queue's configuration.
func (r *Router) Queue(ctx context.Context, id switchboard.QueueID) (Queue, error) {
	q, err := r.store.Queue(ctx, id)
	if err != nil {
		return Queue{}, fmt.Errorf("routing: queue %s: %w", id, err)
	}
	return q, nil
}

// Queues returns every queue, ordered by ID.
func (r *Router) Queues(ctx context.Context) ([]Queue, error) {
	qs, err := r.store.Queues(ctx)
	if err != nil {
		return nil, fmt.Errorf("routing: queues: %w", err)
	}
	return qs, nil
}
