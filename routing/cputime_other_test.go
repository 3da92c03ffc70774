//go:build !unix

package routing_test

import "testing"

// cpuClock reports nothing where the process's CPU time is not read.
type cpuClock struct{}

func startCPU() cpuClock { return cpuClock{} }

func (cpuClock) report(*testing.B) {}
