package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

func TestChatTimingOutBeforeTheSessionHeardOfItsTransferCloses(t *testing.T) {
	t.Parallel()
	// SPEC R15, T2: the owner transferred the chat to a queue, and it
	// waited there past the queue's MaxWait before the engine processed
	// the transfer (the engine was down, or its store failed meanwhile).
	// Routing ended the chat; the session must follow: the former owner
	// is let go and the session closes, telling the customer, instead of
	// staying open with an owner routing no longer counts.
	b := setup(t)
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second,
		WrapUp: 30 * time.Second, MaxWait: time.Minute})
	require.NoError(t, err)
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err = b.eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)

	_, err = b.router.Transfer(ctx, routing.TransferRequest{Chat: "c1", From: "ann", Queue: "sales"})
	require.NoError(t, err)
	b.clock.Add(2 * time.Minute)
	b.settle(t)

	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndTimedOut, c.EndReason)
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
	require.False(t, s.Participant(annP).Present(), "the former owner is let go")
	views, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	var told bool
	for _, v := range views {
		told = told || v.Text == "Sorry, no agent could take your chat. Please try again later."
	}
	require.True(t, told, "the customer is told why")
}
