package routing

import "context"

// EventAppender is an optional interface of an [EventLog] that reads
// events into a buffer of the caller's. A reader that reads the log over
// and over (the engine's own consumer does, on every pass) reuses one
// buffer, so a read allocates nothing, and the store, which lends nothing,
// may reuse its own memory as the log turns over. A store without it is
// read through [EventLog.Events].
type EventAppender interface {
	// AppendEvents appends to buf what [EventLog.Events] returns for the
	// same arguments, with the same errors, and returns it. The slices
	// the appended events hold (Queues, Capacity) may be shared with the
	// store: the caller must not modify them, and the store never does
	// once an event is logged.
	AppendEvents(ctx context.Context, partition int, after uint64, limit int, buf []Event) ([]Event, error)
}

// EventTipStore is an optional interface of an [EventLog] that can tell,
// in one call, the last Seq each partition has assigned. The engine asks
// it once per pass and reads only the partitions with something after its
// cursors, so a pass over a quiet log reads nothing: an in-memory store
// answers from counters, a SQL store with one query over its partition
// counters, where reading every partition would cost a query each.
type EventTipStore interface {
	// EventTips appends to tips the last Seq assigned in each partition,
	// in partition order (0 for one that has assigned none), and returns
	// it: Events of partition p after tips[p] returns nothing committed
	// before EventTips was called.
	EventTips(ctx context.Context, tips []uint64) ([]uint64, error)
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
