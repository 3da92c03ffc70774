package session

import (
	"context"

	"github.com/switchboard-cc/switchboard"
)

// Store is what the Manager needs from the host's storage: versioned
// session state and the session log. Both halves must live in one place
// (one SQL database) because updates append entries atomically with the
// state change and appends are fenced on the state version.
//
// [github.com/switchboard-cc/switchboard/session/sessionmem.Store] is the
// in-memory implementation; [github.com/switchboard-cc/switchboard/session/sessiontest.RunStoreTests]
// checks any implementation against this contract.
type Store interface {
	StateStore
	LogStore
}

// StateStore keeps versioned session state. All methods must be safe for
// concurrent use by several goroutines and several processes sharing one
// database. Values are copied across the boundary: the store keeps no
// reference to what it is given and callers may modify what it returns.
// Every method returns ctx.Err() (possibly wrapped) if ctx is done before
// it takes effect, and then changes nothing.
//
// A write (CreateSession, UpdateSession, AppendEntries) whose outcome the
// store cannot know, because the database connection failed after the
// write was sent, returns an error wrapping ErrOutcomeUnknown; any other
// error from a write means it changed nothing. Entries with a non-empty ID
// are stored at most once per session: a write whose entries carry an ID
// already in that session's log (or the same ID twice) stores nothing and
// returns ErrDuplicate. The Manager finds what was stored with
// [LogStore.EntryByID]; a SQL store gets this from a unique index on
// (chat, entry ID).
type StateStore interface {
	// CreateSession stores s as version 1 (whatever s.Version holds) and
	// appends entries to its new log, atomically: each entry gets
	// Version 1 and the next sequence number (1, 2, ...). It returns the
	// entries as stored. It returns ErrExists if a session with s.ID exists,
	// or ErrDuplicate if two entries carry the same non-empty ID, and then
	// stores nothing.
	CreateSession(ctx context.Context, s Session, entries []Entry) ([]Entry, error)

	// GetSession returns the session with id, or ErrNotFound.
	GetSession(ctx context.Context, id switchboard.ChatID) (Session, error)

	// UpdateSession replaces the stored session with s if the stored
	// Version equals s.Version (compare-and-set), storing it as
	// s.Version+1, and appends entries atomically with the replacement;
	// each entry gets Version s.Version and the next sequence number. It
	// returns the entries as stored. It returns ErrNotFound if the session
	// does not exist, ErrConflict if the stored version differs, and
	// otherwise ErrDuplicate if an entry's ID is already in the log; then it
	// changes nothing.
	UpdateSession(ctx context.Context, s Session, entries []Entry) ([]Entry, error)

	// ActiveSessions returns the IDs of the sessions that are not closed
	// and in which p is present (joined and not left), in any order. An
	// unknown participant has none.
	ActiveSessions(ctx context.Context, p ParticipantID) ([]switchboard.ChatID, error)
}

// LogStore keeps each session's append-only log. Concurrency, copying and
// cancellation are as for [StateStore].
type LogStore interface {
	// AppendEntries appends entries to the log of chat if the session's
	// stored Version equals version (a fence: an append based on a stale
	// state fails). Each entry gets Version version and the next sequence
	// number; numbers are per session, start at 1, and have no gaps and no
	// duplicates even when processes append concurrently. The entries are
	// appended together or not at all. It returns them as stored, or
	// ErrNotFound if the session does not exist, or ErrConflict if the
	// version differs, or otherwise ErrDuplicate if an entry's ID is already
	// in the log.
	AppendEntries(ctx context.Context, chat switchboard.ChatID, version uint64, entries []Entry) ([]Entry, error)

	// ReadEntries returns up to limit entries of chat with Seq greater than
	// after, in sequence order; limit <= 0 means no limit. It returns
	// ErrNotFound if the session does not exist.
	ReadEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) ([]Entry, error)

	// AmendEntry replaces the Text of the entry with seq, leaving everything
	// else as it was; it is how masking corrections reach stored messages.
	// It returns ErrNotFound if the session or the entry does not exist.
	AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error

	// EntryByID returns the entry of chat's log whose ID is id. It returns
	// ErrNotFound if the session or the entry does not exist, and
	// ErrInvalid for an empty id.
	EntryByID(ctx context.Context, chat switchboard.ChatID, id string) (Entry, error)

	// LastSeq returns the highest sequence number of chat's log (0 for an
	// empty log), or ErrNotFound.
	LastSeq(ctx context.Context, chat switchboard.ChatID) (uint64, error)
}

// SessionLender is implemented by a [Store] that keeps each stored version
// of a session as a value it never modifies, and so can hand it out for
// reading without a copy. The Manager uses it, when the store implements
// it, for the reads it does not modify or hand out ([Manager.Peek]); a
// store over a database has no use for it.
type SessionLender interface {
	// LendSession returns the stored session with id, or ErrNotFound. The
	// session and everything it refers to must not be modified, by the
	// caller or by the store; a later write stores a new value instead.
	LendSession(ctx context.Context, id switchboard.ChatID) (*Session, error)
}

// EntryLender is implemented by a [LogStore] that never modifies an entry
// it has handed out (an amendment stores a new copy of what it changes),
// and so can hand entries out for reading without a copy. The Manager uses
// it, when the store implements it, to catch participants up
// ([Manager.CatchUp]) without copying the log; a store over a database has
// no use for it.
type EntryLender interface {
	// LendEntries returns what ReadEntries returns, without copying: the
	// entries and everything they refer to must not be modified, by the
	// caller or by the store.
	LendEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) ([]Entry, error)
}

// SessionKeeper is implemented by a [Store] that can keep, as its stored
// version, a session the caller hands over, and can hand back the entries
// it stored without a copy. The Manager uses it, when the store implements
// it, for its writes: it hands over a session it built for the write alone
// and modifies nothing it handed over or got back. The entries given to
// either method are the caller's again once it returns, whatever its
// outcome: the store copies what it keeps of them (the Manager writes the
// next write's entries into the same memory). A store over a database has
// no use for it.
//
// A wrapper that embeds such a store (to count calls or to inject faults,
// say) and overrides UpdateSession or AppendEntries must override
// KeepSession and KeepEntries too: the Manager calls the methods the
// wrapper has, and the embedded store's are promoted to it. The same holds
// for [SessionLender] and GetSession, and [EntryLender] and ReadEntries.
type SessionKeeper interface {
	// KeepSession is [StateStore.UpdateSession] for a session handed over:
	// the store may keep s itself as the new version (setting s.Version),
	// so neither the caller nor the store modifies s or anything it refers
	// to after the call, whatever its outcome. The entries it returns must
	// not be modified, by the caller or by the store.
	KeepSession(ctx context.Context, s *Session, entries []Entry) ([]Entry, error)

	// KeepEntries is [LogStore.AppendEntries] returning the stored entries
	// without a copy: they must not be modified, by the caller or by the
	// store.
	KeepEntries(ctx context.Context, chat switchboard.ChatID, version uint64, entries []Entry) ([]Entry, error)
}
