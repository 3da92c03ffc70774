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
