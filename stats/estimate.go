package stats

import (
	"context"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// estimatorSlices is how many slices an Estimator's window is cut into.
const estimatorSlices = 15

// Estimator estimates how long a waiting customer will wait, from how its
// queue moved recently while chats waited in it. Over the last window it
// measures the answer rate while chats waited, μ = answers ÷ time with a
// chat waiting, and the rate at which a waiting customer abandons, θ =
// abandons ÷ customer-time spent waiting. A customer with k chats ahead
// moves up when the queue answers one or one of the j customers ahead
// abandons, so it waits
//
//	mean = Σ_{j=0}^{k} 1 ÷ (μ + j·θ)
//
// on average (with no abandonment, (k+1) ÷ μ). Its wait is the sum of
// k+1 roughly exponential steps, a gamma distribution whose median is
// about mean × (1 − 1 ÷ (3(k+1))): that median is the estimate, the value
// half the customers told it wait less than, which makes the absolute
// error smallest. Measuring μ only while chats wait
// gives the queue's service rate when customers wait, not its arrival
// rate when agents wait.
//
// It is fed routing events (by a [Consumer], or [Estimator.Observe]) and
// is safe for concurrent use. It knows what the events it was fed tell:
// fed by a Consumer, the partitions its process leases.
type Estimator struct {
	window time.Duration
	slice  time.Duration
	min    int

	mu     sync.Mutex
	queues map[switchboard.QueueID]*queueRate
	chats  map[switchboard.ChatID]switchboard.QueueID
}

// queueRate is what an Estimator keeps of one queue: the number of chats
// waiting since last, and per slice of the window the answers made and
// abandons while chats waited, the time chats waited and the
// customer-time spent waiting.
type queueRate struct {
	waiting int
	last    time.Time
	slices  [estimatorSlices + 1]rateSlice
}

type rateSlice struct {
	index    int64 // which slice of time this is
	answers  int
	abandons int
	backlog  time.Duration
	area     time.Duration // customer-time
}

// NewEstimator returns an Estimator over the last window (15 minutes when
// window ≤ 0), which gives an estimate once a queue has answered at least
// 3 chats while chats waited in the window.
func NewEstimator(window time.Duration) *Estimator {
	if window <= 0 {
		window = 15 * time.Minute
	}
	return &Estimator{window: window, slice: max(window/estimatorSlices, time.Nanosecond), min: 3,
		queues: map[switchboard.QueueID]*queueRate{}, chats: map[switchboard.ChatID]switchboard.QueueID{}}
}

// at returns the slice of q for time t, emptied if it held an older one.
func (e *Estimator) at(q *queueRate, t time.Time) *rateSlice {
	idx := t.UnixNano() / int64(e.slice)
	s := &q.slices[int(idx%int64(len(q.slices)))]
	if s.index != idx {
		*s = rateSlice{index: idx}
	}
	return s
}

// advance accounts for the time from q.last to t with q.waiting chats
// waiting, cut at slice boundaries.
func (e *Estimator) advance(q *queueRate, t time.Time) {
	if q.last.IsZero() || !t.After(q.last) {
		if q.last.IsZero() || t.After(q.last) {
			q.last = t
		}
		return
	}
	if q.waiting > 0 {
		for from := q.last; from.Before(t); {
			next := time.Unix(0, (from.UnixNano()/int64(e.slice)+1)*int64(e.slice))
			to := t
			if next.Before(t) {
				to = next
			}
			s := e.at(q, from)
			s.backlog += to.Sub(from)
			s.area += to.Sub(from) * time.Duration(q.waiting)
			from = to
		}
	}
	q.last = t
}

func (e *Estimator) queue(id switchboard.QueueID) *queueRate {
	q := e.queues[id]
	if q == nil {
		q = &queueRate{}
		e.queues[id] = q
	}
	return q
}

// leave takes chat out of the queue it waits in, at t; answered or
// abandoned say why.
func (e *Estimator) leave(chat switchboard.ChatID, t time.Time, answered, abandoned bool) {
	qid, ok := e.chats[chat]
	if !ok {
		return
	}
	delete(e.chats, chat)
	q := e.queue(qid)
	e.advance(q, t)
	s := e.at(q, t)
	if answered {
		s.answers++
	}
	if abandoned {
		s.abandons++
	}
	q.waiting--
}

// join puts chat in queue qid at t.
func (e *Estimator) join(chat switchboard.ChatID, qid switchboard.QueueID, t time.Time) {
	if cur, ok := e.chats[chat]; ok {
		if cur == qid {
			return
		}
		e.leave(chat, t, false, false)
	}
	e.chats[chat] = qid
	q := e.queue(qid)
	e.advance(q, t)
	q.waiting++
}

// Observe takes note of an event: chats joining and leaving queues,
// answered or abandoned.
func (e *Estimator) Observe(ev *routing.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev.Type {
	case routing.ChatQueued, routing.ChatOverflowed:
		e.join(ev.Chat, ev.Queue, ev.At)
	case routing.ChatAssigned:
		e.leave(ev.Chat, ev.At, true, false)
	case routing.ChatEnded:
		e.leave(ev.Chat, ev.At, false, ev.EndReason == routing.EndAbandoned)
	}
}

// EstimateWait returns the estimated wait of a customer with position
// chats ahead of it in queue, at now; false when the queue has answered
// too few chats while chats waited in the window to say, or position is
// negative.
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
	e.advance(q, now)
	lo := now.Add(-e.window).UnixNano() / int64(e.slice)
	hi := now.UnixNano() / int64(e.slice)
	var answers, abandons int
	var backlog, area time.Duration
	for _, s := range q.slices {
		if s.index > lo && s.index <= hi {
			answers += s.answers
			abandons += s.abandons
			backlog += s.backlog
			area += s.area
		}
	}
	if answers < e.min || backlog <= 0 {
		return 0, false
	}
	mu := float64(answers) / backlog.Seconds()
	theta := 0.0
	if area > 0 {
		theta = float64(abandons) / area.Seconds()
	}
	mean := 0.0
	for j := range position + 1 {
		mean += 1 / (mu + float64(j)*theta)
	}
	// The wait is a sum of k+1 roughly exponential steps, a gamma
	// distribution whose median is about (k+1−⅓)÷(k+1) of its mean.
	median := mean * (1 - 1/(3*float64(position+1)))
	return time.Duration(median * float64(time.Second)), true
}
