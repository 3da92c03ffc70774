// Package conference holds the rules of conferences: an agent in a customer
// chat invites other agents in, consults them, and ends the conference or
// hands the customer over. It is the home of those rules as types and plain
// functions over values, with no I/O; the engine
// ([github.com/switchboard-cc/switchboard/engine]) runs them against
// routing ([routing.Router] decides who is in the chat) and the session
// ([session.Manager] decides who sees what), and its operations
// (Engine.Invite, Engine.Leave, Engine.HandOver, Engine.EndConference)
// keep the two in step.
//
// # Roles
//
// The agent who owns the chat is Agent 1. The agents it invites are
// consulted agents (Agent 2, ...). The customer, bots and monitoring
// supervisors are never part of a conference's decisions.
//
// # Inviting
//
// A [Request] invites an agent by name or through a queue (SPEC C1–C4);
// [Request.Validate] checks its shape. [CanInvite] decides who may invite:
// only an agent present in the session as its owner or a consulted agent,
// and nobody once the customer left (SPEC C9). Routing then decides the
// rest: the invitee must be available; an invite that is declined or not
// accepted in time moves on to another available agent of the queue; one
// invite is pending at a time. The invitee accepts the offer like any
// other. Joins and departures are announced to everyone, the customer
// included (SPEC C6).
//
// # Leaving and ending
//
// After inviting, the inviter stays or leaves (SPEC C5): [Leave] decides
// that a consulted agent exits (the chat goes on, SPEC C8) and that the
// owner hands the chat to its [Successor], the consulted agent present
// longest. An owner with nobody to take over gets [ErrNobodyToTakeOver]: a
// chat is never left without an agent. The warm transfer (SPEC C11) is the
// same hand-over asked for by name: the owner consults an agent privately,
// then hands it the customer and goes to wrap-up.
//
// [CheckEnd] decides who ends the conference (SPEC C7): only the owner (a
// consulted agent gets [ErrCannotEnd], and cannot apply a wrap-up either,
// SPEC C8). [Config].EndPolicy decides whether the chat goes on with the
// customer ([ChatContinues], the default) or ends too ([EndEverything]).
// When the customer leaves, the consulted agents are dropped and the owner
// wraps up (SPEC C9).
//
// # Errors
//
// Every refusal matches one of the package's error variables. Where routing
// or the session decides, [Refusal] turns their sentinel into this
// package's, and the error matches both.
//
// # Privacy
//
// A whisper in a conference reaches every agent and never the customer
// (SPEC C10): the session's one visibility rule ([session.Visible]) builds
// every output, live or stored. An agent who left sees nothing written
// after it left.
package conference
