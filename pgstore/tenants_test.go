package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// newDatabase creates a database with a random name, migrated, dropped
// when the test ends, and returns a pool on it.
func newDatabase(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := pgURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		pool.Close()
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	require.NoError(t, pgstore.Migrate(ctx, pool))
	return pool
}

// TestTenantsOverTwoDatabases splits two tenants over two databases, as a
// host that outgrows one does: it picks the engine, and so the database,
// of each tenant. Each tenant's chats are routed to its own agents only,
// and a transfer that would cross databases is refused, changing nothing:
// a transfer is one atomic commit of the chat, the agents and the offer,
// which two databases cannot give without a distributed transaction
// (SPEC G9).
func TestTenantsOverTwoDatabases(t *testing.T) {
	t.Parallel()
	clk := clock.New()
	byTenant := map[switchboard.TenantID]*engine.Engine{}
	for _, tenant := range []switchboard.TenantID{"t1", "t2"} {
		pool := newDatabase(t)
		eng, err := engine.New(ctx, engine.Config{Routing: pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: clk}),
			Sessions: pgstore.NewSessions(pool, pgstore.SessionConfig{}),
			Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
			Clock: clk, Manual: true})
		require.NoError(t, err)
		byTenant[tenant] = eng
		r := eng.Router()
		q := switchboard.QueueID(string(tenant) + "-sales")
		_, err = r.PutQueue(ctx, routing.Queue{ID: q, Tenant: tenant, AcceptTimeout: time.Minute})
		require.NoError(t, err)
		_, err = r.Login(ctx, switchboard.AgentID(string(tenant)+"-agent"), routing.Profile{DisplayName: "Agent", Tenant: tenant,
			Queues: []switchboard.QueueID{q}, Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2}}})
		require.NoError(t, err)
	}
	pick := func(tenant switchboard.TenantID) *engine.Engine { return byTenant[tenant] }

	for _, tenant := range []switchboard.TenantID{"t1", "t2"} {
		_, err := pick(tenant).Start(ctx, engine.StartRequest{ID: switchboard.ChatID(string(tenant) + "-c1"), Tenant: tenant,
			Queue: switchboard.QueueID(string(tenant) + "-sales"), Customer: "u", CustomerName: "C"})
		require.NoError(t, err)
	}
	for _, tenant := range []switchboard.TenantID{"t1", "t2"} {
		agent := switchboard.AgentID(string(tenant) + "-agent")
		offers, err := pick(tenant).Router().Offers(ctx, agent)
		require.NoError(t, err)
		require.Len(t, offers, 1)
		require.True(t, strings.HasPrefix(string(offers[0].Chat), string(tenant)), "%s is offered its tenant's chat only", agent)
		_, _, err = pick(tenant).Accept(ctx, agent, offers[0].ID)
		require.NoError(t, err)
	}

	e1 := pick("t1")
	before, err := e1.Router().Chat(ctx, "t1-c1")
	require.NoError(t, err)
	_, err = e1.Transfer(ctx, transfer.Request{Chat: "t1-c1", From: "t1-agent", Queue: "t2-sales"})
	require.ErrorIs(t, err, routing.ErrQueueNotFound, "a queue of the other database is unknown here")
	_, err = e1.Transfer(ctx, transfer.Request{Chat: "t1-c1", From: "t1-agent", Agent: "t2-agent"})
	require.ErrorIs(t, err, routing.ErrAgentNotFound, "an agent of the other database is unknown here")
	after, err := e1.Router().Chat(ctx, "t1-c1")
	require.NoError(t, err)
	require.Equal(t, before, after, "a refused transfer changes nothing")
	_, err = pick("t2").Router().Chat(ctx, "t1-c1")
	require.ErrorIs(t, err, routing.ErrChatNotFound, "each database holds its tenant's chats only")
}
