package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLock is the key of the transaction-level advisory lock that
// serialises [Migrate] across processes.
const migrateLock = 0x73776974636862 // "switchb"

// Migrate creates or updates the tables of the stores in the schema the
// pool's connections use (their search_path). It applies each embedded
// migration once, in order, recording it in the table pgstore_migrations.
// It is idempotent, and several processes may call it at once: they
// serialise on a transaction-level advisory lock, so each migration runs
// once and the others wait for it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	sort.Strings(names)
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("pgstore: migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS pgstore_migrations (
		name text PRIMARY KEY,
		applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	applied := map[string]bool{}
	rows, err := tx.Query(ctx, `SELECT name FROM pgstore_migrations`)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	for _, n := range done {
		applied[n] = true
	}
	for _, path := range names {
		name := strings.TrimPrefix(path, "migrations/")
		if applied[name] {
			continue
		}
		sql, err := migrations.ReadFile(path)
		if err != nil {
			return fmt.Errorf("pgstore: migrate %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("pgstore: migrate %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pgstore_migrations (name) VALUES ($1)`, name); err != nil {
			return fmt.Errorf("pgstore: migrate %s: %w", name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: migrate: commit: %w", err)
	}
	return nil
}
