package transfer

import (
	"errors"
	"fmt"
	"github.com/switchboard-cc/switchboard"

	"github.com/switchboard-cc/switchboard/routing"
)

// Errors of transfers. Match them with [errors.Is]; the
// returned errors wrap them with context. Refusals routing decides are
// this package's own errors, and also wrap routing's sentinel, so either
// name matches.
var (
	// ErrInvalid reports bad input: no chat, no transferring agent, not
	// exactly one target, a comment longer than
	// [switchboard.MaxCommentBytes].
	ErrInvalid = switchboard.NewError(switchboard.ErrInvalid, "invalid input")
	// ErrSessionEnded: the chat's session is over (ended, closed, or its
	// customer left), so there is nobody to transfer.
	ErrSessionEnded = switchboard.NewError(switchboard.ErrState, "the chat's session has ended")
	// ErrNotOwner: only the chat's owner transfers it.
	ErrNotOwner = switchboard.NewError(switchboard.ErrForbidden, "only the chat's owner transfers it")
	// ErrAgentUnavailable: the target agent is logged out, not Available, or
	// has no free slot for the chat.
	ErrAgentUnavailable = switchboard.NewError(switchboard.ErrState, "the target agent is not available")
	// ErrAgentNotFound: no agent has the target's ID.
	ErrAgentNotFound = switchboard.NewError(switchboard.ErrNotFound, "no such agent")
	// ErrSameAgent: an agent cannot transfer a chat to itself.
	ErrSameAgent = switchboard.NewError(switchboard.ErrInvalid, "an agent cannot transfer a chat to itself")
	// ErrNotInTeam: the target agent is not in the transferring agent's
	// team.
	ErrNotInTeam = switchboard.NewError(switchboard.ErrForbidden, "the target agent is not in the team")
	// ErrAlreadyInChat: the target agent is in the chat already, as a
	// consulted agent; hand the chat over to it instead
	// (engine.Engine.HandOver).
	ErrAlreadyInChat = switchboard.NewError(switchboard.ErrState, "the target agent is in the chat already")
	// ErrQueueNotFound: no queue of the chat's tenant has the target's ID.
	ErrQueueNotFound = switchboard.NewError(switchboard.ErrNotFound, "no such queue")
	// ErrTransferPending: another transfer of the chat is already waiting
	// for its target. (The same transfer asked for again is not refused:
	// see [Same].)
	ErrTransferPending = switchboard.NewError(switchboard.ErrState, "a transfer is already pending")
	// ErrInvitePending: an invite into the chat is pending; a transfer waits
	// until it is answered.
	ErrInvitePending = switchboard.NewError(switchboard.ErrState, "an invite is pending")
	// ErrChatEnded: the chat's conversation is over in routing.
	ErrChatEnded = switchboard.NewError(switchboard.ErrState, "the chat has ended")
)

// refusals pairs routing's sentinels with this package's.
var refusals = []struct{ routing, own error }{
	{routing.ErrNotOwner, ErrNotOwner},
	{routing.ErrAgentUnavailable, ErrAgentUnavailable},
	{routing.ErrAgentNotFound, ErrAgentNotFound},
	{routing.ErrSameAgent, ErrSameAgent},
	{routing.ErrNotInTeam, ErrNotInTeam},
	{routing.ErrAlreadyInChat, ErrAlreadyInChat},
	{routing.ErrQueueNotFound, ErrQueueNotFound},
	{routing.ErrTransferPending, ErrTransferPending},
	{routing.ErrInvitePending, ErrInvitePending},
	{routing.ErrChatEnded, ErrChatEnded},
}

// Refusal returns err, from routing, as this package's error: matching
// this package's sentinel for the refusal it wraps as well as routing's.
// An error that already matches one of this package's sentinels is
// returned as it is.
func Refusal(err error) error {
	if err == nil {
		return nil
	}
	for _, r := range refusals {
		if errors.Is(err, r.routing) && !errors.Is(err, r.own) {
			return &refusal{own: r.own, err: err}
		}
	}
	return fmt.Errorf("transfer: %w", err)
}

// refusal is a refusal of another package that matches this package's
// sentinel too. Its message is the original's, which names the refusal
// already.
type refusal struct{ own, err error }

// Error returns the original error's message.
func (r *refusal) Error() string { return r.err.Error() }

// Unwrap returns this package's sentinel and the original error.
func (r *refusal) Unwrap() []error { return []error{r.own, r.err} }
