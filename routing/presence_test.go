package routing_test

import (
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// graceSetup is setup with a disconnect grace.
func graceSetup(t *testing.T, grace time.Duration, queues ...routing.Queue) (*routing.Router, *testBundle) {
	t.Helper()
	b := &testBundle{store: routingmem.New(routingmem.Config{}), bus: routingmem.NewBus(), clock: clock.NewMock()}
	b.ctx = t.Context()
	b.clock.Set(start)
	b.events = b.bus.Subscribe(nil)
	r, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock, DisconnectGrace: grace})
	require.NoError(t, err)
	for _, q := range queues {
		_, err := r.PutQueue(b.ctx, q)
		require.NoError(t, err)
	}
	return r, b
}

func types(evs []routing.Event) []routing.EventType {
	out := make([]routing.EventType, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestNegativeGraceIsRefused(t *testing.T) {
	t.Parallel()
	// SPEC H2: a negative grace is a configuration error, not a silent 0.
	_, err := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{DisconnectGrace: -time.Second})
	require.ErrorIs(t, err, routing.ErrInvalid)
}

func TestLoginNotReadyIsNeverOffered(t *testing.T) {
	t.Parallel()
	// SPEC H1: an agent logging in NotReady is never offered a chat, not
	// even one that waits already.
	r, b := setup(t, routing.Queue{ID: "q"})
	enqueue(t, r, b, "c1", "q")
	b.events.Drain()

	a, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), LoginState: routing.NotReady, LoginReason: "training"})
	require.NoError(t, err)
	require.Equal(t, routing.NotReady, a.State)
	require.Equal(t, "training", a.Reason)
	evs := b.events.Drain()
	require.Equal(t, []routing.EventType{routing.AgentLoggedIn}, types(evs), "logging in offers nothing")
	require.Equal(t, routing.NotReady, evs[0].State)
	require.Equal(t, "training", evs[0].Reason)

	_, err = r.Sweep(b.ctx)
	require.NoError(t, err)
	require.Empty(t, offers(t, r, b, "ann"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))

	require.NoError(t, r.SetState(b.ctx, "ann", routing.Available, ""))
	require.Equal(t, switchboard.ChatID("c1"), onlyOffer(t, r, b, "ann").Chat)

	// The default is Available.
	a, err = r.Login(b.ctx, "bob", routing.Profile{Queues: qids("q")})
	require.NoError(t, err)
	require.Equal(t, routing.Available, a.State)
}

func TestLoginStateIsChecked(t *testing.T) {
	t.Parallel()
	// SPEC H1: a login state other than Available or NotReady, or a reason
	// that does not fit it, is refused and nothing changes.
	r, b := setup(t, routing.Queue{ID: "q"})
	for name, p := range map[string]routing.Profile{
		"NotReady without reason":   {LoginState: routing.NotReady},
		"Available with reason":     {LoginState: routing.Available, LoginReason: "x"},
		"RONA":                      {LoginState: routing.RONA},
		"WrapUp":                    {LoginState: routing.WrapUp, LoginReason: "x"},
		"unknown state":             {LoginState: routing.State(42)},
		"default state with reason": {LoginReason: "x"},
	} {
		_, err := r.Login(b.ctx, "ann", p)
		require.ErrorIs(t, err, routing.ErrInvalid, name)
		_, err = r.Agent(b.ctx, "ann")
		require.ErrorIs(t, err, routing.ErrAgentNotFound, name)
	}
}

