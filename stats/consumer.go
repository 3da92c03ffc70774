package stats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard/routing"
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
	return &Consumer{cfg: cfg, store: store, est: est, parts: map[int]*Aggregates{}}, nil
}

// Name returns [ConsumerName].
func (c *Consumer) Name() string { return ConsumerName }

// Consume folds events of partition p, in order, and saves the partition's
// state. Events at or before the stored Position are replays and change
// nothing. An error leaves the stored state as it was; the caller gives
// the events again.
func (c *Consumer) Consume(ctx context.Context, p int, events []routing.Event) error {
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
		}
		from := agg.st.Position
		for i := range events {
			agg.Apply(&events[i])
		}
		err := c.store.Save(ctx, &agg.st)
		if err == nil {
			c.parts[p] = agg
			if c.est != nil {
				for i := range events {
					if events[i].Seq == 0 || events[i].Seq > from {
						c.est.Observe(&events[i])
					}
				}
			}
			return nil
		}
		delete(c.parts, p) // the state in memory holds what was not saved
		if !errors.Is(err, ErrConflict) || attempt == 2 {
			return fmt.Errorf("stats: consume partition %d: %w", p, err)
		}
	}
}

// LoadAll loads the state of partitions 0 to n-1 of store (n is the
// event log's [routing.EventLog.Partitions]).
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
