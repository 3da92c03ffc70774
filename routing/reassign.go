package routing

import (
	"context"
	"fmt"
	"slices"

	"github.com/switchboard-cc/switchboard"
)

// Reassign takes assigned chat chat from its owner agent, who did not
// answer the customer in time (a queue's first-response timer, SPEC D2), so
// that the next agent of its queue gets it. It counts like an offer the
// agent let time out: the chat goes back to its queue at its original
// position (its EnqueuedAt and Seq are kept) and the round counts towards
// the queue's MaxUnanswered; the agent is kept out of the chat's next offers
// as if it had rejected it, its slot is free at once (no wrap-up: it never
// talked to the customer), and it goes to [RONA]. A pending invite or
// transfer is withdrawn and consultants leave. The ChatQueued event carries
// [ReasonNoResponse].
//
// Errors: [ErrNotOwner] when agent does not own the chat, [ErrChatEnded]
// or a [*StateError] when the chat is not assigned; then nothing changes.
func (r *Router) Reassign(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "reassign")
		if err != nil {
			return err
		}
		if !c.Owns(agent) {
			return ErrNotOwner
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
		if err := w.wrapUpDone(a, c.Channel, false); err != nil {
			return err
		}
		if !slices.Contains(c.Rejected, agent) {
			c.Rejected = append(slices.Clip(c.Rejected), agent)
		}
		if a.State != LoggedOut {
			if err := w.setAgentState(a, RONA, ReasonRONA); err != nil {
				return err
			}
		}
		return w.requeue(c, ReasonNoResponse, true)
	})
	if err != nil {
		return fmt.Errorf("routing: reassign %s from %s: %w", chat, agent, err)
	}
	return nil
}
