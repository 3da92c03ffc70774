package routingmem_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// TestPositionIsTheExactRank (SPEC X4) enqueues, offers, re-queues and ends
// chats of two queues at random and checks that every waiting chat's
// Position is exact and counts the waiting chats of its queue ahead of it
// in queue order.
func TestPositionIsTheExactRank(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		s := routingmem.New(routingmem.Config{})
		chats := map[switchboard.ChatID]routing.Chat{}
		for step := range rapid.IntRange(1, 80).Draw(t, "steps") {
			id := switchboard.ChatID(fmt.Sprintf("c%d", rapid.IntRange(0, 15).Draw(t, "chat")))
			c, ok := chats[id]
			if !ok {
				c = routing.Chat{ID: id, Queue: rapid.SampledFrom([]switchboard.QueueID{"q", "r"}).Draw(t, "queue"),
					Priority:   rapid.IntRange(0, 2).Draw(t, "priority"),
					EnqueuedAt: start.Add(time.Duration(rapid.IntRange(0, 5).Draw(t, "enqueued")) * time.Second)}
			}
			c.State = rapid.SampledFrom([]routing.ChatState{routing.Queued, routing.Queued, routing.Offered, routing.Assigned, routing.Ended}).Draw(t, "state")
			txn := routing.Txn{Chats: []routing.Chat{c}}
			if err := s.Commit(ctx, txn); err != nil {
				t.Fatal(err)
			}
			c = txn.Chats[0]
			c.Version++
			chats[id] = c
			for _, c := range chats {
				if c.State != routing.Queued && c.State != routing.Offered {
					continue
				}
				want := 0
				for _, d := range chats {
					if d.Queue == c.Queue && (d.State == routing.Queued || d.State == routing.Offered) && routing.CompareChats(&d, &c) < 0 {
						want++
					}
				}
				got, exact, err := s.Position(ctx, c.ID)
				if err != nil || !exact || got != want {
					t.Fatalf("step %d: position of %s: %d (exact %v, %v), want %d", step, c.ID, got, exact, err, want)
				}
			}
		}
	})
}
