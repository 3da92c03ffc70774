package sessionmem_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/session/sessiontest"
)

func TestStore(t *testing.T) {
	t.Parallel()
	sessiontest.RunStoreTests(t, func(*testing.T) session.Store { return sessionmem.NewStore() })
}

func TestFragmentStore(t *testing.T) {
	t.Parallel()
	sessiontest.RunFragmentStoreTests(t, func(*testing.T) session.FragmentStore { return sessionmem.NewFragmentStore() })
}
