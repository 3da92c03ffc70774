package stats

import (
	"context"

	"github.com/switchboard-cc/switchboard"
)

// ErrConflict is wrapped by the error of [Store.Save] when the stored
// version is not the one saved against.
var ErrConflict = switchboard.NewError(switchboard.ErrConflict, "stats: version conflict")

// ErrInvalid is wrapped by the error of a [Store] method for input it
// refuses, such as a negative partition.
var ErrInvalid = switchboard.NewError(switchboard.ErrInvalid, "stats: invalid input")

// Store keeps the folded [State] of each partition of routing's event log,
// so figures outlive the events (which the routing store drops once every
// consumer has passed them) and any process carries on after another.
// [statsmem.Store] is the in-memory default; package statstest checks an
// implementation.
//
// A SQL store keeps one row per partition (the state encoded as JSON, say,
// with the version in a column) and saves with UPDATE … WHERE version = $n.
// Every method must be safe for concurrent use, honour ctx, and return and
// store copies.
type Store interface {
	// Load returns the state of partition p; the zero State with
	// Partition set and Version 0 when none is stored. A negative p is
	// [ErrInvalid].
	Load(ctx context.Context, p int) (State, error)
	// Save stores st as a compare-and-set: Version 0 creates the
	// partition's state ([ErrConflict] if one is stored), Version n
	// replaces it only if the stored version is n ([ErrConflict]
	// otherwise). The state is stored with Version n+1, and st.Version is
	// set to it. A negative Partition is [ErrInvalid]. A failed Save
	// changes nothing.
	Save(ctx context.Context, st *State) error
}

// ChangeStore is a [Store] that can write only what folding changed since
// the last save, rather than the whole state: a [Consumer] then pays, for
// each batch of events, for what the batch changed, not for every chat
// and agent live and every row kept. A partition of a centre with 100,000
// chats live holds tens of megabytes; a batch changes a few entries.
type ChangeStore interface {
	Store
	// SaveChanges stores st as Save does, as a compare-and-set on its
	// Version, when the stored state at that version is the one st was
	// folded from and ch names what folding changed since: the entries
	// ch names are written as st
	// holds them (deleted where it holds none), with st's positions and
	// horizon ([State.CopyChanges]). A failed SaveChanges changes nothing.
	SaveChanges(ctx context.Context, st *State, ch *Changes) error
}
