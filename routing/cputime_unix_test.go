//go:build unix

package routing_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock reads the CPU time the process used, so that a benchmark can
// report CPU per op beside wall time: on a machine shared with other work,
// wall time counts the waits for a core too.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{processCPU()} }

// report adds the CPU time per op since start as the metric cpu-ns/op.
func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}
