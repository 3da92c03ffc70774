package sessiontest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard/session"
)

func init() {
	storeCases = append(storeCases, storeCase{"ReadMarksRoundTrip", readMarksRoundTrip})
}

// readMarksRoundTrip: a participant's read position is kept whole by an
// update without entries, and a stale update does not move it back.
func readMarksRoundTrip(t *testing.T, s session.Store) {
	ctx := context.Background()
	cur := mustCreate(t, s, "s1", msg("one"), whisper("two"))
	mark := session.ReadMark{Seq: 2, At: epoch.Add(3e9), Public: 1, PublicVersion: 1, PublicAt: epoch.Add(2e9)}
	next := cur.Clone()
	next.Participants[0].Read = mark
	stored, err := s.UpdateSession(ctx, next, nil)
	require.NoError(t, err)
	require.Empty(t, stored, "a read position writes no entry")
	got, err := s.GetSession(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, mark, got.Participants[0].Read)
	require.Len(t, readAll(t, s, "s1"), 2)

	stale := cur.Clone() // still version 1, with no position
	_, err = s.UpdateSession(ctx, stale, nil)
	require.ErrorIs(t, err, session.ErrConflict)
	got, err = s.GetSession(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, mark, got.Participants[0].Read, "a conflicting update does not move the position back")
}
