package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/pgstore"
)

// pgURL returns the database the tests use, skipping the test when none is
// configured.
func pgURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("SWITCHBOARD_PG_URL")
	if url == "" {
		t.Skip("SWITCHBOARD_PG_URL is not set: no PostgreSQL to test against (see pgstore/.ci/setup)")
	}
	return url
}

// newSchema creates a schema with a random name, migrated, dropped when the
// test ends, and returns its name.
func newSchema(t testing.TB) string {
	t.Helper()
	url := pgURL(t)
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+name)
	require.NoError(t, err)
	require.NoError(t, conn.Close(ctx))
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	pool := newPool(t, name, 2)
	require.NoError(t, pgstore.Migrate(ctx, pool))
	return name
}

// newPool returns a pool of at most size connections whose search_path is
// schema, closed when the test ends.
func newPool(t testing.TB, schema string, size int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgURL(t))
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = size
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}
