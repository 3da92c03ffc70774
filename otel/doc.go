// Package otel exports switchboard's statistics as OpenTelemetry metrics
// and traces the operations of an engine.Engine as OpenTelemetry spans.
//
// [RegisterMetrics] registers observable instruments on a metric.Meter;
// at each collection one callback loads every partition's folded state
// from a stats.Store and reports the real-time board and the cumulative
// figures. [Tracer] is an engine.Tracer that opens a span per operation
// and per routing event the engine processes.
//
// # Metrics
//
// Names and units are stable. Real-time gauges, by queue (attribute
// "queue"):
//
//	switchboard.queue.chats.waiting      {chat}   chats waiting, no offer pending
//	switchboard.queue.chats.offered      {chat}   chats with an offer pending
//	switchboard.queue.chats.talking      {chat}   chats assigned
//	switchboard.queue.chats.wrapping_up  {chat}   chats in wrap-up
//	switchboard.queue.wait.longest       s        longest wait of a waiting or offered chat
//	switchboard.queue.agents.eligible    {agent}  Available agents with a free slot on the queue's channel
//
// by tenant (attribute "tenant"; "state" or "channel" where named):
//
//	switchboard.agents.logged_in  {agent}  agents logged in, by "state"
//	switchboard.agents.slots.free {slot}   free slots of Available agents, by "channel"
//	switchboard.agents.occupancy  1        slots in use ÷ slots
//
// Cumulative counters since the statistics began, by queue:
//
//	switchboard.queue.chats.entered    {chat}
//	switchboard.queue.chats.answered   {chat}
//	switchboard.queue.chats.abandoned  {chat}
//	switchboard.queue.chats.timed_out  {chat}
//	switchboard.queue.chats.handled    {chat}
//	switchboard.queue.answer.time      s   sum of the answered chats' waits
//	switchboard.queue.handle.time      s   sum of the handled chats' handle times
//
// docs/statistics.md defines each figure. Rates and averages come from
// the counters: average speed of answer over a range is
// rate(answer.time) ÷ rate(chats.answered). A Prometheus exporter names
// them switchboard_queue_chats_waiting, switchboard_queue_answer_time_seconds_total
// and so on.
package otel
