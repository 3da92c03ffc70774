// Package statsmem is the in-memory [stats.Store]: the default for tests
// and single-process hosts that need no figures after a restart.
package statsmem

import (
	"context"
	"fmt"
	"sync"

	"github.com/switchboard-cc/switchboard/stats"
)

// Store keeps partition states in memory. The zero Store is not usable:
// call New. It is a [stats.ChangeStore]: a consumer's save copies what its
// batch changed, not the whole state.
type Store struct {
	mu    sync.Mutex
	parts map[int]stats.State
}

// New returns an empty Store.
func New() *Store { return &Store{parts: map[int]stats.State{}} }

// Load implements [stats.Store.Load].
func (s *Store) Load(ctx context.Context, p int) (stats.State, error) {
	if err := ctx.Err(); err != nil {
		return stats.State{}, fmt.Errorf("statsmem: load: %w", err)
	}
	if p < 0 {
		return stats.State{}, fmt.Errorf("statsmem: load partition %d: %w", p, stats.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.parts[p]
	if !ok {
		return stats.State{Partition: p}, nil
	}
	return st.Clone(), nil
}

// Save implements [stats.Store.Save].
func (s *Store) Save(ctx context.Context, st *stats.State) error {
	return s.save(ctx, st, func(stats.State) stats.State { return st.Clone() })
}

// SaveChanges implements [stats.ChangeStore]: it copies what ch names
// into the stored state, in the time that takes rather than the time a
// copy of the whole state would.
func (s *Store) SaveChanges(ctx context.Context, st *stats.State, ch *stats.Changes) error {
	return s.save(ctx, st, func(cur stats.State) stats.State {
		// The stored maps are the store's own: Load hands out copies.
		cur.CopyChanges(st, ch)
		return cur
	})
}

// save stores, as a compare-and-set on st's Version, what next makes of
// the stored state (an empty one at version 0), at the version after
// st's, and sets st's Version to it.
func (s *Store) save(ctx context.Context, st *stats.State, next func(cur stats.State) stats.State) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("statsmem: save: %w", err)
	}
	if st.Partition < 0 {
		return fmt.Errorf("statsmem: save partition %d: %w", st.Partition, stats.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.parts[st.Partition]
	if (!ok && st.Version != 0) || (ok && cur.Version != st.Version) {
		return fmt.Errorf("statsmem: save partition %d at version %d: %w", st.Partition, st.Version, stats.ErrConflict)
	}
	if !ok {
		cur = stats.State{Partition: st.Partition}
	}
	c := next(cur)
	c.Version = st.Version + 1
	s.parts[st.Partition] = c
	st.Version = c.Version
	return nil
}

var _ stats.ChangeStore = (*Store)(nil)
