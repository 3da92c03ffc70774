package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

func TestQueueKeepsItsWrapUpTags(t *testing.T) {
	t.Parallel()
	// SPEC Q2: a queue's stored settings carry its wrap-up tags, as a copy
	// of the caller's list; an empty tag is refused and nothing is stored.
	r, b := setup(t)
	tags := []string{"vip", "upsell"}
	_, err := r.PutQueue(b.ctx, routing.Queue{ID: "q", Chat: switchboard.ChatSettings{WrapUpTags: tags}})
	require.NoError(t, err)
	tags[0] = "changed"
	q, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, []string{"vip", "upsell"}, q.Chat.WrapUpTags)

	_, err = r.PutQueue(b.ctx, routing.Queue{ID: "q", Chat: switchboard.ChatSettings{WrapUpTags: []string{"vip", ""}}})
	require.ErrorIs(t, err, routing.ErrInvalid)
	var ie *routing.InvalidError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "wrap-up tags", ie.Field)
	q2, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, q, q2)
}
