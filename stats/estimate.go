package stats

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Estimator estimates how long a waiting customer will wait, from the
// rate at which the queue answered chats recently: a customer with
// position chats ahead waits for position+1 answers, so
//
//	estimate = (position + 1) × window ÷ answers in the window
//
// where the window is the last Window (or the time since the first answer
// observed, when shorter). It is fed routing events (by a [Consumer], or
// [Estimator.Observe]) and is safe for concurrent use.
type Estimator struct {
	window time.Duration
	min    int

	mu     sync.Mutex
	queues map[switchboard.QueueID]*answers
}

// answers are the times of a queue's recent answers, oldest first, and
// when the first one was observed.
type answers struct {
	at    []time.Time
	first time.Time
}

// NewEstimator returns an Estimator over the answers of the last window
// (15 minutes when window ≤ 0), which gives an estimate once a queue has
// at least 3 answers in the window.
func NewEstimator(window time.Duration) *Estimator {
	if window <= 0 {
		window = 15 * time.Minute
	}
	return &Estimator{window: window, min: 3, queues: map[switchboard.QueueID]*answers{}}
}

// Observe takes note of an event: a ChatAssigned is an answer of its
// queue.
func (e *Estimator) Observe(ev *routing.Event) {
	if ev.Type != routing.ChatAssigned || ev.Queue == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.queues[ev.Queue]
	if q == nil {
		q = &answers{first: ev.At}
		e.queues[ev.Queue] = q
	}
	q.at = append(q.at, ev.At)
	e.trim(q, ev.At)
}

// trim drops the answers older than the window before now.
func (e *Estimator) trim(q *answers, now time.Time) {
	cut := now.Add(-e.window)
	i := 0
	for i < len(q.at) && !q.at[i].After(cut) {
		i++
	}
	if i > 0 {
		q.at = q.at[:copy(q.at, q.at[i:])]
	}
}

// EstimateWait returns the estimated wait of a customer with position
// chats ahead of it in queue, at now; false when the queue has answered
// too few chats in the window to say, or position is negative.
func (e *Estimator) EstimateWait(ctx context.Context, queue switchboard.QueueID, position int, now time.Time) (time.Duration, bool) {
	if position < 0 || ctx.Err() != nil {
		return 0, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	q := e.queues[queue]
	if q == nil {
		return 0, false
	}
	e.trim(q, now)
	if len(q.at) < e.min {
		return 0, false
	}
	span := min(e.window, now.Sub(q.first))
	if span <= 0 {
		return 0, false
	}
	per := span / time.Duration(len(q.at))
	return per * time.Duration(position+1), true
}
