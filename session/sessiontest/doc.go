// Package sessiontest holds conformance suites for hosts implementing the
// session package's ports. Run them from your own tests:
//
//	func TestStore(t *testing.T) {
//		sessiontest.RunStoreTests(t, func(t *testing.T) session.Store {
//			return newStoreOnAFreshSchema(t)
//		})
//	}
//
// [RunStoreTests] checks the [session.Store] contract: sentinel errors,
// compare-and-set on the session version, fenced appends, gapless
// sequence numbers under concurrent appends, atomic state-and-log
// updates, copying across the boundary and context cancellation. Set
// SESSIONTEST_STRESS to a number to multiply the concurrent cases' work;
// -short reduces it.
//
// The package is meant to be imported only from tests. Its exported API
// follows the module's semantic versioning; new checks may be added in
// minor releases.
package sessiontest
