package sessiontest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

type feedCase struct {
	name string
	run  func(t *testing.T, s session.Store, f session.FeedStore)
}

// readFeed returns every entry of partition p.
func readFeed(t *testing.T, f session.FeedStore, p int) []session.FeedEntry {
	t.Helper()
	out, err := f.Feed(context.Background(), p, 0, 0)
	require.NoError(t, err)
	return out
}

// chatsIn returns n chat IDs that fall in partition p.
func chatsIn(f session.FeedStore, p, n int) []switchboard.ChatID {
	var out []switchboard.ChatID
	for i := 0; len(out) < n; i++ {
		id := switchboard.ChatID(fmt.Sprintf("chat-%d", i))
		if session.PartitionOf(id, f.Partitions()) == p {
			out = append(out, id)
		}
	}
	return out
}

var feedCases = []feedCase{
	{"EveryEntryInCommitOrder", func(t *testing.T, s session.Store, f session.FeedStore) {
		ctx := context.Background()
		n := f.Partitions()
		require.GreaterOrEqual(t, n, 1)
		ids := []switchboard.ChatID{"a", "b", "c", "d", "e"}
		vers := map[switchboard.ChatID]uint64{}
		for _, id := range ids {
			vers[id] = mustCreate(t, s, id, msg(string(id)+"-created")).Version
		}
		for i := range 4 {
			for _, id := range ids {
				e := msg(fmt.Sprintf("%s-%d", id, i))
				if i%2 == 0 {
					_, err := s.AppendEntries(ctx, id, vers[id], []session.Entry{e, whisper("w")})
					require.NoError(t, err)
					continue
				}
				cur, err := s.GetSession(ctx, id)
				require.NoError(t, err)
				_, err = s.UpdateSession(ctx, cur, []session.Entry{e})
				require.NoError(t, err)
				vers[id] = cur.Version + 1
				// Failed writes add nothing to the feed.
				_, err = s.UpdateSession(ctx, cur, []session.Entry{msg("stale")})
				require.ErrorIs(t, err, session.ErrConflict)
				_, err = s.AppendEntries(ctx, id, cur.Version, []session.Entry{msg("stale")})
				require.ErrorIs(t, err, session.ErrConflict)
			}
		}
		require.NoError(t, s.AmendEntry(ctx, "a", 1, "a-masked"))

		byChat := map[switchboard.ChatID][]session.Entry{}
		total := 0
		for p := range n {
			feed := readFeed(t, f, p)
			total += len(feed)
			for i, fe := range feed {
				if i > 0 {
					require.Greater(t, fe.Seq, feed[i-1].Seq, "positions strictly increase within a partition")
				}
				require.Equal(t, p, session.PartitionOf(fe.Chat, n), "a session's entries are in its partition")
				byChat[fe.Chat] = append(byChat[fe.Chat], fe.Entry)
			}
		}
		for _, id := range ids {
			require.Equal(t, readAll(t, s, id), byChat[id], "the feed holds %s's log, in log order", id)
		}
		require.Equal(t, len(ids)*(1+2*2+2), total, "nothing but the logs")
		require.Equal(t, "a-masked", byChat["a"][0].Text, "the feed shows amendments")
	}},
	{"AfterAndLimit", func(t *testing.T, s session.Store, f session.FeedStore) {
		ctx := context.Background()
		id := chatsIn(f, 0, 1)[0]
		mustCreate(t, s, id, msg("1"), msg("2"), msg("3"), msg("4"), msg("5"))
		all := readFeed(t, f, 0)
		require.Len(t, all, 5)
		var paged []session.FeedEntry
		var after uint64
		for range len(all) + 1 { // bounded: a store ignoring after must fail, not hang
			page, err := f.Feed(ctx, 0, after, 2)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			after = page[len(page)-1].Seq
		}
		require.Equal(t, all, paged)
		page, err := f.Feed(ctx, 0, all[4].Seq, 0)
		require.NoError(t, err)
		require.Empty(t, page)
		page, err = f.Feed(ctx, 0, all[1].Seq, -1)
		require.NoError(t, err)
		require.Equal(t, all[2:], page)

		page[0].Entry.Audience.Members = append(page[0].Entry.Audience.Members, "agent:x")
		page[0].Entry.Files[0].Name = "changed"
		require.Equal(t, all[2:], readFeed(t, f, 0)[2:], "the feed returns copies")

		_, err = f.Feed(ctx, -1, 0, 0)
		require.ErrorIs(t, err, session.ErrInvalid)
		_, err = f.Feed(ctx, f.Partitions(), 0, 0)
		require.ErrorIs(t, err, session.ErrInvalid)
	}},
	{"NothingAppearsBehindAReader", func(t *testing.T, s session.Store, f session.FeedStore) {
		ctx := context.Background()
		ids := chatsIn(f, 0, 4)
		for _, id := range ids {
			mustCreate(t, s, id)
		}
		rounds := 40 * stress()
		var wg sync.WaitGroup
		for w, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					cur, err := s.GetSession(ctx, id)
					if err != nil {
						t.Error(err)
						return
					}
					e := msg(fmt.Sprintf("%d-%d", w, i))
					if i%3 == 0 {
						_, err = s.UpdateSession(ctx, cur, []session.Entry{e})
					} else {
						_, err = s.AppendEntries(ctx, id, cur.Version, []session.Entry{e, e})
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		var seen []session.FeedEntry
		var after uint64
		read := func() int {
			page, err := f.Feed(ctx, 0, after, 7)
			require.NoError(t, err)
			seen = append(seen, page...)
			if len(page) > 0 {
				after = page[len(page)-1].Seq
			}
			return len(page)
		}
	loop:
		for {
			select {
			case <-done:
				break loop
			default:
				read()
			}
		}
		all := readFeed(t, f, 0)
		for range len(all)/7 + 2 { // bounded: a store ignoring after must fail, not hang
			if read() == 0 {
				break
			}
		}
		require.Equal(t, all, seen,
			"a reader that pages by position while others write misses nothing")
		for _, id := range ids {
			requireGapless(t, readAll(t, s, id))
		}
	}},
	{"Cursors", func(t *testing.T, s session.Store, f session.FeedStore) {
		ctx := context.Background()
		id := chatsIn(f, 0, 1)[0]
		mustCreate(t, s, id, msg("1"), msg("2"), msg("3"))
		last := readFeed(t, f, 0)[2].Seq

		c, err := f.Cursor(ctx, "stats", 0)
		require.NoError(t, err)
		require.Equal(t, session.Cursor{Consumer: "stats", Partition: 0}, c, "no cursor saved yet")

		lease := epoch.Add(time.Minute)
		c.Position, c.Owner, c.LeaseUntil = last-1, "p1", lease
		require.NoError(t, f.SaveCursor(ctx, c))
		got, err := f.Cursor(ctx, "stats", 0)
		require.NoError(t, err)
		require.Equal(t, uint64(1), got.Version, "saved as version 1")
		require.Equal(t, last-1, got.Position)
		require.Equal(t, "p1", got.Owner)
		require.True(t, lease.Equal(got.LeaseUntil))

		require.ErrorIs(t, f.SaveCursor(ctx, c), session.ErrConflict, "version 0 creates only once")
		back := got
		back.Position = last - 2
		require.ErrorIs(t, f.SaveCursor(ctx, back), session.ErrInvalid, "a cursor never moves back")
		past := got
		past.Position = last + 1
		require.ErrorIs(t, f.SaveCursor(ctx, past), session.ErrInvalid, "nor past the last position")
		again, err := f.Cursor(ctx, "stats", 0)
		require.NoError(t, err)
		require.Equal(t, got, again, "a refused save changes nothing")

		next := got
		next.Position, next.Owner = last, "p2"
		require.NoError(t, f.SaveCursor(ctx, next))
		require.ErrorIs(t, f.SaveCursor(ctx, next), session.ErrConflict, "a stale version loses")
		got, err = f.Cursor(ctx, "stats", 0)
		require.NoError(t, err)
		require.Equal(t, uint64(2), got.Version)
		require.Equal(t, "p2", got.Owner)

		other, err := f.Cursor(ctx, "transport", 0)
		require.NoError(t, err)
		require.Zero(t, other.Version, "cursors are per consumer")
		if f.Partitions() > 1 {
			other, err = f.Cursor(ctx, "stats", 1)
			require.NoError(t, err)
			require.Zero(t, other.Version, "and per partition")
		}
		require.Len(t, readAll(t, s, id), 3, "saving a cursor removes nothing from the log")

		_, err = f.Cursor(ctx, "", 0)
		require.ErrorIs(t, err, session.ErrInvalid)
		_, err = f.Cursor(ctx, "stats", f.Partitions())
		require.ErrorIs(t, err, session.ErrInvalid)
		require.ErrorIs(t, f.SaveCursor(ctx, session.Cursor{Partition: 0}), session.ErrInvalid)
		require.ErrorIs(t, f.SaveCursor(ctx, session.Cursor{Consumer: "x", Partition: -1}), session.ErrInvalid)
	}},
	{"CancelledContext", func(t *testing.T, s session.Store, f session.FeedStore) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.Feed(ctx, 0, 0, 0)
		require.ErrorIs(t, err, context.Canceled)
		_, err = f.Cursor(ctx, "stats", 0)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, f.SaveCursor(ctx, session.Cursor{Consumer: "stats"}), context.Canceled)
		c, err := f.Cursor(context.Background(), "stats", 0)
		require.NoError(t, err)
		require.Zero(t, c.Version)
	}},
}

