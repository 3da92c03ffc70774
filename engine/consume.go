package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// batch is how many events one read of a partition returns.
const batch = 256

// register saves the engine's cursor over every partition of routing's
// event log that has none yet, so the store keeps events for it.
func (e *Engine) register(ctx context.Context) error {
	for p := range e.store.Partitions() {
		c, err := e.store.Cursor(ctx, Consumer, p)
		if err != nil {
			return fmt.Errorf("engine: register: %w", err)
		}
		if c.Version != 0 {
			continue
		}
		c.Consumer, c.Partition = Consumer, p
		if err := e.store.SaveCursor(ctx, c); err != nil && !errors.Is(err, routing.ErrConflict) {
			return fmt.Errorf("engine: register: %w", err)
		}
	}
	return nil
}

// consume processes the events of every partition this process can lease,
// and returns how many it processed.
func (e *Engine) consume(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for p := range e.store.Partitions() {
		n, err := e.consumePartition(ctx, p)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// consumePartition leases partition p, processes its events in order, and
// moves the cursor past each batch. An event whose consequence fails stops
// the partition there: it is processed again next time (consequences are
// idempotent), and no later event of the partition overtakes it.
func (e *Engine) consumePartition(ctx context.Context, p int) (int, error) {
	cur, err := e.store.Cursor(ctx, Consumer, p)
	if err != nil {
		return 0, err
	}
	now := e.cfg.Clock.Now()
	if cur.Owner != "" && cur.Owner != e.cfg.Process && now.Before(cur.LeaseUntil) {
		return 0, nil // another process holds it
	}
	done := 0
	for {
		events, err := e.store.Events(ctx, p, cur.Position, batch)
		if err != nil {
			return done, err
		}
		if len(events) == 0 {
			return done, nil
		}
		// Take (or renew) the lease before acting, so two processes never
		// work on one partition at once.
		cur.Owner, cur.LeaseUntil = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
		if err := e.store.SaveCursor(ctx, cur); err != nil {
			if errors.Is(err, routing.ErrConflict) {
				return done, nil // another process took it
			}
			return done, err
		}
		cur.Version++
		var failed error
		last := cur.Position
		for i := range events {
			ev := &events[i]
			if err := e.apply(ctx, ev); err != nil {
				failed = fmt.Errorf("event %d of partition %d (%s): %w", ev.Seq, p, ev.Type, err)
				break
			}
			last = ev.Seq
			done++
		}
		if last != cur.Position {
			cur.Position = last
			if err := e.store.SaveCursor(ctx, cur); err != nil {
				if errors.Is(err, routing.ErrConflict) {
					return done, nil
				}
				return done, err
			}
			cur.Version++
		}
		if failed != nil {
			return done, failed
		}
	}
}

// apply carries out the session consequence of one routing event. It is
// idempotent: it makes the chat's session agree with routing as it is now,
// so applying an event twice, late, or after a later one changes nothing
// more.
func (e *Engine) apply(ctx context.Context, ev *routing.Event) (err error) {
	if ev.Chat == "" {
		return nil
	}
	ctx, end := e.cfg.Tracer.Start(ctx, "engine.event", eventAttrs(ev)...)
	defer func() { end(err) }()
	_, err = e.reconcile(ctx, ev.Chat)
	if errors.Is(err, session.ErrNotFound) || errors.Is(err, routing.ErrChatNotFound) {
		return nil // a chat with no session (routed alone), or one forgotten
	}
	return err
}

// reconcile makes the chat's session agree with routing, which is the
// authority on who is in a chat, and carries out what routing decided on
// its own (timeouts, invite fallbacks, transfers).
func (e *Engine) reconcile(ctx context.Context, chat switchboard.ChatID) (session.Session, error) {
	for attempt := 0; ; attempt++ {
		s, err := e.reconcileOnce(ctx, chat)
		var se *session.StateError
		if err == nil || !errors.As(err, &se) || attempt == 4 {
			return s, err
		}
		// The session changed under this pass (the customer left while a
		// transfer moved the chat, say): read both sides again.
	}
}
