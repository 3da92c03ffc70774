package engine_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
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

func TestClosedSessionsAreForgottenAfterRetention(t *testing.T) {
	// SPEC E4
	t.Parallel()
	var mu sync.Mutex
	kept := map[switchboard.ChatID][]session.View{}
	b := setup(t, func(c *engine.Config) {
		c.Retention = time.Hour
		c.Keep = func(_ context.Context, s session.Session, log []session.Entry) error {
			mu.Lock()
			defer mu.Unlock()
			kept[s.ID] = session.CustomerTranscript(&s, log)
			return nil
		}
	})
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "hello"})
	require.NoError(t, err)
	_, err = b.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)

	b.clock.Add(59 * time.Minute)
	b.settle(t)
	_, err = b.m.Session(ctx, "c1")
	require.NoError(t, err, "kept until the retention has passed")

	b.clock.Add(2 * time.Minute)
	b.settle(t)
	_, err = b.m.Session(ctx, "c1")
	require.ErrorIs(t, err, session.ErrNotFound)
	mu.Lock()
	require.Contains(t, texts(kept["c1"]), "hello", "the host got the transcript first")
	mu.Unlock()
	_, err = b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "anyone?"})
	require.ErrorIs(t, err, session.ErrNotFound, "a customer writing to a forgotten chat is told it is gone")

	_, err = engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{},
		Keep: func(context.Context, session.Session, []session.Entry) error { return nil }})
	require.ErrorIs(t, err, engine.ErrConfig, "Keep without Retention would never run")
}

// soakChats is how many life cycles the soak runs: a bounded number in CI,
// more with SWITCHBOARD_SOAK_CHATS (1000000 for the full soak).
func soakChats() int {
	if n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_SOAK_CHATS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestSoakMemoryStaysFlat(t *testing.T) {
	// SPEC E4
	// Full life cycles through the engine with retention on: the live heap
	// after GC stays flat, since closed sessions are forgotten and routing
	// keeps a bounded number of finished chats.
	if testing.Short() || raceEnabled {
		t.Skip("the soak runs once, without -short or -race (heap figures mean nothing under -race)")
	}
	n := soakChats()
	mock := clock.NewMock()
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{KeepFinished: 1000}), Sessions: sessionmem.NewStore(),
		Desktops: routing.TransportFunc(nopPublish), Participants: session.Discard{}, Clock: mock, Manual: true,
		Retention: time.Minute,
	})
	require.NoError(t, err)
	r := eng.Router()
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Second})
	require.NoError(t, err)
	_, err = r.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"},
		Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 1000}}})
	require.NoError(t, err)
	ann, cust := session.AgentParticipant("ann"), session.CustomerParticipant("u1")

	// Bytes per open chat: 1,000 chats accepted and talking.
	base := liveHeap()
	open := make([]switchboard.ChatID, 1000)
	for i := range open {
		open[i] = switchboard.ChatID("open-" + strconv.Itoa(i))
		_, err := eng.Start(ctx, engine.StartRequest{ID: open[i], Queue: "q", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
	}
	offers, err := r.Offers(ctx, "ann")
	require.NoError(t, err)
	for _, o := range offers {
		_, _, err := eng.Accept(ctx, "ann", o.ID)
		require.NoError(t, err)
		_, err = eng.Send(ctx, o.Chat, session.Message{From: cust, Text: "hello"})
		require.NoError(t, err)
	}
	perOpen := float64(liveHeap()-base) / float64(len(open))
	for _, id := range open {
		_, err := eng.Close(ctx, id, "ann", session.EndOptions{Confirm: true})
		require.NoError(t, err)
	}
	mock.Add(2 * time.Second) // their wrap-ups end
	require.NoError(t, eng.Settle(ctx))

	heapAt := map[int]uint64{}
	for i := range n {
		id := switchboard.ChatID("c" + strconv.Itoa(i))
		_, err := eng.Start(ctx, engine.StartRequest{ID: id, Queue: "q", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		offers, err := r.Offers(ctx, "ann")
		require.NoError(t, err)
		require.Len(t, offers, 1)
		_, _, err = eng.Accept(ctx, "ann", offers[0].ID)
		require.NoError(t, err)
		for _, m := range []session.Message{{From: cust, Text: "My order is late"}, {From: ann, Text: "Let me check"},
			{From: ann, Mode: session.ModeWhisper, Text: "note"}} {
			_, err = eng.Send(ctx, id, m)
			require.NoError(t, err)
		}
		_, err = eng.Close(ctx, id, "ann", session.EndOptions{Reason: "resolved", Confirm: true})
		require.NoError(t, err)
		require.NoError(t, eng.CompleteWrapUp(ctx, id, "ann"))
		mock.Add(100 * time.Millisecond)
		if i%100 == 99 {
			require.NoError(t, eng.Settle(ctx))
		}
		if (i+1)%(n/4) == 0 {
			heapAt[(i+1)/(n/4)] = liveHeap()
		}
	}
	require.NoError(t, eng.Settle(ctx))
	perForgotten := (float64(heapAt[4]) - float64(heapAt[1])) / float64(n*3/4)
	t.Logf("%d life cycles: live heap %.1f MB at a quarter, %.1f MB at a half, %.1f MB at the end; %.0f B per open chat, %.1f B per forgotten chat",
		n, float64(heapAt[1])/1e6, float64(heapAt[2])/1e6, float64(heapAt[4])/1e6, perOpen, perForgotten)
	require.Less(t, float64(heapAt[4]), float64(heapAt[1])*1.25+4e6, "the live heap grows with chats long gone")
}

// pruningStore is a routing store that forgets final chats only when asked,
// as a SQL store does; it records what it was asked.
type pruningStore struct {
	*routingmem.Store
	mu    sync.Mutex
	keeps []time.Duration
}

func (s *pruningStore) Prune(_ context.Context, keep time.Duration, limit int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keeps = append(s.keeps, keep)
	return 0, nil
}

func (s *pruningStore) asked() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.keeps...)
}

// TestRoutingStoreIsAskedToPrune: an engine with a retention asks a
// routing store that implements routing.Pruner to forget the chats final
// for as long, so a host over a SQL store runs no pruning job of its own;
// without a retention it never asks. SPEC E4
func TestRoutingStoreIsAskedToPrune(t *testing.T) {
	t.Parallel()
	var _ routing.Pruner = (*pruningStore)(nil)
	store := &pruningStore{Store: routingmem.New(routingmem.Config{})}
	b := setup(t, func(c *engine.Config) {
		c.Routing = store
		c.Retention = time.Hour
	})
	b.settle(t)
	require.Equal(t, []time.Duration{time.Hour}, store.asked())

	never := &pruningStore{Store: routingmem.New(routingmem.Config{})}
	b = setup(t, func(c *engine.Config) { c.Routing = never })
	b.settle(t)
	require.Empty(t, never.asked(), "no retention, no pruning")
}
