package engine

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
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

// refused ends the session of a chat its queue refused, if it has one (the
// queue closed since Start checked it, or since an earlier Start that
// failed after making the session), and returns refusal, the router's
// error; or the error of ending the session, joined to it.
func (e *Engine) refused(ctx context.Context, chat switchboard.ChatID, refusal error) error {
	err := e.sessions.Expire(ctx, chat, routing.ReasonClosed, e.cfg.NoAgentText)
	if err == nil || errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrAlreadyClosed) {
		return refusal
	}
	return errors.Join(refusal, err)
}

// opens adds to notice n, for chat c waiting in a queue closed by its
// business hours, the opening it waits for, in the queue's time zone (SPEC
// B11).
func (e *Engine) opens(ctx context.Context, n *session.Notice, c *routing.Chat) error {
	if c.State != routing.Queued || c.OpensAt.IsZero() {
		return nil
	}
	q, err := e.router.Queue(ctx, c.Queue)
	if err != nil {
		return err
	}
	n.Opens = c.OpensAt
	if loc, err := q.Hours.Location(); err == nil {
		n.Opens = c.OpensAt.In(loc)
	}
	return nil
}

// opensText says in words when a closed queue opens, in the time zone
// of t.
func opensText(t time.Time) string {
	return "We are closed now; an agent will be with you after we open at " +
		t.Format("15:04 MST on Monday 2 January") + "."
}
