package routingmem

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/switchboard-cc/switchboard/routing"
)

// partition is one partition of the event log.
type partition struct {
	// seq is the last Seq assigned: written under the store's mu, read
	// without it by EventTips.
	seq atomic.Uint64
	// events[head:] are the events no cursor of the partition has passed,
	// in Seq order. Their Seqs are consecutive.
	events []routing.Event
	head   int
	// cursors holds the position of each consumer with a stored cursor.
	cursors map[string]uint64
}

type cursorKey struct {
	consumer  string
	partition int
}

// appliedTxn is a committed transaction ID, with its commit time when the
// store has a clock.
type appliedTxn struct {
	id string
	at time.Time
}

// minLog is the least capacity of a partition's array of events.
const minLog = 64

// logEvents appends the events of a committed transaction to the log. It
// runs under s.mu after the writes are checked. A partition with no cursor
// keeps nothing, but its Seq still advances.
func (s *Store) logEvents(txn *routing.Txn) {
	n := len(s.parts)
	for i := range txn.Events {
		p := &s.parts[routing.PartitionOf(&txn.Events[i], n)]
		p.seq.Add(1)
		if len(p.cursors) == 0 {
			continue
		}
		if len(p.events) == cap(p.events) {
			// About to grow. Move the live events down instead when that
			// frees half the array, so it is bounded by what the cursors
			// keep (no event is lent, so the array is the store's alone);
			// otherwise they move to a new array with room to spare.
			live := p.events[p.head:]
			if p.head > 0 && p.head >= len(p.events)/2 {
				k := copy(p.events, live)
				clear(p.events[k:])
				p.events = p.events[:k]
			} else {
				p.events = append(make([]routing.Event, 0, max(2*len(live), minLog)), live...)
			}
			p.head = 0
		}
		e := txn.Events[i]
		e.Seq, e.Txn = p.seq.Load(), txn.ID
		p.events = append(p.events, ownEvent(e))
	}
}

// recordTxn remembers a committed transaction ID for Applied and forgets the
// ones past retention. It runs under s.mu. With no clock the IDs are a ring
// of KeepTxns entries; with one, a queue trimmed by commit time.
func (s *Store) recordTxn(id string) {
	if id == "" {
		return
	}
	if s.cfg.Clock == nil {
		if len(s.txnRing) < s.cfg.KeepTxns {
			s.txnRing = append(s.txnRing, id)
		} else {
			s.txnRing[s.txnNext] = id
			s.txnNext = (s.txnNext + 1) % len(s.txnRing)
		}
		return
	}
	now := s.cfg.Clock.Now()
	s.txns = append(s.txns, appliedTxn{id: id, at: now})
	drop := s.txnHead
	for drop < len(s.txns) && now.Sub(s.txns[drop].at) > routing.TxnRetention {
		drop++
	}
	clear(s.txns[s.txnHead:drop])
	s.txnHead = drop
	if s.txnHead >= len(s.txns)/2 && s.txnHead >= 64 {
		k := copy(s.txns, s.txns[s.txnHead:])
		clear(s.txns[k:])
		s.txns, s.txnHead = s.txns[:k], 0
	}
}

