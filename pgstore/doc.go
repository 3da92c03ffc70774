// Package pgstore implements the stores of switchboard over PostgreSQL, so
// that several processes share one database and nothing is lost when one of
// them dies: [RoutingStore] is a [routing.Store] and [SessionStore] a
// [session.Store] with the optional stores the engine uses.
//
// The host owns the [pgxpool.Pool] and passes it in; [Migrate] creates the
// tables in the schema of the pool's search_path. Every record is a row
// with a version column: [RoutingStore.Commit] runs one transaction of
// compare-and-set writes (UPDATE … WHERE version = n, INSERT … ON
// CONFLICT DO NOTHING for version 0), so two processes racing for the same
// record cannot both win. Deadlines are columns with indexes, so any
// process finds the deadlines of one that died; the event log, its cursors
// and their leases are tables, and the committed transaction IDs too, so a
// commit whose outcome was lost can be resolved.
//
// # Lock order
//
// A commit locks the rows it writes or checks in a fixed order: licence
// shards, queues, queue states, agents, chats, offers (each by ID), then the
// event log's partition counters (by partition). Two commits therefore never
// wait for each other in a cycle. A serialization failure or a deadlock
// reported by the database all the same (SQLSTATE 40001, 40P01) is
// [routing.ErrConflict]: the router retries it.
//
// # Clocks
//
// Nothing compares stored times to the database's now(): deadlines, leases
// and the commit times of transaction IDs are written and compared with the
// library's clock of each process. Processes whose clocks disagree by d
// expire deadlines up to d early or late, and a lease may be taken up to d
// before its holder thinks it ends; the engine renews leases well before
// they end (a third of the lease), so a skew well under that is harmless,
// and a lease taken early still cannot lose work: every step is a
// compare-and-set.
package pgstore
