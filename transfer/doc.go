// Package transfer moves customer chats from one agent to another agent or
// to a queue: the blind transfer. It is a thin layer over a [engine.Engine]:
// routing ([routing.Router]) decides who owns the chat, the session
// ([session.Manager]) decides who sees what, and every call ends with
// [engine.Engine.Sync] so the two agree. The warm (consult) transfer is in
// package conference.
//
// # Choosing a target
//
// [Service.Queues] lists the tenant's queues with their descriptions and
// [Service.Agents] the agents of the transferring agent's team who are
// available to take the chat (SPEC T2).
//
// # Transferring
//
// [Service.Transfer] asks for the transfer. To an agent, the chat stays with
// its owner until the target accepts the offer with [engine.Engine.Accept];
// then the target owns the chat, the original agent leaves the session (it
// no longer sees anything written in it, SPEC T1) and goes to wrap-up, and
// the customer is told who left and who joined (SPEC T4). If the target does
// not accept in time, the queue's TransferFallback decides (SPEC T3): the
// chat goes back to its queue (the default), or ends with "agent has left".
// To a queue, the chat leaves its owner at once and waits there. Until the
// target agent answers, [Service.Cancel] withdraws the transfer.
//
// Feed every routing event to [engine.Engine.Handle]: that is how outcomes
// decided inside the router (the target accepting, declining or timing out)
// reach the session.
//
// # History
//
// The chat's whole visible history goes with it: the new owner reads all of
// it, and the routing chat keeps the bot transcript (SPEC T5). Each transfer
// leaves a record for agents only ([session.EntryTransfer]) with who, when,
// to whom and the comment; [Service.History] returns them. The customer
// never sees them.
//
// # Errors
//
// Every refusal matches one of the package's error variables, most of which
// are routing's own sentinels, and changes nothing.
package transfer
