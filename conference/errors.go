package conference

import (
	"errors"
	"fmt"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// Errors of conferences. Match them with [errors.Is]; the returned errors
// wrap them with context. Refusals that routing or the session decide are
// this package's own errors and also wrap routing's or the session's
// sentinel, so either name matches.
var (
	// ErrInvalid reports bad input or configuration.
	ErrInvalid = errors.New("conference: invalid input")
	// ErrNotInConference: the agent is not present in the chat's session as
	// its owner or a consulted agent, so it cannot invite (SPEC C1); the
	// customer, a bot, a monitoring supervisor and an agent still only
	// invited all get it. It also reports an agent leaving a chat it is not
	// in.
	ErrNotInConference = errors.New("conference: agent is not in the chat")
	// ErrCannotEnd: only the agent who owns the chat (Agent 1) ends its
	// conference; a consulted agent exits instead (SPEC C8). It also
	// matches [ErrNotOwner].
	ErrCannotEnd = errors.New("conference: only the owner can end the conference")
	// ErrNobodyToTakeOver: the owner asked to leave, but no consulted agent
	// has joined yet to take the chat over (an invite may still be pending).
	// The owner waits for the invite to be answered, transfers the chat, or
	// ends it.
	ErrNobodyToTakeOver = errors.New("conference: no consulted agent to take the chat over")
	// ErrNotOwner: only the chat's owner hands it over or ends its
	// conference.
	ErrNotOwner = errors.New("conference: only the chat's owner may do this")
	// ErrNotConsultant: the agent a chat is handed over to has not joined
	// it as a consulted agent, or the owner tried to exit as one.
	ErrNotConsultant = errors.New("conference: the agent is not a consulted agent of the chat")
	// ErrCustomerLeft: the customer left the chat; nobody is invited any
	// more (SPEC C9).
	ErrCustomerLeft = errors.New("conference: the customer has left")
	// ErrChatEnded: the chat's conversation is over.
	ErrChatEnded = errors.New("conference: the chat has ended")
	// ErrChatNotFound: no chat has the ID.
	ErrChatNotFound = errors.New("conference: no such chat")
	// ErrInvitePending: an invite or transfer of the chat is already
	// pending; one is pending at a time.
	ErrInvitePending = errors.New("conference: an invite is pending")
	// ErrTransferPending: a transfer of the chat is pending.
	ErrTransferPending = errors.New("conference: a transfer is pending")
	// ErrAgentUnavailable: the invitee is not available or has no free
	// slot for the chat (SPEC C2).
	ErrAgentUnavailable = errors.New("conference: the invitee is not available")
	// ErrAgentNotFound: no agent has the invitee's ID.
	ErrAgentNotFound = errors.New("conference: no such agent")
	// ErrNoAgentAvailable: no agent of the queue is available to invite
	// (SPEC C3).
	ErrNoAgentAvailable = errors.New("conference: no agent of the queue is available")
	// ErrQueueNotFound: no queue has the ID.
	ErrQueueNotFound = errors.New("conference: no such queue")
	// ErrAlreadyInChat: the invitee is in the chat already.
	ErrAlreadyInChat = errors.New("conference: the invitee is in the chat already")
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
			return fmt.Errorf("%w: %w", r.own, err)
		}
	}
	return err
}