// Applied implements [routing.TxnLog]. It scans the remembered IDs: it
// serves only the rare commit whose outcome was lost.
func (s *Store) Applied(ctx context.Context, txn string) (bool, error) {
	if err := ctxErr(ctx); err != nil {
		return false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if txn == "" {
		return false, nil
	}
	for i := s.txnHead; i < len(s.txns); i++ {
		if s.txns[i].id == txn {
			return true, nil
		}
	}
	for _, id := range s.txnRing {
		if id == txn {
			return true, nil
		}
	}
	return false, nil
}

// Partitions implements [routing.EventLog].
func (s *Store) Partitions() int { return len(s.parts) }

// EventTips implements [routing.EventTipStore], without a lock.
func (s *Store) EventTips(ctx context.Context, tips []uint64) ([]uint64, error) {
	if err := ctxErr(ctx); err != nil {
		return tips, err
	}
	for i := range s.parts {
		tips = append(tips, s.parts[i].seq.Load())
	}
	return tips, nil
}

func (s *Store) checkPartition(p int) error {
	if p < 0 || p >= len(s.parts) {
		return fmt.Errorf("routingmem: partition %d of %d: %w", p, len(s.parts), routing.ErrInvalid)
	}
	return nil
}

// Events implements [routing.EventLog].
func (s *Store) Events(ctx context.Context, partition int, after uint64, limit int) ([]routing.Event, error) {
	if err := s.checkLogRead(ctx, partition, limit); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	live := s.live(partition, after, limit)
	if len(live) == 0 {
		return nil, nil
	}
	out := slices.Clone(live)
	for i := range out {
		out[i] = ownEvent(out[i])
	}
	return out, nil
}

// AppendEvents implements [routing.EventAppender]: the appended events
// share their Queues and Capacity with the log, which never modifies them.
func (s *Store) AppendEvents(ctx context.Context, partition int, after uint64, limit int, buf []routing.Event) ([]routing.Event, error) {
	if err := s.checkLogRead(ctx, partition, limit); err != nil {
		return buf, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append(buf, s.live(partition, after, limit)...), nil
}

func (s *Store) checkLogRead(ctx context.Context, partition, limit int) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if limit < 0 {
		return fmt.Errorf("routingmem: events: negative limit %d: %w", limit, routing.ErrInvalid)
	}
	return s.checkPartition(partition)
}

// live returns the logged events of partition after Seq after, up to
// limit (0: all). It runs under s.mu.
func (s *Store) live(partition int, after uint64, limit int) []routing.Event {
	live := s.parts[partition].events[s.parts[partition].head:]
	i, _ := slices.BinarySearchFunc(live, after+1, func(e routing.Event, seq uint64) int {
		return cmpSeq(e.Seq, seq)
	})
	live = live[i:]
	if limit > 0 && len(live) > limit {
		live = live[:limit]
	}
	return live
}

// ownEvent returns e with its own copies of the slices a login carries, so
// the log and its readers share nothing.
func ownEvent(e routing.Event) routing.Event {
	if e.Queues != nil {
		e.Queues = slices.Clone(e.Queues)
	}
	if e.Capacity != nil {
		e.Capacity = slices.Clone(e.Capacity)
	}
	return e
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Cursor implements [routing.EventLog].
func (s *Store) Cursor(ctx context.Context, consumer string, partition int) (routing.Cursor, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.Cursor{}, err
	}
	if consumer == "" {
		return routing.Cursor{}, fmt.Errorf("routingmem: cursor: empty consumer: %w", routing.ErrInvalid)
	}
	if err := s.checkPartition(partition); err != nil {
		return routing.Cursor{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if c, ok := s.cursors[cursorKey{consumer, partition}]; ok {
		return c, nil
	}
	return routing.Cursor{Consumer: consumer, Partition: partition}, nil
}

// SaveCursor implements [routing.EventLog]. Saving a cursor drops the events
// every cursor of the partition has now passed.
func (s *Store) SaveCursor(ctx context.Context, c routing.Cursor) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if c.Consumer == "" {
		return fmt.Errorf("routingmem: save cursor: empty consumer: %w", routing.ErrInvalid)
	}
	if err := s.checkPartition(c.Partition); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := cursorKey{c.Consumer, c.Partition}
	cur, ok := s.cursors[key]
	switch {
	case c.Version == 0 && ok:
		return conflict("cursor exists", c.Consumer)
	case c.Version != 0 && !ok:
		return conflict("cursor missing", c.Consumer)
	case ok && cur.Version != c.Version:
		return conflict("cursor", c.Consumer)
	case ok && c.Position < cur.Position:
		return fmt.Errorf("routingmem: cursor %s/%d moves back from %d to %d: %w",
			c.Consumer, c.Partition, cur.Position, c.Position, routing.ErrInvalid)
	}
	p := &s.parts[c.Partition]
	if c.Position > p.seq.Load() {
		return fmt.Errorf("routingmem: cursor %s/%d at %d is past the last event %d: %w",
			c.Consumer, c.Partition, c.Position, p.seq.Load(), routing.ErrInvalid)
	}
	c.Version++
	s.cursors[key] = c
	if p.cursors == nil {
		p.cursors = make(map[string]uint64)
	}
	p.cursors[c.Consumer] = c.Position
	p.trim()
	return nil
}

// trim drops the events every cursor of the partition has passed.
func (p *partition) trim() {
	low := uint64(0)
	first := true
	for _, pos := range p.cursors {
		if first || pos < low {
			low, first = pos, false
		}
	}
	live := p.events[p.head:]
	if len(live) == 0 {
		return
	}
	k := 0
	if base := live[0].Seq; low >= base {
		k = min(int(low-base)+1, len(live))
	}
	clear(p.events[p.head : p.head+k])
	p.head += k
	if p.head == len(p.events) {
		p.events, p.head = p.events[:0], 0
	}
}
