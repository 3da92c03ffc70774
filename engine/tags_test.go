package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

func TestWrapUpTagsThroughTheEngine(t *testing.T) {
	t.Parallel()
	// SPEC Q2 through the engine: the routing queue's settings hold the
	// tag list; an unknown tag changes neither the session nor routing,
	// and known ones are recorded with the wrap-up and in the
	// organisation's log.
	b := setup(t)
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale"}, WrapUpTags: []string{"vip", "upsell"}}})
	require.NoError(t, err)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err = b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)

	_, err = b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true, Tags: []string{"vip", "bogus"}})
	require.ErrorIs(t, err, session.ErrInvalid)
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"))
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusActive, s.Status)

	w, err := b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true, Tags: []string{"upsell", "vip", "upsell"}})
	require.NoError(t, err)
	require.Equal(t, []string{"upsell", "vip"}, w.Tags)
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"))
	log, err := b.m.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	var tagged [][]string
	for _, l := range log {
		if l.Type == session.EntryEnded {
			tagged = append(tagged, l.Tags)
		}
	}
	require.Equal(t, [][]string{{"upsell", "vip"}}, tagged)
}
