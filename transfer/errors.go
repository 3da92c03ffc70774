package transfer

import (
	"errors"

	"github.com/switchboard-cc/switchboard/routing"
)

// Errors returned by the [Service]. Match them with [errors.Is]; the
// returned errors wrap them with context. Most refusals are decided by
// routing; the variables below are routing's own sentinels under this
// package's name, so either name matches.
var (
	// ErrInvalid reports bad input: no chat, no transferring agent, not
	// exactly one target, a comment longer than 4096 bytes.
	ErrInvalid = errors.New("transfer: invalid input")
	// ErrSessionEnded: the chat's session is over (ended, closed, or its
	// customer left), so there is nobody to transfer.
	ErrSessionEnded = errors.New("transfer: the chat's session has ended")

	// ErrNotOwner: only the chat's owner transfers it.
	ErrNotOwner = routing.ErrNotOwner
	// ErrAgentUnavailable: the target agent is logged out, not Available, or
	// has no free slot for the chat.
	ErrAgentUnavailable = routing.ErrAgentUnavailable
	// ErrAgentNotFound: no agent has the target's ID.
	ErrAgentNotFound = routing.ErrAgentNotFound
	// ErrSameAgent: an agent cannot transfer a chat to itself.
	ErrSameAgent = routing.ErrSameAgent
	// ErrNotInTeam: the target agent is not in the transferring agent's
	// team.
	ErrNotInTeam = routing.ErrNotInTeam
	// ErrAlreadyInChat: the target agent is in the chat already, as a
	// consulted agent; hand the chat over to it instead
	// (conference.Service.HandOver).
	ErrAlreadyInChat = routing.ErrAlreadyInChat
	// ErrQueueNotFound: no queue of the chat's tenant has the target's ID.
	ErrQueueNotFound = routing.ErrQueueNotFound
	// ErrTransferPending: a transfer of the chat is already waiting for its
	// target.
	ErrTransferPending = routing.ErrTransferPending
	// ErrInvitePending: an invite into the chat is pending; a transfer waits
	// until it is answered.
	ErrInvitePending = routing.ErrInvitePending
	// ErrChatEnded: the chat's conversation is over in routing.
	ErrChatEnded = routing.ErrChatEnded
)
