package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// EventConsumer is a durable consumer of routing's event log that an
// [Engine] feeds besides its own (statistics, say): it has its own cursor
// in the log, under its Name, so the store keeps the events until it has
// processed them, and it takes a lease on each partition it processes, so
// that with several processes one at a time processes a partition. It is
// registered with [Config].Consumers.
//
// Delivery is at least once: after a crash or a lost lease, Consume sees
// again events it processed before, and must ignore them (by their Seq,
// which increases within a partition).
type EventConsumer interface {
	// Name names the consumer's cursors in the log. It must be unique
	// among the engine's consumers and differ from [Consumer].
	Name() string
	// Consume processes events of partition p in Seq order. An error
	// stops the partition there: the events are given again later.
	Consume(ctx context.Context, partition int, events []routing.Event) error
}

// FeedConsumer is an [EventConsumer] that follows the sessions' feed too
// (statistics of agents' first responses, say): an engine gives it the
// feed's entries as well, under a cursor of the same Name in the session
// store, with a lease per partition, at least once.
type FeedConsumer interface {
	EventConsumer
	// ConsumeFeed processes entries of partition p of the sessions' feed
	// in feed order. An error stops the partition there: the entries are
	// given again later.
	ConsumeFeed(ctx context.Context, partition int, entries []session.FeedEntry) error
}

// fedLog is a durable log the engine gives to a registered consumer.
type fedLog interface {
	durableLog
	// next reads the batch of partition p after position after: how many
	// records it holds, the position of its last one, and a function
	// that gives the batch to the consumer.
	next(ctx context.Context, p int, after uint64) (n int, last uint64, give func(context.Context) error, err error)
}

// consumerLog is routing's event log as an EventConsumer reads it.
type consumerLog struct {
	s routing.Store
	c EventConsumer
}

func (l consumerLog) next(ctx context.Context, p int, after uint64) (int, uint64, func(context.Context) error, error) {
	evs, err := l.s.Events(ctx, p, after, batch)
	if err != nil || len(evs) == 0 {
		return 0, after, nil, err
	}
	return len(evs), evs[len(evs)-1].Seq, func(ctx context.Context) error { return l.c.Consume(ctx, p, evs) }, nil
}

// consumerFeed is the sessions' feed as a FeedConsumer reads it.
type consumerFeed struct {
	s session.FeedStore
	c FeedConsumer
}

func (l consumerFeed) name() string    { return "session (" + l.c.Name() + ")" }
func (l consumerFeed) partitions() int { return l.s.Partitions() }
func (l consumerFeed) conflict(err error) bool {
	return errors.Is(err, session.ErrConflict)
}

func (l consumerFeed) cursor(ctx context.Context, p int) (cursor, error) {
	c, err := l.s.Cursor(ctx, l.c.Name(), p)
	return cursor{partition: p, position: c.Position, owner: c.Owner, until: c.LeaseUntil, version: c.Version, exists: c.Version != 0}, err
}

func (l consumerFeed) save(ctx context.Context, c cursor) error {
	return l.s.SaveCursor(ctx, session.Cursor{Consumer: l.c.Name(), Partition: c.partition, Position: c.position,
		Owner: c.owner, LeaseUntil: c.until, Version: c.version})
}

func (l consumerFeed) tips(ctx context.Context, buf []uint64) ([]uint64, bool) {
	return sessionFeed{l.s}.tips(ctx, buf)
}

func (l consumerFeed) read(context.Context, int, uint64, *readBuf) error {
	return errors.New("engine: a feed consumer's log is read by feed")
}

func (l consumerFeed) next(ctx context.Context, p int, after uint64) (int, uint64, func(context.Context) error, error) {
	es, err := l.s.Feed(ctx, p, after, batch)
	if err != nil || len(es) == 0 {
		return 0, after, nil, err
	}
	return len(es), es[len(es)-1].Seq, func(ctx context.Context) error { return l.c.ConsumeFeed(ctx, p, es) }, nil
}

func (l consumerLog) name() string    { return "routing (" + l.c.Name() + ")" }
func (l consumerLog) partitions() int { return l.s.Partitions() }
func (l consumerLog) conflict(err error) bool {
	return errors.Is(err, routing.ErrConflict)
}

func (l consumerLog) cursor(ctx context.Context, p int) (cursor, error) {
	c, err := l.s.Cursor(ctx, l.c.Name(), p)
	return cursor{partition: p, position: c.Position, owner: c.Owner, until: c.LeaseUntil, version: c.Version, exists: c.Version != 0}, err
}

