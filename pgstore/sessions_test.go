package pgstore_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessiontest"
)

// TestSessionConformance runs the session store conformance suite, with
// the feed and retention, against PostgreSQL (SPEC G2).
func TestSessionConformance(t *testing.T) {
	sessiontest.RunStoreTests(t, func(t *testing.T) session.Store {
		return pgstore.NewSessions(newPool(t, newSchema(t), 8), pgstore.SessionConfig{})
	})
}

// TestFragmentConformance runs the fragment store conformance suite
// against PostgreSQL (SPEC G2).
func TestFragmentConformance(t *testing.T) {
	sessiontest.RunFragmentStoreTests(t, func(t *testing.T) session.FragmentStore {
		return pgstore.NewSessions(newPool(t, newSchema(t), 4), pgstore.SessionConfig{})
	})
}
