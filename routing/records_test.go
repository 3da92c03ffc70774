package routing_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// countingStore counts the commits that write a licence shard, and the
// writes of each shard.
type countingStore struct {
	routing.Store
	licenceWrites atomic.Int64
	mu            sync.Mutex
	shardWrites   map[int]int
}

func (s *countingStore) Commit(ctx context.Context, txn routing.Txn) error {
	err := s.Store.Commit(ctx, txn)
	if err == nil && len(txn.Licences) > 0 {
		s.licenceWrites.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.shardWrites == nil {
			s.shardWrites = map[int]int{}
		}
		for _, l := range txn.Licences {
			s.shardWrites[l.Shard]++
		}
	}
	return err
}

// writes returns the writes of each licence shard so far.
func (s *countingStore) writes() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.shardWrites)
}

func TestQueueOrderSurvivesARouterRestart(t *testing.T) {
	t.Parallel()
	// SPEC R14: FIFO within a priority. Chats enqueued at the same instant
	// through different routers over one store (or a router rebuilt after a
	// restart) keep the order they were enqueued in.
	r1, b := setup(t, routing.Queue{ID: "q"})
	enqueue(t, r1, b, "z-first", "q")
	r2, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	_, err = r2.Enqueue(b.ctx, routing.ChatRequest{ID: "m-second", Queue: "q"})
	require.NoError(t, err)
	r3, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	third, err := r3.Enqueue(b.ctx, routing.ChatRequest{ID: "a-third", Queue: "q"})
	require.NoError(t, err)
	stored, err := r1.Chat(b.ctx, "a-third")
	require.NoError(t, err)
	require.Equal(t, stored.Seq, third.Seq, "the chat Enqueue returns carries the stored sequence")

	for i, id := range []switchboard.ChatID{"z-first", "m-second", "a-third"} {
		st, err := r3.Status(b.ctx, id)
		require.NoError(t, err)
		require.Equal(t, i+1, st.Position, "position of %s", id)
	}
	login(t, r2, b, "a1", 1, "q")
	require.Equal(t, switchboard.ChatID("z-first"), onlyOffer(t, r1, b, "a1").Chat, "the first enqueued chat is offered first")
}

func TestReopenedChatQueuesBehindEarlierChats(t *testing.T) {
	t.Parallel()
	// SPEC R9, R14: a reopened chat is a new waiting chat: it queues behind
	// the chats enqueued before it, even at the same instant, though its
	// record is older than theirs.
	r, b := setup(t, routing.Queue{ID: "q"})
	enqueue(t, r, b, "old", "q")
	require.NoError(t, r.Withdraw(b.ctx, "old"))
	enqueue(t, r, b, "new", "q")
	reopened, err := r.Reopen(b.ctx, routing.ChatRequest{ID: "old", Queue: "q"})
	require.NoError(t, err)
	stored, err := r.Chat(b.ctx, "old")
	require.NoError(t, err)
	require.Equal(t, stored.Seq, reopened.Seq, "the chat Reopen returns carries the stored sequence")
	for i, id := range []switchboard.ChatID{"new", "old"} {
		st, err := r.Status(b.ctx, id)
		require.NoError(t, err)
		require.Equal(t, i+1, st.Position, "position of %s", id)
	}
}

func TestNoLicenceWritesWithoutALimit(t *testing.T) {
	t.Parallel()
	// SPEC R7: with no licence limit, no chat writes the licence record, so
	// chats do not serialise on it.
	_, b := setup(t, routing.Queue{ID: "q", WrapUp: time.Minute})
	store := &countingStore{Store: b.store}
	r, err := routing.New(store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	login(t, r, b, "a1", 2, "q")
	login(t, r, b, "a2", 2, "q")

	enqueue(t, r, b, "c1", "q")
	o := offeredTo(t, r, b, "c1", "a1", "a2")
	require.Len(t, o, 1)
	require.NoError(t, r.Reject(b.ctx, o[0], onlyOffer(t, r, b, o[0]).ID)) // re-queued and offered again
	other := offeredTo(t, r, b, "c1", "a1", "a2")
	require.Len(t, other, 1)
	_, err = r.Accept(b.ctx, other[0], onlyOffer(t, r, b, other[0]).ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, "c1"))
	require.NoError(t, r.CompleteWrapUp(b.ctx, "c1", other[0]))
	enqueue(t, r, b, "c2", "q")
	require.NoError(t, r.Abandon(b.ctx, "c2"))

	require.Zero(t, store.licenceWrites.Load(), "commits that wrote the licence")
	l, err := b.store.Licence(b.ctx, 0)
	require.NoError(t, err)
	require.Equal(t, routing.Licence{}, l)

	// With a limit the licence counts units again.
	require.NoError(t, r.SetLicenceLimit(b.ctx, 3))
	enqueue(t, r, b, "c3", "q")
	l, err = b.store.Licence(b.ctx, 0)
	require.NoError(t, err)
	require.Equal(t, 3, l.Limit)
	require.Equal(t, 1, l.InUse)
}