// feedHeadCases run against a store that implements session.FeedHeadStore
// as well as session.FeedStore.
var feedHeadCases = []struct {
	name string
	run  func(t *testing.T, s session.Store, f session.FeedStore, h session.FeedHeadStore)
}{
	{"HeadsAreTheFeed", func(t *testing.T, s session.Store, f session.FeedStore, h session.FeedHeadStore) {
		ctx := context.Background()
		ids := chatsIn(f, 0, 3)
		for i, id := range ids {
			st := mustCreate(t, s, id, msg("hello"))
			next := st.Clone()
			if i == 1 {
				next.Status = session.StatusClosed
			}
			_, err := s.UpdateSession(ctx, next, []session.Entry{whisper("psst"), {Type: session.EntryClosed, Audience: session.Everyone(), At: epoch}})
			require.NoError(t, err)
		}
		if r, ok := s.(session.RetentionStore); ok {
			st, err := s.GetSession(ctx, ids[1])
			require.NoError(t, err)
			require.NoError(t, r.Forget(ctx, ids[1], st.Version))
		}
		for _, c := range []struct {
			after uint64
			limit int
		}{{0, 0}, {0, 2}, {2, 0}, {3, 3}, {1000, 0}} {
			feed, err := f.Feed(ctx, 0, c.after, c.limit)
			require.NoError(t, err)
			// FeedHeads appends to the buffer it is given.
			kept := session.FeedHead{Seq: 99, Chat: "kept"}
			want := []session.FeedHead{kept}
			for _, e := range feed {
				want = append(want, session.FeedHead{Seq: e.Seq, Chat: e.Chat, Type: e.Entry.Type})
			}
			got, err := h.FeedHeads(ctx, 0, c.after, c.limit, []session.FeedHead{kept})
			require.NoError(t, err)
			require.Equal(t, want, got, "after %d, limit %d", c.after, c.limit)
		}
		_, err := h.FeedHeads(ctx, f.Partitions(), 0, 0, nil)
		require.ErrorIs(t, err, session.ErrInvalid)
	}},
}

