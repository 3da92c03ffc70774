package routingtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// testAgingOrder checks that Waiting and Position order chats by
// [routing.Chat.QueueOrder]: without an aging key by priority then
// EnqueuedAt, as always; with one by the key alone; and that a rewritten
// key moves the chat (SPEC V5, V6).
func testAgingOrder(t *testing.T, s routing.Store) {
	ctx := context.Background()
	at := func(id switchboard.ChatID, q switchboard.QueueID, priority int, enqueued time.Duration, state routing.ChatState) routing.Chat {
		c := chat(id, q, priority, 0, state)
		c.EnqueuedAt = t0.Add(enqueued)
		return c
	}
	aged := func(c routing.Chat, step time.Duration) routing.Chat {
		c.VirtualStart = c.EnqueuedAt.Add(-time.Duration(c.Priority) * step)
		return c
	}
	// Queue "plain" does not age: priority first, then arrival.
	plain := []routing.Chat{
		at("p-old", "plain", 0, 0, routing.Queued),
		at("p-urgent", "plain", 2, 3*time.Minute, routing.Queued),
		at("p-offered", "plain", 1, time.Minute, routing.Offered),
		at("p-new", "plain", 0, 2*time.Minute, routing.Queued),
	}
	// Queue "aged" counts a point of priority as a minute of waiting.
	step := time.Minute
	agedChats := []routing.Chat{
		aged(at("a-old", "aged", 0, 0, routing.Queued), step),                   // key 0
		aged(at("a-urgent", "aged", 2, 150*time.Second, routing.Queued), step),  // key 30 s
		aged(at("a-offered", "aged", 0, 20*time.Second, routing.Offered), step), // key 20 s
		aged(at("a-plain", "aged", 0, 90*time.Second, routing.Queued), step),    // key 90 s
		aged(at("a-low", "aged", -1, 0, routing.Queued), step),                  // key 60 s
		aged(at("a-tie", "aged", 1, 90*time.Second, routing.Queued), step),      // key 30 s, after a-urgent by Seq
	}
	commit(t, s, routing.Txn{Queues: []routing.Queue{queue("plain", routing.LongestIdle), queue("aged", routing.LongestIdle)},
		Chats: append(plain, agedChats...)})

	check := func(q switchboard.QueueID, waiting []switchboard.ChatID, ahead map[switchboard.ChatID]int) {
		t.Helper()
		got, err := s.Waiting(ctx, q, 0, 0)
		require.NoError(t, err)
		require.Equal(t, waiting, got, "waiting chats of %s in order", q)
		for id, want := range ahead {
			n, exact, err := s.Position(ctx, id)
			require.NoError(t, err)
			if exact {
				require.Equal(t, want, n, "chats ahead of %s", id)
			} else {
				require.GreaterOrEqual(t, n, 0, "estimate of the chats ahead of %s", id)
				require.Less(t, n, len(ahead), "estimate of the chats ahead of %s", id)
			}
		}
	}
	check("plain", []switchboard.ChatID{"p-urgent", "p-old", "p-new"},
		map[switchboard.ChatID]int{"p-urgent": 0, "p-offered": 1, "p-old": 2, "p-new": 3})
	check("aged", []switchboard.ChatID{"a-old", "a-urgent", "a-tie", "a-low", "a-plain"},
		map[switchboard.ChatID]int{"a-old": 0, "a-offered": 1, "a-urgent": 2, "a-tie": 3, "a-low": 4, "a-plain": 5})

	// The oldest chat moves to the aged queue with priority 3 (key −3 min)
	// and goes first; written back without a key, it orders by priority.
	moved, err := s.Chat(ctx, "p-old")
	require.NoError(t, err)
	moved.Queue, moved.Priority = "aged", 3
	moved = aged(moved, step)
	commit(t, s, routing.Txn{Chats: []routing.Chat{moved}})
	check("aged", []switchboard.ChatID{"p-old", "a-old", "a-urgent", "a-tie", "a-low", "a-plain"},
		map[switchboard.ChatID]int{"p-old": 0, "a-old": 1})
	check("plain", []switchboard.ChatID{"p-urgent", "p-new"}, map[switchboard.ChatID]int{"p-new": 2})
	moved, err = s.Chat(ctx, "p-old")
	require.NoError(t, err)
	require.Equal(t, t0.Add(-3*time.Minute), moved.VirtualStart, "the store keeps the key")
	moved.VirtualStart = time.Time{}
	commit(t, s, routing.Txn{Chats: []routing.Chat{moved}})
	check("aged", []switchboard.ChatID{"p-old", "a-old", "a-urgent", "a-tie", "a-low", "a-plain"},
		map[switchboard.ChatID]int{"p-old": 0})
	moved.Version++
	moved.Priority = -5
	commit(t, s, routing.Txn{Chats: []routing.Chat{moved}})
	check("aged", []switchboard.ChatID{"a-old", "a-urgent", "a-tie", "a-low", "a-plain", "p-old"},
		map[switchboard.ChatID]int{"p-old": 6})
}

// testRelaxDeadline checks that a queued chat's next relaxation step is one
// of its deadlines, and that an offered chat's is not, and that a queue's
// steps are stored as written (SPEC V2).
func testRelaxDeadline(t *testing.T, s routing.Store) {
	ctx := context.Background()
	queued := chat("queued", "q", 0, 0, routing.Queued)
	queued.RelaxStep, queued.RelaxAt, queued.QueueDeadline = 1, t0.Add(time.Minute), t0.Add(time.Hour)
	offered := chat("offered", "q", 0, 0, routing.Offered)
	offered.RelaxAt = t0.Add(30 * time.Second)
	commit(t, s, routing.Txn{Chats: []routing.Chat{queued, offered}})
	due, err := s.Due(ctx, t0.Add(59*time.Second), 10)
	require.NoError(t, err)
	require.Empty(t, due, "not before the step")
	due, err = s.Due(ctx, t0.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []routing.Due{{At: t0.Add(time.Minute), Kind: routing.ChatDeadline, Key: "queued"}}, due)
	got, err := s.Chat(ctx, "queued")
	require.NoError(t, err)
	require.Equal(t, 1, got.RelaxStep)
	require.True(t, got.RelaxAt.Equal(t0.Add(time.Minute)))

	// The queue's steps and aging step are stored as written.
	q := queue("q", routing.LongestIdle)
	q.Relax = []routing.RelaxStep{{After: 30 * time.Second, Lower: 1}, {After: time.Minute, Drop: []string{"fr", "vip"}}}
	q.AgingStep = 90 * time.Second
	commit(t, s, routing.Txn{Queues: []routing.Queue{q}})
	stored, err := s.Queue(ctx, "q")
	require.NoError(t, err)
	require.Equal(t, q.Relax, stored.Relax)
	require.Equal(t, q.AgingStep, stored.AgingStep)
}
