package routingmem

import (
	"context"
	"fmt"
	"sync"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Bus is an in-memory [routing.Transport] that fans events out to
// subscriptions. It never drops an event and never blocks a publisher: each
// subscription queues what it has not read yet. The zero value is not
// usable; call [NewBus]. A Bus is safe for concurrent use.
type Bus struct {
	mu   sync.Mutex
	subs []*Subscription
}

var _ routing.Transport = (*Bus)(nil)

// NewBus returns a Bus with no subscriptions.
func NewBus() *Bus { return &Bus{} }

// Publish implements [routing.Transport]. It appends the events to every open
// subscription whose filter matches them.
func (b *Bus) Publish(ctx context.Context, events ...routing.Event) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	b.mu.Lock()
	subs := b.subs
	b.mu.Unlock()
	for _, s := range subs {
		s.push(events)
	}
	return nil
}

// Subscribe returns a subscription to the events for which match returns
// true; a nil match subscribes to every event.
func (b *Bus) Subscribe(match func(routing.Event) bool) *Subscription {
	s := &Subscription{bus: b, match: match, ready: make(chan struct{}, 1)}
	b.mu.Lock()
	b.subs = append(b.subs[:len(b.subs):len(b.subs)], s)
	b.mu.Unlock()
	return s
}

// ForAgent returns a filter for [Bus.Subscribe] that matches the events
// addressed to agent: what its desktop shows.
func ForAgent(agent switchboard.AgentID) func(routing.Event) bool {
	return func(e routing.Event) bool { return e.Agent == agent }
}

// Subscription receives events from a [Bus]. It is safe for concurrent use.
type Subscription struct {
	bus    *Bus
	match  func(routing.Event) bool
	mu     sync.Mutex
	queue  []routing.Event
	closed bool
	ready  chan struct{}
}

func (s *Subscription) push(events []routing.Event) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	n := len(s.queue)
	for _, e := range events {
		if s.match == nil || s.match(e) {
			s.queue = append(s.queue, e)
		}
	}
	added := len(s.queue) > n
	s.mu.Unlock()
	if added {
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}

// Next returns the oldest unread event, waiting for one until ctx is done.
// It returns an error wrapping ctx.Err(), or [ErrClosed] after Close.
func (s *Subscription) Next(ctx context.Context) (routing.Event, error) {
	for {
		s.mu.Lock()
		if len(s.queue) > 0 {
			e := s.queue[0]
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return e, nil
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return routing.Event{}, ErrClosed
		}
		select {
		case <-ctx.Done():
			return routing.Event{}, fmt.Errorf("routingmem: next event: %w", ctx.Err())
		case <-s.ready:
		}
	}
}

// Drain returns every unread event without waiting, oldest first.
func (s *Subscription) Drain() []routing.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.queue
	s.queue = nil
	return out
}

// Close ends the subscription: it gets no more events, and Next returns
// [ErrClosed] once the queued ones are read. Close is idempotent.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
	b := s.bus
	b.mu.Lock()
	subs := make([]*Subscription, 0, len(b.subs))
	for _, o := range b.subs {
		if o != s {
			subs = append(subs, o)
		}
	}
	b.subs = subs
	b.mu.Unlock()
}
