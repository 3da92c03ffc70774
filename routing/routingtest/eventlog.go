package routingtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// register saves a cursor at the start of every partition for consumer, so
// that the store keeps the events committed from now on.
func register(t *testing.T, s routing.Store, consumer string) {
	t.Helper()
	ctx := context.Background()
	for p := range s.Partitions() {
		c, err := s.Cursor(ctx, consumer, p)
		require.NoError(t, err)
		require.Equal(t, routing.Cursor{Consumer: consumer, Partition: p}, c, "no cursor stored yet")
		last, err := s.Events(ctx, p, 0, 0)
		require.NoError(t, err)
		if len(last) > 0 {
			c.Position = last[len(last)-1].Seq
		}
		require.NoError(t, s.SaveCursor(ctx, c))
	}
}

// allEvents reads every partition after position 0 and returns the events,
// checking each is in the partition PartitionOf names and that Seq strictly
// increases within each partition.
func allEvents(t *testing.T, s routing.Store) []routing.Event {
	t.Helper()
	var out []routing.Event
	n := s.Partitions()
	for p := range n {
		es, err := s.Events(context.Background(), p, 0, 0)
		require.NoError(t, err)
		for i := range es {
			require.Equal(t, p, routing.PartitionOf(&es[i], n), "event %s in partition %d", es[i], p)
			if i > 0 {
				require.Greater(t, es[i].Seq, es[i-1].Seq, "Seq increases within partition %d", p)
			}
		}
		out = append(out, es...)
	}
	return out
}

func chatEvent(typ routing.EventType, chat switchboard.ChatID) routing.Event {
	return routing.Event{Type: typ, At: t0, Chat: chat, Queue: "q"}
}

func testEventsCommitWithWrites(t *testing.T, s routing.Store) {
	ctx := context.Background()
	require.GreaterOrEqual(t, s.Partitions(), 1)
	register(t, s, "sessions")
	base := allEvents(t, s)
	require.Empty(t, base)

	c := chat("c1", "q", 0, 1, routing.Queued)
	evs := []routing.Event{
		chatEvent(routing.ChatQueued, "c1"),
		{Type: routing.AgentStateChanged, At: t0, Agent: "ada", State: routing.NotReady, Reason: "lunch"},
		chatEvent(routing.ChatOffered, "c1"),
	}
	commit(t, s, routing.Txn{ID: "txn-1", Queues: []routing.Queue{queue("q", routing.LongestIdle)}, Chats: []routing.Chat{c}, Events: evs})
	// A conflicting commit logs none of its events.
	err := s.Commit(ctx, routing.Txn{ID: "txn-2", Chats: []routing.Chat{c}, Events: []routing.Event{chatEvent(routing.ChatDone, "c1")}})
	require.ErrorIs(t, err, routing.ErrConflict)

	got := allEvents(t, s)
	require.Len(t, got, 3)
	for i := range got {
		require.Equal(t, "txn-1", got[i].Txn)
		require.NotZero(t, got[i].Seq)
	}
	// The events of one chat are in one partition, in commit order.
	var ofChat []routing.EventType
	for _, e := range got {
		if e.Chat == "c1" {
			ofChat = append(ofChat, e.Type)
		}
	}
	require.Equal(t, []routing.EventType{routing.ChatQueued, routing.ChatOffered}, ofChat)
	for _, e := range got {
		if e.Agent == "ada" {
			want := evs[1]
			want.Seq, want.Txn = e.Seq, e.Txn
			require.Equal(t, want, e, "the event is stored whole")
		}
	}

	// A transaction may log events with no writes.
	commit(t, s, routing.Txn{ID: "txn-3", Events: []routing.Event{chatEvent(routing.ChatDone, "c1")}})
	require.Len(t, allEvents(t, s), 4)
}

