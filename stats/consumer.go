package stats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// ConsumerName is the name under which a [Consumer] keeps its cursors in
// routing's event log.
const ConsumerName = "stats"

// Consumer folds routing's event log into a [Store], one partition state
// per partition of the log. An engine feeds it as one of its consumers
// (engine.Config.Consumers), under its own cursor and lease, so each
// partition is folded by one process at a time, and a crash loses nothing:
// events delivered again after a crash are at or before the stored
// state's Position and are ignored. It keeps the states it last saved in
// memory and saves each batch as a compare-and-set: when another process
// saved a partition since, it loads the stored state and folds the batch
// again.
type Consumer struct {
	cfg   Config
	store Store
	est   *Estimator

	mu    sync.Mutex
	parts map[int]*Aggregates
	// stored holds the partitions whose state in parts is the stored one
	// but for what its Aggregates changed since: a ChangeStore saves
	// those changes alone.
	stored map[int]bool
}

// NewConsumer returns a Consumer folding with cfg into store, and feeding
// est (if not nil) with each event it folds, or an error wrapping
// [ErrConfig].
func NewConsumer(cfg Config, store Store, est *Estimator) (*Consumer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%w: a Store is required", ErrConfig)
	}
	return &Consumer{cfg: cfg, store: store, est: est, parts: map[int]*Aggregates{}, stored: map[int]bool{}}, nil
}

// Name returns [ConsumerName].
func (c *Consumer) Name() string { return ConsumerName }

// Consume folds events of partition p, in order, and saves the partition's
// state. Events at or before the stored Position are replays and change
// nothing. An error leaves the stored state as it was; the caller gives
// the events again.
func (c *Consumer) Consume(ctx context.Context, p int, events []routing.Event) error {
	return c.fold(ctx, p, func(agg *Aggregates) func() {
		from := agg.st.Position
		for i := range events {
			agg.Apply(&events[i])
		}
		return func() {
			if c.est != nil {
				for i := range events {
					if events[i].Seq == 0 || events[i].Seq > from {
						c.est.Observe(&events[i])
					}
				}
			}
		}
	})
}

// ConsumeFeed folds entries of partition p of the sessions' feed, in
// order, for agents' first response times, into the state of partition p
// (beside what Consume folds there from routing's log), and saves it.
// Entries at or before the stored FeedPosition are replays and change
// nothing.
func (c *Consumer) ConsumeFeed(ctx context.Context, p int, entries []session.FeedEntry) error {
	return c.fold(ctx, p, func(agg *Aggregates) func() {
		for i := range entries {
			agg.ApplyEntry(&entries[i])
		}
		return nil
	})
}

// fold loads partition p's state unless it is in memory, applies apply to
// it, and saves it, loading and applying again after a conflict; the
// function apply returns, if any, runs once the save succeeded.
func (c *Consumer) fold(ctx context.Context, p int, apply func(*Aggregates) func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for attempt := 0; ; attempt++ {
		agg := c.parts[p]
		if agg == nil {
			st, err := c.store.Load(ctx, p)
			if err != nil {
				return fmt.Errorf("stats: consume partition %d: %w", p, err)
			}
			if agg, err = New(c.cfg, st); err != nil {
				return err
			}
			agg.track = true
		}
		after := apply(agg)
		agg.Prune()
		var err error
		if cs, ok := c.store.(ChangeStore); ok && c.stored[p] {
			// The store holds the state this one was folded from since
			// its last save: what changed is all there is to write.
			err = cs.SaveChanges(ctx, &agg.st, &agg.changed)
		} else {
			err = c.store.Save(ctx, &agg.st)
		}
		if err == nil {
			agg.saved()
			c.parts[p], c.stored[p] = agg, true
			if after != nil {
				after()
			}
			return nil
		}
		delete(c.parts, p) // the state in memory holds what was not saved
		delete(c.stored, p)
		if !errors.Is(err, ErrConflict) || attempt == 2 {
			return fmt.Errorf("stats: consume partition %d: %w", p, err)
		}
	}
}

// LoadAll loads the state of partitions 0 to n-1 of store: n is the
// number of partitions of routing's event log
// ([routing.EventLog.Partitions]), or of the sessions' feed
// ([session.FeedStore.Partitions]) when a Consumer folds it too and it has
// more.
func LoadAll(ctx context.Context, store Store, n int) ([]*State, error) {
	out := make([]*State, 0, n)
	for p := range n {
		st, err := store.Load(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("stats: load partition %d: %w", p, err)
		}
		out = append(out, &st)
	}
	return out, nil
}

// LoadBoard loads every partition's state from store and returns the
// real-time [Snapshot] at now.
func LoadBoard(ctx context.Context, store Store, partitions int, now time.Time) (*Board, error) {
	states, err := LoadAll(ctx, store, partitions)
	if err != nil {
		return nil, err
	}
	return Snapshot(now, states...), nil
}
