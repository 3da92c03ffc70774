package stats

import (
	"math"
	"time"
)

// sketchGamma is the ratio between neighbouring buckets of a [Sketch]:
// every duration of at least a millisecond is recorded in the bucket
// [γ^(i-1), γ^i) milliseconds, and read back as the bucket's midpoint
// 2γ^i/(γ+1), so a quantile is within (γ−1)/(γ+1) ≈ 1.96% of a duration
// that was recorded (relative error), whatever the distribution.
const sketchGamma = 1.04

// sketchBuckets is the number of buckets: bucket 0 holds durations under
// a millisecond, the last one everything from about 27 hours on.
const sketchBuckets = 480

var logGamma = math.Log(sketchGamma)

// SketchError is the relative error bound of [Sketch.Quantile].
const SketchError = (sketchGamma - 1) / (sketchGamma + 1)

// Sketch is a mergeable histogram of durations on a logarithmic scale (a
// DDSketch with fixed buckets): adding a duration is a constant-time
// increment, two sketches merge by adding their counts, and a quantile is
// exact to within [SketchError] relative error. It is a fixed-size value,
// so folding into it allocates nothing.
type Sketch struct {
	Counts [sketchBuckets]uint32
	N      uint64
}

func sketchIndex(d time.Duration) int {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 1 {
		return 0
	}
	i := 1 + int(math.Log(ms)/logGamma)
	return min(i, sketchBuckets-1)
}

// Add records d.
func (s *Sketch) Add(d time.Duration) {
	s.Counts[sketchIndex(d)]++
	s.N++
}

// Merge adds o's durations to s.
func (s *Sketch) Merge(o *Sketch) {
	for i, c := range o.Counts {
		s.Counts[i] += c
	}
	s.N += o.N
}

// Quantile returns the duration below which a fraction q (0 ≤ q ≤ 1) of
// the recorded durations lie, within [SketchError]; false when nothing was
// recorded or q is out of range.
func (s *Sketch) Quantile(q float64) (time.Duration, bool) {
	if s == nil || s.N == 0 || q < 0 || q > 1 || math.IsNaN(q) {
		return 0, false
	}
	rank := uint64(math.Ceil(q * float64(s.N)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range s.Counts {
		seen += uint64(c)
		if seen >= rank {
			if i == 0 {
				return 0, true
			}
			mid := 2 * math.Pow(sketchGamma, float64(i)) / (sketchGamma + 1)
			return time.Duration(mid * float64(time.Millisecond)), true
		}
	}
	return 0, false
}
