package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// timerBatch is how many due sessions one pass of the timers fires.
const timerBatch = 256

// expireTimers fires the timers after assignment that are due on the
// engine's clock (SPEC D1–D9) and returns how many sessions it fired. Each
// session's timers fire in one session write; a reassignment or a close it
// decides reaches routing through reconcile, now, and again from the
// sessions' feed should this process stop in between.
func (e *Engine) expireTimers(ctx context.Context) (n int, err error) {
	due, err := e.cfg.Sessions.(session.DeadlineStore).DueSessions(ctx, e.cfg.Clock.Now(), timerBatch)
	if err != nil || len(due) == 0 {
		if err != nil {
			err = fmt.Errorf("engine: due timers: %w", err)
		}
		return 0, err
	}
	ctx, end := e.cfg.Tracer.Start(ctx, "engine.timers")
	defer func() { end(err) }()
	var errs []error
	for _, chat := range due {
		f, err := e.sessions.FireTimers(ctx, chat)
		if errors.Is(err, session.ErrNotFound) {
			continue // forgotten meanwhile
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("engine: timers of %s: %w", chat, err))
			continue
		}
		if len(f.Timers) == 0 {
			continue
		}
		n++
		if f.Reassign == "" && !f.Closed {
			continue
		}
		if _, err := e.reconcile(ctx, chat); err != nil && !errors.Is(err, routing.ErrChatNotFound) {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// reassignIfDue has routing take chat c from the owner a timer took it
// from in session s (TimerState.Reassign), if routing still has it
// assigned to that owner and the session has not given it back, and
// reports whether it asked. Routing then queues the chat for another
// agent.
func (e *Engine) reassignIfDue(ctx context.Context, s *session.Session, c *routing.Chat) (bool, error) {
	a := s.Timers.Reassign
	if a == "" || s.Status != session.StatusActive || !c.Owns(a) {
		return false, nil
	}
	if o := s.Owner(); o != nil && o.Present() && agentOf(o.ID) == a {
		return false, nil // the agent owns the session again
	}
	var se *routing.StateError
	if err := e.router.Reassign(ctx, c.ID, a); err != nil && !errors.As(err, &se) &&
		!errors.Is(err, routing.ErrNotOwner) && !errors.Is(err, routing.ErrChatEnded) {
		return false, err
	}
	return true, nil
}
