package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
)

// estimatingStore is a routing store that answers positions with an
// estimate, as a SQL store may where an exact rank is costly.
type estimatingStore struct{ routing.Store }

func (s estimatingStore) Position(ctx context.Context, id switchboard.ChatID) (int, bool, error) {
	n, _, err := s.Store.Position(ctx, id)
	return n, false, err
}

// notices returns the notices customer u of chat was given, oldest
// first, with their words.
func (b *bundle) notices(t *testing.T, chat switchboard.ChatID, u switchboard.CustomerID) []session.View {
	t.Helper()
	vs, err := b.m.History(ctx, chat, session.CustomerParticipant(u))
	require.NoError(t, err)
	var out []session.View
	for _, v := range vs {
		if v.Type == session.EntryNotice {
			out = append(out, v)
		}
	}
	return out
}

func TestEstimatedPositionsSayAbout(t *testing.T) {
	t.Parallel()
	// SPEC W8: a position the routing store estimated reaches the
	// customer marked approximate and said with "about"; an exact one
	// without.
	b := setup(t, func(c *engine.Config) {
		c.Routing = estimatingStore{routingmem.New(routingmem.Config{})}
		c.PositionEvery = 15 * time.Second
	})
	b.startFor(t, "c1", "u1")
	b.startFor(t, "c2", "u2")
	b.settle(t)
	ns := b.notices(t, "c2", "u2")
	require.Len(t, ns, 1)
	require.Equal(t, session.NoticeQueued, ns[0].Notice.Kind)
	require.True(t, ns[0].Notice.Approximate)
	require.Equal(t, "You are about number 2 in the queue.", ns[0].Text)

	b.login(t, "ann", "Ann")
	b.accept(t, "ann")
	b.clock.Add(15 * time.Second)
	b.settle(t)
	ns = b.notices(t, "c2", "u2")
	require.Len(t, ns, 2)
	require.Equal(t, session.Notice{Kind: session.NoticePosition, Position: 1, Approximate: true}, ns[1].Notice)
	require.Equal(t, "You are now about number 1 in the queue.", ns[1].Text)
}

func TestExactPositionsSayNoAbout(t *testing.T) {
	t.Parallel()
	// SPEC W8: routingmem counts exactly, so nothing is approximate.
	b := setup(t, func(c *engine.Config) { c.PositionEvery = 15 * time.Second })
	b.startFor(t, "c1", "u1")
	b.startFor(t, "c2", "u2")
	b.settle(t)
	ns := b.notices(t, "c2", "u2")
	require.Len(t, ns, 1)
	require.False(t, ns[0].Notice.Approximate)
	require.Equal(t, "You are number 2 in the queue.", ns[0].Text)
}

func TestNoticeTextSaysAbout(t *testing.T) {
	t.Parallel()
	// SPEC W8: every notice that names a place says "about" when it is
	// an estimate.
	for _, tc := range []struct {
		n    session.Notice
		want string
	}{
		{session.Notice{Kind: session.NoticeQueued, Position: 12, Approximate: true}, "You are about number 12 in the queue."},
		{session.Notice{Kind: session.NoticeQueued, Position: 12}, "You are number 12 in the queue."},
		{session.Notice{Kind: session.NoticeRequeued, Position: 3, Reason: session.RequeuedNoAnswer, Approximate: true},
			"We are still finding an agent for you. You are about number 3 in the queue."},
		{session.Notice{Kind: session.NoticeTransferred, Position: 5, Approximate: true},
			"You are being transferred to another team. You are about number 5 in the queue."},
	} {
		require.Equal(t, tc.want, engine.NoticeText(tc.n))
	}
}
