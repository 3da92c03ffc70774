package engine_test

import (
	"context"
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

func withGrace(d time.Duration) func(*engine.Config) {
	return func(c *engine.Config) { c.Router.DisconnectGrace = d }
}

// loginCap logs an agent in to "sales" with capacity n.
func (b *bundle) loginCap(t *testing.T, id switchboard.AgentID, name string, n int) {
	t.Helper()
	_, err := b.router.Login(ctx, id, routing.Profile{DisplayName: name, Tenant: "t1", Team: "sales",
		Queues: []switchboard.QueueID{"sales"}, Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: n}}})
	require.NoError(t, err)
}

func (b *bundle) agent(t *testing.T, id switchboard.AgentID) routing.Agent {
	t.Helper()
	a, err := b.router.Agent(ctx, id)
	require.NoError(t, err)
	return a
}

func TestReconnectWithinGrace(t *testing.T) {
	t.Parallel()
	// SPEC H2, H3: within the grace a disconnected agent keeps its chat and
	// state, is offered nothing, and reconnecting restores it as it was.
	var desk []routing.Event
	b := setup(t, withGrace(time.Minute), func(c *engine.Config) {
		c.Desktops = routing.TransportFunc(func(_ context.Context, evs ...routing.Event) error {
			desk = append(desk, evs...)
			return nil
		})
	})
	b.loginCap(t, "ann", "Ann", 2)
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	require.NoError(t, b.router.SetState(ctx, "ann", routing.NotReady, "break"))
	b.settle(t)
	before := b.agent(t, "ann")

	require.NoError(t, b.eng.Disconnect(ctx, "ann"))
	require.NoError(t, b.router.SetState(ctx, "ann", routing.Available, ""), "the state it returns with may change meanwhile")
	b.start(t, "c2")
	for range 5 {
		b.clock.Add(10 * time.Second)
		b.settle(t)
		require.Empty(t, b.offersOf(t, "ann"), "no offer to a disconnected agent")
	}
	require.Equal(t, routing.Queued, b.routingState(t, "c2"))
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"), "its chat waits for it")
	require.Equal(t, annP, b.owner(t, "c1"))

	require.NoError(t, b.router.SetState(ctx, "ann", routing.NotReady, "break"))
	require.NoError(t, b.eng.Reconnect(ctx, "ann"))
	b.settle(t)
	after := b.agent(t, "ann")
	require.Equal(t, before.State, after.State)
	require.Equal(t, before.Reason, after.Reason)
	require.Equal(t, before.Used, after.Used)
	require.False(t, after.Disconnected())
	require.Equal(t, annP, b.owner(t, "c1"))
	_, err = b.eng.Send(ctx, "c1", session.Message{From: annP, Text: "Sorry, I'm back"})
	require.NoError(t, err)

	var kinds []routing.EventType
	for _, e := range desk {
		if e.Agent == "ann" && (e.Type == routing.AgentDisconnected || e.Type == routing.AgentReconnected) {
			kinds = append(kinds, e.Type)
		}
	}
	require.Equal(t, []routing.EventType{routing.AgentDisconnected, routing.AgentReconnected}, kinds)

	// Available again, it is offered the waiting chat.
	require.NoError(t, b.router.SetState(ctx, "ann", routing.Available, ""))
	require.Equal(t, switchboard.ChatID("c2"), b.offer(t, "ann").Chat)
}

func (b *bundle) offersOf(t *testing.T, agent switchboard.AgentID) []routing.Offer {
	t.Helper()
	os, err := b.router.Offers(ctx, agent)
	require.NoError(t, err)
	return os
}

