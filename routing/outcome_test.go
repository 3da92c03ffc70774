package routing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
)

// faultRouter returns a router over a FaultStore with queue q and agent a1
// logged in, and a consumer registered for the log.
func faultRouter(t *testing.T) (*routing.Router, *routingtest.FaultStore, *routingmem.Store, *int) {
	t.Helper()
	ctx := context.Background()
	mem := routingmem.New(routingmem.Config{})
	fs := routingtest.NewFaultStore(mem)
	published := new(int)
	transport := routing.TransportFunc(func(_ context.Context, es ...routing.Event) error {
		*published += len(typesOf(es, "c1"))
		return nil
	})
	r, err := routing.New(fs, transport, routing.Config{Clock: clock.NewMock()})
	require.NoError(t, err)
	_, err = r.PutQueue(ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	registerAll(t, mem, "sessions")
	_, err = r.Login(ctx, "a1", routing.Profile{Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	return r, fs, mem, published
}

// firstCommitOfEnqueue returns the number of the call that commits an
// Enqueue of c1, counted from a router made by faultRouter.
func firstCommitOfEnqueue(t *testing.T) int {
	t.Helper()
	r, fs, _, _ := faultRouter(t)
	from := fs.Count()
	_, err := r.Enqueue(context.Background(), routing.ChatRequest{ID: "c1", Queue: "q"})
	require.NoError(t, err)
	for _, c := range fs.Calls()[from:] {
		if c.Method == "Commit" {
			return c.N
		}
	}
	t.Fatal("Enqueue committed nothing")
	return 0
}

func methods(calls []routingtest.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

func TestCommitOutcomeLostButAppliedIsNotAppliedTwice(t *testing.T) {
	k := firstCommitOfEnqueue(t)
	r, fs, mem, published := faultRouter(t)
	fs.LoseOutcome(k)
	c, err := r.Enqueue(context.Background(), routing.ChatRequest{ID: "c1", Queue: "q"})
	require.NoError(t, err, "the commit applied: the enqueue succeeded")
	require.Equal(t, routing.Offered, c.State)
	calls := fs.Calls()
	require.ErrorIs(t, calls[k-1].Err, routing.ErrOutcomeUnknown)
	require.Equal(t, "Applied", calls[k].Method, "the router asked whether it applied")
	require.Equal(t, 1, slices.Index(methods(calls[k-1:]), "Applied"))
	require.Equal(t, 1, countOf(methods(calls[k-1:]), "Commit"), "no second commit")
	// Applied once: one set of events, one offer, published once.
	require.Equal(t, []routing.EventType{routing.ChatQueued, routing.ChatOffered}, typesOf(logOf(t, mem), "c1"))
	require.Equal(t, 2, *published)
	stored, err := mem.Chat(context.Background(), "c1")
	require.NoError(t, err)
	require.EqualValues(t, 1, stored.Version)
	require.Equal(t, 1, stored.Offers)
}

func countOf(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func TestCommitOutcomeLostAndNotAppliedIsRetried(t *testing.T) {
	k := firstCommitOfEnqueue(t)
	r, fs, mem, published := faultRouter(t)
	fs.Fail(k, fmt.Errorf("connection reset during COMMIT: %w", routing.ErrOutcomeUnknown))
	c, err := r.Enqueue(context.Background(), routing.ChatRequest{ID: "c1", Queue: "q"})
	require.NoError(t, err)
	require.Equal(t, routing.Offered, c.State)
	ms := methods(fs.Calls()[k-1:])
	require.Equal(t, []string{"Commit", "Applied"}, ms[:2])
	require.Equal(t, 2, countOf(ms, "Commit"), "the transition was retried")
	require.Equal(t, []routing.EventType{routing.ChatQueued, routing.ChatOffered}, typesOf(logOf(t, mem), "c1"))
	require.Equal(t, 2, *published)
}

func TestCommitOutcomeThatStaysUnknownIsReturned(t *testing.T) {
	k := firstCommitOfEnqueue(t)
	ctx := context.Background()

	// Applied fails once, then answers: the router carries on.
	r, fs, mem, _ := faultRouter(t)
	fs.Fail(k, routing.ErrOutcomeUnknown)
	fs.Fail(k+1, errors.New("connection refused"))
	_, err := r.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "q"})
	require.NoError(t, err)
	require.Equal(t, []string{"Commit", "Applied", "Applied"}, methods(fs.Calls()[k-1:k+2]))
	_, err = mem.Chat(ctx, "c1")
	require.NoError(t, err)

	// Applied keeps failing: the caller learns the outcome is unknown.
	r, fs, mem, published := faultRouter(t)
	fs.Fail(k, routing.ErrOutcomeUnknown)
	fs.FailFrom(k+1, errors.New("connection refused"))
	_, err = r.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "q"})
	require.ErrorIs(t, err, routing.ErrOutcomeUnknown)
	require.Equal(t, []string{"Commit", "Applied", "Applied", "Applied"}, methods(fs.Calls()[k-1:]))
	require.Zero(t, *published, "nothing is published for a commit that may not have applied")
	_, err = mem.Chat(ctx, "c1")
	require.ErrorIs(t, err, routing.ErrChatNotFound, "the failed commit reached nothing")
}