func TestLicenceLimitSetWhileChatsAreAssigned(t *testing.T) {
	t.Parallel()
	// SPEC R7: a limit set on a system that was not counting counts the
	// chats already holding a unit, even while assignments race it, over
	// one licence shard or several.
	for _, shards := range []int{1, 4} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			t.Parallel()
			licenceLimitSetWhileChatsAreAssigned(t, shards)
		})
	}
}

func licenceLimitSetWhileChatsAreAssigned(t *testing.T, shards int) {
	const workers, limit = 8, 3
	_, b := setup(t, routing.Queue{ID: "q"})
	// Eight workers end and start chats of one queue with no pause, and
	// each end writes the queue's state: the retry budget is raised so
	// that what is tested is the licence count, not how often a router
	// may lose that race in a row.
	r, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock, LicenceShards: shards, MaxRetries: 10_000})
	require.NoError(t, err)
	for i := range workers {
		login(t, r, b, switchboard.AgentID(fmt.Sprintf("a%d", i)), 1, "q")
	}
	var (
		wg, warm sync.WaitGroup
		limitSet atomic.Bool
		mu       sync.Mutex
		ids      []switchboard.ChatID
	)
	errs := make(chan error, workers)
	warm.Add(workers)
	for w := range workers {
		wg.Go(func() {
			var once sync.Once
			warmed := func() { once.Do(warm.Done) }
			defer warmed()
			after := 0 // rounds run once the limit was set
			for n := 0; after < 5; n++ {
				if n == 3 {
					warmed() // chats came and went with no limit
				}
				if limitSet.Load() {
					after++
				}
				id := switchboard.ChatID(fmt.Sprintf("w%d-%d", w, n))
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
				c, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: id, Queue: "q"})
				if err != nil {
					errs <- err
					return
				}
				if c.State != routing.Offered {
					if err := r.Withdraw(b.ctx, id); err != nil {
						errs <- err
						return
					}
					continue
				}
				if err := acceptOffered(b.ctx, r, id); err != nil {
					errs <- err
					return
				}
				if after < 5 { // the last chat stays assigned
					if err := r.End(b.ctx, id); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	warm.Wait()
	require.NoError(t, r.SetLicenceLimit(b.ctx, limit))
	limitSet.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	licensed := 0
	for _, id := range ids {
		c, err := r.Chat(b.ctx, id)
		if errors.Is(err, routing.ErrChatNotFound) {
			continue // a final chat the store forgot: it holds no unit
		}
		require.NoError(t, err)
		if c.Licensed {
			licensed++
		}
	}
	total, inUse, _, err := licenceSum(b.ctx, b.store)
	require.NoError(t, err)
	require.Equal(t, limit, total)
	require.Equal(t, licensed, inUse, "the licence counts the chats holding a unit")
	require.LessOrEqual(t, licensed, limit, "chats taken after the limit was set stay within it")
}

// pausingStore holds the first commit that hold matches until release is
// closed, telling held when it does.
type pausingStore struct {
	routing.Store
	hold    func(*routing.Txn) bool
	armed   atomic.Bool
	held    chan struct{}
	release chan struct{}
}

func (s *pausingStore) Commit(ctx context.Context, txn routing.Txn) error {
	if s.hold(&txn) && s.armed.CompareAndSwap(true, false) {
		close(s.held)
		<-s.release
	}
	return s.Store.Commit(ctx, txn)
}

func TestLicenceLimitInterleavings(t *testing.T) {
	t.Parallel()
	// SPEC R7: the transition that sets a limit where there was none and
	// the transitions that take or free a unit meanwhile, interleaved each
	// way: the licence always ends up counting exactly the chats holding a
	// unit.
	takesUnit := func(txn *routing.Txn) bool {
		return len(txn.Licences) == 0 && slices.ContainsFunc(txn.Chats, func(c routing.Chat) bool { return c.Licensed })
	}
	freesUnit := func(txn *routing.Txn) bool {
		return len(txn.Licences) == 0 && slices.ContainsFunc(txn.Chats, func(c routing.Chat) bool { return c.State == routing.Done })
	}
	setsLimit := func(txn *routing.Txn) bool { return len(txn.Licences) > 0 && txn.Licences[0].Total > 0 }
	cases := []struct {
		name   string
		before func(t *testing.T, r *routing.Router, b *testBundle) // run with no limit
		hold   func(*routing.Txn) bool
		held   func(r *routing.Router, b *testBundle) error // the commit that is held
		racer  func(r *routing.Router, b *testBundle) error // runs while it is held
		inUse  int
	}{
		{
			name: "AnOfferReadTheOldLicence", hold: takesUnit, inUse: 1,
			held:  func(r *routing.Router, b *testBundle) error { _, err := r.Enqueue(b.ctx, req("c1")); return err },
			racer: func(r *routing.Router, b *testBundle) error { return r.SetLicenceLimit(b.ctx, 2) },
		},
		{
			name: "TheLimitCommitsAfterAnOffer", hold: setsLimit, inUse: 1,
			held:  func(r *routing.Router, b *testBundle) error { return r.SetLicenceLimit(b.ctx, 2) },
			racer: func(r *routing.Router, b *testBundle) error { _, err := r.Enqueue(b.ctx, req("c1")); return err },
		},
		{
			name: "AnEndReadTheOldLicence", hold: freesUnit, inUse: 0,
			before: func(t *testing.T, r *routing.Router, b *testBundle) {
				enqueue(t, r, b, "c1", "q")
				_, err := r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
				require.NoError(t, err)
			},
			held:  func(r *routing.Router, b *testBundle) error { return r.End(b.ctx, "c1") },
			racer: func(r *routing.Router, b *testBundle) error { return r.SetLicenceLimit(b.ctx, 2) },
		},
		{
			name: "TheLimitCommitsAfterAnEnd", hold: setsLimit, inUse: 0,
			before: func(t *testing.T, r *routing.Router, b *testBundle) {
				enqueue(t, r, b, "c1", "q")
				_, err := r.Accept(b.ctx, "a1", onlyOffer(t, r, b, "a1").ID)
				require.NoError(t, err)
			},
			held:  func(r *routing.Router, b *testBundle) error { return r.SetLicenceLimit(b.ctx, 2) },
			racer: func(r *routing.Router, b *testBundle) error { return r.End(b.ctx, "c1") },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, b := setup(t, routing.Queue{ID: "q"})
			store := &pausingStore{Store: b.store, hold: tc.hold, held: make(chan struct{}), release: make(chan struct{})}
			r, err := routing.New(store, b.bus, routing.Config{Clock: b.clock})
			require.NoError(t, err)
			login(t, r, b, "a1", 5, "q")
			if tc.before != nil {
				tc.before(t, r, b)
			}
			store.armed.Store(true)
			done := make(chan error, 1)
			go func() { done <- tc.held(r, b) }()
			<-store.held
			require.NoError(t, tc.racer(r, b))
			close(store.release)
			require.NoError(t, <-done)

			c, err := r.Chat(b.ctx, "c1")
			require.NoError(t, err)
			require.Equal(t, tc.inUse == 1, c.Licensed)
			l, err := b.store.Licence(b.ctx, 0)
			require.NoError(t, err)
			require.Equal(t, 2, l.Limit)
			require.Equal(t, tc.inUse, l.InUse, "units counted")
		})
	}
}

func req(id switchboard.ChatID) routing.ChatRequest { return routing.ChatRequest{ID: id, Queue: "q"} }

// acceptOffered accepts the pending offer of chat id, whoever it went to.
func acceptOffered(ctx context.Context, r *routing.Router, id switchboard.ChatID) error {
	c, err := r.Chat(ctx, id)
	if err != nil {
		return err
	}
	for n := 1; n <= c.Offers; n++ {
		o, err := r.Offer(ctx, routing.OfferID(fmt.Sprintf("%s#%d", id, n)))
		if err != nil {
			return err
		}
		if o.Outcome == routing.Pending {
			_, err := r.Accept(ctx, o.Agent, o.ID)
			return err
		}
	}
	return fmt.Errorf("chat %s has no pending offer", id)
}

func TestRoundRobinLeavesTheQueueRecordAlone(t *testing.T) {
	t.Parallel()
	// SPEC R13: round-robin remembers its turn in the queue's state, not in
	// its configuration: offers never rewrite the queue record.
	r, b := setup(t, routing.Queue{ID: "q", Strategy: routing.RoundRobin})
	for _, id := range []switchboard.AgentID{"a1", "a2"} {
		login(t, r, b, id, 3, "q")
	}
	before, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	var got []switchboard.AgentID
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		enqueue(t, r, b, id, "q")
		to := offeredTo(t, r, b, id, "a1", "a2")
		require.Len(t, to, 1)
		got = append(got, to[0])
	}
	require.Equal(t, []switchboard.AgentID{"a1", "a2", "a1"}, got)
	after, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, before.Version, after.Version, "round-robin offers rewrote the queue's configuration")
}

// conflictingStore loses every commit, as a store does when other routers
// keep winning a hot record.
type conflictingStore struct{ routing.Store }

func (conflictingStore) Commit(context.Context, routing.Txn) error { return routing.ErrConflict }

// TestEnqueueThatKeepsLosingIsAConflict: an enqueue whose every attempt
// lost a race reports a conflict, a retry later; it says the chat exists
// only when it does. SPEC R7
func TestEnqueueThatKeepsLosingIsAConflict(t *testing.T) {
	t.Parallel()
	_, b := setup(t, routing.Queue{ID: "q"})
	r, err := routing.New(conflictingStore{b.store}, b.bus, routing.Config{Clock: b.clock, MaxRetries: 2})
	require.NoError(t, err)
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "c1", Queue: "q"})
	require.ErrorIs(t, err, routing.ErrConflict)
	require.NotErrorIs(t, err, routing.ErrChatExists)

	plain, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	enqueue(t, plain, b, "c2", "q")
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "c2", Queue: "q"})
	require.ErrorIs(t, err, routing.ErrChatExists)
}