func TestGraceExpiryLogsOut(t *testing.T) {
	t.Parallel()
	// SPEC H3, H4: past the grace the agent is logged out and its chat goes
	// back to the queue, as after a logout; Reconnect then says so.
	b := setup(t, withGrace(time.Minute))
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	require.NoError(t, b.router.SetState(ctx, "bob", routing.NotReady, "meeting"))
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	a2a, err := b.eng.StartA2A(ctx, "bob", []switchboard.AgentID{"ann"}, "lunch?")
	require.NoError(t, err)

	require.NoError(t, b.eng.Disconnect(ctx, "ann"))
	b.clock.Add(59 * time.Second)
	b.settle(t)
	require.Equal(t, routing.Available, b.agent(t, "ann").State)
	b.clock.Add(time.Second)
	b.settle(t)

	a := b.agent(t, "ann")
	require.Equal(t, routing.LoggedOut, a.State)
	require.Equal(t, "disconnect", a.Reason)
	require.Equal(t, routing.Queued, b.routingState(t, "c1"))
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"), "the session let its owner go")
	s, err := b.m.Session(ctx, a2a.ID)
	require.NoError(t, err)
	require.False(t, s.Participant(annP).Present(), "it left its agent-to-agent chat")
	require.ErrorIs(t, b.eng.Reconnect(ctx, "ann"), routing.ErrGraceOver)

	require.NoError(t, b.router.SetState(ctx, "bob", routing.Available, ""))
	require.Equal(t, switchboard.ChatID("c1"), b.offer(t, "bob").Chat)
}

func TestNegativeDurationsAreConfigErrors(t *testing.T) {
	t.Parallel()
	// SPEC H2, H5: negative PositionEvery or grace is refused by New.
	for _, f := range []func(*engine.Config){
		func(c *engine.Config) { c.PositionEvery = -time.Second },
		func(c *engine.Config) { c.Router.DisconnectGrace = -time.Second },
	} {
		cfg := engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
			Desktops: routingmem.NewBus(), Participants: session.Discard{}, Manual: true}
		f(&cfg)
		_, err := engine.New(ctx, cfg)
		require.ErrorIs(t, err, engine.ErrConfig)
	}
}

func TestGraceExpiresAfterACrash(t *testing.T) {
	t.Parallel()
	// SPEC H4: the deadline is stored, so a second engine over the same
	// stores logs the agent out after the first one stopped.
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	rs, ss := routingmem.New(routingmem.Config{}), sessionmem.NewStore()
	cfg := engine.Config{Routing: rs, Sessions: ss, Desktops: routingmem.NewBus(), Participants: sessionmem.NewTransport(),
		Clock: mock, Manual: true}
	cfg.Router.DisconnectGrace = time.Minute
	first, err := engine.New(ctx, cfg)
	require.NoError(t, err)
	b := &bundle{eng: first, router: first.Router(), m: first.Sessions(), clock: mock}
	_, err = b.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1"})
	require.NoError(t, err)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err = first.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	require.NoError(t, first.Disconnect(ctx, "ann"))
	// The first engine stops here.

	cfg.Router.DisconnectGrace = 0 // the stored deadline governs, not this engine's setting
	second, err := engine.New(ctx, cfg)
	require.NoError(t, err)
	mock.Add(2 * time.Minute)
	require.NoError(t, second.Settle(ctx))
	a, err := second.Router().Agent(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.LoggedOut, a.State)
	c, err := second.Router().Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Queued, c.State)
	s, err := second.Sessions().Session(ctx, "c1")
	require.NoError(t, err)
	require.Nil(t, s.Owner())
}

func TestReconnectPastGraceLeavesAgentChats(t *testing.T) {
	t.Parallel()
	// SPEC H3: a Reconnect that comes after the grace, before any sweep,
	// logs the agent out itself, and the agent leaves its agent-to-agent
	// chats.
	b := setup(t, withGrace(time.Minute))
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	a2a, err := b.eng.StartA2A(ctx, "bob", []switchboard.AgentID{"ann"}, "coffee?")
	require.NoError(t, err)
	require.NoError(t, b.eng.Disconnect(ctx, "ann"))
	b.clock.Add(time.Minute)
	require.ErrorIs(t, b.eng.Reconnect(ctx, "ann"), routing.ErrGraceOver)
	require.Equal(t, routing.LoggedOut, b.agent(t, "ann").State)
	s, err := b.m.Session(ctx, a2a.ID)
	require.NoError(t, err)
	require.False(t, s.Participant(annP).Present())
}