func (l consumerLog) save(ctx context.Context, c cursor) error {
	return l.s.SaveCursor(ctx, routing.Cursor{Consumer: l.c.Name(), Partition: c.partition, Position: c.position,
		Owner: c.owner, LeaseUntil: c.until, Version: c.version})
}

func (l consumerLog) tips(ctx context.Context, buf []uint64) ([]uint64, bool) {
	return routingLog{l.s}.tips(ctx, buf)
}

func (l consumerLog) read(context.Context, int, uint64, *readBuf) error {
	return errors.New("engine: an event consumer's log is read by feed")
}

// checkConsumers reports consumers with an empty, reserved or repeated
// name.
func checkConsumers(cs []EventConsumer) error {
	seen := map[string]bool{Consumer: true}
	var errs []error
	for i, c := range cs {
		switch {
		case c == nil:
			errs = append(errs, fmt.Errorf("%w: Consumers[%d] is nil", ErrConfig, i))
		case c.Name() == "":
			errs = append(errs, fmt.Errorf("%w: Consumers[%d] has no name", ErrConfig, i))
		case seen[c.Name()]:
			errs = append(errs, fmt.Errorf("%w: Consumers[%d]: the name %q is taken", ErrConfig, i, c.Name()))
		default:
			seen[c.Name()] = true
		}
	}
	return errors.Join(errs...)
}

// feed gives every partition of routing's log that this process can lease
// to each registered consumer, and returns how many events it gave.
func (e *Engine) feed(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for i, l := range e.consumers {
		n, err := eachMoved(ctx, l, e.fedHeld[i], func(p int, held *heldCursor) (int, error) {
			return e.feedPartition(ctx, l, held, p)
		})
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// feedPartition leases partition p for consumer l, gives it the records
// after its cursor batch by batch, and moves the cursor past each batch
// the consumer processed.
//
// held is the cursor this process last read or saved for the partition,
// and is used as the engine's own logs use theirs ([Engine.consumePartition]):
// with nothing after its position the cursor is not read, and while its
// lease is this process's with at least half its length to run the lease
// is not taken again before a batch.
func (e *Engine) feedPartition(ctx context.Context, l fedLog, held *heldCursor, p int) (int, error) {
	h, ok := held.load()
	if ok && h.owner != "" && h.owner != e.cfg.Process && e.cfg.Clock.Now().Before(h.until) {
		return 0, nil // another process held it when last read, and may still
	}
	var n int
	var last uint64
	var give func(context.Context) error
	var err error
	if ok {
		// The stored cursor is at h or past it: nothing after h, nothing
		// to do.
		if n, last, give, err = l.next(ctx, p, h.position); err != nil || n == 0 {
			return 0, err
		}
	}
	var cur cursor
	if ok && e.holds(&h) {
		cur = h
	} else {
		if cur, err = l.cursor(ctx, p); err != nil {
			return 0, err
		}
		held.store(cur, true)
		if cur.owner != "" && cur.owner != e.cfg.Process && e.cfg.Clock.Now().Before(cur.until) {
			return 0, nil // another process holds it
		}
		if !ok || cur.position != h.position {
			n = 0 // read from where the stored cursor is
		}
	}
	// save stores cur and remembers it; any failure forgets it, so the
	// next pass reads the cursor from the store.
	save := func() error {
		held.store(cursor{}, false)
		if err := l.save(ctx, cur); err != nil {
			return err
		}
		cur.version++
		held.store(cur, true)
		return nil
	}
	done := 0
	for {
		if n == 0 {
			if n, last, give, err = l.next(ctx, p, cur.position); err != nil || n == 0 {
				return done, err
			}
		}
		if !e.holds(&cur) {
			cur.owner, cur.until = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
			if err := save(); err != nil {
				if l.conflict(err) {
					return done, nil // another process took it
				}
				return done, err
			}
		}
		if err := give(ctx); err != nil {
			return done, fmt.Errorf("%s log, partition %d, after position %d: %w", l.name(), p, cur.position, err)
		}
		// Saving the position renews the lease too.
		cur.position = last
		cur.owner, cur.until = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
		if err := save(); err != nil {
			if l.conflict(err) {
				return done, nil
			}
			return done, err
		}
		done += n
		n = 0
	}
}
