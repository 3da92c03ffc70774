package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// RetentionStore lets closed sessions be forgotten: a store that keeps
// sessions for ever grows for ever. [Manager.ForgetClosed] uses it; a
// store that does not implement it makes ForgetClosed return
// ErrUnavailable. Concurrency, copying and cancellation are as for
// [StateStore];
// [github.com/switchboard-cc/switchboard/session/sessiontest.RunStoreTests]
// checks a store that implements it.
//
// A forgotten session leaves nothing behind: no tombstone. Its ID then
// answers ErrNotFound everywhere, as an ID never used does, and may be
// used again by a new session.
type RetentionStore interface {
	// Closed returns up to limit IDs of closed sessions whose ClosedAt is
	// before before, ordered by ClosedAt, then by ID; limit <= 0 means no
	// limit. A SQL store answers it from an index on (closed_at, id).
	Closed(ctx context.Context, before time.Time, limit int) ([]switchboard.ChatID, error)

	// Forget deletes the closed session chat, its log and its feed
	// positions, atomically, if its stored Version equals version: the
	// version fence makes sure that what the host kept of the session is
	// all there was. It returns ErrNotFound if the session does not
	// exist, ErrConflict if the version differs, and an error matching
	// ErrInvalidState if the session is not closed; then it changes
	// nothing.
	Forget(ctx context.Context, chat switchboard.ChatID, version uint64) error
}

// forgetPage is how many closed sessions ForgetClosed asks for at a time,
// and how many failures of the keep function it collects before it stops.
const forgetPage = 100

// ForgetClosed forgets every session that closed before before, and
// returns how many it forgot. For each it first calls keep, when not nil,
// with the session and its whole log, so the host can keep what it must
// ([CustomerTranscript] and [OrganisationLog] turn them into the
// transcript and the organisation's log); if keep returns an error the session is
// kept and ForgetClosed goes on with the others, returning the errors
// joined at the end. A session that changes after keep saw it (a
// customer writing to it reopens it or starts a linked session) is kept
// too, without error, for a later call to look at again.
//
// Run it periodically, in one process or several: each session is
// forgotten once. A forgotten session answers ErrNotFound, as one never
// created does: a customer writing to it gets ErrNotFound from
// [Manager.Send]. It returns ErrUnavailable if the Store does not
// implement [RetentionStore].
func (m *Manager) ForgetClosed(ctx context.Context, before time.Time,
	keep func(ctx context.Context, s Session, log []Entry) error) (int, error) {
	rs, ok := m.store.(RetentionStore)
	if !ok {
		return 0, fmt.Errorf("%w: the store cannot forget sessions", ErrUnavailable)
	}
	skip := map[switchboard.ChatID]bool{}
	var errs []error
	forgotten := 0
	for {
		ids, err := rs.Closed(ctx, before, forgetPage+len(skip))
		if err != nil {
			return forgotten, errors.Join(append(errs, fmt.Errorf("session: closed sessions: %w", err))...)
		}
		todo := 0
		for _, id := range ids {
			if skip[id] {
				continue
			}
			todo++
			err := m.forget(ctx, rs, id, before, keep)
			switch {
			case err == nil:
				forgotten++
				continue
			case ctx.Err() != nil:
				return forgotten, errors.Join(append(errs, err)...)
			case errors.Is(err, errKept) || !(errors.Is(err, ErrConflict) ||
				errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidState)):
				errs = append(errs, err)
			}
			// Kept: refused by keep, failed, changed since it was read, or
			// forgotten by another process.
			skip[id] = true
			if len(errs) >= forgetPage {
				return forgotten, errors.Join(errs...)
			}
		}
		if todo == 0 {
			return forgotten, errors.Join(errs...)
		}
	}
}

// errKept marks an error of the keep function, which may wrap anything.
var errKept = errors.New("session: keeping the session failed")

// forget reads session id and its log, hands them to keep, and forgets
// the session if it has not changed since.
func (m *Manager) forget(ctx context.Context, rs RetentionStore, id switchboard.ChatID, before time.Time,
	keep func(ctx context.Context, s Session, log []Entry) error) error {
	// Only read, unless keep is given a copy of its own.
	s, lent, err := m.peekPtr(ctx, id)
	if err != nil {
		return fmt.Errorf("session %s: %w", id, err)
	}
	if s.Status != StatusClosed || !s.ClosedAt.Before(before) {
		return fmt.Errorf("%w: %s reopened", ErrConflict, id)
	}
	if keep != nil {
		log, err := m.store.ReadEntries(ctx, id, 0, 0)
		if err != nil {
			return fmt.Errorf("session: read %s: %w", id, err)
		}
		kept := *s
		if lent {
			kept = s.Clone()
		}
		if err := keep(ctx, kept, log); err != nil {
			return fmt.Errorf("%w: %s: %w", errKept, id, err)
		}
	}
	if err := rs.Forget(ctx, id, s.Version); err != nil {
		return fmt.Errorf("session: forget %s: %w", id, err)
	}
	return nil
}
