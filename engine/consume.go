package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	seq   uint64
	chat  switchboard.ChatID
	what  string
	entry session.EntryType // for the sessions' feed
	ev    *routing.Event    // for routing's log
}

// heldCursor is a cursor this process read or saved, if ok.
type heldCursor struct {
	mu sync.Mutex
	c  cursor
	ok bool
}

// passed reports that the held cursor is at tip or past it: the stored
// one is at its position or past it, so the partition has nothing after
// it, as a read would find.
func (h *heldCursor) passed(tip uint64) bool {
	c, ok := h.load()
	return ok && tip <= c.position
}

// tipBufs holds buffers for the tips of a log's partitions.
var tipBufs = sync.Pool{New: func() any { b := make([]uint64, 0, 64); return &b }}

// eachMoved runs pass on every partition of log, with the cursor this
// process holds for it, but those the store's tips show have nothing after
// that cursor; it returns the sum of what pass returned and its errors
// joined.
func eachMoved(ctx context.Context, log durableLog, held []heldCursor, pass func(p int, held *heldCursor) (int, error)) (int, error) {
	tb := tipBufs.Get().(*[]uint64)
	defer tipBufs.Put(tb)
	var known bool
	*tb, known = log.tips(ctx, (*tb)[:0])
	total := 0
	var errs []error
	for p := range log.partitions() {
		if known && held[p].passed((*tb)[p]) {
			continue // nothing after this process's cursor
		}
		n, err := pass(p, &held[p])
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// load returns the cursor, if one is held.
func (h *heldCursor) load() (cursor, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.c, h.ok
}

// store holds c, or nothing if ok is false.
func (h *heldCursor) store(c cursor, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.c, h.ok = c, ok
}

// describe says what the record was, for an error.
func (it *item) describe() string {
	if it.entry != 0 {
		return "session " + it.entry.String()
	}
	return it.what
}

// durableLog is what the engine consumes: routing's event log or the
// sessions' feed, behind one shape.
type durableLog interface {
	name() string
	partitions() int
	cursor(ctx context.Context, p int) (cursor, error)
	save(ctx context.Context, c cursor) error
	// read appends the records of partition p after position after to
	// buf.items, up to a batch. Records may point into buf's other
	// buffers, which read reuses: they are valid until the next read.
	read(ctx context.Context, p int, after uint64, buf *readBuf) error
	// tips appends to buf the last position of every partition, as a
	// store can tell in one call without reading them, and returns it;
	// ok is false when it cannot.
	tips(ctx context.Context, buf []uint64) (_ []uint64, ok bool)
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

func (l routingLog) tips(ctx context.Context, buf []uint64) ([]uint64, bool) {
	ts, ok := l.s.(routing.EventTipStore)
	if !ok {
		return buf, false
	}
	buf, err := ts.EventTips(ctx, buf)
	return buf, err == nil && len(buf) == l.s.Partitions()
}

func (l routingLog) read(ctx context.Context, p int, after uint64, buf *readBuf) error {
	var evs []routing.Event
	var err error
	if ea, ok := l.s.(routing.EventAppender); ok {
		// Into the engine's own buffer, reused pass after pass: the read
		// allocates nothing, and the store keeps nothing for the engine.
		clear(buf.events) // the last read's, all processed
		evs, err = ea.AppendEvents(ctx, p, after, batch, buf.events[:0])
		buf.events = evs
	} else {
		evs, err = l.s.Events(ctx, p, after, batch)
	}
	if err != nil || len(evs) == 0 {
		return err
	}
	for i := range evs {
		buf.items = append(buf.items, item{seq: evs[i].Seq, chat: evs[i].Chat, what: evs[i].Type.String(), ev: &evs[i]})
	}
	return nil
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

func (l sessionFeed) tips(ctx context.Context, buf []uint64) ([]uint64, bool) {
	ts, ok := l.s.(session.FeedTipStore)
	if !ok {
		return buf, false
	}
	buf, err := ts.FeedTips(ctx, buf)
	return buf, err == nil && len(buf) == l.s.Partitions()
}

func (l sessionFeed) read(ctx context.Context, p int, after uint64, rb *readBuf) error {
	buf, err := l.readItems(ctx, p, after, rb.items)
	rb.items = buf
	return err
}

func (l sessionFeed) readItems(ctx context.Context, p int, after uint64, buf []item) ([]item, error) {
	if hs, ok := l.s.(session.FeedHeadStore); ok {
		// The positions, chats and types are all the engine needs.
		hb := headBufs.Get().(*[]session.FeedHead)
		defer headBufs.Put(hb)
		heads, err := hs.FeedHeads(ctx, p, after, batch, (*hb)[:0])
		*hb = heads[:0]
		if err != nil {
			return buf, err
		}
		for _, h := range heads {
			buf = append(buf, item{seq: h.Seq, chat: h.Chat, entry: h.Type})
			if !drivesRouting(h.Type) {
				buf[len(buf)-1].chat = "" // nothing for the engine to do
			}
		}
		clear(heads)
		return buf, nil
	}
	es, err := l.s.Feed(ctx, p, after, batch)
	if err != nil || len(es) == 0 {
		return buf, err
	}
	for _, e := range es {
		buf = append(buf, item{seq: e.Seq, chat: e.Chat, entry: e.Entry.Type})
		if !drivesRouting(e.Entry.Type) {
			buf[len(buf)-1].chat = "" // nothing for the engine to do
		}
	}
	return buf, nil
}

// drivesRouting reports whether a session entry of type t has a routing
// consequence: an owner ending or closing the conversation (routing puts
// the chat in wrap-up), a customer reopening it (routing queues it again)
// or leaving it (routing withdraws a waiting chat, drops consultants and a
// pending invite or transfer; a process that dies between the two steps
// of [Engine.CustomerLeft] leaves that to whoever reads the feed), or a
// timer taking the chat from its owner (routing queues it for another
// agent, SPEC D2).
func drivesRouting(t session.EntryType) bool {
	return t == session.EntryEnded || t == session.EntryClosed || t == session.EntryReopened || t == session.EntryCustomerLeft ||
		t == session.EntryTimer
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
	for i, log := range e.logs {
		n, err := eachMoved(ctx, log, e.held[i], func(p int, held *heldCursor) (int, error) {
			return e.consumePartition(ctx, log, held, p)
		})
		total += n
		if err != nil {
			errs = append(errs, err)
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
//
// held is the cursor this process last read or saved for the partition.
// The stored one is at its position or past it, so when nothing follows
// that position there is nothing to do and the cursor is not read. While
// the lease it records is this process's with at least half its length to
// run, no other process may move the cursor, so held is what the store
// holds: the records are processed without reading the cursor or taking
// the lease again. Otherwise the cursor is read from the store.
func (e *Engine) consumePartition(ctx context.Context, log durableLog, held *heldCursor, p int) (int, error) {
	h, ok := held.load()
	var cur cursor
	var err error
	buf := readBufs.Get().(*readBuf)
	items := buf.items[:0]
	// used is how much of the buffer the reads filled: only that much
	// holds records to let go of (most passes read a few, of a batch).
	used := 0
	// read reads the records after position after into items.
	read := func(after uint64) error {
		buf.items = items[:0]
		err := log.read(ctx, p, after, buf)
		items = buf.items
		used = max(used, len(items))
		return err
	}
	defer func() {
		clear(items[:used])
		buf.items = items[:0]
		clear(buf.events)
		buf.events = buf.events[:0]
		readBufs.Put(buf)
	}()
	if ok && h.owner != "" && h.owner != e.cfg.Process && e.cfg.Clock.Now().Before(h.until) {
		return 0, nil // another process held it when last read, and may still
	}
	if ok {
		// The stored cursor is at h or past it (a cursor never moves
		// back): nothing after h, nothing to do.
		err = read(h.position)
		if err != nil || len(items) == 0 {
			return 0, err
		}
	}
	if ok && e.holds(&h) {
		cur = h
	} else {
		if cur, err = log.cursor(ctx, p); err != nil {
			return 0, err
		}
		held.store(cur, true)
		if cur.owner != "" && cur.owner != e.cfg.Process && e.cfg.Clock.Now().Before(cur.until) {
			return 0, nil // another process holds it
		}
		if !ok || cur.position != h.position {
			items = items[:0]
		}
	}
	// save stores cur and remembers it; any failure forgets it, so the
	// next pass reads the cursor from the store.
	save := func() error {
		held.store(cursor{}, false)
		if err := log.save(ctx, cur); err != nil {
			return err
		}
		cur.version++
		held.store(cur, true)
		return nil
	}
	done := 0
	for {
		if len(items) == 0 {
			err = read(cur.position)
			if err != nil {
				return done, err
			}
			if len(items) == 0 {
				return done, nil
			}
		}
		if !e.holds(&cur) {
			// Take (or renew) the lease before acting, so two processes
			// never work on one partition at once.
			cur.owner, cur.until = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
			if err := save(); err != nil {
				if log.conflict(err) {
					return done, nil // another process took it
				}
				return done, err
			}
		}
		var failed error
		last := cur.position
		var lastAt map[switchboard.ChatID]int // for a long batch
		if len(items) > 32 {
			lastAt = make(map[switchboard.ChatID]int, len(items))
			for i := range items {
				lastAt[items[i].chat] = i
			}
		}
		for i := range items {
			it := &items[i]
			// A consequence makes a chat agree with routing as it is now,
			// so a chat's later records in this batch need no pass of
			// their own: each chat is reconciled once, at its last record.
			if lastAt == nil && lastOf(items, i) || lastAt != nil && lastAt[it.chat] == i {
				if err := e.apply(ctx, it); err != nil {
					failed = fmt.Errorf("%s log, partition %d, position %d (%s): %w", log.name(), p, it.seq, it.describe(), err)
					break
				}
			}
			if err := e.after(ctx, it, lastQueuedOf(items, i)); err != nil {
				failed = fmt.Errorf("%s log, partition %d, position %d (%s): %w", log.name(), p, it.seq, it.describe(), err)
				break
			}
			last = it.seq
			done++
		}
		if last != cur.position {
			// Saving the position renews the lease too.
			cur.position = last
			cur.owner, cur.until = e.cfg.Process, e.cfg.Clock.Now().Add(e.cfg.Lease)
			if err := save(); err != nil {
				if log.conflict(err) {
					return done, nil
				}
				return done, err
			}
		}
		if failed != nil {
			return done, failed
		}
		items = items[:0]
	}
}

// headBufs holds the buffers the sessions' feed heads are read into.
var headBufs = sync.Pool{New: func() any { b := make([]session.FeedHead, 0, 16); return &b }}

// readBuf is what a partition is read into: its records, and the
// events of routing's log they point to.
type readBuf struct {
	items  []item
	events []routing.Event
}

// readBufs holds the buffers partitions are read into.
var readBufs = sync.Pool{New: func() any { return &readBuf{items: make([]item, 0, 16)} }}

// holds reports whether c is this process's lease with at least half its
// length to run.
func (e *Engine) holds(c *cursor) bool {
	return c.owner == e.cfg.Process && c.until.Sub(e.cfg.Clock.Now()) >= e.cfg.Lease/2
}

// lastQueuedOf reports whether no record after items[i] in items is a
// ChatQueued of its chat: an earlier ChatQueued is stale, and tells the
// customer nothing. Only ChatQueued records look ahead.
func lastQueuedOf(items []item, i int) bool {
	if ev := items[i].ev; ev == nil || ev.Type != routing.ChatQueued {
		return true
	}
	for j := i + 1; j < len(items); j++ {
		if ev := items[j].ev; items[j].chat == items[i].chat && ev != nil && ev.Type == routing.ChatQueued {
			return false
		}
	}
	return true
}

// lastOf reports whether items[i] is the last record of its chat in items.
func lastOf(items []item, i int) bool {
	for j := i + 1; j < len(items); j++ {
		if items[j].chat == items[i].chat {
			return false
		}
	}
	return true
}

// apply carries out the consequence of one record. It is idempotent: it
// makes the chat's session and routing agree as they are now, so applying
// a record twice, late, or after a later one changes nothing more.
func (e *Engine) apply(ctx context.Context, it *item) (err error) {
	if it.chat == "" {
		return nil
	}
	if it.ev != nil && e.traced {
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
// its own (timeouts, invite fallbacks, transfers). The session returned
// may be lent by the store: clone it before handing it out.
func (e *Engine) reconcile(ctx context.Context, chat switchboard.ChatID) (session.Session, error) {
	return e.reconcileOwned(ctx, chat, nil)
}

// reconcileOwned is reconcile, and sets owned (which may be nil) when the
// session returned is a copy of its own, not lent by the store; see
// reconcileOnce.
func (e *Engine) reconcileOwned(ctx context.Context, chat switchboard.ChatID, owned *bool) (session.Session, error) {
	for attempt := 0; ; attempt++ {
		s, err := e.reconcileOnce(ctx, chat, owned)
		if err == nil {
			return s, nil
		}
		var se *session.StatusError
		if !errors.As(err, &se) || attempt == 4 {
			return s, err
		}
		// The session changed under this pass (the customer left while a
		// transfer moved the chat, say): read both sides again.
	}
}
