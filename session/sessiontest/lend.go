package sessiontest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/session"
)

// lendCases run against a store that implements session.SessionLender.
var lendCases = []struct {
	name string
	run  func(t *testing.T, s session.Store, l session.SessionLender)
}{
	{"LentIsStored", func(t *testing.T, s session.Store, l session.SessionLender) {
		ctx := context.Background()
		got := mustCreate(t, s, "s1")
		lent, err := l.LendSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, got, *lent)
	}},
	{"LentNeverChanges", func(t *testing.T, s session.Store, l session.SessionLender) {
		ctx := context.Background()
		got := mustCreate(t, s, "s1")
		lent, err := l.LendSession(ctx, "s1")
		require.NoError(t, err)
		want := lent.Clone()
		next := got.Clone()
		next.Participants[0].Name = "Caroline"
		next.Participants[0].Stints[0].Left = 2
		next.Status = session.StatusClosed
		_, err = s.UpdateSession(ctx, next, []session.Entry{msg("bye")})
		require.NoError(t, err)
		require.Equal(t, want, *lent, "a write changed a session lent before it")
		now, err := l.LendSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, "Caroline", now.Participants[0].Name)
		require.Equal(t, uint64(2), now.Version)
	}},
	{"LentIsNotTheCallersCopy", func(t *testing.T, s session.Store, l session.SessionLender) {
		ctx := context.Background()
		in := newSession("s1")
		_, err := s.CreateSession(ctx, in, nil)
		require.NoError(t, err)
		in.Participants[0].Name = "changed after the write"
		lent, err := l.LendSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, "Carol", lent.Participants[0].Name)
	}},
	{"LendUnknown", func(t *testing.T, _ session.Store, l session.SessionLender) {
		_, err := l.LendSession(context.Background(), "nope")
		require.True(t, errors.Is(err, session.ErrNotFound), "got %v", err)
	}},
	{"LendCancelled", func(t *testing.T, s session.Store, l session.SessionLender) {
		mustCreate(t, s, "s1")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := l.LendSession(ctx, "s1")
		require.ErrorIs(t, err, context.Canceled)
	}},
}

// entryLendCases run against a store that implements session.EntryLender.
var entryLendCases = []struct {
	name string
	run  func(t *testing.T, s session.Store, l session.EntryLender)
}{
	{"LentIsRead", func(t *testing.T, s session.Store, l session.EntryLender) {
		ctx := context.Background()
		mustCreate(t, s, "s1", msg("one"), whisper("two"), msg("three"))
		for _, c := range []struct {
			after uint64
			limit int
		}{{0, 0}, {1, 0}, {0, 2}, {1, 1}, {3, 0}, {9, 0}} {
			want, err := s.ReadEntries(ctx, "s1", c.after, c.limit)
			require.NoError(t, err)
			got, err := l.LendEntries(ctx, "s1", c.after, c.limit)
			require.NoError(t, err)
			require.Equal(t, want, got, "after %d, limit %d", c.after, c.limit)
		}
	}},
	{"LentNeverChanges", func(t *testing.T, s session.Store, l session.EntryLender) {
		ctx := context.Background()
		st := mustCreate(t, s, "s1", msg("one"), msg("two"))
		lent, err := l.LendEntries(ctx, "s1", 0, 0)
		require.NoError(t, err)
		want := make([]session.Entry, len(lent))
		for i := range lent {
			want[i] = lent[i].Clone()
		}
		require.NoError(t, s.AmendEntry(ctx, "s1", 1, "o**"))
		_, err = s.AppendEntries(ctx, "s1", st.Version, []session.Entry{msg("three"), msg("four")})
		require.NoError(t, err)
		require.Equal(t, want, lent, "a write changed entries lent before it")
		now, err := l.LendEntries(ctx, "s1", 0, 0)
		require.NoError(t, err)
		require.Len(t, now, 4)
		require.Equal(t, "o**", now[0].Text)
		// Appending to what was lent does not reach the store.
		_ = append(lent, msg("not stored"))
		again, err := s.ReadEntries(ctx, "s1", 0, 0)
		require.NoError(t, err)
		require.Equal(t, "three", again[2].Text)
	}},
	{"LendUnknown", func(t *testing.T, _ session.Store, l session.EntryLender) {
		_, err := l.LendEntries(context.Background(), "nope", 0, 0)
		require.True(t, errors.Is(err, session.ErrNotFound), "got %v", err)
	}},
}
