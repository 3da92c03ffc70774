package routing

import "context"

// Transport carries the router's events live to agent desktops. The host
// implements it over its websocket or message bus layer; routingmem.Bus is
// the in-memory default.
//
// It is best effort: an event published after a commit is lost if the
// process crashes first, or if Publish fails. Components that must act on
// every event read the store's [EventLog] instead, which holds each event
// from the commit that caused it.
//
// Publish is called after the transition has been committed, never while the
// router holds a lock, with the events of one transition in order. It must be
// safe for concurrent use, and must not keep the events slice after it
// returns (the router reuses it): copy the events it needs. A Publish error does not undo the transition: the
// router logs it and carries on, since the state in the [Store] is the truth
// and desktops can re-read it (for example with [Router.Offers]).
type Transport interface {
	Publish(ctx context.Context, events ...Event) error
}

// TransportFunc adapts a function to the [Transport] interface.
type TransportFunc func(ctx context.Context, events ...Event) error

// Publish calls f.
func (f TransportFunc) Publish(ctx context.Context, events ...Event) error { return f(ctx, events...) }
