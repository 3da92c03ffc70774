package session

import (
	"context"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// FeedStore is the durable event stream of every session: the session
// logs themselves, read across sessions in commit order. Statistics and
// live-transport consumers read it instead of being told by the Manager,
// so nothing a session records can be lost between the write and the
// telling: an entry is in the feed because, and as soon as, its write
// committed. Every change statistics count is an entry: messages (with
// the sender's role in Entry.FromRole), joins, leaves, ends and closes.
//
// The feed is split into Partitions() partitions; a session's entries all
// go to partition PartitionOf(chat, Partitions()), so one consumer per
// partition sees each session's entries in log order. A store that
// implements FeedStore (as well as [Store]) gives each appended entry the
// next feed position of its partition in the same write that appends it.
//
// Concurrency, copying and cancellation are as for [StateStore].
// [github.com/switchboard-cc/switchboard/session/sessiontest.RunStoreTests]
// checks a store that implements it.
type FeedStore interface {
	// Partitions returns the number of partitions, at least 1. It never
	// changes for a store's data.
	Partitions() int

	// Feed returns up to limit entries of partition with a feed position
	// greater than after, in position order; limit <= 0 means no limit.
	// Positions are strictly increasing within a partition in the order
	// the writes committed: once Feed has returned position n, no entry
	// with a position at or below n appears later, so a consumer that
	// remembers the last position it handled misses nothing. Entries of a
	// forgotten session ([RetentionStore.Forget]) are no longer returned,
	// and a store may drop positions that every saved cursor of the
	// partition has passed: a consumer that starts late starts at the
	// oldest position kept. It returns ErrInvalid for a partition out of
	// range.
	Feed(ctx context.Context, partition int, after uint64, limit int) ([]FeedEntry, error)

	// Cursor returns consumer's saved cursor for partition, or a cursor
	// with Version 0 and Position 0 if none is saved. It returns
	// ErrInvalid for an empty consumer or a partition out of range.
	Cursor(ctx context.Context, consumer string, partition int) (Cursor, error)

	// SaveCursor stores c if the stored cursor's Version equals c.Version
	// (compare-and-set; Version 0 means none is stored yet), storing it as
	// c.Version+1. It returns ErrConflict if the version differs, and
	// ErrInvalid for an empty consumer, a partition out of range, a
	// Position behind the stored one (a cursor never moves back) or past
	// the partition's last position; then it changes nothing. Saving a
	// cursor removes nothing from any session log.
	SaveCursor(ctx context.Context, c Cursor) error
}

// FeedEntry is one log entry as the feed returns it.
type FeedEntry struct {
	// Seq is the entry's feed position: strictly increasing within the
	// partition in commit order. It is not the entry's Seq in its
	// session's log, which Entry.Seq holds.
	Seq uint64
	// Chat is the session the entry belongs to.
	Chat switchboard.ChatID
	// Entry is the entry as stored (amended text included).
	Entry Entry
}

// FeedHead is what a consumer that only dispatches needs of a feed entry.
type FeedHead struct {
	// Seq is the entry's feed position, as in [FeedEntry].
	Seq uint64
	// Chat is the session the entry belongs to.
	Chat switchboard.ChatID
	// Type is the entry's type.
	Type EntryType
}

// FeedHeadStore is implemented by a [FeedStore] that can read the feed's
// positions, sessions and entry types without the entries: a SQL store
// selects three columns rather than the entry. The engine uses it, when
// the store implements it, to find the entries it acts on.
type FeedHeadStore interface {
	// FeedHeads appends to buf the heads of the entries that Feed with
	// the same arguments returns, in the same order, and returns buf.
	FeedHeads(ctx context.Context, partition int, after uint64, limit int, buf []FeedHead) ([]FeedHead, error)
}

// FeedTipStore is implemented by a [FeedStore] that can tell, in one
// call, the last position each partition has given. The engine asks it
// once per pass and reads only the partitions with something after its
// cursors, so a pass over a quiet feed reads nothing: an in-memory store
// answers from counters, a SQL store with one query over its partition
// counters, where reading every partition would cost a query each.
type FeedTipStore interface {
	// FeedTips appends to tips the last position given in each partition,
	// in partition order (0 for one that has given none), and returns it:
	// Feed of partition p after tips[p] returns nothing written before
	// FeedTips was called.
	FeedTips(ctx context.Context, tips []uint64) ([]uint64, error)
}

// Cursor is a consumer's position in one partition of the feed, with a
// lease so that one process at a time consumes the partition.
type Cursor struct {
	// Consumer names the consumer, such as "statistics".
	Consumer string
	// Partition is the partition.
	Partition int
	// Position is the feed position of the last entry handled; 0 before
	// the first.
	Position uint64
	// Owner names the process holding the lease; empty for none.
	Owner string
	// LeaseUntil is when Owner's lease ends: another process may take the
	// partition over after it, by saving the cursor with itself as Owner.
	LeaseUntil time.Time
	// Version is the stored version, 0 while none is stored; SaveCursor
	// compares and bumps it.
	Version uint64
}

// PartitionOf returns the feed partition of chat among n: the 32-bit
// FNV-1a hash of the ID modulo n. It returns 0 when n < 1.
func PartitionOf(chat switchboard.ChatID, n int) int {
	if n < 1 {
		return 0
	}
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	for i := 0; i < len(chat); i++ {
		h ^= uint32(chat[i])
		h *= prime
	}
	return int(uint64(h) % uint64(n))
}
