package session_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// TestCatchUpAllocatesWhatItReturns (SPEC Y1) catches an agent up on the
// last 10 entries of a 1,000-entry log, on its first 10 (with a limit) and
// on the whole log, from a store
// that lends its entries and from one that only copies them: the short
// catch-ups allocate a small fraction of the long one. It runs alone (not
// in parallel) so that no other test's allocations count.
func TestCatchUpAllocatesWhatItReturns(t *testing.T) {
	for _, st := range []struct {
		name  string
		store session.Store
	}{
		{"lending", sessionmem.NewStore()},
		{"copying", struct{ session.Store }{sessionmem.NewStore()}},
	} {
		t.Run(st.name, func(t *testing.T) {
			m, err := session.NewManager(st.store, session.Config{Transport: session.Discard{},
				Queues: map[switchboard.QueueID]session.QueueConfig{"sales": {}}})
			require.NoError(t, err)
			chat := chatWithOwner(t, m)
			var last uint64
			for range 1000 {
				last = send(t, m, chat, annP, session.ModeNormal, "a message of some length").Seq
			}
			perCall := func(after uint64, limit int) (bytes float64, n int) {
				const calls = 20
				runtime.GC()
				var before, after2 runtime.MemStats
				runtime.ReadMemStats(&before)
				for range calls {
					vs, err := m.CatchUp(ctx, chat, annP, after, limit)
					require.NoError(t, err)
					n = len(vs)
				}
				runtime.ReadMemStats(&after2)
				return float64(after2.TotalAlloc-before.TotalAlloc) / calls, n
			}
			tail, n := perCall(last-10, 0)
			require.Equal(t, 10, n)
			head, n := perCall(0, 10)
			require.Equal(t, 10, n)
			long, n := perCall(0, 0)
			require.Greater(t, n, 1000)
			t.Logf("catch-up allocates %.0f B for the last 10 entries, %.0f B for the first 10, %.0f B for all %d", tail, head, long, n)
			require.Less(t, tail*30, long, "the last 10 entries of the log cost nearly as much as all of it")
			require.Less(t, head*30, long, "the first 10 entries of the log cost nearly as much as all of it")
		})
	}
}
