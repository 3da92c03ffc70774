package routingmem

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// TestTheLogTurnsOverInPlace reads the log as the engine does, into a
// buffer of the reader's, behind a consumer that stays a few events behind
// the tip, so the log is never empty: once it has grown to what the
// consumer keeps, it moves its live events down in its own array rather
// than allocating another, however many events pass.
func TestTheLogTurnsOverInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := New(Config{Partitions: 1})
	require.NoError(t, s.SaveCursor(ctx, routing.Cursor{Consumer: "c", Partition: 0}))
	var buf []routing.Event
	var first *routing.Event
	for i := range 5000 {
		e := routing.Event{Type: routing.ChatQueued, Chat: switchboard.ChatID(fmt.Sprint("c", i)),
			Queues: []switchboard.QueueID{"q"}}
		require.NoError(t, s.Commit(ctx, routing.Txn{ID: fmt.Sprint(i), Events: []routing.Event{e}}))
		if i%10 != 9 {
			continue
		}
		cur, err := s.Cursor(ctx, "c", 0)
		require.NoError(t, err)
		buf, err = s.AppendEvents(ctx, 0, cur.Position, 0, buf[:0])
		require.NoError(t, err)
		require.Equal(t, cur.Position+1, buf[0].Seq)
		cur.Position = buf[len(buf)-1].Seq - 3 // three stay behind
		require.NoError(t, s.SaveCursor(ctx, cur))
		s.mu.RLock()
		events := s.parts[0].events
		s.mu.RUnlock()
		if i == 999 {
			first = &events[:1][0]
		} else if i > 999 {
			require.Same(t, first, &events[:1][0], "the log took a new array after %d events", i+1)
		}
	}
	require.Equal(t, uint64(5000), buf[len(buf)-1].Seq)
}
