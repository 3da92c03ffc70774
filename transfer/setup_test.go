package transfer_test

import (
	"context"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
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
	carlP    = session.AgentParticipant("carl")
	sueP     = session.AgentParticipant("sue")
)

type bundle struct {
	*desktest.Fixture
}

// setup returns an engine over in-memory routing and session
// ports sharing one mock clock. Queue "sales" (tenant t1) has a 20s accept
// timeout, 30s wrap-up and reasons sold/no-sale; queue "support" is of the
// same tenant, "other" of tenant t2. mutate adjusts "sales".
func setup(t desktest.TB, mutate ...func(*routing.Queue)) *bundle {
	t.Helper()
	sales := routing.Queue{ID: "sales", Tenant: "t1", Name: "Sales", Description: "Buying and upgrades",
		AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second}
	for _, f := range mutate {
		f(&sales)
	}
	reasons := []string{"sold", "no-sale", "agent disconnected"}
	f := desktest.New(t, []routing.Queue{sales,
		{ID: "support", Tenant: "t1", Name: "Support", Description: "Help with our products", AcceptTimeout: 20 * time.Second},
		{ID: "other", Tenant: "t2", Name: "Other"},
	}, session.Config{Queues: map[switchboard.QueueID]session.QueueConfig{"sales": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: reasons}}, "support": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: reasons}}}})
	return &bundle{Fixture: f}
}

func (b *bundle) login(id switchboard.AgentID, name string) {
	b.T.Helper()
	b.loginTo(id, name, "sales", "sales")
}

func (b *bundle) loginTo(id switchboard.AgentID, name, team string, queue switchboard.QueueID) {
	b.T.Helper()
	_, err := b.Router.Login(ctx, id, routing.Profile{DisplayName: name, Tenant: "t1", Team: team,
		Queues: []switchboard.QueueID{queue}})
	require.NoError(b.T, err)
}

// chatWithAnn starts chat c1 with Ann as its owner, a bot transcript and a
// few messages, and logs in Bob and Carl of Ann's team.
func (b *bundle) chatWithAnn() {
	b.T.Helper()
	b.login("ann", "Ann")
	_, err := b.Engine.Start(ctx, engine.StartRequest{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1",
		CustomerName: "Carol", Transcript: []routing.Turn{{From: "bot", Text: "What can I do for you?"}}})
	require.NoError(b.T, err)
	b.Accept("ann")
	b.Send(customer, "I need an invoice", session.ModeNormal)
	b.Send(annP, "Let me check", session.ModeNormal)
	b.login("bob", "Bob")
	b.login("carl", "Carl")
	b.Pump()
}

func texts(vs []session.View) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Text)
	}
	return out
}
