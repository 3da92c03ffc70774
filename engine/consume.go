package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// batch is how many events one read of a partition returns.
const batch = 256

// cursor is a consumer's place in one partition of a durable log, with the
// lease that keeps a second process off the partition.
type cursor struct {
	partition int
	position  uint64
	owner     string
	until     time.Time
	version   uint64
	exists    bool
}

// item is one record of a durable log: its position, the chat it
// concerns, and what it was, for tracing.
type item struct {
	seq  uint64
	chat switchboard.ChatID
	what string
	ev   *routing.Event // for routing's log
}

// durableLog is what the engine consumes: routing's event log or the
// sessions' feed, behind one shape.
type durableLog interface {
	name() string
	partitions() int
	cursor(ctx context.Context, p int) (cursor, error)
	save(ctx context.Context, c cursor) error
	read(ctx context.Context, p int, after uint64) ([]item, error)
	conflict(err error) bool
}

// routingLog is routing's event log.
type routingLog struct{ s routing.Store }

func (l routingLog) name() string    { return "routing" }
func (l routingLog) partitions() int { return l.s.Partitions() }
func (l routingLog) conflict(err error) bool {
	return errors.Is(err, routing.ErrConflict)
}

func (l routingLog) cursor(ctx context.Context, p int) (cursor, error) {
	c, err := l.s.Cursor(ctx, Consumer, p)
	return cursor{partition: p, position: c.Position, owner: c.Owner, until: c.LeaseUntil, version: c.Version, exists: c.Version != 0}, err
}

func (l routingLog) save(ctx context.Context, c cursor) error {
	return l.s.SaveCursor(ctx, routing.Cursor{Consumer: Consumer, Partition: c.partition, Position: c.position,
		Owner: c.owner, LeaseUntil: c.until, Version: c.version})
}

func (l routingLog) read(ctx context.Context, p int, after uint64) ([]item, error) {
	evs, err := l.s.Events(ctx, p, after, batch)
	if err != nil {
		return nil, err
	}
	out := make([]item, len(evs))
	for i := range evs {
		out[i] = item{seq: evs[i].Seq, chat: evs[i].Chat, what: evs[i].Type.String(), ev: &evs[i]}
	}
	return out, nil
}

// sessionFeed is the sessions' feed: every session log entry, in commit
// order.
type sessionFeed struct{ s session.FeedStore }

func (l sessionFeed) name() string    { return "session" }
func (l sessionFeed) partitions() int { return l.s.Partitions() }
func (l sessionFeed) conflict(err error) bool {
	return errors.Is(err, session.ErrConflict)
}

func (l sessionFeed) cursor(ctx context.Context, p int) (cursor, error) {
	c, err := l.s.Cursor(ctx, Consumer, p)
	return cursor{partition: p, position: c.Position, owner: c.Owner, until: c.LeaseUntil, version: c.Version, exists: c.Version != 0}, err
}

func (l sessionFeed) save(ctx context.Context, c cursor) error {
	return l.s.SaveCursor(ctx, session.Cursor{Consumer: Consumer, Partition: c.partition, Position: c.position,
		Owner: c.owner, LeaseUntil: c.until, Version: c.version})
}

func (l sessionFeed) read(ctx context.Context, p int, after uint64) ([]item, error) {
	es, err := l.s.Feed(ctx, p, after, batch)
	if err != nil {
		return nil, err
	}
	out := make([]item, 0, len(es))
	for _, e := range es {
		out = append(out, item{seq: e.Seq, chat: e.Chat, what: "session " + e.Entry.Type.String()})
		if !drivesRouting(e.Entry.Type) {
			out[len(out)-1].chat = "" // nothing for the engine to do
		}
	}
	return out, nil
}

// drivesRouting reports whether a session entry of type t has a routing
// consequence: an owner ending or closing the conversation (routing puts
// the chat in wrap-up), a customer reopening it (routing queues it again).
func drivesRouting(t session.EntryType) bool {
	return t == session.EntryEnded || t == session.EntryClosed || t == session.EntryReopened
}

