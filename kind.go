package switchboard

import (
	"context"
	"errors"
)

// Kinds of error. Every error a package of the module returns matches
// exactly one of them with [errors.Is], whatever package sentinel it also
// matches, so a host maps errors to its protocol's status codes with one
// switch over [KindOf] (see docs/errors.md). The package sentinels keep
// working: an error matching routing.ErrChatNotFound matches ErrNotFound too.
var (
	// ErrNotFound: the chat, session, agent, queue, offer or entry named
	// does not exist. HTTP 404.
	ErrNotFound = &kind{"not found"}
	// ErrExists: a record with the ID given for a new one exists already,
	// or the write was applied before. HTTP 409.
	ErrExists = &kind{"already exists"}
	// ErrConflict: a concurrent update won, or the version an update was
	// based on is stale. The library retries; when it returns this, the
	// caller may re-read and try again. HTTP 409.
	ErrConflict = &kind{"concurrent update"}
	// ErrInvalid: the input is malformed or out of range; the same call
	// will fail again. HTTP 400.
	ErrInvalid = &kind{"invalid input"}
	// ErrState: the input is well formed, but the current state of the
	// chat, session, offer, agent or configuration does not allow it (a
	// chat that has ended, an offer that expired, a feature not
	// configured). HTTP 409.
	ErrState = &kind{"not allowed in this state"}
	// ErrForbidden: the acting participant may not do this: not its offer,
	// not the owner, not in the chat, not in the team, not its role.
	// HTTP 403.
	ErrForbidden = &kind{"not allowed for this participant"}
	// ErrUnavailable: a dependency failed or is not ready; retry later.
	// [KindOf] also reports every error that matches no kind as
	// ErrUnavailable: a host store's own failure, an I/O error. HTTP 503.
	ErrUnavailable = &kind{"unavailable"}
	// ErrOutcomeUnknown: a store could not tell whether a write applied.
	// Retry with the same IDs: every write is idempotent by its IDs.
	// HTTP 504.
	ErrOutcomeUnknown = &kind{"outcome unknown"}
)

// kinds lists the kinds in the order of precedence [KindOf] applies.
// context.Canceled and context.DeadlineExceeded come after
// ErrOutcomeUnknown: a write cut off by a cancellation may still have
// applied.
var kinds = []error{
	ErrOutcomeUnknown,
	context.Canceled,
	context.DeadlineExceeded,
	ErrUnavailable,
	ErrConflict,
	ErrNotFound,
	ErrExists,
	ErrForbidden,
	ErrState,
	ErrInvalid,
}

// Kinds returns the kinds of error in the order of precedence [KindOf]
// applies: ErrOutcomeUnknown, ErrUnavailable, ErrConflict, ErrNotFound,
// ErrExists, ErrForbidden, ErrState, ErrInvalid.
func Kinds() []error {
	return []error{
		ErrOutcomeUnknown, ErrUnavailable, ErrConflict, ErrNotFound,
		ErrExists, ErrForbidden, ErrState, ErrInvalid,
	}
}

// kind is one kind of error.
type kind struct{ text string }

// Error returns the kind's text.
func (k *kind) Error() string { return k.text }

// KindOf returns the kind of err: one of the Err variables above, or
// context.Canceled or context.DeadlineExceeded for an operation its context
// ended. When err matches several (a joined error, an error wrapping
// another package's), the first in this order wins: ErrOutcomeUnknown,
// context.Canceled, context.DeadlineExceeded, ErrUnavailable, ErrConflict,
// ErrNotFound, ErrExists, ErrForbidden, ErrState, ErrInvalid. An error that
// matches none, such as a host store's own failure, is ErrUnavailable; the
// error itself is not changed, so errors.Is still finds the host's error in
// it. KindOf(nil) is nil.
func KindOf(err error) error {
	if err == nil {
		return nil
	}
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return ErrUnavailable
}

// NewError returns an error with text that matches kind with [errors.Is]
// (and itself, as any error does). Packages declare their sentinels with
// it; a host store may too. kind should be one of the kinds above.
func NewError(kind error, text string) error {
	return &kindedError{kind: kind, text: text}
}

// kindedError is a sentinel of one kind.
type kindedError struct {
	kind error
	text string
}

// Error returns the text.
func (e *kindedError) Error() string { return e.text }

// Is reports whether target is the error's kind.
func (e *kindedError) Is(target error) bool { return target == e.kind }
