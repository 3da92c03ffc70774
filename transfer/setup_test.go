package transfer_test

import (
	"context"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

var (
	ctx      = context.Background()
	customer = session.CustomerParticipant("u1")
	annP     = session.AgentParticipant("ann")
	bobP     = session.AgentParticipant("bob")
	carlP    = session.AgentParticipant("carl")
	sueP     = session.AgentParticipant("sue")
)

// testingT is what setup needs from *testing.T and *rapid.T.
type testingT interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

type bundle struct {
	t         testingT
	svc       *transfer.Service
	desk      *session.Desk
	router    *routing.Router
	m         *session.Manager
	clock     *clock.Mock
	transport *sessionmem.Transport
	events    *routingmem.Subscription
}

// setup returns a transfer Service over in-memory routing and session
// ports sharing one mock clock. Queue "sales" (tenant t1) has a 20s accept
// timeout, 30s wrap-up and reasons sold/no-sale; queue "support" is of the
// same tenant, "other" of tenant t2. mutate adjusts "sales".
func setup(t testingT, mutate ...func(*routing.Queue)) *bundle {
	t.Helper()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	router, err := routing.New(routingmem.New(routingmem.Config{}), bus, routing.Config{Clock: mock})
	require.NoError(t, err)
	sales := routing.Queue{ID: "sales", Tenant: "t1", Name: "Sales", Description: "Buying and upgrades",
		AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second}
	for _, f := range mutate {
		f(&sales)
	}
	for _, q := range []routing.Queue{sales,
		{ID: "support", Tenant: "t1", Name: "Support", Description: "Help with our products", AcceptTimeout: 20 * time.Second},
		{ID: "other", Tenant: "t2", Name: "Other"},
	} {
		_, err = router.PutQueue(ctx, q)
		require.NoError(t, err)
	}
	tr := sessionmem.NewTransport()
	reasons := []string{"sold", "no-sale", "agent disconnected"}
	m, err := session.NewManager(sessionmem.NewStore(), session.Config{Clock: mock, Transport: tr,
		Directory: session.RouterDirectory(router),
		Queues:    map[switchboard.QueueID]session.QueueConfig{"sales": {WrapUpReasons: reasons}, "support": {WrapUpReasons: reasons}}})
	require.NoError(t, err)
	desk, err := session.NewDesk(router, m, session.DeskConfig{})
	require.NoError(t, err)
	svc, err := transfer.New(desk)
	require.NoError(t, err)
	return &bundle{t: t, svc: svc, desk: desk, router: router, m: m, clock: mock, transport: tr,
		events: bus.Subscribe(nil)}
}

func (b *bundle) login(id switchboard.AgentID, name string) {
	b.t.Helper()
	b.loginTo(id, name, "sales", "sales")
}

func (b *bundle) loginTo(id switchboard.AgentID, name, team string, queue switchboard.QueueID) {
	b.t.Helper()
	_, err := b.router.Login(ctx, id, routing.Profile{DisplayName: name, Tenant: "t1", Team: team,
		Queues: []switchboard.QueueID{queue}})
	require.NoError(b.t, err)
}

// chatWithAnn starts chat c1 with Ann as its owner, a bot transcript and a
// few messages, and logs in Bob and Carl of Ann's team.
func (b *bundle) chatWithAnn() {
	b.t.Helper()
	b.login("ann", "Ann")
	_, err := b.desk.Start(ctx, session.ChatRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1",
		CustomerName: "Carol", Transcript: []routing.Turn{{From: "bot", Text: "What can I do for you?"}}})
	require.NoError(b.t, err)
	b.accept("ann")
	b.send(customer, "I need an invoice", session.ModeNormal)
	b.send(annP, "Let me check", session.ModeNormal)
	b.login("bob", "Bob")
	b.login("carl", "Carl")
	b.pump()
}

// offer returns agent's only pending offer.
func (b *bundle) offer(agent switchboard.AgentID) routing.Offer {
	b.t.Helper()
	os, err := b.router.Offers(ctx, agent)
	require.NoError(b.t, err)
	require.Len(b.t, os, 1, "offers of %s", agent)
	return os[0]
}

func (b *bundle) accept(agent switchboard.AgentID) {
	b.t.Helper()
	_, _, err := b.desk.Accept(ctx, agent, b.offer(agent).ID)
	require.NoError(b.t, err)
}

// pump feeds every routing event published so far to the Desk.
func (b *bundle) pump() []routing.Event {
	b.t.Helper()
	var all []routing.Event
	for {
		es := b.events.Drain()
		if len(es) == 0 {
			return all
		}
		for _, e := range es {
			require.NoError(b.t, b.desk.Handle(ctx, e))
		}
		all = append(all, es...)
	}
}

// advance moves the clock on, sweeps routing's deadlines and pumps events.
func (b *bundle) advance(d time.Duration) []routing.Event {
	b.t.Helper()
	b.clock.Add(d)
	_, err := b.router.Sweep(ctx)
	require.NoError(b.t, err)
	return b.pump()
}

func (b *bundle) chat() routing.Chat {
	b.t.Helper()
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(b.t, err)
	return c
}

func (b *bundle) session() session.Session {
	b.t.Helper()
	s, err := b.m.Session(ctx, "c1")
	require.NoError(b.t, err)
	return s
}

func (b *bundle) agent(id switchboard.AgentID) routing.Agent {
	b.t.Helper()
	a, err := b.router.Agent(ctx, id)
	require.NoError(b.t, err)
	return a
}

func (b *bundle) history(p session.ParticipantID) []session.View {
	b.t.Helper()
	v, err := b.m.History(ctx, "c1", p)
	require.NoError(b.t, err)
	return v
}

func (b *bundle) send(from session.ParticipantID, text string, mode session.Mode) {
	b.t.Helper()
	_, err := b.desk.Send(ctx, "c1", session.Message{From: from, Text: text, Mode: mode})
	require.NoError(b.t, err)
}

// present reports whether p is present in c1's session.
func (b *bundle) present(p session.ParticipantID) bool {
	b.t.Helper()
	s := b.session()
	q := s.Participant(p)
	return q != nil && q.Present()
}

func texts(vs []session.View) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Text)
	}
	return out
}

func (b *bundle) owner() session.ParticipantID {
	b.t.Helper()
	s := b.session()
	if o := s.Owner(); o != nil {
		return o.ID
	}
	return ""
}

func (b *bundle) pending() bool {
	b.t.Helper()
	c := b.chat()
	return c.Invitation.Pending()
}

// freshChat starts chat id, accepted by Ann (who must be free).
func (b *bundle) freshChat(id switchboard.ChatID) {
	b.t.Helper()
	_, err := b.desk.Start(ctx, session.ChatRequest{ID: id, Tenant: "t1", Queue: "sales", Customer: "u2", CustomerName: "Dan"})
	require.NoError(b.t, err)
	os, err := b.router.Offers(ctx, "ann")
	require.NoError(b.t, err)
	for _, o := range os {
		if o.Chat == id {
			_, _, err := b.desk.Accept(ctx, "ann", o.ID)
			require.NoError(b.t, err)
		}
	}
	b.pump()
}

// finish ends chat id by its owner and completes every wrap-up.
func (b *bundle) finish(id switchboard.ChatID, owner switchboard.AgentID) {
	b.t.Helper()
	_, err := b.desk.End(ctx, id, owner, session.EndOptions{Confirm: true, Forced: true})
	require.NoError(b.t, err)
	c, err := b.router.Chat(ctx, id)
	require.NoError(b.t, err)
	if c.State == routing.InWrapUp {
		require.NoError(b.t, b.desk.CompleteWrapUp(ctx, id, owner))
	}
	b.pump()
}
