// Package desktest builds an engine.Engine over in-memory routing and
// session stores that share one mock clock, with shortcuts for tests that
// drive an engine. It is imported only by tests.
package desktest

import (
	"context"
	"sync"
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

// TB is what a Fixture needs from *testing.T, *testing.B and *rapid.T.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// Start is the time the mock clock is set to.
var Start = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// Fixture is a Manual engine over in-memory stores. Its helpers that take no chat act
// on the chat ID Main, "c1" unless changed, and fail the test on an error.
type Fixture struct {
	T         TB
	Engine    *engine.Engine
	Router    *routing.Router
	Sessions  *session.Manager
	Clock     *clock.Mock
	Transport *sessionmem.Transport
	Events    *routingmem.Subscription
	Main      switchboard.ChatID
}

var ctx = context.Background()

// New returns a Fixture with the given queues. cfg's Clock, Transport and
// Directory are the engine's; its Queues become the chat settings of the
// routing queues of the same IDs, where the engine keeps them. opts adjust
// the engine's Config before it is built.
func New(t TB, queues []routing.Queue, cfg session.Config, opts ...func(*engine.Config)) *Fixture {
	t.Helper()
	for i := range queues {
		if qc, ok := cfg.Queues[queues[i].ID]; ok {
			queues[i].Chat = qc.ChatSettings
		}
	}
	cfg.Queues = nil
	f := &Fixture{T: t, Clock: clock.NewMock(), Transport: sessionmem.NewTransport(), Main: "c1"}
	f.Clock.Set(Start)
	bus := routingmem.NewBus()
	f.Events = bus.Subscribe(nil)
	var err error
	ecfg := engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: bus, Participants: f.Transport, Clock: f.Clock, Manual: true, Session: cfg,
	}
	for _, o := range opts {
		o(&ecfg)
	}
	f.Engine, err = engine.New(ctx, ecfg)
	require.NoError(t, err)
	f.Router, f.Sessions = f.Engine.Router(), f.Engine.Sessions()
	for _, q := range queues {
		_, err = f.Router.PutQueue(ctx, q)
		require.NoError(t, err)
	}
	return f
}

// Offer returns agent's only pending offer.
func (f *Fixture) Offer(agent switchboard.AgentID) routing.Offer {
	f.T.Helper()
	os, err := f.Router.Offers(ctx, agent)
	require.NoError(f.T, err)
	require.Len(f.T, os, 1, "offers of %s", agent)
	return os[0]
}

// Accept has agent accept its only pending offer through the engine.
func (f *Fixture) Accept(agent switchboard.AgentID) {
	f.T.Helper()
	_, _, err := f.Engine.Accept(ctx, agent, f.Offer(agent).ID)
	require.NoError(f.T, err)
}

// Pump settles the engine (every pending routing event is processed) and
// returns the events published to desktops since the last call.
func (f *Fixture) Pump() []routing.Event {
	f.T.Helper()
	require.NoError(f.T, f.Engine.Settle(ctx))
	return f.Events.Drain()
}

// Advance moves the clock on, sweeps routing's deadlines and pumps events.
func (f *Fixture) Advance(d time.Duration) []routing.Event {
	f.T.Helper()
	f.Clock.Add(d)
	return f.Pump()
}

// Chat returns the routing record of Main.
func (f *Fixture) Chat() routing.Chat {
	f.T.Helper()
	c, err := f.Router.Chat(ctx, f.Main)
	require.NoError(f.T, err)
	return c
}

// Session returns the session of Main.
func (f *Fixture) Session() session.Session {
	f.T.Helper()
	s, err := f.Sessions.Session(ctx, f.Main)
	require.NoError(f.T, err)
	return s
}

// Agent returns the routing record of agent id.
func (f *Fixture) Agent(id switchboard.AgentID) routing.Agent {
	f.T.Helper()
	a, err := f.Router.Agent(ctx, id)
	require.NoError(f.T, err)
	return a
}

// Load returns the slots agent id uses on the default channel.
func (f *Fixture) Load(id switchboard.AgentID) int {
	f.T.Helper()
	a := f.Agent(id)
	return a.Load(switchboard.DefaultChannel)
}

// History returns what p may see of Main.
func (f *Fixture) History(p session.ParticipantID) []session.View {
	f.T.Helper()
	v, err := f.Sessions.History(ctx, f.Main, p)
	require.NoError(f.T, err)
	return v
}

// Send sends text from a participant into Main through the engine.
func (f *Fixture) Send(from session.ParticipantID, text string, mode session.Mode) {
	f.T.Helper()
	_, err := f.Engine.Send(ctx, f.Main, session.Message{From: from, Text: text, Mode: mode})
	require.NoError(f.T, err)
}

// Present reports whether p is present in Main's session.
func (f *Fixture) Present(p session.ParticipantID) bool {
	f.T.Helper()
	s := f.Session()
	q := s.Participant(p)
	return q != nil && q.Present()
}

// Invited reports whether p has a pending invitation in Main's session.
func (f *Fixture) Invited(p session.ParticipantID) bool {
	f.T.Helper()
	s := f.Session()
	q := s.Participant(p)
	return q != nil && q.Invited()
}

// Owner returns the owner of Main's session, or "".
func (f *Fixture) Owner() session.ParticipantID {
	f.T.Helper()
	s := f.Session()
	if o := s.Owner(); o != nil {
		return o.ID
	}
	return ""
}

// Pending reports whether Main has a pending invite or transfer.
func (f *Fixture) Pending() bool {
	f.T.Helper()
	c := f.Chat()
	return c.Invitation.Pending()
}

// FreshChat starts chat id in queue and has agent, who must be free, accept
// it.
func (f *Fixture) FreshChat(id switchboard.ChatID, queue switchboard.QueueID, agent switchboard.AgentID) {
	f.T.Helper()
	_, err := f.Engine.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: queue, Customer: "u2", CustomerName: "Dan"})
	require.NoError(f.T, err)
	os, err := f.Router.Offers(ctx, agent)
	require.NoError(f.T, err)
	for _, o := range os {
		if o.Chat == id {
			_, _, err := f.Engine.Accept(ctx, agent, o.ID)
			require.NoError(f.T, err)
		}
	}
	f.Pump()
}

// Finish ends chat id by its owner and completes the owner's wrap-up.
func (f *Fixture) Finish(id switchboard.ChatID, owner switchboard.AgentID) {
	f.T.Helper()
	_, err := f.Engine.End(ctx, id, owner, session.EndOptions{Confirm: true, Forced: true})
	require.NoError(f.T, err)
	c, err := f.Router.Chat(ctx, id)
	require.NoError(f.T, err)
	if c.State == routing.InWrapUp {
		require.NoError(f.T, f.Engine.CompleteWrapUp(ctx, id, owner))
	}
	f.Pump()
}

// Race runs fns at once, each in its own goroutine released together, and
// returns their errors in order.
func Race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, fn := range fns {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn()
		}()
	}
	start.Done()
	done.Wait()
	return errs
}
