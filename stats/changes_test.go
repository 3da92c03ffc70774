package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

// wholeStore is a stats.Store that saves whole states only: the in-memory
// store with its SaveChanges hidden.
type wholeStore struct{ s *statsmem.Store }

func (w wholeStore) Load(ctx context.Context, p int) (stats.State, error) { return w.s.Load(ctx, p) }
func (w wholeStore) Save(ctx context.Context, st *stats.State) error      { return w.s.Save(ctx, st) }

// feedEntries returns session entries of chats of evs that move the
// first-response records: an owner assigned, a message from that owner or
// the customer, the end.
func feedEntries(rt *rapid.T, chats []switchboard.ChatID, at time.Time, from uint64) []session.FeedEntry {
	var out []session.FeedEntry
	for i := range rapid.IntRange(0, 6).Draw(rt, "entries") {
		chat := chats[rapid.IntRange(0, len(chats)-1).Draw(rt, "chat")]
		e := session.Entry{At: at.Add(time.Duration(i) * time.Second)}
		switch rapid.IntRange(0, 3).Draw(rt, "entry") {
		case 0:
			e.Type, e.Subject = session.EntryOwnerChanged, session.AgentParticipant("a1")
		case 1:
			e.Type, e.From = session.EntryMessage, session.AgentParticipant("a1")
		case 2:
			e.Type, e.From = session.EntryMessage, session.CustomerParticipant("u1")
		default:
			e.Type, e.From = session.EntryEnded, session.AgentParticipant("a1")
		}
		out = append(out, session.FeedEntry{Seq: from + uint64(i) + 1, Chat: chat, Entry: e})
	}
	return out
}

// TestSavingChangesStoresWhatSavingWholeStatesDoes feeds the same batches,
// with events delivered again around the cuts, to a consumer over the
// in-memory store, which saves what each batch changed, and to one over a
// store that saves whole states: after every batch, both stores hold the
// same state (SPEC X8).
func TestSavingChangesStoresWhatSavingWholeStatesDoes(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		g := busyMorning(t, rapid.Uint64().Draw(rt, "seed"), 300)
		cfg := stats.Config{Interval: 5 * time.Minute, Keep: 15 * time.Minute}
		changes, whole := statsmem.New(), wholeStore{statsmem.New()}
		byChanges, err := stats.NewConsumer(cfg, changes, nil)
		require.NoError(rt, err)
		byWhole, err := stats.NewConsumer(cfg, whole, nil)
		require.NoError(rt, err)
		ctx := context.Background()
		feed := uint64(0)
		for p, evs := range g.events() {
			var chats []switchboard.ChatID
			for i := 0; i < len(evs); {
				j := min(len(evs), i+1+rapid.IntRange(0, 40).Draw(rt, "piece"))
				back := rapid.IntRange(0, i).Draw(rt, "replayed")
				batch := evs[i-min(back, 3) : j]
				require.NoError(rt, byChanges.Consume(ctx, p, batch))
				require.NoError(rt, byWhole.Consume(ctx, p, batch))
				for _, e := range evs[i:j] {
					if e.Chat != "" {
						chats = append(chats, e.Chat)
					}
				}
				if len(chats) > 0 {
					entries := feedEntries(rt, chats, evs[j-1].At, feed)
					feed += uint64(len(entries))
					require.NoError(rt, byChanges.ConsumeFeed(ctx, p, entries))
					require.NoError(rt, byWhole.ConsumeFeed(ctx, p, entries))
				}
				want, err := whole.Load(ctx, p)
				require.NoError(rt, err)
				got, err := changes.Load(ctx, p)
				require.NoError(rt, err)
				require.Equal(rt, want, got, "partition %d after events %d to %d", p, i, j)
				i = j
			}
		}
	})
}
