package engine

import "github.com/switchboard-cc/switchboard"

// Errors of the engine's own, besides [ErrNotRunning], [ErrInvalid] and
// [ErrConfig]. Every error an [Engine] returns matches one kind of
// [switchboard.KindOf].
var (
	// ErrRunning is returned by [Engine.Run] when the engine's Run is
	// running already.
	ErrRunning = switchboard.NewError(switchboard.ErrState, "engine: Run is already running")
	// ErrBusy is returned by [Engine.Settle] when work keeps arriving
	// faster than it is done: it did not settle in 1000 rounds.
	ErrBusy = switchboard.NewError(switchboard.ErrUnavailable, "engine: settle: still busy after 1000 rounds")
)
