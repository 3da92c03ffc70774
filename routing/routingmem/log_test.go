package routingmem_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// logged returns how many events the store holds in all partitions.
func logged(t *testing.T, s *routingmem.Store) int {
	t.Helper()
	n := 0
	for p := range s.Partitions() {
		es, err := s.Events(context.Background(), p, 0, 0)
		require.NoError(t, err)
		n += len(es)
	}
	return n
}

// consumer reads every partition of a store and saves its cursors, as an
// event consumer that keeps up would.
type consumer struct {
	name  string
	seen  int
	types []routing.EventType
}

func (c *consumer) register(t *testing.T, s routing.Store) {
	t.Helper()
	for p := range s.Partitions() {
		require.NoError(t, s.SaveCursor(context.Background(), routing.Cursor{Consumer: c.name, Partition: p}))
	}
}

func (c *consumer) catchUp(t *testing.T, s routing.Store) {
	t.Helper()
	ctx := context.Background()
	for p := range s.Partitions() {
		cur, err := s.Cursor(ctx, c.name, p)
		require.NoError(t, err)
		es, err := s.Events(ctx, p, cur.Position, 0)
		require.NoError(t, err)
		if len(es) == 0 {
			continue
		}
		c.seen += len(es)
		for _, e := range es {
			c.types = append(c.types, e.Type)
		}
		cur.Position = es[len(es)-1].Seq
		require.NoError(t, s.SaveCursor(ctx, cur))
	}
}

func lifecycles(t *testing.T, r *routing.Router, from, n int, after func()) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		id := switchboard.ChatID(fmt.Sprint("c", i))
		_, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"})
		require.NoError(t, err)
		_, err = r.Accept(ctx, "a", routing.OfferID(string(id)+"#1"))
		require.NoError(t, err)
		require.NoError(t, r.End(ctx, id))
		if after != nil {
			after()
		}
	}
}

func newRouter(t *testing.T, s *routingmem.Store) *routing.Router {
	t.Helper()
	ctx := context.Background()
	r, err := routing.New(s, routingmem.NewBus(), routing.Config{Clock: clock.NewMock()})
	require.NoError(t, err)
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	_, err = r.Login(ctx, "a", routing.Profile{Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	return r
}

func TestEventLogKeepsNothingWithNoConsumer(t *testing.T) {
	t.Parallel()
	s := routingmem.New(routingmem.Config{})
	require.Equal(t, 4, s.Partitions(), "the default")
	r := newRouter(t, s)
	lifecycles(t, r, 0, 500, nil)
	require.Zero(t, logged(t, s))

	// A consumer that registers now sees the events from then on.
	c := &consumer{name: "sessions"}
	c.register(t, s)
	lifecycles(t, r, 500, 1, nil)
	c.catchUp(t, s)
	require.ElementsMatch(t, []routing.EventType{routing.ChatQueued, routing.ChatOffered, routing.OfferResolved,
		routing.ChatAssigned, routing.ChatDone}, c.types, "the events of one chat's life")
}

func TestEventLogStaysBoundedWhenConsumersKeepUp(t *testing.T) {
	t.Parallel()
	s := routingmem.New(routingmem.Config{Partitions: 3})
	require.Equal(t, 3, s.Partitions())
	r := newRouter(t, s)
	fast, slow := &consumer{name: "sessions"}, &consumer{name: "stats"}
	fast.register(t, s)
	slow.register(t, s)
	most := 0
	i := 0
	lifecycles(t, r, 0, 2000, func() {
		fast.catchUp(t, s)
		if i++; i%10 == 0 {
			slow.catchUp(t, s) // keeps up, in batches
		}
		most = max(most, logged(t, s))
	})
	slow.catchUp(t, s)
	require.Equal(t, 5*2000, fast.seen, "five events per chat")
	require.Equal(t, fast.seen, slow.seen)
	// The log holds at most what the slower consumer has not read yet: ten
	// chats' events.
	require.LessOrEqual(t, most, 10*5)
	require.Zero(t, logged(t, s), "everything was consumed")
}

func TestEventLogDropsOnlyWhatEveryCursorPassed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{Partitions: 1})
	fast, slow := &consumer{name: "fast"}, &consumer{name: "slow"}
	fast.register(t, s)
	slow.register(t, s)
	e := routing.Event{Type: routing.ChatQueued, Chat: "c"}
	for i := range 6 {
		require.NoError(t, s.Commit(ctx, routing.Txn{ID: fmt.Sprint(i), Events: []routing.Event{e}}))
	}
	fast.catchUp(t, s)
	require.Equal(t, 6, logged(t, s), "the slow consumer has read nothing")
	cur, err := s.Cursor(ctx, "slow", 0)
	require.NoError(t, err)
	cur.Position = 4
	require.NoError(t, s.SaveCursor(ctx, cur))
	es, err := s.Events(ctx, 0, 0, 0)
	require.NoError(t, err)
	require.Len(t, es, 2)
	require.EqualValues(t, 5, es[0].Seq)
	slow.catchUp(t, s)
	require.Zero(t, logged(t, s))
	// Seq carries on after trimming.
	require.NoError(t, s.Commit(ctx, routing.Txn{ID: "7", Events: []routing.Event{e}}))
	es, err = s.Events(ctx, 0, 0, 0)
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.EqualValues(t, 7, es[0].Seq)
}

func TestAppliedRemembersForTheRetentionWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewMock()
	s := routingmem.New(routingmem.Config{Clock: clk, KeepTxns: 1})
	require.NoError(t, s.Commit(ctx, routing.Txn{ID: "first"}))
	for i := range 100 {
		clk.Add(routing.TxnRetention / 100)
		require.NoError(t, s.Commit(ctx, routing.Txn{ID: fmt.Sprint("t", i)}))
	}
	ok, err := s.Applied(ctx, "first")
	require.NoError(t, err)
	require.True(t, ok, "exactly TxnRetention old: kept, whatever KeepTxns says")
	clk.Add(time.Second)
	require.NoError(t, s.Commit(ctx, routing.Txn{ID: "last"}))
	ok, err = s.Applied(ctx, "first")
	require.NoError(t, err)
	require.False(t, ok, "past the retention window")
	ok, err = s.Applied(ctx, "t50")
	require.NoError(t, err)
	require.True(t, ok)
}

func TestAppliedWithNoClockKeepsTheLastKeepTxns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := routingmem.New(routingmem.Config{KeepTxns: 100})
	for i := range 1000 {
		require.NoError(t, s.Commit(ctx, routing.Txn{ID: fmt.Sprint("t", i)}))
	}
	for i, want := range map[int]bool{0: false, 899: false, 900: true, 999: true} {
		ok, err := s.Applied(ctx, fmt.Sprint("t", i))
		require.NoError(t, err)
		require.Equal(t, want, ok, "t%d", i)
	}
}
