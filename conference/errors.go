package conference

import (
	"errors"
	"github.com/switchboard-cc/switchboard"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// Errors of conferences. Match them with [errors.Is]; the returned errors
// wrap them with context. Refusals that routing or the session decide are
// this package's own errors and also wrap routing's or the session's
// sentinel, so either name matches.
var (
	// ErrInvalid reports bad input or configuration.
	ErrInvalid = switchboard.NewError(switchboard.ErrInvalid, "invalid input")
	// ErrNotInConference: the agent is not present in the chat's session as
	// its owner or a consulted agent, so it cannot invite (SPEC C1); the
	// customer, a bot, a monitoring supervisor and an agent still only
	// invited all get it. It also reports an agent leaving a chat it is not
	// in.
	ErrNotInConference = switchboard.NewError(switchboard.ErrForbidden, "agent is not in the chat")
	// ErrCannotEnd: only the agent who owns the chat (Agent 1) ends its
	// conference; a consulted agent exits instead (SPEC C8). It also
	// matches [ErrNotOwner].
	ErrCannotEnd = switchboard.NewError(switchboard.ErrForbidden, "only the owner can end the conference")
	// ErrNobodyToTakeOver: the owner asked to leave, but no consulted agent
	// has joined yet to take the chat over (an invite may still be pending).
	// The owner waits for the invite to be answered, transfers the chat, or
	// ends it.
	ErrNobodyToTakeOver = switchboard.NewError(switchboard.ErrState, "no consulted agent to take the chat over")
	// ErrNotOwner: only the chat's owner hands it over or ends its
	// conference.
	ErrNotOwner = switchboard.NewError(switchboard.ErrForbidden, "only the chat's owner may do this")
	// ErrNotConsultant: the agent a chat is handed over to has not joined
	// it as a consulted agent, or the owner tried to exit as one.
	ErrNotConsultant = switchboard.NewError(switchboard.ErrForbidden, "the agent is not a consulted agent of the chat")
	// ErrCustomerLeft: the customer left the chat; nobody is invited any
	// more (SPEC C9).
	ErrCustomerLeft = switchboard.NewError(switchboard.ErrState, "the customer has left")
	// ErrChatEnded: the chat's conversation is over.
	ErrChatEnded = switchboard.NewError(switchboard.ErrState, "the chat has ended")
	// ErrChatNotFound: no chat has the ID.
	ErrChatNotFound = switchboard.NewError(switchboard.ErrNotFound, "no such chat")
	// ErrInvitePending: an invite or transfer of the chat is already
	// pending; one is pending at a time.
	ErrInvitePending = switchboard.NewError(switchboard.ErrState, "an invite is pending")
	// ErrTransferPending: a transfer of the chat is pending.
	ErrTransferPending = switchboard.NewError(switchboard.ErrState, "a transfer is pending")
	// ErrAgentUnavailable: the invitee is not available or has no free
	// slot for the chat (SPEC C2).
	ErrAgentUnavailable = switchboard.NewError(switchboard.ErrState, "the invitee is not available")
	// ErrAgentNotFound: no agent has the invitee's ID.
	ErrAgentNotFound = switchboard.NewError(switchboard.ErrNotFound, "no such agent")
	// ErrNoAgentAvailable: no agent of the queue is available to invite
	// (SPEC C3).
	ErrNoAgentAvailable = switchboard.NewError(switchboard.ErrState, "no agent of the queue is available")
	// ErrQueueNotFound: no queue has the ID.
	ErrQueueNotFound = switchboard.NewError(switchboard.ErrNotFound, "no such queue")
	// ErrAlreadyInChat: the invitee is in the chat already.
	ErrAlreadyInChat = switchboard.NewError(switchboard.ErrState, "the invitee is in the chat already")
)

// refusals pairs routing's and the session's sentinels with this
// package's.
var refusals = []struct{ other, own error }{
	{routing.ErrNotInChat, ErrNotInConference},
	{routing.ErrNotOwner, ErrNotOwner},
	{routing.ErrNotConsultant, ErrNotConsultant},
	{session.ErrCustomerLeft, ErrCustomerLeft},
	{routing.ErrChatEnded, ErrChatEnded},
	{routing.ErrChatNotFound, ErrChatNotFound},
	{session.ErrNotFound, ErrChatNotFound},
	{routing.ErrInvitePending, ErrInvitePending},
	{routing.ErrTransferPending, ErrTransferPending},
	{routing.ErrAgentUnavailable, ErrAgentUnavailable},
	{routing.ErrAgentNotFound, ErrAgentNotFound},
	{routing.ErrNoAgentAvailable, ErrNoAgentAvailable},
	{routing.ErrQueueNotFound, ErrQueueNotFound},
	{routing.ErrAlreadyInChat, ErrAlreadyInChat},
}

// Refusal returns err, a refusal of routing or of the session, as this
// package's error: matching this package's sentinel for the refusal it
// wraps as well as the original one. An error that already matches one of
// this package's sentinels, or that is no known refusal, is returned as it
// is.
func Refusal(err error) error {
	if err == nil {
		return nil
	}
	for _, own := range []error{ErrInvalid, ErrCannotEnd, ErrNobodyToTakeOver} {
		if errors.Is(err, own) {
			return err
		}
	}
	for _, r := range refusals {
		if errors.Is(err, r.own) {
			return err
		}
	}
	for _, r := range refusals {
		if errors.Is(err, r.other) {
			return &refusal{own: r.own, err: err}
		}
	}
	return err
}

// refusal is a refusal of another package that matches this package's
// sentinel too. Its message is the original's, which names the refusal
// already.
type refusal struct{ own, err error }

// Error returns the original error's message.
func (r *refusal) Error() string { return r.err.Error() }

// Unwrap returns this package's sentinel and the original error.
func (r *refusal) Unwrap() []error { return []error{r.own, r.err} }
