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

// cursorCount counts the cursor reads and writes of both stores, and the
// reads of their logs' partitions.
type cursorCount struct {
	mu           sync.Mutex
	reads, saves int
	logReads     int
}

func (c *cursorCount) readLog() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logReads++
}

func (c *cursorCount) logs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logReads
}

func (c *cursorCount) add(reads, saves int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads += reads
	c.saves += saves
}

func (c *cursorCount) get() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads, c.saves
}

type countedRouting struct {
	*routingmem.Store
	n *cursorCount
}

func (s countedRouting) Cursor(ctx context.Context, consumer string, p int) (routing.Cursor, error) {
	s.n.add(1, 0)
	return s.Store.Cursor(ctx, consumer, p)
}

func (s countedRouting) SaveCursor(ctx context.Context, c routing.Cursor) error {
	s.n.add(0, 1)
	return s.Store.SaveCursor(ctx, c)
}

func (s countedRouting) Events(ctx context.Context, p int, after uint64, limit int) ([]routing.Event, error) {
	s.n.readLog()
	return s.Store.Events(ctx, p, after, limit)
}

func (s countedRouting) AppendEvents(ctx context.Context, p int, after uint64, limit int, buf []routing.Event) ([]routing.Event, error) {
	s.n.readLog()
	return s.Store.AppendEvents(ctx, p, after, limit, buf)
}

type countedSessions struct {
	*sessionmem.Store
	n *cursorCount
}

func (s countedSessions) Cursor(ctx context.Context, consumer string, p int) (session.Cursor, error) {
	s.n.add(1, 0)
	return s.Store.Cursor(ctx, consumer, p)
}

func (s countedSessions) SaveCursor(ctx context.Context, c session.Cursor) error {
	s.n.add(0, 1)
	return s.Store.SaveCursor(ctx, c)
}

func (s countedSessions) Feed(ctx context.Context, p int, after uint64, limit int) ([]session.FeedEntry, error) {
	s.n.readLog()
	return s.Store.Feed(ctx, p, after, limit)
}

func (s countedSessions) FeedHeads(ctx context.Context, p int, after uint64, limit int, buf []session.FeedHead) ([]session.FeedHead, error) {
	s.n.readLog()
	return s.Store.FeedHeads(ctx, p, after, limit, buf)
}

// TestAnIdlePassTouchesNoCursor (SPEC Y2) settles an engine with nothing
// new to process: it reads and writes no cursor of either log, and, as the
// stores tell every partition's tip in one call, reads no partition of
// either. A chat run after it is still carried through: its session closes
// once the wrap-up is over, and the agent is free again.
func TestAnIdlePassTouchesNoCursor(t *testing.T) {
	var n cursorCount
	eng, err := engine.New(ctx, engine.Config{Routing: countedRouting{routingmem.New(routingmem.Config{}), &n},
		Sessions: countedSessions{sessionmem.NewStore(), &n}, Desktops: routing.TransportFunc(nopPublish),
		Participants: session.Discard{}, Clock: clock.NewMock(), Manual: true})
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
	logs := n.logs()
	require.NoError(t, eng.Settle(ctx))
	reads2, saves2 := n.get()
	require.Equal(t, reads, reads2, "an idle pass read a cursor")
	require.Equal(t, saves, saves2, "an idle pass saved a cursor")
	require.Equal(t, logs, n.logs(), "an idle pass read a partition")

	chat("c2")
	_, saves3 := n.get()
	require.Greater(t, saves3, saves2, "the next chat's records were not consumed")
	s, err := eng.Sessions().Session(ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status, "the wrap-up is over: the session closed")
	held, err := r.AgentChats(ctx, "ann")
	require.NoError(t, err)
	require.Empty(t, held, "the agent still holds a chat")
}