// feedTipCases run against a store that implements session.FeedTipStore
// as well as session.FeedStore.
var feedTipCases = []struct {
	name string
	run  func(t *testing.T, s session.Store, f session.FeedStore, tip session.FeedTipStore)
}{
	{"TipsAreTheLastPositions", func(t *testing.T, s session.Store, f session.FeedStore, tip session.FeedTipStore) {
		ctx := context.Background()
		// lasts reads every partition's last position through Feed.
		lasts := func() []uint64 {
			t.Helper()
			var out []uint64
			for p := range f.Partitions() {
				feed, err := f.Feed(ctx, p, 0, 0)
				require.NoError(t, err)
				last := uint64(0)
				if len(feed) > 0 {
					last = feed[len(feed)-1].Seq
				}
				out = append(out, last)
			}
			return out
		}
		tips := func() []uint64 {
			t.Helper()
			// The tips are appended to what the buffer holds.
			got, err := tip.FeedTips(ctx, []uint64{99})
			require.NoError(t, err)
			require.Equal(t, uint64(99), got[0], "FeedTips appends to the buffer it is given")
			return got[1:]
		}
		require.Equal(t, make([]uint64, f.Partitions()), tips(), "an empty feed's tips are 0")

		ids := chatsIn(f, 0, 2)
		st := mustCreate(t, s, ids[0], msg("hello"))
		require.Equal(t, lasts(), tips())
		require.Positive(t, tips()[0])

		// Every write moves its partition's tip to its last entry; nothing
		// is found after it.
		_, err := s.AppendEntries(ctx, ids[0], st.Version, []session.Entry{msg("again"), whisper("psst")})
		require.NoError(t, err)
		mustCreate(t, s, ids[1], msg("hi"))
		for _, id := range chatsIn(f, 1%f.Partitions(), 1) {
			mustCreate(t, s, id, msg("elsewhere"))
		}
		got := tips()
		require.Equal(t, lasts(), got)
		for p := range f.Partitions() {
			after, err := f.Feed(ctx, p, got[p], 0)
			require.NoError(t, err)
			require.Empty(t, after, "nothing after the tip of partition %d", p)
		}

		// Forgetting a session never moves a tip back.
		if r, ok := s.(session.RetentionStore); ok {
			cur, err := s.GetSession(ctx, ids[1])
			require.NoError(t, err)
			next := cur.Clone()
			next.Status, next.ClosedAt = session.StatusClosed, epoch
			_, err = s.UpdateSession(ctx, next, []session.Entry{{Type: session.EntryClosed, Audience: session.Everyone(), At: epoch}})
			require.NoError(t, err)
			before := tips()
			require.NoError(t, r.Forget(ctx, ids[1], cur.Version+1))
			require.Equal(t, before, tips())
		}
	}},
	{"Cancelled", func(t *testing.T, s session.Store, f session.FeedStore, tip session.FeedTipStore) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := tip.FeedTips(ctx, nil)
		require.ErrorIs(t, err, context.Canceled)
	}},
}
