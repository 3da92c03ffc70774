package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

func TestNewNamesEveryMissingPart(t *testing.T) {
	// SPEC E1
	t.Parallel()
	_, err := engine.New(ctx, engine.Config{})
	require.ErrorIs(t, err, engine.ErrConfig)
	for _, part := range []string{"Routing", "Sessions", "Desktops", "Participants"} {
		require.Contains(t, err.Error(), part)
	}
	full := engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}}
	for name, mutate := range map[string]func(*engine.Config){
		"files without a policy": func(c *engine.Config) { c.Files = nopFiles{} },
		"a second clock":         func(c *engine.Config) { c.Router.Clock = clock.NewMock() },
		"a session transport":    func(c *engine.Config) { c.Session.Transport = session.Discard{} },
	} {
		cfg := full
		mutate(&cfg)
		_, err := engine.New(ctx, cfg)
		require.ErrorIs(t, err, engine.ErrConfig, name)
	}
	_, err = engine.New(ctx, full)
	require.NoError(t, err)
}

func TestOperationsReportAnEngineThatIsNotRunning(t *testing.T) {
	// SPEC E1
	t.Parallel()
	// A host that never starts Run finds out at once, not from offers that
	// never expire.
	eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, StartGrace: 10 * time.Millisecond})
	require.NoError(t, err)
	_, err = eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "q", Customer: "u1"})
	require.ErrorIs(t, err, engine.ErrNotRunning)
	require.ErrorIs(t, eng.Settle(ctx), nil, "Settle works without Run")
}

func TestRunProcessesEventsAndLeavesNothingBehind(t *testing.T) {
	// SPEC E1
	// Run on the real clock: offers ring, routing's outcomes reach the
	// sessions with no Settle, and Run returns with every goroutine it
	// started ended when ctx is cancelled.
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Poll: 5 * time.Millisecond,
		Router: routing.Config{SweepInterval: 5 * time.Millisecond}})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()

	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "q", AcceptTimeout: 20 * time.Millisecond})
	require.NoError(t, err)
	_, err = eng.Router().Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	_, err = eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	offers, err := eng.Router().Offers(ctx, "ann")
	require.NoError(t, err)
	require.Len(t, offers, 1)
	// Behind the engine's back, as another process would: the session
	// follows routing through the event log.
	_, err = eng.Router().Accept(ctx, "ann", offers[0].ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		s, err := eng.Sessions().Session(ctx, "c1")
		return err == nil && s.Owner() != nil && s.Owner().ID == session.AgentParticipant("ann")
	}, 5*time.Second, 5*time.Millisecond)

	require.Error(t, eng.Run(runCtx), "one Run at a time")
	cancel()
	require.NoError(t, <-done)
}

func TestEventsSurviveACrash(t *testing.T) {
	// SPEC E2
	t.Parallel()
	// Routing committed an assignment and the process died before the
	// session heard: a new engine over the same stores finishes it. Two
	// engines over the same stores apply each consequence once.
	rs, ss := routingmem.New(routingmem.Config{}), sessionmem.NewStore()
	mock := clock.NewMock()
	build := func() *engine.Engine {
		eng, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss, Desktops: routingmem.NewBus(),
			Participants: session.Discard{}, Clock: mock, Manual: true})
		require.NoError(t, err)
		return eng
	}
	first := build()
	_, err := first.Router().PutQueue(ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	_, err = first.Router().Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	_, err = first.Start(ctx, engine.StartRequest{ID: "c1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	offers, err := first.Router().Offers(ctx, "ann")
	require.NoError(t, err)
	_, err = first.Router().Accept(ctx, "ann", offers[0].ID) // routing's step only; then the crash
	require.NoError(t, err)

	second, third := build(), build()
	var wg sync.WaitGroup
	for _, eng := range []*engine.Engine{second, third} {
		wg.Go(func() { require.NoError(t, eng.Settle(ctx)) })
	}
	wg.Wait()
	s, err := second.Sessions().Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.AgentParticipant("ann"), s.Owner().ID)
	views, err := second.Sessions().History(ctx, "c1", session.CustomerParticipant("u1"))
	require.NoError(t, err)
	joins := 0
	for _, v := range views {
		if v.Type == session.EntryJoined && v.SubjectName == "Ann" {
			joins++
		}
	}
	require.Equal(t, 1, joins, "the customer is told once")
}

func TestTracerSeesEveryOperationAndEvent(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	b := setup(t, func(c *engine.Config) { c.Tracer = engine.LogTracer(logger) })
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = b.eng.End(ctx, "c1", "bob", session.EndOptions{Reason: "sold", Confirm: true})
	require.Error(t, err)
	// The conference and transfer operations are traced like the others.
	_, err = b.eng.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.Error(t, err)
	require.ErrorIs(t, b.eng.Leave(ctx, "c1", "bob"), conference.ErrNotInConference)
	require.Error(t, b.eng.HandOver(ctx, "c1", "ann", "bob"))
	require.NoError(t, b.eng.EndConference(ctx, "c1", "ann", session.EndOptions{}))
	_, err = b.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann"})
	require.Error(t, err)
	require.NoError(t, b.eng.CancelTransfer(ctx, "c1", "ann"))
	_, err = b.eng.TransferQueues(ctx, "t1")
	require.NoError(t, err)
	_, err = b.eng.TransferTargets(ctx, "c1", "ann")
	require.NoError(t, err)
	_, err = b.eng.TransferHistory(ctx, "c1")
	require.NoError(t, err)
	b.settle(t)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, want := range []string{"engine.Start", "engine.Accept", "engine.End", "engine.event", "event=ChatAssigned", "chat=c1", "level=WARN",
		"engine.Invite", "engine.Leave", "engine.HandOver", "engine.EndConference", "engine.Transfer ", "engine.CancelTransfer",
		"engine.TransferQueues", "engine.TransferTargets", "engine.TransferHistory"} {
		require.Contains(t, out, want)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type nopFiles struct{}

func (nopFiles) PutFile(context.Context, switchboard.ChatID, attachment.Accepted) (string, error) {
	return "", errors.New("unused")
}
