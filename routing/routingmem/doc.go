// Package routingmem is the in-memory implementation of the routing ports:
// [Store] implements [routing.Store] and [Bus] implements
// [routing.Transport].
//
// The store holds the event log ([routing.EventLog]) in memory too: a
// partition keeps only the events some stored cursor has not passed, and
// none while no cursor is stored, so a host with no consumer pays for no log.
// Its Commit always knows its outcome.
//
// They are the embedded default: safe for concurrent use, with every record
// copied across the boundary, and indexed so that routing decisions cost
// O(log n) in the number of agents. They are suitable for a single process
// and for tests. They are not durable: everything is lost when the process
// exits, and several processes cannot share them. Hosts that need either
// implement [routing.Store] over their database and check it with package
// routingtest, which this package's tests run too.
//
// The API of this package follows the module's semantic versioning.
package routingmem
