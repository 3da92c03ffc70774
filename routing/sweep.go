package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

const sweepBatch = 256

// Sweep expires every deadline that has passed on the router's clock, then
// routes the waiting chats of every queue. It returns how many deadlines it
// handled. Offers not accepted in time time out and put their agent in RONA
// (SPEC R6); chats past their queue's MaxWait overflow or end (SPEC R15);
// chats waiting for a preferred agent fall back to the queue's strategy
// (SPEC R13); chats whose next relaxation step came need less of an agent
// and are looked at afresh (SPEC V2); wrap-ups and wrap-up holds past their
// time complete (SPEC S11, T4); agents past their disconnect grace are
// logged out (SPEC H4); chats on hold past their maximum on-hold time
// resume or go back to their queue (SPEC O3).
//
// Deadlines are stored data, so any router over the same store can sweep
// them, including one started after the router that set them crashed. Call
// Sweep from tests after advancing a mock clock; [Router.Run] calls it
// periodically. Several routers may sweep at once.
func (r *Router) Sweep(ctx context.Context) (int, error) {
	now := r.cfg.Clock.Now()
	handled := 0
	seen := make(map[Due]bool)
	var errs []error
	for {
		due, err := r.store.Due(ctx, now, sweepBatch)
		if err != nil {
			return handled, fmt.Errorf("routing: sweep: %w", err)
		}
		fresh := 0
		for _, d := range due {
			key := Due{Kind: d.Kind, Key: d.Key}
			if seen[key] {
				continue
			}
			seen[key] = true
			fresh++
			switch d.Kind {
			case OfferDeadline:
				err = r.expireOffer(ctx, OfferID(d.Key))
			case ChatDeadline:
				err = r.expireChat(ctx, switchboard.ChatID(d.Key))
			case AgentDeadline:
				err = r.expireGrace(ctx, switchboard.AgentID(d.Key))
			default:
				err = fmt.Errorf("%w: a deadline of unknown kind %s", ErrInvalid, d.Kind)
			}
			if err != nil {
				if ctx.Err() != nil {
					return handled, fmt.Errorf("routing: sweep: %w", ctx.Err())
				}
				errs = append(errs, err)
				continue
			}
			handled++
		}
		if fresh == 0 {
			break
		}
	}
	if err := r.routeAll(ctx); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return handled, fmt.Errorf("routing: sweep: %w", errors.Join(errs...))
	}
	return handled, nil
}

// Run sweeps every Config.SweepInterval until ctx is done, then returns
// ctx.Err(). Errors of single sweeps are logged.
func (r *Router) Run(ctx context.Context) error {
	t := r.cfg.Clock.Ticker(r.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
				r.cfg.Logger.ErrorContext(ctx, "routing: sweep failed", "err", err)
			}
		}
	}
}

func (r *Router) expireOffer(ctx context.Context, id OfferID) error {
	return r.do(ctx, func(w *work) error {
		o, err := w.offer(id)
		if err != nil {
			return err
		}
		if o.Outcome != Pending || w.now.Before(o.ExpiresAt) {
			return nil
		}
		return w.resolveOffer(o, TimedOut, false)
	})
}

func (r *Router) expireChat(ctx context.Context, id switchboard.ChatID) error {
	return r.do(ctx, func(w *work) error {
		c, err := w.chat(id)
		if err != nil {
			return err
		}
		for i := 0; i < len(c.Holds); {
			if w.now.Before(c.Holds[i].Until) {
				i++
				continue
			}
			if err := w.finishHold(c, i); err != nil {
				return err
			}
		}
		switch c.State {
		case Queued:
			if !c.OpensAt.IsZero() && !w.now.Before(c.OpensAt) {
				if err := w.opened(c); err != nil {
					return err
				}
			}
			if !c.QueueDeadline.IsZero() && !w.now.Before(c.QueueDeadline) {
				q, err := w.queue(c.Queue)
				if err != nil {
					return err
				}
				return w.escalate(c, q, EndTimedOut)
			}
			if c.Preferred != "" && !c.PreferredUntil.IsZero() && !w.now.Before(c.PreferredUntil) {
				c.Preferred, c.PreferredUntil = "", time.Time{}
				w.touchChat(c)
				w.routeQueue(c.Queue)
			}
			return w.relaxDue(c)
		case InWrapUp:
			if !w.now.Before(c.WrapUpUntil) {
				return w.finishWrapUp(c)
			}
		case Assigned:
			if c.OnHold && !c.OnHoldUntil.IsZero() && !w.now.Before(c.OnHoldUntil) {
				return w.onHoldExpired(c)
			}
		}
		return nil
	})
}
