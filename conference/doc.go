// Package conference runs conferences: an agent in a customer chat invites
// other agents in, consults them, and ends the conference or hands the
// customer over. It is a thin layer over a [engine.Engine]: routing
// ([routing.Router]) decides who is in the chat, the session
// ([session.Manager]) decides who sees what, and every call ends with
// [engine.Engine.Sync] so the two agree.
//
// # Roles
//
// The agent who owns the chat is Agent 1. The agents it invites are
// consulted agents (Agent 2, ...). The customer, bots and monitoring
// supervisors are never part of a conference's decisions.
//
// # Inviting
//
// [Service.Invite] invites an agent by name or through a queue (SPEC C1–C4):
// only an agent present in the session may invite; the invitee must be
// available; an invite that is declined or not accepted in time moves on to
// another available agent of the queue; one invite is pending at a time.
// The invitee accepts with [engine.Engine.Accept]. Joins and departures are
// announced to everyone, the customer included (SPEC C6).
//
// Outcomes decided inside the router (an invite timing out and moving on,
// an invite that found nobody) reach the session through the engine's
// event processing ([engine.Engine.Run]).
//
// # Leaving and ending
//
// After inviting, the inviter stays or leaves (SPEC C5): [Service.Leave]
// lets a consulted agent exit (the chat goes on, SPEC C8) and lets the owner
// hand the chat to the consulted agent present longest and leave. An owner
// with nobody to take over gets [ErrNobodyToTakeOver]: a chat is never left
// without an agent. [Service.HandOver] is the warm transfer (SPEC C11): the
// owner consults an agent privately, then hands it the customer and goes to
// wrap-up.
//
// [Service.End] ends the conference (SPEC C7): only the owner may (a
// consulted agent gets [ErrCannotEnd], and cannot apply a wrap-up either,
// SPEC C8). [Config].EndPolicy decides whether the chat goes on with the
// customer ([ChatContinues], the default) or ends too ([EndEverything]).
// When the customer leaves, [engine.Engine.CustomerLeft] drops the consulted
// agents and the owner wraps up (SPEC C9).
//
// # Privacy
//
// A whisper in a conference reaches every agent and never the customer
// (SPEC C10): the session's one visibility rule ([session.Visible]) builds
// every output, live or stored. An agent who left sees nothing written
// after it left.
package conference
