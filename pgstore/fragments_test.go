package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// digitsIn counts the rows of the session tables whose stored text holds
// digits, and the fragments kept.
func digitsIn(t *testing.T, pool *pgxpool.Pool, digits string) (sessionRows, fragments int) {
	t.Helper()
	require.NoError(t, pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM ss_entries WHERE replace(body::text, ' ', '') LIKE '%' || $1 || '%') +
		(SELECT count(*) FROM ss_sessions WHERE replace(body::text, ' ', '') LIKE '%' || $1 || '%'),
		(SELECT count(*) FROM ss_fragments)`, digits).Scan(&sessionRows, &fragments))
	return sessionRows, fragments
}

// TestCardDigitsLiveOnlyInTheFragmentTable splits a card number over two
// messages: the digits held back live only in the fragment table, never in
// the session tables (the correction that keeps the mask writes none
// either), and the fragment is deleted once the number is complete, or
// once its deadline passes (SPEC G2).
func TestCardDigitsLiveOnlyInTheFragmentTable(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	pool := newPool(t, schema, 4)
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	redactor, err := compliance.New(compliance.Config{Split: compliance.SplitConfig{Within: 30 * time.Second}})
	require.NoError(t, err)
	ss := pgstore.NewSessions(pool, pgstore.SessionConfig{})
	eng, err := engine.New(ctx, engine.Config{Routing: pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: clk}), Sessions: ss,
		Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
		Clock: clk, Manual: true, Session: session.Config{Filter: engine.RedactingFilter(redactor), Fragments: ss}})
	require.NoError(t, err)
	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "q", Tenant: "t1", AcceptTimeout: time.Minute})
	require.NoError(t, err)
	customer := session.CustomerParticipant("u1")
	for _, id := range []switchboard.ChatID{"c1", "c2"} {
		_, err = eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
	}

	// A card number split over two messages: the first half is held.
	sent, err := eng.Send(ctx, "c1", session.Message{ID: "m1", From: customer, Text: "4111 1111"})
	require.NoError(t, err)
	require.Equal(t, "**** ****", sent.Text)
	rows, frags := digitsIn(t, pool, "41111111")
	require.Zero(t, rows, "no held digits in the session tables")
	require.Equal(t, 1, frags)
	_, err = eng.Send(ctx, "c1", session.Message{ID: "m2", From: customer, Text: "1111 1111"})
	require.NoError(t, err)
	require.NoError(t, eng.Settle(ctx))
	for _, d := range []string{"41111111", "11111111", "4111111111111111"} {
		rows, frags = digitsIn(t, pool, d)
		require.Zero(t, rows, "no digits %s in the session tables", d)
	}
	require.Zero(t, frags, "the completed number's fragment is deleted")

	// Held digits that no next message completes are revealed when the
	// window closes, and the fragment goes.
	_, err = eng.Send(ctx, "c2", session.Message{ID: "m3", From: customer, Text: "5500 0000"})
	require.NoError(t, err)
	_, frags = digitsIn(t, pool, "55000000")
	require.Equal(t, 1, frags)
	clk.Add(time.Minute)
	require.NoError(t, eng.Settle(ctx))
	_, frags = digitsIn(t, pool, "55000000")
	require.Zero(t, frags, "an expired fragment is deleted")
}
