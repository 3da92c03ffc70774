package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-cc/switchboard"
)

// Reopen routes a chat again after it was done or ended, such as a closed
// session whose customer writes again (SPEC R9). The chat goes back to req's
// queue as a new waiting chat and is offered to the first free agent by the
// queue's strategy, never specifically to the agent who had it: its earlier
// rejections and preferences are forgotten, and req.Preferred is honoured as
// in [Router.Enqueue]. A chat the store has already forgotten is created
// anew. A chat that is not final gets a [*StateError].
func (r *Router) Reopen(ctx context.Context, req ChatRequest) (Chat, error) {
	if err := validateID("chat ID", req.ID); err != nil {
		return Chat{}, err
	}
	if err := validateID("queue ID", req.Queue); err != nil {
		return Chat{}, err
	}
	if err := validateSkills("skills", req.Skills); err != nil {
		return Chat{}, err
	}
	seq := r.seq.Add(1)
	var out Chat
	err := r.do(ctx, func(w *work) error {
		q, err := w.queue(req.Queue)
		if err != nil {
			return err
		}
		c, err := w.chat(req.ID)
		switch {
		case errors.Is(err, ErrChatNotFound):
			c = w.newChat(Chat{ID: req.ID})
		case err != nil:
			return err
		case !c.State.Final():
			return chatStateError(c, "reopen")
		default:
			w.touchChat(c)
		}
		offers := c.Offers // keeps offer IDs unique across the chat's life
		*c = Chat{
			ID: req.ID, Kind: CustomerChat, Queue: q.ID, Channel: q.Channel,
			Customer: req.Customer, Priority: req.Priority,
			Skills: slices.Clone(req.Skills), Transcript: slices.Clone(req.Transcript),
			Preferred: req.Preferred, State: Queued,
			EnqueuedAt: w.now, Seq: seq, QueuedAt: w.now,
			QueueDeadline: deadline(w.now, q.MaxWait),
			Offers:        offers, Version: c.Version,
		}
		if c.Preferred != "" {
			c.PreferredUntil = deadline(w.now, q.PreferredWait)
		}
		w.emit(Event{Type: ChatQueued, Chat: c.ID, Queue: q.ID, Reason: "reopened", Customer: c.Customer.Name, EnqueuedAt: w.now})
		offered, err := w.offerAtOnce(c, q)
		if err != nil {
			return err
		}
		if !offered {
			w.routeQueue(q.ID)
		}
		out = *c
		return nil
	})
	if err != nil {
		return Chat{}, fmt.Errorf("routing: reopen %s: %w", req.ID, err)
	}
	out.Version++
	return out, nil
}

// LoggedIn returns the agents of tenant that are logged in, ordered by ID.
func (r *Router) LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]Agent, error) {
	as, err := r.store.LoggedIn(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("routing: logged-in agents: %w", err)
	}
	return as, nil
}
