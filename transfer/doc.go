// Package transfer holds the rules of moving a customer chat from one
// agent to another agent or to a queue: the blind transfer. It is the home
// of those rules as types and plain functions over values, with no I/O;
// the engine ([github.com/switchboard-cc/switchboard/engine]) runs them
// against routing ([routing.Router] decides who owns the chat) and the
// session ([session.Manager] decides who sees what), and its operations
// (Engine.Transfer, Engine.CancelTransfer, Engine.TransferQueues,
// Engine.TransferTargets, Engine.TransferHistory) keep the two in step. The
// warm (consult) transfer is a conference's hand-over (package
// conference).
//
// # Choosing a target
//
// [Queues] filters routing's queues down to the tenant's, with their
// descriptions, and [Targets] filters the logged-in agents down to those
// of the transferring agent's team who are available to take the chat
// (SPEC T2).
//
// # Transferring
//
// A [Request] asks for the transfer; [Request.Validate] checks its shape
// and [CanTransfer] that the session is still active. To an agent, the chat
// stays with its owner until the target accepts the offer; then the target
// owns the chat, the original agent leaves the session (it no longer sees
// anything written in it, SPEC T1) and goes to wrap-up, and the customer is
// told who left and who joined (SPEC T4). To a queue, the chat leaves its
// owner at once and waits there. Until the target agent answers, the owner
// may cancel the transfer ([CheckCancel]). A transfer asked for again after
// an error is finished rather than refused ([Same]) and recorded once
// ([Note]).
//
// # Timeout policy
//
// If the target agent declines or does not accept in time (the queue's
// accept timeout), the queue's [routing.Queue].TransferFallback decides
// (SPEC T3): with [routing.TransferRequeue], the default, the chat goes
// back to its queue for another agent, keeping its place by its original
// arrival, the original agent goes to wrap-up and the customer waits; with
// [routing.TransferEnd] the chat ends and the customer is told the agent
// has left. These outcomes are decided inside routing and reach the session
// through the engine's processing of routing's events.
//
// # History
//
// The chat's whole visible history goes with it: the new owner reads all of
// it, and the routing chat keeps the bot transcript (SPEC T5). Each transfer
// leaves a record for agents only ([session.EntryTransfer]) with who, when,
// to whom and the comment; [History] reads them from the organisation's log.
// The customer never sees them.
//
// # Errors
//
// Every refusal matches one of the package's error variables and changes
// nothing. Where routing decides, [Refusal] turns its sentinel into this
// package's, and the error matches both.
package transfer