func TestDisconnectGraceKeepsTheAgent(t *testing.T) {
	t.Parallel()
	// SPEC H2: within its grace a disconnected agent keeps its state and
	// chats, gets no offers, and its pending offers go to others.
	r, b := graceSetup(t, time.Minute, routing.Queue{ID: "q"})
	login(t, r, b, "ann", 2, "q")
	enqueue(t, r, b, "c1", "q")
	_, err := r.Accept(b.ctx, "ann", onlyOffer(t, r, b, "ann").ID)
	require.NoError(t, err)
	enqueue(t, r, b, "c2", "q") // offered to ann, pending
	require.Len(t, offers(t, r, b, "ann"), 1)
	b.events.Drain()

	require.NoError(t, r.Disconnect(b.ctx, "ann"))
	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.Available, a.State)
	require.True(t, a.Disconnected())
	require.Equal(t, start.Add(time.Minute), a.GraceUntil)
	evs := b.events.Drain()
	require.Equal(t, routing.AgentDisconnected, evs[0].Type)
	require.Equal(t, start.Add(time.Minute), evs[0].ExpiresAt)

	// The pending offer was withdrawn at no cost; the assigned chat waits.
	require.Empty(t, offers(t, r, b, "ann"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c2"))
	require.Equal(t, routing.Assigned, chatState(t, r, b, "c1"))

	// Nothing is offered to it meanwhile, and disconnecting again keeps the
	// first deadline.
	b.clock.Add(30 * time.Second)
	require.NoError(t, r.Disconnect(b.ctx, "ann"))
	enqueue(t, r, b, "c3", "q")
	_, err = r.Sweep(b.ctx)
	require.NoError(t, err)
	require.Empty(t, offers(t, r, b, "ann"))
	a, err = r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, start.Add(time.Minute), a.GraceUntil)

	// Another agent gets the waiting chats.
	login(t, r, b, "bob", 2, "q")
	require.Len(t, offers(t, r, b, "bob"), 2)

	// Reconnecting makes ann eligible again, with its chat.
	require.NoError(t, r.Reconnect(b.ctx, "ann"))
	a, err = r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.False(t, a.Disconnected())
	require.Equal(t, routing.Available, a.State)
	require.Equal(t, routing.Assigned, chatState(t, r, b, "c1"))
	require.NoError(t, r.Reconnect(b.ctx, "ann"), "reconnecting a connected agent changes nothing")
}

func TestReconnectAfterGraceIsRefused(t *testing.T) {
	t.Parallel()
	// SPEC H3, H4: past the grace the agent is logged out, by the sweep or
	// by Reconnect itself, and Reconnect says the grace is over.
	r, b := graceSetup(t, time.Minute, routing.Queue{ID: "q"})
	login(t, r, b, "ann", 1, "q")
	login(t, r, b, "bob", 1, "q")
	require.NoError(t, r.Disconnect(b.ctx, "ann"))
	require.NoError(t, r.Disconnect(b.ctx, "bob"))
	b.clock.Add(time.Minute)

	// No sweep yet: Reconnect finds the grace over and logs bob out.
	require.ErrorIs(t, r.Reconnect(b.ctx, "bob"), routing.ErrGraceOver)
	require.Equal(t, routing.LoggedOut, agentState(t, r, b, "bob"))

	n, err := r.Sweep(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	a, err := r.Agent(b.ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.LoggedOut, a.State)
	require.Equal(t, "disconnect", a.Reason)
	require.False(t, a.Disconnected())
	require.ErrorIs(t, r.Reconnect(b.ctx, "ann"), routing.ErrGraceOver)

	// An agent that logged out is not reconnected either.
	login(t, r, b, "cy", 1, "q")
	require.NoError(t, r.Logout(b.ctx, "cy"))
	require.ErrorIs(t, r.Reconnect(b.ctx, "cy"), routing.ErrLoggedOut)
	require.ErrorIs(t, r.Reconnect(b.ctx, ""), routing.ErrInvalid)
	require.ErrorIs(t, r.Disconnect(b.ctx, "cy"), routing.ErrLoggedOut)
}

func TestReconnectWakesChatsWaitingForItsSkills(t *testing.T) {
	t.Parallel()
	// SPEC H3: a chat that arrived during the grace, needing a skill only
	// the disconnected agent has, is offered to it when it reconnects.
	r, b := graceSetup(t, time.Minute, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "ann", routing.Profile{Queues: qids("q"), Skills: []routing.Skill{{Name: "french", Level: 2}}})
	require.NoError(t, err)
	require.NoError(t, r.Disconnect(b.ctx, "ann"))
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "fr", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "french", Min: 1}}})
	require.NoError(t, err)
	_, err = r.Sweep(b.ctx)
	require.NoError(t, err)
	require.Equal(t, routing.Queued, chatState(t, r, b, "fr"))
	require.NoError(t, r.Reconnect(b.ctx, "ann"))
	require.Equal(t, switchboard.ChatID("fr"), onlyOffer(t, r, b, "ann").Chat)
}
