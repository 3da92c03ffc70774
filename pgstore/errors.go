package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// conflictState reports whether err is a serialization failure, a
// deadlock or a unique violation: another transaction won a race.
func conflictState(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "23505":
			return true
		}
	}
	return false
}

// dbErr wraps an error of the database for the caller: with ctx's error
// when ctx is done (pgx reports a cancelled query in its own terms), and
// with conflict for the codes of a lost race.
func dbErr(ctx context.Context, op string, err error, conflict error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("pgstore: %s: %w: %w", op, cerr, err)
	}
	if conflict != nil && conflictState(err) {
		return fmt.Errorf("pgstore: %s: %w: %w", op, conflict, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// notFound reports whether err says a query returned no row.
func notFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
