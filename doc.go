// Package switchboard holds the value types shared by every package of the
// switchboard chat-routing library: the identifiers of agents, queues, chats
// and tenants, and the media channel a chat travels on.
//
// switchboard routes customer chats to contact-centre agents and runs the chat
// sessions that follow. It is a library: a host application keeps its own
// database and websocket layer and plugs them in through small storage and
// transport interfaces, each of which ships with an in-memory default and a
// conformance test suite.
//
// # Packages
//
//   - [github.com/switchboard-cc/switchboard/routing]: queues, agent states,
//     offers and RONA, strategies, capacity and licence limits.
//   - [github.com/switchboard-cc/switchboard/session]: participants, whisper
//     visibility, agent-to-agent chat, life cycle, wrap-up and transcripts,
//     and the Desk that wires sessions to routing.
//   - [github.com/switchboard-cc/switchboard/conference] and
//     [github.com/switchboard-cc/switchboard/transfer]: multi-agent chats,
//     warm and blind transfers.
//   - [github.com/switchboard-cc/switchboard/attachment]: content-checked
//     attachment policies.
//   - compliance: payment-card and PII detection and masking.
//
// # Import graph
//
// Packages are layers. The allowed imports between the module's packages are:
//
//	switchboard (this package)  imports nothing from the module
//	compliance                  ← switchboard
//	attachment                  ← switchboard, compliance
//	routing                     ← switchboard
//	session                     ← switchboard, routing, compliance, attachment
//	conference, transfer        ← switchboard, routing, session
//
// Packages ending in "mem" (in-memory implementations) and "test"
// (conformance suites) may import the package they implement; no domain
// package imports them outside its tests. internal/desktest, a Desk over
// in-memory ports for tests, is imported only by tests.
package switchboard