// testConcurrentEvents commits events from several goroutines at once: every
// event lands once, Seq strictly increases within each partition, and each
// chat's events keep their commit order.
func testConcurrentEvents(t *testing.T, s routing.Store) {
	ctx := context.Background()
	register(t, s, "stats")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := switchboard.ChatID(fmt.Sprint("chat-", w))
			for i := range each {
				e := chatEvent(routing.ChatQueued, id)
				e.Reason = fmt.Sprint(i)
				err := s.Commit(ctx, routing.Txn{ID: fmt.Sprintf("w%d-%d", w, i), Events: []routing.Event{e, e}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got := allEvents(t, s) // checks partitions and Seq order
	require.Len(t, got, workers*each*2)
	for w := range workers {
		id := switchboard.ChatID(fmt.Sprint("chat-", w))
		var order []string
		for _, e := range got {
			if e.Chat == id {
				order = append(order, e.Reason)
			}
		}
		require.Len(t, order, 2*each)
		for i := range each {
			require.Equal(t, []string{fmt.Sprint(i), fmt.Sprint(i)}, order[2*i:2*i+2], "chat %s", id)
		}
	}
}

func testEventSeq(t *testing.T, s routing.Store) {
	ctx := context.Background()
	register(t, s, "stats")
	n := s.Partitions()
	chats := []switchboard.ChatID{"a", "b", "c", "d", "e", "f", "g", "h"}
	for round := range 5 {
		var evs []routing.Event
		for _, id := range chats {
			e := chatEvent(routing.ChatQueued, id)
			e.Reason = fmt.Sprint(round)
			evs = append(evs, e)
		}
		commit(t, s, routing.Txn{ID: fmt.Sprintf("round-%d", round), Events: evs})
	}
	got := allEvents(t, s) // checks partitions and Seq order
	require.Len(t, got, 5*len(chats))
	for _, id := range chats {
		p := routing.PartitionOf(&routing.Event{Chat: id}, n)
		es, err := s.Events(ctx, p, 0, 0)
		require.NoError(t, err)
		var rounds []string
		for _, e := range es {
			if e.Chat == id {
				rounds = append(rounds, e.Reason)
			}
		}
		require.Equal(t, []string{"0", "1", "2", "3", "4"}, rounds, "chat %s's events in commit order", id)
	}
}

func testEventsAfterAndLimit(t *testing.T, s routing.Store) {
	ctx := context.Background()
	register(t, s, "stats")
	var evs []routing.Event
	for i := range 10 {
		e := chatEvent(routing.ChatQueued, "one")
		e.Reason = fmt.Sprint(i)
		evs = append(evs, e)
	}
	commit(t, s, routing.Txn{ID: "t", Events: evs})
	p := routing.PartitionOf(&evs[0], s.Partitions())
	all, err := s.Events(ctx, p, 0, 0)
	require.NoError(t, err)
	require.Len(t, all, 10)

	first, err := s.Events(ctx, p, 0, 4)
	require.NoError(t, err)
	require.Equal(t, all[:4], first)
	next, err := s.Events(ctx, p, first[3].Seq, 4)
	require.NoError(t, err)
	require.Equal(t, all[4:8], next)
	rest, err := s.Events(ctx, p, next[3].Seq, 100)
	require.NoError(t, err)
	require.Equal(t, all[8:], rest)
	none, err := s.Events(ctx, p, all[9].Seq, 0)
	require.NoError(t, err)
	require.Empty(t, none)

	_, err = s.Events(ctx, p, 0, -1)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.Events(ctx, s.Partitions(), 0, 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.Events(ctx, -1, 0, 0)
	require.ErrorIs(t, err, routing.ErrInvalid)
}

// testEventTip checks a store that implements routing.EventTipStore: the
// tips are each partition's last Seq, with nothing after them.
func testEventTip(t *testing.T, s routing.Store) {
	ts, ok := s.(routing.EventTipStore)
	if !ok {
		t.Skip("the store does not implement routing.EventTipStore")
	}
	ctx := context.Background()
	register(t, s, "stats")
	lasts := func() []uint64 {
		t.Helper()
		var out []uint64
		for p := range s.Partitions() {
			es, err := s.Events(ctx, p, 0, 0)
			require.NoError(t, err)
			last := uint64(0)
			if len(es) > 0 {
				last = es[len(es)-1].Seq
			}
			out = append(out, last)
		}
		return out
	}
	tips := func() []uint64 {
		t.Helper()
		got, err := ts.EventTips(ctx, []uint64{99})
		require.NoError(t, err)
		require.Equal(t, uint64(99), got[0], "EventTips appends to the buffer it is given")
		return got[1:]
	}
	require.Equal(t, lasts(), tips())
	c := chat("c0", "q", 0, 1, routing.Queued)
	commit(t, s, routing.Txn{ID: "t", Queues: []routing.Queue{queue("q", routing.LongestIdle)}, Chats: []routing.Chat{c},
		Events: []routing.Event{chatEvent(routing.ChatQueued, "c0")}})
	for i := range 5 {
		e := chatEvent(routing.ChatQueued, switchboard.ChatID(fmt.Sprint("c", i)))
		commit(t, s, routing.Txn{ID: fmt.Sprint("t", i), Events: []routing.Event{e, chatEvent(routing.ChatOffered, e.Chat)}})
	}
	before := tips()
	require.Equal(t, lasts(), before)
	// A conflicting commit moves no tip: c was written since, so its
	// version is stale.
	err := s.Commit(ctx, routing.Txn{ID: "late", Chats: []routing.Chat{c}, Events: []routing.Event{chatEvent(routing.ChatDone, "c0")}})
	require.ErrorIs(t, err, routing.ErrConflict)
	require.Equal(t, before, tips())
	for p, tip := range before {
		after, err := s.Events(ctx, p, tip, 0)
		require.NoError(t, err)
		require.Empty(t, after, "nothing after the tip of partition %d", p)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ts.EventTips(cancelled, nil)
	require.ErrorIs(t, err, context.Canceled)
}

// testEventAppend checks a store that implements routing.EventAppender:
// it appends what Events returns, after what the buffer held, with the
// same errors; and what it appended stays as read while the log moves on
// and is trimmed.
func testEventAppend(t *testing.T, s routing.Store) {
	ea, ok := s.(routing.EventAppender)
	if !ok {
		t.Skip("the store does not implement routing.EventAppender")
	}
	ctx := context.Background()
	register(t, s, "stats")
	var evs []routing.Event
	for i := range 10 {
		e := chatEvent(routing.ChatQueued, "one")
		e.Reason = fmt.Sprint(i)
		e.Queues = []switchboard.QueueID{switchboard.QueueID(fmt.Sprint("q", i))}
		evs = append(evs, e)
	}
	commit(t, s, routing.Txn{ID: "t", Events: evs})
	p := routing.PartitionOf(&evs[0], s.Partitions())
	all, err := s.Events(ctx, p, 0, 0)
	require.NoError(t, err)
	require.Len(t, all, 10)
	mark := routing.Event{Reason: "already in the buffer"}
	for _, q := range []struct {
		after uint64
		limit int
	}{{0, 0}, {all[1].Seq, 0}, {0, 3}, {all[2].Seq, 4}, {all[9].Seq, 0}, {all[9].Seq + 5, 2}} {
		want, err := s.Events(ctx, p, q.after, q.limit)
		require.NoError(t, err)
		got, err := ea.AppendEvents(ctx, p, q.after, q.limit, []routing.Event{mark})
		require.NoError(t, err)
		require.Equal(t, mark, got[0], "AppendEvents keeps what the buffer held")
		require.Equal(t, len(want), len(got)-1, "after %d, limit %d", q.after, q.limit)
		for i := range want {
			require.Equal(t, want[i], got[i+1], "after %d, limit %d", q.after, q.limit)
		}
	}
	// What was appended stays as read while the log is trimmed and
	// written again.
	held, err := ea.AppendEvents(ctx, p, 0, 0, nil)
	require.NoError(t, err)
	copied := slices.Clone(held)
	for i := range held {
		copied[i].Queues = slices.Clone(held[i].Queues)
	}
	for round := range 20 {
		var more []routing.Event
		for i := range 10 {
			e := chatEvent(routing.ChatQueued, "one")
			e.Queues = []switchboard.QueueID{switchboard.QueueID(fmt.Sprint("r", round, "-", i))}
			more = append(more, e)
		}
		commit(t, s, routing.Txn{ID: fmt.Sprint("more-", round), Events: more})
		logged, err := s.Events(ctx, p, 0, 0)
		require.NoError(t, err)
		c, err := s.Cursor(ctx, "stats", p)
		require.NoError(t, err)
		c.Position = logged[len(logged)-1].Seq
		require.NoError(t, s.SaveCursor(ctx, c))
	}
	require.Equal(t, copied, held, "appended events changed as the log moved on")

	_, err = ea.AppendEvents(ctx, p, 0, -1, nil)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = ea.AppendEvents(ctx, s.Partitions(), 0, 0, nil)
	require.ErrorIs(t, err, routing.ErrInvalid)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ea.AppendEvents(cancelled, p, 0, 0, nil)
	require.ErrorIs(t, err, context.Canceled)
}

func testCursors(t *testing.T, s routing.Store) {
	ctx := context.Background()
	e := chatEvent(routing.ChatQueued, "c1")
	p := routing.PartitionOf(&e, s.Partitions())
	c, err := s.Cursor(ctx, "sessions", p)
	require.NoError(t, err)
	require.Equal(t, routing.Cursor{Consumer: "sessions", Partition: p}, c)
	require.NoError(t, s.SaveCursor(ctx, c))
	require.ErrorIs(t, s.SaveCursor(ctx, c), routing.ErrConflict, "creating it twice")

	commit(t, s, routing.Txn{ID: "t", Events: []routing.Event{e, e, e}})
	evs, err := s.Events(ctx, p, 0, 0)
	require.NoError(t, err)
	require.Len(t, evs, 3)

	c, err = s.Cursor(ctx, "sessions", p)
	require.NoError(t, err)
	require.EqualValues(t, 1, c.Version)
	c.Position, c.Owner, c.LeaseUntil = evs[1].Seq, "proc-1", t0.Add(30e9)
	require.NoError(t, s.SaveCursor(ctx, c))
	require.ErrorIs(t, s.SaveCursor(ctx, c), routing.ErrConflict, "a stale version")
	got, err := s.Cursor(ctx, "sessions", p)
	require.NoError(t, err)
	want := c
	want.Version = 2
	require.Equal(t, want, got)

	// Bad saves change nothing.
	back := got
	back.Position = evs[0].Seq
	require.ErrorIs(t, s.SaveCursor(ctx, back), routing.ErrInvalid, "moving back")
	past := got
	past.Position = evs[2].Seq + 1
	require.ErrorIs(t, s.SaveCursor(ctx, past), routing.ErrInvalid, "past the last event")
	require.ErrorIs(t, s.SaveCursor(ctx, routing.Cursor{Partition: p}), routing.ErrInvalid, "no consumer")
	require.ErrorIs(t, s.SaveCursor(ctx, routing.Cursor{Consumer: "x", Partition: s.Partitions()}), routing.ErrInvalid)
	missing := routing.Cursor{Consumer: "nobody", Partition: p, Version: 3}
	require.ErrorIs(t, s.SaveCursor(ctx, missing), routing.ErrConflict, "replacing a cursor that does not exist")
	again, err := s.Cursor(ctx, "sessions", p)
	require.NoError(t, err)
	require.Equal(t, got, again)
	_, err = s.Cursor(ctx, "", p)
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = s.Cursor(ctx, "sessions", -1)
	require.ErrorIs(t, err, routing.ErrInvalid)

	// Each consumer has its own cursors.
	other, err := s.Cursor(ctx, "stats", p)
	require.NoError(t, err)
	require.Equal(t, routing.Cursor{Consumer: "stats", Partition: p}, other)
	// Moving forward, and staying put with a new lease, are fine.
	got.Position = evs[2].Seq
	require.NoError(t, s.SaveCursor(ctx, got))
	got.Version++
	got.Owner = "proc-2"
	require.NoError(t, s.SaveCursor(ctx, got))
}

// testEventRetention checks what the log must keep: every event some stored
// cursor has not passed, and nothing of a partition with no cursor. Dropping
// the events every cursor passed is allowed, not required, so it is not
// checked here.
func testEventRetention(t *testing.T, s routing.Store) {
	ctx := context.Background()
	n := s.Partitions()
	// Nobody consumes: nothing is kept.
	for i := range 20 {
		commit(t, s, routing.Txn{ID: fmt.Sprint("early-", i), Events: []routing.Event{chatEvent(routing.ChatQueued, switchboard.ChatID(fmt.Sprint("c", i)))}})
	}
	require.Empty(t, allEvents(t, s), "a partition with no cursor keeps no events")

	// Two consumers register; only later events are kept.
	register(t, s, "fast")
	register(t, s, "slow")
	e := chatEvent(routing.ChatQueued, "c1")
	p := routing.PartitionOf(&e, n)
	commit(t, s, routing.Txn{ID: "late", Events: []routing.Event{e, e, e, e}})
	evs, err := s.Events(ctx, p, 0, 0)
	require.NoError(t, err)
	require.Len(t, evs, 4)

	// The fast consumer passes them all; the slow one still needs the last
	// three.
	fast, err := s.Cursor(ctx, "fast", p)
	require.NoError(t, err)
	fast.Position = evs[3].Seq
	require.NoError(t, s.SaveCursor(ctx, fast))
	slow, err := s.Cursor(ctx, "slow", p)
	require.NoError(t, err)
	slow.Position = evs[0].Seq
	require.NoError(t, s.SaveCursor(ctx, slow))
	kept, err := s.Events(ctx, p, slow.Position, 0)
	require.NoError(t, err)
	require.Equal(t, evs[1:], kept)
}

func testApplied(t *testing.T, s routing.Store) {
	ctx := context.Background()
	ok, err := s.Applied(ctx, "never")
	require.NoError(t, err)
	require.False(t, ok)
	commit(t, s, routing.Txn{ID: "txn-ok", Queues: []routing.Queue{queue("q", routing.LongestIdle)}})
	ok, err = s.Applied(ctx, "txn-ok")
	require.NoError(t, err)
	require.True(t, ok)
	err = s.Commit(ctx, routing.Txn{ID: "txn-lost", Queues: []routing.Queue{queue("q", routing.LongestIdle)}})
	require.ErrorIs(t, err, routing.ErrConflict)
	ok, err = s.Applied(ctx, "txn-lost")
	require.NoError(t, err)
	require.False(t, ok, "a failed commit did not apply")
	// An event-only transaction is a commit too.
	commit(t, s, routing.Txn{ID: "txn-events", Events: []routing.Event{chatEvent(routing.ChatQueued, "c")}})
	ok, err = s.Applied(ctx, "txn-events")
	require.NoError(t, err)
	require.True(t, ok)
}
