package routing_test

import (
	"context"
	"hash/fnv"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// logOf returns the events of every partition of s after position 0.
func logOf(t *testing.T, s routing.Store) []routing.Event {
	t.Helper()
	var out []routing.Event
	for p := range s.Partitions() {
		es, err := s.Events(context.Background(), p, 0, 0)
		require.NoError(t, err)
		out = append(out, es...)
	}
	return out
}

func registerAll(t *testing.T, s routing.Store, consumer string) {
	t.Helper()
	for p := range s.Partitions() {
		require.NoError(t, s.SaveCursor(context.Background(), routing.Cursor{Consumer: consumer, Partition: p}))
	}
}

func typesOf(es []routing.Event, chat switchboard.ChatID) []routing.EventType {
	var out []routing.EventType
	for _, e := range es {
		if e.Chat == chat {
			out = append(out, e.Type)
		}
	}
	return out
}

// crashAfterCommit is a store whose process dies right after a commit
// returns, before the router publishes anything.
type crashAfterCommit struct {
	routing.Store
	armed bool
}

type crash struct{}

func (s *crashAfterCommit) Commit(ctx context.Context, txn routing.Txn) error {
	err := s.Store.Commit(ctx, txn)
	if err == nil && s.armed {
		panic(crash{})
	}
	return err
}

func TestEventsSurviveACrashBeforePublish(t *testing.T) {
	ctx := context.Background()
	mem := routingmem.New(routingmem.Config{})
	store := &crashAfterCommit{Store: mem}
	published := 0
	transport := routing.TransportFunc(func(context.Context, ...routing.Event) error { published++; return nil })
	r, err := routing.New(store, transport, routing.Config{Clock: clock.NewMock()})
	require.NoError(t, err)
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	registerAll(t, mem, "sessions")
	published = 0

	store.armed = true
	func() {
		defer func() { require.Equal(t, crash{}, recover()) }()
		_, _ = r.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "q", Customer: routing.Customer{Name: "Grace"}})
	}()
	require.Zero(t, published, "the process died before publishing")

	// A new process finds the events in the log.
	got := logOf(t, mem)
	require.Len(t, got, 1)
	require.Equal(t, routing.ChatQueued, got[0].Type)
	require.Equal(t, switchboard.ChatID("c1"), got[0].Chat)
	require.Equal(t, "Grace", got[0].Customer)
	require.NotEmpty(t, got[0].Txn)
	ok, err := mem.Applied(ctx, got[0].Txn)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestRouterLogsEveryEventItPublishes(t *testing.T) {
	r, b := setup(t, routing.Queue{ID: "q"})
	registerAll(t, b.store, "sessions")
	b.events.Drain()
	login(t, r, b, "a1", 1, "q")
	enqueue(t, r, b, "c1", "q")
	o := onlyOffer(t, r, b, "a1")
	_, err := r.Accept(b.ctx, "a1", o.ID)
	require.NoError(t, err)
	require.NoError(t, r.End(b.ctx, "c1"))

	published := b.events.Drain()
	logged := logOf(t, b.store)
	require.Len(t, logged, len(published))
	// The log is ordered per partition; the events of one chat, and of one
	// agent without a chat, keep the order they were published in.
	require.Equal(t, typesOf(published, "c1"), typesOf(logged, "c1"))
	for i := range logged {
		e := logged[i]
		require.NotZero(t, e.Seq)
		require.NotEmpty(t, e.Txn)
		e.Seq, e.Txn = 0, ""
		require.Contains(t, published, e)
	}
	// One transition, one transaction: the accept's events share an ID.
	var acceptTxn []string
	for _, e := range logged {
		if e.Type == routing.ChatAssigned || (e.Type == routing.OfferResolved && e.Outcome == routing.Accepted) {
			acceptTxn = append(acceptTxn, e.Txn)
		}
	}
	require.Len(t, acceptTxn, 2)
	require.Equal(t, acceptTxn[0], acceptTxn[1])
}

func TestPartitionOfIsFNV1aOfTheChatElseTheAgent(t *testing.T) {
	fnvMod := func(key string, n int) int {
		h := fnv.New32a()
		_, _ = h.Write([]byte(key))
		return int(h.Sum32() % uint32(n))
	}
	for _, n := range []int{2, 3, 4, 7, 64} {
		for _, id := range []string{"c1", "chat-000042", "ada", "ünïcode"} {
			require.Equal(t, fnvMod(id, n), routing.PartitionOf(&routing.Event{Chat: switchboard.ChatID(id), Agent: "other"}, n))
			require.Equal(t, fnvMod(id, n), routing.PartitionOf(&routing.Event{Agent: switchboard.AgentID(id)}, n))
		}
	}
	// Fixed values: the partition of a chat never changes across releases.
	require.Equal(t, 1, routing.PartitionOf(&routing.Event{Chat: "c1"}, 4))
	require.Equal(t, 0, routing.PartitionOf(&routing.Event{Chat: "c1"}, 1))
	require.Equal(t, 0, routing.PartitionOf(&routing.Event{}, 8))
	require.Equal(t, 0, routing.PartitionOf(&routing.Event{Chat: "c1"}, 0))
}
