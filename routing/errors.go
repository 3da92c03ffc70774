package routing

import (
	"errors"
	"fmt"
	"github.com/switchboard-cc/switchboard"
)

// Errors returned by the [Router] and by [Store] implementations. Match them
// with [errors.Is]; the returned errors wrap them with context.
var (
	// ErrInvalid reports bad input: an empty ID, a negative capacity, an
	// unknown strategy. The error is an [*InvalidError] naming the field.
	ErrInvalid = switchboard.NewError(switchboard.ErrInvalid, "invalid input")

	// ErrAgentNotFound: no agent has the ID. Stores return it from
	// [AgentStore.Agent].
	ErrAgentNotFound = switchboard.NewError(switchboard.ErrNotFound, "agent not found")
	// ErrQueueNotFound: no queue has the ID. Stores return it from
	// [QueueStore.Queue].
	ErrQueueNotFound = switchboard.NewError(switchboard.ErrNotFound, "queue not found")
	// ErrChatNotFound: no chat has the ID. Stores return it from
	// [ChatStore.Chat] and [ChatStore.Position].
	ErrChatNotFound = switchboard.NewError(switchboard.ErrNotFound, "chat not found")
	// ErrOfferNotFound: no offer has the ID; it was never made. Stores
	// return it from [OfferStore.Offer].
	ErrOfferNotFound = switchboard.NewError(switchboard.ErrNotFound, "offer not found")

	// ErrChatExists: a chat with the ID was already created.
	ErrChatExists = switchboard.NewError(switchboard.ErrExists, "chat already exists")
	// ErrLoggedOut: the agent is not logged in.
	ErrLoggedOut = switchboard.NewError(switchboard.ErrState, "agent is logged out")
	// ErrAlreadyLoggedIn: the agent is logged in already.
	ErrAlreadyLoggedIn = switchboard.NewError(switchboard.ErrState, "agent is already logged in")

	// ErrNotYourOffer: the offer was made to another agent.
	ErrNotYourOffer = switchboard.NewError(switchboard.ErrForbidden, "offer was made to another agent")
	// ErrOfferExpired: the offer's accept timeout has passed.
	ErrOfferExpired = switchboard.NewError(switchboard.ErrState, "offer expired")
	// ErrOfferTaken: another agent accepted the chat first.
	ErrOfferTaken = switchboard.NewError(switchboard.ErrState, "chat was taken by another agent")
	// ErrOfferWithdrawn: the offer was rescinded because the agent logged
	// out or paused, or the chat left the queue.
	ErrOfferWithdrawn = switchboard.NewError(switchboard.ErrState, "offer was withdrawn")
	// ErrOfferCancelled: the customer left.
	ErrOfferCancelled = switchboard.NewError(switchboard.ErrState, "customer left")
	// ErrOfferAnswered: the offer was already accepted or rejected.
	ErrOfferAnswered = switchboard.NewError(switchboard.ErrState, "offer was already answered")

	// ErrNotInChat: the agent is neither the owner nor a consultant of the
	// chat, so it cannot invite into it.
	ErrNotInChat = switchboard.NewError(switchboard.ErrForbidden, "agent is not in the chat")
	// ErrNotOwner: only the chat's owner (its assigned agent) may do this:
	// transfer it, hand it over or end its conference.
	ErrNotOwner = switchboard.NewError(switchboard.ErrForbidden, "agent does not own the chat")
	// ErrNotConsultant: the agent is not a consultant of the chat (the
	// owner ends or transfers the chat rather than exiting it).
	ErrNotConsultant = switchboard.NewError(switchboard.ErrForbidden, "agent is not a consultant of the chat")
	// ErrAlreadyInChat: the invited or transfer target is in the chat
	// already.
	ErrAlreadyInChat = switchboard.NewError(switchboard.ErrState, "agent is already in the chat")
	// ErrAgentUnavailable: the target agent is logged out, not Available,
	// or has no free slot on the chat's channel.
	ErrAgentUnavailable = switchboard.NewError(switchboard.ErrState, "agent is not available")
	// ErrNoAgentAvailable: no Available agent of the queue can be invited.
	ErrNoAgentAvailable = switchboard.NewError(switchboard.ErrState, "no agent of the queue is available")
	// ErrSameAgent: an agent cannot transfer a chat to itself.
	ErrSameAgent = switchboard.NewError(switchboard.ErrInvalid, "transfer to the same agent")
	// ErrNotInTeam: the transfer target is not in the transferring agent's
	// team.
	ErrNotInTeam = switchboard.NewError(switchboard.ErrForbidden, "agent is not in the same team")
	// ErrInvitePending: the chat has a pending invite; only one invite or
	// transfer may be pending at a time (SPEC C4).
	ErrInvitePending = switchboard.NewError(switchboard.ErrState, "an invite is already pending")
	// ErrTransferPending: the chat has a pending transfer.
	ErrTransferPending = switchboard.NewError(switchboard.ErrState, "a transfer is already pending")
	// ErrChatEnded: the chat's conversation is over (in wrap-up, done or
	// ended).
	ErrChatEnded = switchboard.NewError(switchboard.ErrState, "chat has ended")

	// ErrOnHold: the chat is on hold; resume it first ([Router.Resume]).
	// Putting it on hold again, inviting into it, transferring it and
	// handing it over are refused (SPEC O1, O5).
	ErrOnHold = switchboard.NewError(switchboard.ErrState, "chat is on hold")
	// ErrNotOnHold: the chat to resume is not on hold (SPEC O2).
	ErrNotOnHold = switchboard.NewError(switchboard.ErrState, "chat is not on hold")
	// ErrNoFreeSlot: the owner has no room to resume its chat on hold: no
	// free slot on the chat's channel, or no room in its budget, or work
	// the channel may not interrupt ([Agent.HasRoom]); it can once room
	// frees (SPEC O2).
	ErrNoFreeSlot = switchboard.NewError(switchboard.ErrState, "agent has no free slot")
	// ErrInConference: the chat has consultants; end the conference
	// before putting it on hold (SPEC O1).
	ErrInConference = switchboard.NewError(switchboard.ErrState, "chat has consultants")

	// ErrConflict: a [Txn] record's version did not match the stored one,
	// or a record to create exists already. Stores return it from
	// [Committer.Commit]; the router re-reads and retries, and returns it
	// only when it keeps losing.
	ErrConflict = switchboard.NewError(switchboard.ErrConflict, "concurrent update")

	// ErrOutcomeUnknown: the store cannot tell whether a commit applied,
	// such as when the connection was lost during COMMIT. Stores return it
	// from [Committer.Commit]; the router then asks [TxnLog.Applied], and
	// returns it only when it still cannot tell.
	ErrOutcomeUnknown = switchboard.NewError(switchboard.ErrOutcomeUnknown, "commit outcome unknown")
)

// InvalidError reports which input was bad and why. It matches [ErrInvalid].
type InvalidError struct {
	Field   string
	Problem string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Problem)
}

// Is reports whether target is [ErrInvalid] or its kind,
// [switchboard.ErrInvalid].
func (e *InvalidError) Is(target error) bool { return errors.Is(ErrInvalid, target) }

func invalid(field, problem string) error { return &InvalidError{Field: field, Problem: problem} }

// StateError reports an action that the current state of a chat or agent
// does not allow, such as ending a chat that is still queued.
type StateError struct {
	// Entity is "chat" or "agent"; ID its identifier.
	Entity, ID string
	// State is the state it is in; Action what was asked.
	State, Action string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s %s %s in state %s", e.Action, e.Entity, e.ID, e.State)
}

// Is reports whether target is the error's kind, [switchboard.ErrState].
func (e *StateError) Is(target error) bool { return target == switchboard.ErrState }

func chatStateError(c *Chat, action string) error {
	return &StateError{Entity: "chat", ID: string(c.ID), State: c.State.String(), Action: action}
}
