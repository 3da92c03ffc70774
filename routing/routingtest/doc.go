// Package routingtest is the conformance suite for implementations of
// [routing.Store]. A host that implements the store over its own database
// runs it from a test:
//
//	func TestStore(t *testing.T) {
//		routingtest.RunStoreTests(t, func(t *testing.T) routing.Store {
//			return newEmptyStore(t) // a fresh, empty store per call
//		})
//	}
//
// The suite checks the contract written on each method of [routing.Store]:
// the sentinel errors, compare-and-set commits that apply all or nothing,
// copies across the boundary, the order and filters of every query, deadline
// lookups, honouring a cancelled context, safety under concurrent commits,
// a router working over the store, racing for a ring-all chat, and the
// event log and transaction log: events committed only with their writes,
// Seq order per partition, cursors as compare-and-set, and the events a
// store must keep. Package routingmem runs it against the in-memory store.
//
// [FaultStore] wraps any store to make chosen calls fail or lose their
// outcome, for tests of components built on a store.
//
// It imports testify, so import it only from tests. Its API follows the
// module's semantic versioning; new cases may be added in minor releases.
package routingtest
