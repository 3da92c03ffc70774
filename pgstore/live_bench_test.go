package pgstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/session"
)

// BenchmarkNotify measures what announcing live deliveries costs beside
// the write that causes them, in one run: a session write of one message
// alone (the baseline), the write followed by one NOTIFY round trip, and
// NOTIFY of one delivery and of batches of 64 per round trip, per delivery
// (SPEC G8).
func BenchmarkNotify(b *testing.B) {
	if raceEnabled {
		b.Skip("benchmarks run without the race detector")
	}
	pool := newPool(b, newSchema(b), 2)
	ss := pgstore.NewSessions(pool, pgstore.SessionConfig{})
	live, err := pgstore.NewLive(pool, ss, pgstore.LiveConfig{})
	require.NoError(b, err)
	_, err = ss.CreateSession(ctx, session.Session{ID: "c1", Txn: "t"}, nil)
	require.NoError(b, err)
	k := 0
	write := func() {
		k++
		_, err := ss.AppendEntries(ctx, "c1", 1, []session.Entry{{ID: fmt.Sprint("m", k), Type: session.EntryMessage, Text: "hello", At: time.Unix(0, 0)}})
		require.NoError(b, err)
	}
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			write()
		}
	})
	b.Run("write+notify", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			write()
			require.NoError(b, pgstore.NotifyNotes(live, "agent:ann", "c1", 1))
		}
	})
	b.Run("notify/1", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			require.NoError(b, pgstore.NotifyNotes(live, "agent:ann", "c1", 1))
		}
	})
	b.Run("notify/batch64", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i += 64 {
			require.NoError(b, pgstore.NotifyNotes(live, "agent:ann", "c1", min(64, b.N-i)))
		}
	})
}
