package engine_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
)

// racingChatStore is an in-memory routing store whose next read of a
// chat by a pass of the engine over routing's log, once armed, runs race
// after reading it and before returning it: what another goroutine or
// process may do between the pass's read of routing and its read of the
// session.
type racingChatStore struct {
	*routingmem.Store
	race func(routing.Chat)
}

func (s *racingChatStore) Chat(ctx context.Context, id switchboard.ChatID) (routing.Chat, error) {
	c, err := s.Store.Chat(ctx, id)
	if f := s.race; f != nil && err == nil && inPass() {
		s.race = nil
		f(c)
	}
	return c, err
}

// A pass that read a chat still Offered, and then the session its agent
// has just been given by an accept that ran in between, must not take the
// session from the agent as if routing had put the chat back in its
// queue: it reads routing again and finds the chat Assigned.
func TestAnAcceptBetweenAPassReadsKeepsTheOwner(t *testing.T) {
	store := &racingChatStore{Store: routingmem.New(routingmem.Config{})}
	b := setup(t, func(c *engine.Config) { c.Routing = store })
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	offer := b.offer(t, "ann")
	store.race = func(c routing.Chat) {
		require.Equal(t, routing.Offered, c.State)
		_, _, err := b.eng.Accept(ctx, "ann", offer.ID)
		require.NoError(t, err)
	}
	b.settle(t)
	require.Nil(t, store.race, "the pass read the chat")

	require.Equal(t, session.AgentParticipant("ann"), b.owner(t, "c1"))
	_, err := b.eng.Send(ctx, "c1", session.Message{From: session.AgentParticipant("ann"), Text: "Hello, Carol"})
	require.NoError(t, err, "ann still owns the session")
	views, err := b.m.History(ctx, "c1", session.AgentParticipant("ann"))
	require.NoError(t, err)
	for _, v := range views {
		require.NotEqual(t, session.EntryLeft, v.Type, "%s: nobody left the session", v.Text)
	}
}

// inPass reports whether the caller runs in a pass of the engine over
// routing's log that makes a session follow routing.
func inPass() bool {
	pcs := make([]uintptr, 32)
	fr := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	var reconciling bool
	for {
		f, more := fr.Next()
		switch {
		case strings.HasSuffix(f.Function, ".reconcileOnce"):
			reconciling = true
		case strings.HasSuffix(f.Function, ".consumePartition"):
			return reconciling
		}
		if !more {
			return false
		}
	}
}
