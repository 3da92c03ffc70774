// Package switchboard holds the value types shared by every package of the
// switchboard chat-routing library: the identifiers of agents, customers,
// queues, chats and tenants, the media channel a chat travels on, and a
// queue's chat settings (ChatSettings), which the queue's routing record
// holds and the sessions follow.
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
//     visibility, agent-to-agent chat, life cycle, wrap-up and transcripts.
//   - [github.com/switchboard-cc/switchboard/conference] and
//     [github.com/switchboard-cc/switchboard/transfer]: the rules of
//     multi-agent chats and of warm and blind transfers, as types and plain
//     functions.
//   - [github.com/switchboard-cc/switchboard/engine]: the orchestrator a host
//     builds and runs: it turns user actions (conferences and transfers
//     included) into routing and session transitions and routing's durable
//     events into their session consequences.
//   - [github.com/switchboard-cc/switchboard/attachment]: content-checked
//     attachment policies.
//   - compliance: payment-card and PII detection and masking.
//   - [github.com/switchboard-cc/switchboard/stats]: figures by interval
//     and a real-time board, folded from routing's durable events.
//
// # Import graph
//
// Packages are layers. The allowed imports between the module's packages are:
//
//	switchboard (this package)  imports nothing from the module
//	compliance                  ← switchboard
//	attachment                  ← switchboard, compliance
//	routing                     ← switchboard
//	session                     ← switchboard
//	conference, transfer        ← switchboard, routing, session
//	engine                      ← switchboard, routing, session, compliance, attachment, conference, transfer
//	stats                       ← switchboard, routing, session
//	otel (a module of its own)  ← routing, stats, engine
//
// Packages ending in "mem" (in-memory implementations) and "test"
// (conformance suites) may import the package they implement; no domain
// package imports them outside its tests. internal/desktest, an engine over
// in-memory stores for tests, is imported only by tests. engine/enginetest,
// the policy-test kit, builds an engine over routingmem and sessionmem for
// hosts' tests; no domain package imports it. pgstore, the PostgreSQL
// adapter in a module of its own, imports switchboard, routing and session,
// and nothing imports it.
package switchboard
