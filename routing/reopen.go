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
// anew. A chat still in wrap-up is reopened too: its agent keeps the
// wrap-up, as a [Hold] that ends when the wrap-up would have; the wrap-up
// of a chat ended on hold, which uses no slot, is complete instead (SPEC
// O4). Any other chat that is not final gets a [*StateError].
func (r *Router) Reopen(ctx context.Context, req ChatRequest) (Chat, error) {
	if err := req.validate(); err != nil {
		return Chat{}, fmt.Errorf("routing: reopen %s: %w", req.ID, err)
	}
	var out Chat
	seq := new(uint64)
	err := r.do(ctx, func(w *work) error {
		w.returnSeq(req.ID, seq)
		q, err := w.queue(req.Queue)
		if err != nil {
			return err
		}
		c, err := w.chat(req.ID)
		switch {
		case errors.Is(err, ErrChatNotFound):
			c = w.newChat(Chat{})
		case err != nil:
			return err
		case c.State == InWrapUp && c.OnHold:
			// The wrap-up of a chat ended on hold uses no slot, so it
			// cannot become a hold, which uses one: it is complete.
			if err := w.onHoldWrapUpDone(c); err != nil {
				return err
			}
		case c.State == InWrapUp:
			// The customer wrote again while the agent was still wrapping
			// up: the agent keeps its wrap-up, as a hold, until it ends.
			c.Holds = append(slices.Clone(c.Holds), Hold{Agent: c.Agent, Channel: c.Channel, Until: c.WrapUpUntil})
			w.touchChat(c)
		case !c.State.Final():
			return chatStateError(c, "reopen")
		default:
			w.touchChat(c)
		}
		out, err = w.queueRequest(c, &req, q, ReasonReopened)
		return err
	})
	if err != nil {
		return Chat{}, fmt.Errorf("routing: reopen %s: %w", req.ID, err)
	}
	out.Version++
	out.Seq = *seq
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
