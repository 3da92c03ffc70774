package routingtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// FaultStore wraps a [routing.Store] to inject faults at chosen calls, for
// tests that check a component survives a store failing at any point. It
// numbers every call that can fail (every method but Partitions) from 1, in
// the order the calls arrive, and records them ([FaultStore.Calls]).
//
// A fault test typically runs its scenario once with no fault to count the
// calls, then once per call k with [FaultStore.Fail] or
// [FaultStore.LoseOutcome] at k, checking that the outcome is still correct.
//
// A FaultStore is safe for concurrent use; with concurrent callers the
// numbering follows the order in which calls arrive. It does not implement
// [routing.AgentLoader], so a router over it reads agents with Agent.
type FaultStore struct {
	inner routing.Store

	mu     sync.Mutex
	calls  []Call
	faults map[int]fault
	from   int // calls from this one on fail with fromErr; 0 for none
	fromEr error
	random *randomFaults
}

// randomFaults are the probabilities of [FaultStore.FailRandomly].
type randomFaults struct {
	fail, lose, conflict float64
	rnd                  func() float64
}

// Call is one call a [FaultStore] received.
type Call struct {
	// N numbers the call, from 1.
	N int
	// Method is the name of the [routing.Store] method, such as "Commit".
	Method string
	// Err is what the call returned to its caller.
	Err error
}

// ErrInjected is the error of a fault set with a nil error.
var ErrInjected = errors.New("routingtest: injected fault")

type fault struct {
	err  error // injected instead of calling the store
	lose bool  // call the store, then report an unknown outcome
}

var _ routing.Store = (*FaultStore)(nil)

// NewFaultStore returns a FaultStore over s with no fault set.
func NewFaultStore(s routing.Store) *FaultStore {
	return &FaultStore{inner: s, faults: make(map[int]fault)}
}

// Unwrap returns the wrapped store, to read it with no fault and without
// counting.
func (f *FaultStore) Unwrap() routing.Store { return f.inner }

// Fail makes call k fail with an error wrapping err ([ErrInjected] if nil),
// without reaching the wrapped store: nothing is read or written. To
// simulate a commit that did not apply but whose outcome was lost, pass an
// error wrapping [routing.ErrOutcomeUnknown].
func (f *FaultStore) Fail(k int, err error) {
	if err == nil {
		err = ErrInjected
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[k] = fault{err: err}
}

// FailFrom makes call k and every later call fail with an error wrapping
// err ([ErrInjected] if nil), without reaching the wrapped store, as if the
// process had lost its database for good (or crashed) at call k.
func (f *FaultStore) FailFrom(k int, err error) {
	if err == nil {
		err = ErrInjected
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.from, f.fromEr = k, err
}

// LoseOutcome makes call k reach the wrapped store and then return an error
// wrapping [routing.ErrOutcomeUnknown], whatever the store returned: for a
// Commit or SaveCursor that succeeded, a write that applied although its
// caller cannot know it. On any other method the call fails after reading.
func (f *FaultStore) LoseOutcome(k int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[k] = fault{lose: true}
}

// FailRandomly makes every later call that has no fault set at its number
// draw one from rnd, a source of numbers in [0, 1) such as
// math/rand.Rand.Float64: with probability fail it fails with an error
// wrapping [ErrInjected] without reaching the wrapped store; with
// probability lose it reaches the store and then loses its outcome, as
// [FaultStore.LoseOutcome] does; and, for Commit and SaveCursor only, with
// probability conflict it reports an error wrapping both
// [routing.ErrConflict] and [ErrInjected] without reaching the store, as if
// another process had written first. Otherwise the call goes through.
//
// rnd is called under the FaultStore's lock, so it need not be safe for
// concurrent use. Probabilities are clamped to [0, 1]; FailRandomly with
// all three zero, or [FaultStore.Clear], stops the random faults. Faults
// set with Fail, LoseOutcome or FailFrom take precedence.
//
// Each call's error is in [FaultStore.Calls], so a test can count the
// faults injected by kind: errors wrapping ErrInjected but not ErrConflict
// failed, those wrapping [routing.ErrOutcomeUnknown] lost their outcome,
// and those wrapping both ErrConflict and ErrInjected were conflicts.
func (f *FaultStore) FailRandomly(fail, lose, conflict float64, rnd func() float64) {
	clamp := func(p float64) float64 { return min(max(p, 0), 1) }
	f.mu.Lock()
	defer f.mu.Unlock()
	f.random = nil
	if fail, lose, conflict = clamp(fail), clamp(lose), clamp(conflict); rnd != nil && fail+lose+conflict > 0 {
		f.random = &randomFaults{fail: fail, lose: lose, conflict: conflict, rnd: rnd}
	}
}

// Clear removes every fault set, random faults included; the numbering of
// calls carries on.
func (f *FaultStore) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.faults)
	f.from, f.fromEr = 0, nil
	f.random = nil
}

