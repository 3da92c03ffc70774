//go:build !race

package engine_test

// raceEnabled reports whether the race detector is on: the slow suites run
// once, in the pass without it.
const raceEnabled = false
