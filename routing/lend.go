package routing

import "context"

// EventLender is an optional interface of an [EventLog] that never modifies
// an event once it is logged. Readers that only look at events (the
// engine's own consumer, which takes each event's chat and type) use it
// when present, and so copy nothing; a store that cannot promise this does
// not implement it, and readers use [EventLog.Events].
type EventLender interface {
	// LendEvents returns what [EventLog.Events] returns for the same
	// arguments, with the same errors, but shared with the store: the
	// caller must not modify the events or the slices they hold. The
	// store never changes them afterwards, so they stay valid however long
	// the caller keeps them.
	LendEvents(ctx context.Context, partition int, after uint64, limit int) ([]Event, error)
}

// EventTipStore is an optional interface of an [EventLog] that knows,
// without reading the log, the last Seq it has assigned in a partition.
// The engine asks it before it reads a partition, so that a pass over a
// quiet log reads nothing: an in-memory store answers from a counter. A
// SQL store need not implement it: asking would cost a query, as the read
// does.
type EventTipStore interface {
	// EventTip returns the last Seq assigned in partition, 0 if none:
	// Events with after set to it returns nothing committed before
	// EventTip was called. A partition out of range returns an error
	// wrapping [ErrInvalid].
	EventTip(ctx context.Context, partition int) (uint64, error)
}

// QueueLender is an optional interface of a [QueueStore] that never
// modifies a stored queue. The router uses it when present to read every
// queue without copying them.
type QueueLender interface {
	// LendQueues returns what [QueueStore.Queues] returns, every queue
	// ordered by ID, but shared with the store: the caller must not modify
	// the slice, the queues or the slices they hold. The store never
	// changes them afterwards.
	LendQueues(ctx context.Context) ([]Queue, error)
}
