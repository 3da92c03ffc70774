// Package enginetest builds a whole switchboard for a test in one call and
// gives a routing-policy test what it needs, the way rivertest and
// raft's MakeCluster do for theirs.
//
// [New] builds an [engine.Engine] over in-memory routing and session
// stores, on a mock clock, with transports that record what every agent's
// desktop and every chat participant received; it puts the queues, sets
// the licence limit and logs the agents in that [Options] lists, and ends
// the engine's context when the test ends. The [Kit] it returns drives
// chats the way users do (start a chat, accept or reject an offer, say
// something, end the chat) and moves time with [Kit.Advance], which moves
// the mock clock and settles the engine: offers time out, chats overflow,
// wrap-ups end, with no sleeps.
//
// What a test asserts on is what users see:
//
//   - [Kit.CustomerSaw] and [Kit.AgentSaw]: the lines a participant's
//     client shows, from what was delivered to it (so a whisper is in the
//     agents' lines and not in the customer's), rendered by [Line];
//   - [Kit.Desktop] and [Kit.DesktopTypes]: the routing events an agent's
//     desktop received (offers, their outcomes, state changes such as RONA);
//   - [Kit.Offer], [Kit.HasOffer] and [Kit.Chat]: pending offers and the
//     chat's routing state.
//
// Every method settles the engine before it returns and fails the test
// with a message naming the agent, the chat and where the chat is when
// something a policy expects is not so, such as an offer that was never
// made.
//
// A Kit runs the library's own in-memory stores; [Options].Configure can
// put a store of your own (or a routingtest.FaultStore) under the same
// methods.
package enginetest
