package pgstore_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/pgstore"
)

// TestMigrateConcurrently has several processes' pools migrate one schema
// at once, and again: each migration is applied once, and a second run
// changes nothing (SPEC G10).
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	schema := newSchema(t) // migrated once already
	fresh := "m" + schema
	admin := newPool(t, schema, 1)
	_, err := admin.Exec(ctx, "CREATE SCHEMA "+fresh)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(ctx, "DROP SCHEMA "+fresh+" CASCADE") })
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		pool := newPool(t, fresh, 1)
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = pgstore.Migrate(ctx, pool) }()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	pool := newPool(t, fresh, 1)
	require.NoError(t, pgstore.Migrate(ctx, pool), "migrating again")
	var applied, distinct int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT name) FROM pgstore_migrations`).Scan(&applied, &distinct))
	require.Equal(t, distinct, applied)
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	require.NoError(t, err)
	require.Equal(t, len(files), applied, "every migration, once each")
	var tables int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = $1`, fresh).Scan(&tables))
	require.Positive(t, tables)
}
