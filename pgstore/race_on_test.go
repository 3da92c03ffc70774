//go:build race

package pgstore_test

// raceEnabled reports whether the race detector is on: the slow suites
// (several processes, fault enumeration, benchmarks) run in the pass
// without it.
const raceEnabled = true
