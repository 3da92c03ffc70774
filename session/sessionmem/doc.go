// Package sessionmem provides in-memory implementations of the session
// package's ports: [Store] (session state and log, with the feed and
// retention of session.FeedStore and session.RetentionStore), [FragmentStore]
// (the held-back fragments of split card numbers), [Transport] (records
// deliveries per participant) and [Directory] (a fixed agent list).
//
// They are meant for a single process and for tests: everything lives in
// process memory behind per-session locks, nothing is durable, and values are copied
// across the boundary so callers can never alias stored data. Hosts that
// run several processes, or need sessions to survive a restart, implement
// [session.Store] over their own database and check it with
// [github.com/switchboard-cc/switchboard/session/sessiontest.RunStoreTests].
//
// The package follows the module's semantic versioning: its exported API
// is stable, its performance characteristics are not.
package sessionmem
