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

// enqueueAndAccept enqueues c1 and has a1 accept it, stopping at the first
// error.
func enqueueAndAccept(r *routing.Router) error {
	ctx := context.Background()
	if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "q"}); err != nil {
		return err
	}
	os, err := r.Offers(ctx, "a1")
	if err != nil {
		return err
	}
	if len(os) != 1 {
		return fmt.Errorf("a1 has %d offers", len(os))
	}
	_, err = r.Accept(ctx, "a1", os[0].ID)
	return err
}

// TestEveryStoreFaultLeavesTheLogInStepWithTheRecords fails each store call
// of an enqueue and accept in turn, and loses the outcome of each commit in
// turn: whatever happens, the event log holds exactly the events of the
// transitions the records show, and the transport carried no event the log
// does not hold.
func TestEveryStoreFaultLeavesTheLogInStepWithTheRecords(t *testing.T) {
	ctx := context.Background()
	r, fs, _, _ := faultRouter(t)
	from := fs.Count()
	require.NoError(t, enqueueAndAccept(r))
	calls := fs.Calls()[from:]
	t.Logf("%d calls: %v", len(calls), methods(calls))
	want := map[routing.ChatState][]routing.EventType{
		routing.Offered:  {routing.ChatQueued, routing.ChatOffered},
		routing.Assigned: {routing.ChatQueued, routing.ChatOffered, routing.OfferResolved, routing.ChatAssigned},
	}
	commits := 0
	for _, c := range calls {
		for _, lose := range []bool{false, true} {
			if lose && c.Method != "Commit" {
				continue
			}
			name := fmt.Sprintf("call %d (%s) lost=%v", c.N, c.Method, lose)
			r, fs, mem, published := faultRouter(t)
			if lose {
				commits++
				fs.LoseOutcome(c.N)
			} else {
				fs.Fail(c.N, errors.New("connection reset"))
			}
			err := enqueueAndAccept(r)
			logged := typesOf(logOf(t, mem), "c1")
			chat, cerr := mem.Chat(ctx, "c1")
			switch {
			case errors.Is(cerr, routing.ErrChatNotFound):
				require.Error(t, err, name)
				require.Empty(t, logged, name)
			case cerr != nil:
				t.Fatal(cerr)
			default:
				require.Contains(t, want, chat.State, name)
				require.Equal(t, want[chat.State], logged, name)
				require.Equal(t, chat.State == routing.Assigned, err == nil, "%s: %v", name, err)
			}
			require.LessOrEqual(t, *published, len(logged), name)
			if lose {
				require.NoError(t, err, "%s: an applied commit is a success", name)
				require.Equal(t, len(logged), *published, name)
			}
		}
	}
	require.Equal(t, 2, commits, "the enqueue and the accept commit once each")
}
