// Package sessiontest holds conformance suites for hosts implementing the
// session package's ports. Run them from your own tests:
//
//	func TestStore(t *testing.T) {
//		sessiontest.RunStoreTests(t, func(t *testing.T) session.Store {
//			return newStoreOnAFreshSchema(t)
//		})
//	}
//
// [RunStoreTests] checks the [session.Store] contract: sentinel errors,
// compare-and-set on the session version, fenced appends, gapless
// sequence numbers under concurrent appends, atomic state-and-log
// updates, entry IDs stored once per session ([session.ErrDuplicate],
// EntryByID), write IDs kept, copying across the boundary and context
// cancellation. When the store also implements [session.FeedStore] it
// checks the feed (every entry, per partition, in commit order even for
// a reader paging while others write; cursor compare-and-set), and when
// it implements [session.RetentionStore], listing closed sessions by
// close time and forgetting them whole. [RunFragmentStoreTests] checks the
// [session.FragmentStore] contract: keyed by chat and message, read by
// sender, deletes that claim a fragment once, due by deadline. Set SESSIONTEST_STRESS to a
// number to multiply the concurrent cases' work; -short reduces it.
//
// # Implementing a Store over SQL
//
// One table holds session state (id, version, txn, state) and one the log
// (chat_id, seq, version, entry_id, entry) with primary key (chat_id, seq)
// and a unique index on (chat_id, entry_id) for non-empty IDs. Every
// write is one transaction that first locks the session row:
//
//   - CreateSession inserts the row with version 1 and the entries with
//     seq 1, 2, ... and version 1; a duplicate key is ErrExists.
//   - UpdateSession runs SELECT version ... FOR UPDATE; if the version is
//     not the one given, it rolls back with ErrConflict. Otherwise it
//     writes the state with version+1 and inserts the entries with the
//     given (old) version and seq = max(seq)+1, +2, ...
//   - AppendEntries locks the row the same way and fails with ErrConflict
//     on a version mismatch; it inserts like UpdateSession but leaves the
//     state alone.
//
// Because every writer holds the session row lock while it reads
// max(seq) and inserts, sequence numbers have no gaps and no duplicates
// across processes; the primary key is a second line of defence. Return
// the session package's sentinels (or wrap them with %w), a unique
// violation on the entry ID as ErrDuplicate and a commit whose result was
// lost as ErrOutcomeUnknown, honour ctx, and never hand out references to
// stored data. docs/implementing-session-store.md in the module's
// repository covers every method, the feed's commit-ordered positions and
// the retention query. Closing is not part of the
// interface: the host owns its database handle.
//
// The package is meant to be imported only from tests. Its exported API
// follows the module's semantic versioning; new checks may be added in
// minor releases. There is no transport suite: what a delivery does
// happens outside the library, and the Manager's tests cover how it uses
// a Transport.
package sessiontest
