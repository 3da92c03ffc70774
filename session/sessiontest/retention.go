package sessiontest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

type retentionCase struct {
	name string
	run  func(t *testing.T, s session.Store, r session.RetentionStore)
}

// mustClose closes session id at the given time, returning it as stored.
func mustClose(t *testing.T, s session.Store, id switchboard.ChatID, at time.Time) session.Session {
	t.Helper()
	ctx := context.Background()
	cur, err := s.GetSession(ctx, id)
	require.NoError(t, err)
	next := cur.Clone()
	next.Status, next.ClosedAt = session.StatusClosed, at
	_, err = s.UpdateSession(ctx, next, []session.Entry{{Type: session.EntryClosed, Audience: session.Everyone(), At: at}})
	require.NoError(t, err)
	got, err := s.GetSession(ctx, id)
	require.NoError(t, err)
	return got
}

var retentionCases = []retentionCase{
	{"ClosedByCloseTime", func(t *testing.T, s session.Store, r session.RetentionStore) {
		ctx := context.Background()
		for _, id := range []switchboard.ChatID{"a", "b", "c", "d", "e", "open"} {
			mustCreate(t, s, id, msg("hi"))
		}
		mustClose(t, s, "c", epoch.Add(1*time.Minute))
		mustClose(t, s, "a", epoch.Add(3*time.Minute))
		mustClose(t, s, "b", epoch.Add(1*time.Minute))
		mustClose(t, s, "d", epoch.Add(2*time.Minute))
		mustClose(t, s, "e", epoch.Add(5*time.Minute))

		ids, err := r.Closed(ctx, epoch.Add(5*time.Minute), 0)
		require.NoError(t, err)
		require.Equal(t, []switchboard.ChatID{"b", "c", "d", "a"}, ids,
			"closed before the time (not at it), by close time then ID; open sessions never")
		ids, err = r.Closed(ctx, epoch.Add(time.Hour), 2)
		require.NoError(t, err)
		require.Equal(t, []switchboard.ChatID{"b", "c"}, ids)
		ids, err = r.Closed(ctx, epoch, 0)
		require.NoError(t, err)
		require.Empty(t, ids)

		cur, err := s.GetSession(ctx, "b")
		require.NoError(t, err)
		reopened := cur.Clone()
		reopened.Status, reopened.ClosedAt = session.StatusActive, time.Time{}
		_, err = s.UpdateSession(ctx, reopened, nil)
		require.NoError(t, err)
		ids, err = r.Closed(ctx, epoch.Add(time.Hour), -1)
		require.NoError(t, err)
		require.Equal(t, []switchboard.ChatID{"c", "d", "a", "e"}, ids, "a reopened session is not closed")
	}},
	{"ForgetLeavesNothing", func(t *testing.T, s session.Store, r session.RetentionStore) {
		ctx := context.Background()
		mustCreate(t, s, "gone", withID(msg("one"), "m1"), msg("two"))
		mustCreate(t, s, "kept", msg("stays"))
		closed := mustClose(t, s, "gone", epoch)
		require.NoError(t, r.Forget(ctx, "gone", closed.Version))

		_, err := s.GetSession(ctx, "gone")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.ReadEntries(ctx, "gone", 0, 0)
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.EntryByID(ctx, "gone", "m1")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.LastSeq(ctx, "gone")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.AppendEntries(ctx, "gone", closed.Version, []session.Entry{msg("late")})
		require.ErrorIs(t, err, session.ErrNotFound, "a forgotten session answers as one never created")
		ids, err := r.Closed(ctx, epoch.Add(time.Hour), 0)
		require.NoError(t, err)
		require.Empty(t, ids)
		require.ErrorIs(t, r.Forget(ctx, "gone", closed.Version), session.ErrNotFound)
		require.Len(t, readAll(t, s, "kept"), 1, "other sessions are untouched")

		again := mustCreate(t, s, "gone", withID(msg("new"), "m1"))
		require.Equal(t, uint64(1), again.Version, "the ID may be used again")
		log := readAll(t, s, "gone")
		require.Len(t, log, 1)
		require.Equal(t, uint64(1), log[0].Seq)

		if f, ok := s.(session.FeedStore); ok {
			var texts []string
			for p := range f.Partitions() {
				for _, fe := range readFeed(t, f, p) {
					if fe.Chat == "gone" {
						texts = append(texts, fe.Entry.Text)
					}
				}
			}
			require.Equal(t, []string{"new"}, texts, "the feed forgets the forgotten session's entries")
		}
	}},
	{"ForgetRefuses", func(t *testing.T, s session.Store, r session.RetentionStore) {
		ctx := context.Background()
		require.ErrorIs(t, r.Forget(ctx, "nope", 1), session.ErrNotFound)
		open := mustCreate(t, s, "open", msg("hi"))
		require.ErrorIs(t, r.Forget(ctx, "open", open.Version), session.ErrInvalidState)
		got, err := s.GetSession(ctx, "open")
		require.NoError(t, err)
		require.Equal(t, open, got)
		require.Len(t, readAll(t, s, "open"), 1)

		mustCreate(t, s, "closed", msg("hi"))
		closed := mustClose(t, s, "closed", epoch)
		require.ErrorIs(t, r.Forget(ctx, "closed", closed.Version-1), session.ErrConflict,
			"a session changed since it was read is not forgotten")
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, r.Forget(cancelled, "closed", closed.Version), context.Canceled)
		_, err = r.Closed(cancelled, epoch.Add(time.Hour), 0)
		require.ErrorIs(t, err, context.Canceled)
		require.Len(t, readAll(t, s, "closed"), 2, "a refused forget changes nothing")
	}},
}
