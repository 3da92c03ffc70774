//go:build !unix

package engine_test

// cpuTime cannot tell the process's CPU time or page faults here.
func cpuTime() (ns, faults int64, ok bool) { return 0, 0, false }
