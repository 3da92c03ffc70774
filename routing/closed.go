package routing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// ClosedPolicy decides what happens to a chat that arrives at a queue
// while its [BusinessHours] have it closed.
type ClosedPolicy uint8

const (
	// ClosedWait queues the chat, which is offered to no agent until the
	// queue opens. It is the default: no customer is turned away unless
	// the queue says so. The queue's MaxWait counts from the opening.
	ClosedWait ClosedPolicy = iota
	// ClosedRefuse refuses the chat: [Router.Enqueue] returns a
	// [*ClosedError] with the next opening time and stores nothing.
	ClosedRefuse
	// ClosedOverflow sends the chat to the queue's Overflow queue, whose
	// own hours and policy apply in turn, up to [Config.MaxOverflowHops]
	// hops; a chat that finds no open queue or waiting policy within them
	// is refused as with ClosedRefuse. It needs an Overflow queue.
	ClosedOverflow
)

var closedPolicyNames = [...]string{"wait", "refuse", "overflow"}

// String returns the policy in words, such as "refuse".
func (p ClosedPolicy) String() string {
	if int(p) < len(closedPolicyNames) {
		return closedPolicyNames[p]
	}
	return "ClosedPolicy(" + strconv.Itoa(int(p)) + ")"
}

// MarshalText returns the policy's wire text, "wait", "refuse" or
// "overflow".
func (p ClosedPolicy) MarshalText() ([]byte, error) {
	return marshalEnum(p, closedPolicyNames[:], "closed policy")
}

// UnmarshalText parses a wire text of [ClosedPolicy.MarshalText].
func (p *ClosedPolicy) UnmarshalText(text []byte) error {
	return unmarshalEnum(p, text, closedPolicyNames[:], "closed policy")
}

// ErrQueueClosed: the queue is closed by its business hours and refuses
// chats now. The error returned is a [*ClosedError] saying when it opens.
var ErrQueueClosed = switchboard.NewError(switchboard.ErrState, "queue is closed")

// ClosedError reports a chat refused because its queue is closed. It
// matches [ErrQueueClosed] and [switchboard.ErrState].
type ClosedError struct {
	// Queue is the queue that refused the chat: the one asked for, or the
	// last overflow queue tried.
	Queue switchboard.QueueID
	// Opens is when Queue next opens; zero when it does not open within a
	// year.
	Opens time.Time
}

func (e *ClosedError) Error() string {
	if e.Opens.IsZero() {
		return fmt.Sprintf("queue %s is closed", e.Queue)
	}
	return fmt.Sprintf("queue %s is closed until %s", e.Queue, e.Opens.Format(time.RFC3339))
}

// Is reports whether target is [ErrQueueClosed] or its kind.
func (e *ClosedError) Is(target error) bool { return errors.Is(ErrQueueClosed, target) }

// arrive applies the business hours of queue q, and of the queues it
// overflows to while closed, to chat c arriving in it now. It returns the
// queue c waits in (c moved there) and whether that queue is closed; c
// then waits for the opening, which is its OpensAt. A refusing queue
// makes it return a [*ClosedError].
func (w *work) arrive(c *Chat, q *Queue) (*Queue, bool, error) {
	for {
		open, next := q.Hours.openAt(w.now, false)
		if open {
			return q, false, nil
		}
		switch q.WhenClosed {
		case ClosedRefuse:
			return nil, true, &ClosedError{Queue: q.ID, Opens: next}
		case ClosedOverflow:
			if q.Overflow == "" || c.Hops >= w.r.cfg.MaxOverflowHops {
				return nil, true, &ClosedError{Queue: q.ID, Opens: next}
			}
			ov, err := w.queue(q.Overflow)
			if isNotFound(err) {
				return nil, true, &ClosedError{Queue: q.ID, Opens: next}
			}
			if err != nil {
				return nil, true, err
			}
			c.Queue, c.Channel, c.Hops = ov.ID, ov.Channel, c.Hops+1
			c.Preferred, c.PreferredUntil = "", time.Time{}
			c.QueuedAt, c.QueueDeadline = w.now, deadline(w.now, ov.MaxWait)
			c.joinQueue(ov, w.now)
			w.touchChat(c)
			w.emit(Event{Type: ChatOverflowed, Chat: c.ID, Queue: ov.ID, FromQueue: q.ID, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt})
			q = ov
		default:
			w.waitOpening(c, q, next)
			return q, true, nil
		}
	}
}