// Count returns how many calls the store has received.
func (f *FaultStore) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// Calls returns the calls received so far, in order.
func (f *FaultStore) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// begin numbers a call and returns the fault to inject, if any.
func (f *FaultStore) begin(method string) (int, fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.calls) + 1
	f.calls = append(f.calls, Call{N: n, Method: method})
	if f.from > 0 && n >= f.from {
		return n, fault{err: f.fromEr}
	}
	if ft, ok := f.faults[n]; ok || f.random == nil {
		return n, ft
	}
	r, p := f.random.rnd(), f.random
	switch {
	case r < p.fail:
		return n, fault{err: ErrInjected}
	case r < p.fail+p.lose:
		return n, fault{lose: true}
	case r < p.fail+p.lose+p.conflict && (method == "Commit" || method == "SaveCursor"):
		return n, fault{err: fmt.Errorf("%w (%w)", routing.ErrConflict, ErrInjected)}
	}
	return n, fault{}
}

// end records what call n returns and returns it.
func (f *FaultStore) end(n int, err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[n-1].Err = err
	return err
}

// call runs one call of method through the faults: run reaches the wrapped
// store.
func (f *FaultStore) call(method string, run func() error) error {
	n, ft := f.begin(method)
	if ft.err != nil {
		return f.end(n, fmt.Errorf("routingtest: call %d (%s) failed: %w", n, method, ft.err))
	}
	err := run()
	if ft.lose {
		return f.end(n, fmt.Errorf("routingtest: call %d (%s) lost its outcome (it returned %v): %w",
			n, method, err, routing.ErrOutcomeUnknown))
	}
	return f.end(n, err)
}

// Agent implements [routing.AgentStore].
func (f *FaultStore) Agent(ctx context.Context, id switchboard.AgentID) (a routing.Agent, err error) {
	err = f.call("Agent", func() (err error) { a, err = f.inner.Agent(ctx, id); return })
	if err != nil {
		return routing.Agent{}, err
	}
	return a, nil
}

