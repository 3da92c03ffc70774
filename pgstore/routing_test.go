package pgstore_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
)

// TestRoutingConformance runs the routing store conformance suite against
// PostgreSQL, each case in a schema of its own (SPEC G1).
func TestRoutingConformance(t *testing.T) {
	routingtest.RunStoreTests(t, func(t *testing.T) routing.Store {
		return pgstore.NewRouting(newPool(t, newSchema(t), 8), pgstore.RoutingConfig{})
	})
}
