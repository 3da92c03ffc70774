package engine

import (
	"context"
	"errors"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// admits returns the router's refusal of a chat arriving at queue q now,
// for a queue with business hours, before any session is made for it. A
// chat routed under the ID already (Start called again) is not refused.
func (e *Engine) admits(ctx context.Context, q *routing.Queue, chat switchboard.ChatID) error {
	if q.Hours.IsZero() {
		return nil
	}
	err := e.router.Admits(ctx, q.ID)
	if !errors.Is(err, routing.ErrQueueClosed) {
		return err
	}
	if _, cerr := e.router.Chat(ctx, chat); cerr == nil {
		return nil
	}
	return err
}

// refused ends the session of a chat its queue refused, closed since
// Start checked it, and returns refusal, the router's error; or the
// error of ending the session, joined to it.
func (e *Engine) refused(ctx context.Context, chat switchboard.ChatID, refusal error) error {
	err := e.sessions.Expire(ctx, chat, routing.ReasonClosed, e.cfg.NoAgentText)
	if err == nil {
		return refusal
	}
	return errors.Join(refusal, err)
}
