package conference

import "errors"

// Errors returned by the [Service]. Match them with [errors.Is]; the
// returned errors wrap them with context. Refusals decided by routing wrap
// routing's sentinels as well ([routing.ErrInvitePending],
// [routing.ErrAgentUnavailable], [routing.ErrNoAgentAvailable],
// [routing.ErrQueueNotFound], [routing.ErrAlreadyInChat],
// [routing.ErrChatEnded], ...), so both can be matched.
var (
	// ErrInvalid reports bad input or configuration.
	ErrInvalid = errors.New("conference: invalid input")
	// ErrNotInConference: the agent is not present in the chat's session as
	// its owner or a consulted agent, so it cannot invite (SPEC C1); the
	// customer, a bot, a monitoring supervisor and an agent still only
	// invited all get it.
	ErrNotInConference = errors.New("conference: agent is not in the chat")
	// ErrCannotEnd: only the agent who owns the chat (Agent 1) ends its
	// conference; a consulted agent exits instead (SPEC C8). It also
	// matches [routing.ErrNotOwner].
	ErrCannotEnd = errors.New("conference: only the owner can end the conference")
	// ErrNobodyToTakeOver: the owner asked to leave, but no consulted agent
	// has joined yet to take the chat over (an invite may still be pending).
	// The owner waits for the invite to be answered, transfers the chat, or
	// ends it.
	ErrNobodyToTakeOver = errors.New("conference: no consulted agent to take the chat over")
)
