//go:build !unix

package engine_test

// cpuTime cannot tell the process's CPU time here.
func cpuTime() (int64, bool) { return 0, false }