// Candidates implements [routing.AgentStore].
func (f *FaultStore) Candidates(ctx context.Context, q routing.CandidateQuery) (ids []switchboard.AgentID, err error) {
	err = f.call("Candidates", func() (err error) { ids, err = f.inner.Candidates(ctx, q); return })
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// LoggedIn implements [routing.AgentStore].
func (f *FaultStore) LoggedIn(ctx context.Context, tenant switchboard.TenantID) (as []routing.Agent, err error) {
	err = f.call("LoggedIn", func() (err error) { as, err = f.inner.LoggedIn(ctx, tenant); return })
	if err != nil {
		return nil, err
	}
	return as, nil
}

// Chat implements [routing.ChatStore].
func (f *FaultStore) Chat(ctx context.Context, id switchboard.ChatID) (c routing.Chat, err error) {
	err = f.call("Chat", func() (err error) { c, err = f.inner.Chat(ctx, id); return })
	if err != nil {
		return routing.Chat{}, err
	}
	return c, nil
}

// Waiting implements [routing.ChatStore].
func (f *FaultStore) Waiting(ctx context.Context, q switchboard.QueueID, offset, limit int) (ids []switchboard.ChatID, err error) {
	err = f.call("Waiting", func() (err error) { ids, err = f.inner.Waiting(ctx, q, offset, limit); return })
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// Position implements [routing.ChatStore].
func (f *FaultStore) Position(ctx context.Context, id switchboard.ChatID) (n int, exact bool, err error) {
	err = f.call("Position", func() (err error) { n, exact, err = f.inner.Position(ctx, id); return })
	if err != nil {
		return 0, false, err
	}
	return n, exact, nil
}

// AgentChats implements [routing.ChatStore].
func (f *FaultStore) AgentChats(ctx context.Context, agent switchboard.AgentID) (cs []routing.Chat, err error) {
	err = f.call("AgentChats", func() (err error) { cs, err = f.inner.AgentChats(ctx, agent); return })
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// Offer implements [routing.OfferStore].
func (f *FaultStore) Offer(ctx context.Context, id routing.OfferID) (o routing.Offer, err error) {
	err = f.call("Offer", func() (err error) { o, err = f.inner.Offer(ctx, id); return })
	if err != nil {
		return routing.Offer{}, err
	}
	return o, nil
}

// PendingOffers implements [routing.OfferStore].
func (f *FaultStore) PendingOffers(ctx context.Context, filter routing.OfferFilter) (os []routing.Offer, err error) {
	err = f.call("PendingOffers", func() (err error) { os, err = f.inner.PendingOffers(ctx, filter); return })
	if err != nil {
		return nil, err
	}
	return os, nil
}

// Queue implements [routing.QueueStore].
func (f *FaultStore) Queue(ctx context.Context, id switchboard.QueueID) (q routing.Queue, err error) {
	err = f.call("Queue", func() (err error) { q, err = f.inner.Queue(ctx, id); return })
	if err != nil {
		return routing.Queue{}, err
	}
	return q, nil
}

// QueueState implements [routing.QueueStore].
func (f *FaultStore) QueueState(ctx context.Context, id switchboard.QueueID) (q routing.QueueState, err error) {
	err = f.call("QueueState", func() (err error) { q, err = f.inner.QueueState(ctx, id); return })
	if err != nil {
		return routing.QueueState{}, err
	}
	return q, nil
}

// Queues implements [routing.QueueStore].
func (f *FaultStore) Queues(ctx context.Context) (qs []routing.Queue, err error) {
	err = f.call("Queues", func() (err error) { qs, err = f.inner.Queues(ctx); return })
	if err != nil {
		return nil, err
	}
	return qs, nil
}

// Licence implements [routing.QueueStore].
func (f *FaultStore) Licence(ctx context.Context, shard int) (l routing.Licence, err error) {
	err = f.call("Licence", func() (err error) { l, err = f.inner.Licence(ctx, shard); return })
	if err != nil {
		return routing.Licence{}, err
	}
	return l, nil
}

// Due implements [routing.DeadlineStore].
func (f *FaultStore) Due(ctx context.Context, now time.Time, limit int) (ds []routing.Due, err error) {
	err = f.call("Due", func() (err error) { ds, err = f.inner.Due(ctx, now, limit); return })
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// Commit implements [routing.Committer].
func (f *FaultStore) Commit(ctx context.Context, txn routing.Txn) error {
	return f.call("Commit", func() error { return f.inner.Commit(ctx, txn) })
}

// Partitions implements [routing.EventLog]. It cannot fail and is not
// counted.
func (f *FaultStore) Partitions() int { return f.inner.Partitions() }

// Events implements [routing.EventLog].
func (f *FaultStore) Events(ctx context.Context, partition int, after uint64, limit int) (es []routing.Event, err error) {
	err = f.call("Events", func() (err error) { es, err = f.inner.Events(ctx, partition, after, limit); return })
	if err != nil {
		return nil, err
	}
	return es, nil
}

// Cursor implements [routing.EventLog].
func (f *FaultStore) Cursor(ctx context.Context, consumer string, partition int) (c routing.Cursor, err error) {
	err = f.call("Cursor", func() (err error) { c, err = f.inner.Cursor(ctx, consumer, partition); return })
	if err != nil {
		return routing.Cursor{}, err
	}
	return c, nil
}

// SaveCursor implements [routing.EventLog].
func (f *FaultStore) SaveCursor(ctx context.Context, c routing.Cursor) error {
	return f.call("SaveCursor", func() error { return f.inner.SaveCursor(ctx, c) })
}

// Applied implements [routing.TxnLog].
func (f *FaultStore) Applied(ctx context.Context, txn string) (ok bool, err error) {
	err = f.call("Applied", func() (err error) { ok, err = f.inner.Applied(ctx, txn); return })
	if err != nil {
		return false, err
	}
	return ok, nil
}
