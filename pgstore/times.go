package pgstore

import (
	"math"
	"time"
)

// Times are stored as Unix nanoseconds, which keeps the nanoseconds of the
// library's times (timestamptz keeps microseconds) and orders like them.

// nanos returns t as Unix nanoseconds; the zero time as the smallest value,
// so that it sorts first.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// deadline returns t as Unix nanoseconds, nil for the zero time: no
// deadline.
func deadline(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// fromNanos is the inverse of nanos, in UTC.
func fromNanos(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
