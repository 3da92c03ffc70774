package statsmem_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
	"github.com/switchboard-cc/switchboard/stats/statstest"
)

func TestStore(t *testing.T) {
	statstest.RunStoreTests(t, func(*testing.T) stats.Store { return statsmem.New() })
}