// waitOpening makes queued chat c wait for queue q to open at next: the
// opening is its deadline, and its MaxWait counts from then.
func (w *work) waitOpening(c *Chat, q *Queue, next time.Time) {
	c.OpensAt = next
	if !next.IsZero() {
		c.QueueDeadline = deadline(next, q.MaxWait)
	}
	w.touchChat(c)
}

// QueueOpen reports whether queue id is open now, on the router's clock,
// by its [BusinessHours], and when that next changes (see
// [BusinessHours.OpenAt]). A queue without hours is always open.
func (r *Router) QueueOpen(ctx context.Context, id switchboard.QueueID) (open bool, next time.Time, err error) {
	q, err := r.store.Queue(ctx, id)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("routing: queue %s open: %w", id, err)
	}
	open, next = q.Hours.OpenAt(r.cfg.Clock.Now())
	return open, next, nil
}

// Admits reports whether a chat arriving at queue id now would be taken,
// without storing anything: nil when it would be routed or wait, a
// [*ClosedError] when the business hours of the queue (and of those it
// overflows to while closed) refuse it. The answer can change with the
// clock, so [Router.Enqueue] decides again.
func (r *Router) Admits(ctx context.Context, id switchboard.QueueID) error {
	if err := r.admits(ctx, id); err != nil {
		return fmt.Errorf("routing: admits %s: %w", id, err)
	}
	return nil
}

func (r *Router) admits(ctx context.Context, id switchboard.QueueID) error {
	q, err := r.store.Queue(ctx, id)
	for hops := 0; err == nil; hops++ {
		open, next := q.Hours.openAt(r.cfg.Clock.Now(), false)
		if open {
			return nil
		}
		switch q.WhenClosed {
		case ClosedRefuse:
			return &ClosedError{Queue: q.ID, Opens: next}
		case ClosedOverflow:
			if q.Overflow == "" || hops >= r.cfg.MaxOverflowHops {
				return &ClosedError{Queue: q.ID, Opens: next}
			}
			from := q.ID
			if q, err = r.store.Queue(ctx, q.Overflow); isNotFound(err) {
				return &ClosedError{Queue: from, Opens: next}
			}
		default:
			return nil
		}
	}
	return err
}

// opened looks at queued chat c whose queue's opening time has come: once
// the queue is open the chat is routed; if its hours changed and it is
// still closed, the chat waits for the new opening.
func (w *work) opened(c *Chat) error {
	q, err := w.queue(c.Queue)
	if err != nil {
		return err
	}
	open, next := q.Hours.openAt(w.now, false)
	if open {
		c.OpensAt = time.Time{}
		w.touchChat(c)
		w.routeQueue(c.Queue)
		return nil
	}
	if !next.Equal(c.OpensAt) {
		c.OpensAt = next
		w.touchChat(c)
	}
	return nil
}

// normaliseQueueHours validates the business hours of q and its policy for
// chats arriving while it is closed.
func normaliseQueueHours(q Queue) (Queue, error) {
	h, err := normaliseHours(q.Hours)
	if err != nil {
		return q, err
	}
	q.Hours = h
	if q.WhenClosed > ClosedOverflow {
		return q, invalid("when closed", q.WhenClosed.String())
	}
	if q.WhenClosed == ClosedOverflow && q.Overflow == "" {
		return q, invalid("when closed", "overflow needs an overflow queue")
	}
	return q, nil
}
