package sessionmem_test

import (
	"context"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// TestFeedKeepsItsOrderThroughCompaction writes sessions of random length
// into one feed partition, forgets random closed ones (which compacts the
// partition's references in place once most are dead, across chunks of
// 256) and checks after each step that the feed holds exactly the live
// sessions' entries, in position order, and that new writes follow.
func TestFeedKeepsItsOrderThroughCompaction(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		st, err := sessionmem.NewStoreWithPartitions(1)
		if err != nil {
			rt.Fatal(err)
		}
		type written struct {
			pos  uint64
			chat switchboard.ChatID
		}
		var feed []written // the model: what the feed must hold
		live := map[switchboard.ChatID]uint64{}
		var ids []switchboard.ChatID
		for step := range rapid.IntRange(1, 80).Draw(rt, "steps") {
			if len(ids) == 0 || rapid.IntRange(0, 2).Draw(rt, "op") > 0 {
				id := switchboard.ChatID("s" + strconv.Itoa(step))
				n := rapid.IntRange(1, 40).Draw(rt, "entries")
				entries := make([]session.Entry, n)
				for i := range entries {
					entries[i] = session.Entry{Type: session.EntryMessage, Audience: session.Everyone(), Text: "hi"}
				}
				s := indexedSession(id, 0, indexEpoch)
				s.Status, s.ClosedAt = session.StatusClosed, indexEpoch
				if _, err := st.CreateSession(ctx, s, entries); err != nil {
					rt.Fatal(err)
				}
				heads, err := st.FeedHeads(ctx, 0, 0, 0, nil)
				if err != nil {
					rt.Fatal(err)
				}
				for _, h := range heads[len(heads)-n:] {
					feed = append(feed, written{h.Seq, h.Chat})
				}
				live[id] = 1
				ids = append(ids, id)
			} else {
				i := rapid.IntRange(0, len(ids)-1).Draw(rt, "forget")
				id := ids[i]
				if err := st.Forget(ctx, id, live[id]); err != nil {
					rt.Fatal(err)
				}
				delete(live, id)
				ids = append(ids[:i], ids[i+1:]...)
				kept := feed[:0]
				for _, w := range feed {
					if w.chat != id {
						kept = append(kept, w)
					}
				}
				feed = kept
			}
			heads, err := st.FeedHeads(ctx, 0, 0, 0, nil)
			if err != nil {
				rt.Fatal(err)
			}
			if len(heads) != len(feed) {
				rt.Fatalf("step %d: the feed holds %d entries, want %d", step, len(heads), len(feed))
			}
			for i, h := range heads {
				if h.Seq != feed[i].pos || h.Chat != feed[i].chat {
					rt.Fatalf("step %d: entry %d is %d of %s, want %d of %s", step, i, h.Seq, h.Chat, feed[i].pos, feed[i].chat)
				}
			}
			if len(feed) > 0 {
				// Reading from the middle finds the same tail.
				mid := feed[len(feed)/2].pos
				tail, err := st.FeedHeads(ctx, 0, mid, 0, nil)
				if err != nil {
					rt.Fatal(err)
				}
				if len(tail) != len(feed)-len(feed)/2-1 {
					rt.Fatalf("step %d: after %d the feed holds %d entries, want %d", step, mid, len(tail), len(feed)-len(feed)/2-1)
				}
			}
		}
	})
}
