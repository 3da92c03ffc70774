// Package routingmem is the in-memory implementation of the routing ports:
// [Store] implements [routing.Store] and [Bus] implements
// [routing.Transport].
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
