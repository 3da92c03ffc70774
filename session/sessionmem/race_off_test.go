//go:build !race

package sessionmem_test

// raceEnabled reports whether the race detector is on: it changes what
// is allocated, so the tests that count bytes run without it.
const raceEnabled = false