// register saves the engine's cursor over every partition of log that has
// none yet, so the store keeps what it logs for the engine.
func (e *Engine) register(ctx context.Context, log durableLog) error {
	for p := range log.partitions() {
		c, err := log.cursor(ctx, p)
		if err != nil {
			return fmt.Errorf("engine: register with the %s log: %w", log.name(), err)
		}
		if c.exists {
			continue
		}
		if err := log.save(ctx, c); err != nil && !log.conflict(err) {
			return fmt.Errorf("engine: register with the %s log: %w", log.name(), err)
		}
	}
	return nil
}

// consume processes what every partition of the engine's logs holds that
// this process can lease, and returns how much it processed.
func (e *Engine) consume(ctx context.Context) (int, error) {
	total := 0
	var errs []error
	for _, log := range e.logs {
		for p := range log.partitions() {
			n, err := e.consumePartition(ctx, log, p)
			total += n
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	n, err := e.feed(ctx)
	total += n
	if err != nil {
		errs = append(errs, err)
	}
	return total, errors.Join(errs...)
}

// consumePartition leases partition p of log, processes its records in
// order, and moves the cursor past each batch. A record whose consequence
// fails stops the partition there: it is processed again next time
// (consequences are idempotent), and no later record of the partition
// overtakes it.
func (e *Engine) consumePartition(ctx context.Context, log durableLog, p int) (int, error) {
	cur, err := log.cursor(ctx, p)
	if err != nil {
		return 0, err
	}
	if cur.owner != "" && cur.owner != e.cfg.Process && e.cfg.Clock.Now().Before(cur.until) {
		return 0, nil // another process holds it
	}
	done := 0
	for {
		items, err := log.read(ctx, p, cur.position)
		if err != nil {
			return done, err
		}
		if len(items) == 0 {
			return done, nil
		}
		// Take (or renew) the lease before acting, so two processes never
		// work on one partition at once.
		cur.owner, cur.until = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
		if err := log.save(ctx, cur); err != nil {
			if log.conflict(err) {
				return done, nil // another process took it
			}
			return done, err
		}
		cur.version++
		var failed error
		last := cur.position
		// A consequence makes a chat agree with routing as it is now, so
		// a chat's later records in this batch need no pass of their own:
		// each chat is reconciled once, at its last record.
		lastOf := make(map[switchboard.ChatID]int, len(items))
		for i := range items {
			lastOf[items[i].chat] = i
		}
		for i := range items {
			it := &items[i]
			if lastOf[it.chat] == i {
				if err := e.apply(ctx, it); err != nil {
					failed = fmt.Errorf("%s log, partition %d, position %d (%s): %w", log.name(), p, it.seq, it.what, err)
					break
				}
			}
			last = it.seq
			done++
		}
		if last != cur.position {
			cur.position = last
			if err := log.save(ctx, cur); err != nil {
				if log.conflict(err) {
					return done, nil
				}
				return done, err
			}
			cur.version++
		}
		if failed != nil {
			return done, failed
		}
	}
}

// apply carries out the consequence of one record. It is idempotent: it
// makes the chat's session and routing agree as they are now, so applying
// a record twice, late, or after a later one changes nothing more.
func (e *Engine) apply(ctx context.Context, it *item) (err error) {
	if it.chat == "" {
		return nil
	}
	if it.ev != nil {
		var end func(error)
		ctx, end = e.cfg.Tracer.Start(ctx, "engine.event", eventAttrs(it.ev)...)
		defer func() { end(err) }()
	}
	_, err = e.reconcile(ctx, it.chat)
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
		var se *session.StatusError
		if err == nil || !errors.As(err, &se) || attempt == 4 {
			return s, err
		}
		// The session changed under this pass (the customer left while a
		// transfer moved the chat, say): read both sides again.
	}
}
