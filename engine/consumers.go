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

func (l consumerFeed) read(_ context.Context, _ int, _ uint64, buf []item) ([]item, error) {
	return buf, errors.New("engine: a feed consumer's log is read by feed")
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

func (l consumerLog) read(_ context.Context, _ int, _ uint64, buf []item) ([]item, error) {
	return buf, errors.New("engine: an event consumer's log is read by feed")
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
	for _, l := range e.consumers {
		for p := range l.partitions() {
			n, err := e.feedPartition(ctx, l, p)
			total += n
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return total, errors.Join(errs...)
}

// feedPartition leases partition p for consumer l, gives it the records
// after its cursor batch by batch, and moves the cursor past each batch
// the consumer processed.
func (e *Engine) feedPartition(ctx context.Context, l fedLog, p int) (int, error) {
	cur, err := l.cursor(ctx, p)
	if err != nil {
		return 0, err
	}
	if cur.owner != "" && cur.owner != e.cfg.Process && e.cfg.Clock.Now().Before(cur.until) {
		return 0, nil // another process holds it
	}
	done := 0
	for {
		n, last, give, err := l.next(ctx, p, cur.position)
		if err != nil || n == 0 {
			return done, err
		}
		cur.owner, cur.until = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
		if err := l.save(ctx, cur); err != nil {
			if l.conflict(err) {
				return done, nil // another process took it
			}
			return done, err
		}
		cur.version++
		if err := give(ctx); err != nil {
			return done, fmt.Errorf("%s log, partition %d, after position %d: %w", l.name(), p, cur.position, err)
		}
		cur.position = last
		if err := l.save(ctx, cur); err != nil {
			if l.conflict(err) {
				return done, nil
			}
			return done, err
		}
		cur.version++
		done += n
	}
}
