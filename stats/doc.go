// Package stats computes contact-centre statistics from routing's durable
// event log: cumulative figures by interval (per queue, team, agent and
// tenant), a real-time board, and an estimate of a waiting customer's wait.
//
// Every figure is a pure fold of [routing.Event]s ([Aggregates.Apply]): no
// clock, no I/O, so the same events give the same figures in any process.
// The log is split into partitions, every event of a chat in one and every
// event of an agent alone in one, and every figure depends only on the
// events of one chat or of one agent; so each partition is folded on its
// own into a [State], and the figures of the whole log are the states'
// merged ([Window], [MergeFigures], [Snapshot]). The log delivers at least
// once: a State keeps the Seq of the last event it folded, and an event at
// or before it is ignored, so a replay after a crash counts nothing twice.
//
// An engine feeds a [Consumer] (engine.Config.Consumers), which keeps each
// partition's State in a [Store] with versioned writes: figures outlive the
// events, and several processes share the partitions under leases.
// docs/statistics.md defines every figure.
package stats
