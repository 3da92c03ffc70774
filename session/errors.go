package session

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error the package returns for a condition a caller
// may branch on is one of these, wraps one of these with %w, or is a typed
// error whose Is method matches one of these. Host stores must return
// ErrNotFound, ErrExists and ErrConflict (or wrap them) as their method
// contracts say, and ErrOutcomeUnknown when they cannot know whether a
// write took effect.
var (
	// ErrNotFound means the session (or the log entry) does not exist.
	ErrNotFound = errors.New("session: not found")
	// ErrExists means a session with the same ID already exists.
	ErrExists = errors.New("session: already exists")
	// ErrConflict means the stored session version differs from the one an
	// update or fenced append was based on. The Manager retries on it; when
	// retries run out it is returned wrapped.
	ErrConflict = errors.New("session: version conflict")
	// ErrOutcomeUnknown means a store cannot know whether a write took
	// effect: the connection broke after the write was sent, a commit timed
	// out. A store returns an error wrapping it (never a bare "failed"
	// error) in that case. The Manager then re-reads the session and its
	// log to find out, using the IDs every write carries, and only returns
	// ErrOutcomeUnknown (wrapped) when the re-read fails too; a host that
	// gets it retries with the same Message.ID.
	ErrOutcomeUnknown = errors.New("session: outcome of the write unknown")
	// ErrDuplicate means a log entry with the same ID is already stored in
	// the session: the write was applied before. A store returns it from a
	// write and stores nothing; the Manager returns it for a message ID that
	// another sender, or another kind of entry, already uses.
	ErrDuplicate = errors.New("session: entry ID already stored")
	// ErrInvalid means an argument is malformed (empty ID, unknown role,
	// bad file metadata and so on).
	ErrInvalid = errors.New("session: invalid argument")
	// ErrNotParticipant means the acting or viewing participant is not in
	// the session.
	ErrNotParticipant = errors.New("session: not a participant")
	// ErrForbidden means the participant's role does not allow the action
	// (a customer whispering, a consulted agent ending, a monitoring
	// supervisor writing).
	ErrForbidden = errors.New("session: not allowed for this participant")
	// ErrLeft means the participant has left the session.
	ErrLeft = errors.New("session: participant has left")
	// ErrCustomerLeft means the customer has left, so agents can no longer
	// send in the session (SPEC S9).
	ErrCustomerLeft = errors.New("session: customer has left")
	// ErrConfirmationRequired means ending or closing would disconnect a
	// customer who is still connected; repeat with Confirm set (SPEC S10).
	ErrConfirmationRequired = errors.New("session: customer still connected, confirmation required")
	// ErrInvalidWrapUp means the wrap-up reason is not in the queue's list.
	// Returned as a *WrapUpError.
	ErrInvalidWrapUp = errors.New("session: wrap-up reason not allowed")
	// ErrAlreadyClosed means Close was called on a closed session. No event
	// is written.
	ErrAlreadyClosed = errors.New("session: already closed")
	// ErrReadOnly means the session is closed and the after-close policy is
	// switchboard.PolicyReadOnly.
	ErrReadOnly = errors.New("session: closed session is read-only")
	// ErrInvalidState means the action is not allowed in the session's
	// current status. Returned as a *StatusError.
	ErrInvalidState = errors.New("session: not allowed in this state")
	// ErrEmptyMessage means a message has neither text nor files.
	ErrEmptyMessage = errors.New("session: empty message")
	// ErrTooLarge means a message exceeds a configured limit. Returned as a
	// *TooLargeError.
	ErrTooLarge = errors.New("session: message too large")
	// ErrSecondCustomer means a session already has a customer, or is an
	// agent-to-agent session, and another customer was added.
	ErrSecondCustomer = errors.New("session: session already has a customer")
	// ErrCannotRemoveCustomer means an agent tried to remove the customer.
	ErrCannotRemoveCustomer = errors.New("session: the customer cannot be removed")
	// ErrAlreadyParticipant means the participant is already in the session.
	ErrAlreadyParticipant = errors.New("session: already a participant")
	// ErrParticipantLimit means the session is at Config.MaxParticipants.
	ErrParticipantLimit = errors.New("session: participant limit reached")
	// ErrUnavailable means an optional feature is not configured: no
	// predefined responses for the queue, no Directory, no Contacts.
	ErrUnavailable = errors.New("session: feature unavailable")
	// ErrNoOffer means the customer chose an option but no option set is
	// open.
	ErrNoOffer = errors.New("session: no options offered")
	// ErrUnknownOption means the chosen option is not one of those offered.
	ErrUnknownOption = errors.New("session: unknown option")
	// ErrNotVisible means the directory does not let the agent see (and so
	// chat with) the other agent (SPEC S6).
	ErrNotVisible = errors.New("session: agent not visible")
	// ErrFiltered means the inbound filter failed or returned an invalid
	// result; the message was rejected and nothing was stored.
	ErrFiltered = errors.New("session: rejected by inbound filter")
	// ErrVideo means the video leg is not in the state the call needs
	// (starting while one runs, ending when none runs).
	ErrVideo = errors.New("session: video leg not in the required state")
)

// StatusError reports a trigger that the session's life cycle does not allow
// in its current status. It matches ErrInvalidState with errors.Is.
type StatusError struct {
	// From is the status the session was in.
	From Status
	// Trigger is the rejected trigger.
	Trigger Trigger
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("session: %s not allowed when %s", e.Trigger, e.From)
}

// Is reports whether target is ErrInvalidState.
func (e *StatusError) Is(target error) bool { return target == ErrInvalidState }

// WrapUpError reports a wrap-up reason that is not in the queue's list. It
// matches ErrInvalidWrapUp with errors.Is.
type WrapUpError struct {
	// Reason is the rejected reason.
	Reason string
	// Allowed is the queue's configured list.
	Allowed []string
}

// Error implements error.
func (e *WrapUpError) Error() string {
	return fmt.Sprintf("session: wrap-up reason %q not in [%s]", e.Reason, strings.Join(e.Allowed, ", "))
}

// Is reports whether target is ErrInvalidWrapUp.
func (e *WrapUpError) Is(target error) bool { return target == ErrInvalidWrapUp }

// TagError reports wrap-up tags that are not in the queue's list. It
// matches ErrInvalid with errors.Is.
type TagError struct {
	// Unknown are the refused tags, each once.
	Unknown []string
	// Allowed is the queue's configured list.
	Allowed []string
}

// Error implements error.
func (e *TagError) Error() string {
	return fmt.Sprintf("session: wrap-up tags [%s] not in [%s]", strings.Join(e.Unknown, ", "), strings.Join(e.Allowed, ", "))
}

// Is reports whether target is ErrInvalid.
func (e *TagError) Is(target error) bool { return target == ErrInvalid }

// TooLargeError reports a message over a configured limit. It matches
// ErrTooLarge with errors.Is.
type TooLargeError struct {
	// What names the limit: "text bytes" or "files".
	What string
	// Size is the offending size.
	Size int
	// Limit is the configured limit.
	Limit int
}

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("session: %d %s exceeds the limit of %d", e.Size, e.What, e.Limit)
}

// Is reports whether target is ErrTooLarge.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }
