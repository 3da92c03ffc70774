package conference_test

import (
	"context"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/internal/desktest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

var (
	ctx      = context.Background()
	customer = session.CustomerParticipant("u1")
	annP     = session.AgentParticipant("ann")
	bobP     = session.AgentParticipant("bob")
	sueP     = session.AgentParticipant("sue")
)

type bundle struct {
	*desktest.Fixture
}

// setup returns an engine with conference settings cfg over in-memory routing and session
// ports sharing one mock clock. Queue "sales" (tenant t1) has a 20s accept
// timeout, 30s wrap-up and reasons sold/no-sale; queue "support" is of the
// same tenant with nobody serving it. mutate adjusts "sales".
func setup(t desktest.TB, cfg conference.Config, mutate ...func(*routing.Queue)) *bundle {
	t.Helper()
	sales := routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second}
	for _, f := range mutate {
		f(&sales)
	}
	f := desktest.New(t, []routing.Queue{sales, {ID: "support", Tenant: "t1", AcceptTimeout: 20 * time.Second}},
		session.Config{Queues: map[switchboard.QueueID]session.QueueConfig{
			"sales": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale", "agent disconnected"}}}}},
		func(c *engine.Config) { c.Conference = cfg })
	return &bundle{Fixture: f}
}

func (b *bundle) login(id switchboard.AgentID, name string) {
	b.T.Helper()
	_, err := b.Router.Login(ctx, id, routing.Profile{DisplayName: name, Tenant: "t1", Team: "sales",
		Queues: []switchboard.QueueID{"sales"}})
	require.NoError(b.T, err)
}

// conference starts chat c1 with Ann as its owner and logs in Bob and Sue.
func (b *bundle) conference() {
	b.T.Helper()
	b.login("ann", "Ann")
	_, err := b.Engine.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1",
		CustomerName: "Carol", Transcript: []routing.Turn{{From: "bot", Text: "What can I do for you?"}}})
	require.NoError(b.T, err)
	b.Accept("ann")
	b.login("bob", "Bob")
	b.login("sue", "Sue")
	b.Pump()
}

func texts(vs []session.View) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Text)
	}
	return out
}
