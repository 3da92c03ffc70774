package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// seenConsumer records the chats of the events and feed entries it is
// given, by position, so redeliveries count once.
type seenConsumer struct {
	mu      sync.Mutex
	events  map[[2]uint64]switchboard.ChatID
	entries map[[2]uint64]switchboard.ChatID
}

func (c *seenConsumer) Name() string { return "seen" }

func (c *seenConsumer) Consume(_ context.Context, p int, events []routing.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range events {
		c.events[[2]uint64{uint64(p), e.Seq}] = e.Chat
	}
	return nil
}

func (c *seenConsumer) ConsumeFeed(_ context.Context, p int, entries []session.FeedEntry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		c.entries[[2]uint64{uint64(p), e.Seq}] = e.Chat
	}
	return nil
}

// chats returns how many events and feed entries of chat c were seen.
func (c *seenConsumer) chats(chat switchboard.ChatID) (events, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range c.events {
		if id == chat {
			events++
		}
	}
	for _, id := range c.entries {
		if id == chat {
			entries++
		}
	}
	return events, entries
}

// TestAnIdlePassLeavesConsumersCursorsAlone (SPEC Y3) registers a consumer
// of routing's log and the sessions' feed: once it has everything, a pass
// reads and writes no cursor of it, and a later chat still reaches it.
// While the engine holds a partition's lease, each batch given to the
// consumer costs one cursor save, that of its position.
func TestAnIdlePassLeavesConsumersCursorsAlone(t *testing.T) {
	var n cursorCount
	seen := &seenConsumer{events: map[[2]uint64]switchboard.ChatID{}, entries: map[[2]uint64]switchboard.ChatID{}}
	eng, err := engine.New(ctx, engine.Config{
		Routing:  countedRouting{routingmem.New(routingmem.Config{Partitions: 1}), &n},
		Sessions: countedSessions{sessionmem.NewStore(), &n}, Desktops: routing.TransportFunc(nopPublish),
		Participants: session.Discard{}, Clock: clock.NewMock(), Manual: true,
		Consumers: []engine.EventConsumer{seen}})
	require.NoError(t, err)
	r := eng.Router()
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Second})
	require.NoError(t, err)
	_, err = r.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	chat := func(id switchboard.ChatID) {
		t.Helper()
		_, err := eng.Start(ctx, engine.StartRequest{ID: id, Queue: "q", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		os, err := r.Offers(ctx, "ann")
		require.NoError(t, err)
		require.Len(t, os, 1)
		_, _, err = eng.Accept(ctx, "ann", os[0].ID)
		require.NoError(t, err)
		_, err = eng.End(ctx, id, "ann", session.EndOptions{Reason: "resolved", Confirm: true})
		require.NoError(t, err)
		require.NoError(t, eng.CompleteWrapUp(ctx, id, "ann"))
		require.NoError(t, eng.Settle(ctx))
	}
	chat("c1")
	reads, saves := n.get()
	require.NoError(t, eng.Settle(ctx))
	reads2, saves2 := n.get()
	require.Equal(t, reads, reads2, "an idle pass read a cursor")
	require.Equal(t, saves, saves2, "an idle pass saved a cursor")

	// One more event in routing's one partition, within the lease: the
	// engine's own consumer and the registered one each save their
	// position once, and read nothing.
	require.NoError(t, r.SetState(ctx, "ann", routing.NotReady, "break"))
	require.NoError(t, eng.Settle(ctx))
	reads3, saves3 := n.get()
	require.Equal(t, reads2, reads3, "a pass under a held lease read a cursor")
	require.Equal(t, saves2+2, saves3, "a batch under a held lease took the lease again")
	require.NoError(t, r.SetState(ctx, "ann", routing.Available, ""))

	chat("c2")
	events, entries := seen.chats("c2")
	require.NotZero(t, events, "the consumer missed the later chat's events")
	require.NotZero(t, entries, "the consumer missed the later chat's feed entries")
}
