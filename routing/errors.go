package routing

import (
	"errors"
	"fmt"
)

// Errors returned by the [Router] and by [Store] implementations. Match them
// with [errors.Is]; the returned errors wrap them with context.
var (
	// ErrInvalid reports bad input: an empty ID, a negative capacity, an
	// unknown strategy. The error is an [*InvalidError] naming the field.
	ErrInvalid = errors.New("routing: invalid input")

	// ErrAgentNotFound: no agent has the ID. Stores return it from
	// [AgentStore.Agent].
	ErrAgentNotFound = errors.New("routing: agent not found")
	// ErrQueueNotFound: no queue has the ID. Stores return it from
	// [QueueStore.Queue].
	ErrQueueNotFound = errors.New("routing: queue not found")
	// ErrChatNotFound: no chat has the ID. Stores return it from
	// [ChatStore.Chat] and [ChatStore.Position].
	ErrChatNotFound = errors.New("routing: chat not found")
	// ErrOfferNotFound: no offer has the ID; it was never made. Stores
	// return it from [OfferStore.Offer].
	ErrOfferNotFound = errors.New("routing: offer not found")

	// ErrChatExists: a chat with the ID was already created.
	ErrChatExists = errors.New("routing: chat already exists")
	// ErrLoggedOut: the agent is not logged in.
	ErrLoggedOut = errors.New("routing: agent is logged out")
	// ErrAlreadyLoggedIn: the agent is logged in already.
	ErrAlreadyLoggedIn = errors.New("routing: agent is already logged in")

	// ErrNotYourOffer: the offer was made to another agent.
	ErrNotYourOffer = errors.New("routing: offer was made to another agent")
	// ErrOfferExpired: the offer's accept timeout has passed.
	ErrOfferExpired = errors.New("routing: offer expired")
	// ErrOfferTaken: another agent accepted the chat first.
	ErrOfferTaken = errors.New("routing: chat was taken by another agent")
	// ErrOfferWithdrawn: the offer was rescinded because the agent logged
	// out or paused, or the chat left the queue.
	ErrOfferWithdrawn = errors.New("routing: offer was withdrawn")
	// ErrOfferCancelled: the customer left.
	ErrOfferCancelled = errors.New("routing: customer left")
	// ErrOfferAnswered: the offer was already accepted or rejected.
	ErrOfferAnswered = errors.New("routing: offer was already answered")

	// ErrNotInChat: the agent is neither the owner nor a consultant of the
	// chat, so it cannot invite into it.
	ErrNotInChat = errors.New("routing: agent is not in the chat")
	// ErrNotOwner: only the chat's owner (its assigned agent) may do this:
	// transfer it, hand it over or end its conference.
	ErrNotOwner = errors.New("routing: agent does not own the chat")
	// ErrNotConsultant: the agent is not a consultant of the chat (the
	// owner ends or transfers the chat rather than exiting it).
	ErrNotConsultant = errors.New("routing: agent is not a consultant of the chat")
	// ErrAlreadyInChat: the invited or transfer target is in the chat
	// already.
	ErrAlreadyInChat = errors.New("routing: agent is already in the chat")
	// ErrAgentUnavailable: the target agent is logged out, not Available,
	// or has no free slot on the chat's channel.
	ErrAgentUnavailable = errors.New("routing: agent is not available")
	// ErrNoAgentAvailable: no Available agent of the queue can be invited.
	ErrNoAgentAvailable = errors.New("routing: no agent of the queue is available")
	// ErrSameAgent: an agent cannot transfer a chat to itself.
	ErrSameAgent = errors.New("routing: transfer to the same agent")
	// ErrNotInTeam: the transfer target is not in the transferring agent's
	// team.
	ErrNotInTeam = errors.New("routing: agent is not in the same team")
	// ErrInvitePending: the chat has a pending invite; only one invite or
	// transfer may be pending at a time (SPEC C4).
	ErrInvitePending = errors.New("routing: an invite is already pending")
	// ErrTransferPending: the chat has a pending transfer.
	ErrTransferPending = errors.New("routing: a transfer is already pending")
	// ErrChatEnded: the chat's conversation is over (in wrap-up, done or
	// ended).
	ErrChatEnded = errors.New("routing: chat has ended")

	// ErrConflict: a [Txn] record's version did not match the stored one,
	// or a record to create exists already. Stores return it from
	// [Committer.Commit]; the router re-reads and retries, and returns it
	// only when it keeps losing.
	ErrConflict = errors.New("routing: concurrent update")

	// ErrOutcomeUnknown: the store cannot tell whether a commit applied,
	// such as when the connection was lost during COMMIT. Stores return it
	// from [Committer.Commit]; the router then asks [TxnLog.Applied], and
	// returns it only when it still cannot tell.
	ErrOutcomeUnknown = errors.New("routing: commit outcome unknown")
)

// InvalidError reports which input was bad and why. It matches [ErrInvalid].
type InvalidError struct {
	Field   string
	Problem string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("routing: invalid %s: %s", e.Field, e.Problem)
}

// Is reports whether target is [ErrInvalid].
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

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
	return fmt.Sprintf("routing: cannot %s %s %s in state %s", e.Action, e.Entity, e.ID, e.State)
}

func chatStateError(c *Chat, action string) error {
	return &StateError{Entity: "chat", ID: string(c.ID), State: c.State.String(), Action: action}
}
