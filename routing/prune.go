package routing

import (
	"context"
	"time"
)

// Pruner is implemented by a [Store] that forgets final chats only when it
// is asked to, as a SQL store shared by several processes does (routingmem
// forgets on its own, by count). An engine with a retention set asks it on
// the same schedule as it forgets closed sessions, so a host does not have
// to run a pruning job of its own.
type Pruner interface {
	// Prune deletes up to limit chats that became final (done or ended,
	// with no wrap-up held) more than keep ago, by the store's clock, with
	// their offers; limit 0 means the store's default batch. It returns how
	// many chats it deleted. Reading a deleted chat or offer then returns
	// [ErrChatNotFound] or [ErrOfferNotFound]. Several processes may prune
	// at once.
	Prune(ctx context.Context, keep time.Duration, limit int) (int, error)
}
