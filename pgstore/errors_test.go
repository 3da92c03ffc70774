package pgstore

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// TestErrorsMapToTheSentinels checks how the database's errors reach the
// library (SPEC G1): a serialization failure, a deadlock or a unique
// violation is a conflict; a COMMIT the server refused is a conflict; a
// connection lost during COMMIT leaves the outcome unknown; an error before
// anything was sent is neither; and a cancelled context is reported as such.
func TestErrorsMapToTheSentinels(t *testing.T) {
	ctx := context.Background()
	for _, code := range []string{"40001", "40P01", "23505"} {
		err := dbErr(ctx, "op", &pgconn.PgError{Code: code}, routing.ErrConflict)
		if !errors.Is(err, routing.ErrConflict) {
			t.Errorf("SQLSTATE %s: %v is not a conflict", code, err)
		}
		if err := commitErr(ctx, &pgconn.PgError{Code: code}); !errors.Is(err, routing.ErrConflict) {
			t.Errorf("COMMIT refused with SQLSTATE %s: %v is not a conflict", code, err)
		}
	}
	if err := dbErr(ctx, "op", &pgconn.PgError{Code: "42P01"}, routing.ErrConflict); errors.Is(err, routing.ErrConflict) {
		t.Errorf("an undefined table is a conflict: %v", err)
	}
	if err := commitErr(ctx, pgx.ErrTxCommitRollback); !errors.Is(err, routing.ErrConflict) {
		t.Errorf("a rolled-back COMMIT: %v is not a conflict", err)
	}
	lost := commitErr(ctx, io.ErrUnexpectedEOF)
	if !errors.Is(lost, routing.ErrOutcomeUnknown) || !errors.Is(lost, io.ErrUnexpectedEOF) {
		t.Errorf("a connection lost during COMMIT: %v does not leave the outcome unknown", lost)
	}
	if err := sessCommitErr(ctx, io.ErrUnexpectedEOF); !errors.Is(err, session.ErrOutcomeUnknown) {
		t.Errorf("a session write's lost COMMIT: %v does not leave the outcome unknown", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := dbErr(cancelled, "op", errors.New("conn closed"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled query: %v does not wrap context.Canceled", err)
	}
}
