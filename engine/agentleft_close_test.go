package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// endedUnderAnn starts chat c1 on a queue whose failed transfers end the
// chat (TransferEnd), has ann take it and transfer it to bob, who does
// not accept in time: routing ends the chat with EndAgentLeft while ann
// still owns it, and ann wraps it up.
func endedUnderAnn(t *testing.T, r wrapUpRig) {
	t.Helper()
	_, err := r.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second,
		TransferFallback: routing.TransferEnd, Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale"}}})
	require.NoError(t, err)
	r.login(t, "bob", "Bob")
	r.start(t, "c1")
	_, _, err = r.eng.Accept(ctx, "ann", r.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = r.eng.Send(ctx, "c1", session.Message{From: customer, Text: "I need an invoice"})
	require.NoError(t, err)
	_, err = r.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "billing"})
	require.NoError(t, err)
	r.settle(t)
	r.clock.Add(21 * time.Second) // bob's offer expires
	r.settle(t)

	c, err := r.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Ended, c.State)
	require.Equal(t, routing.EndAgentLeft, c.EndReason)
	require.Equal(t, 0, c.HoldIndex("ann"), "ann wraps the chat up")
	s, err := r.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusEnded, s.Status, "in wrap-up the session stays ended")
	require.Equal(t, switchboard.AgentID("ann"), s.WrapUp.Owner)
}

// requireClosedAfterAgentLeft checks that c1's session closed at closedAt,
// with the wrap-up the engine recorded when routing ended the chat, and
// everyone out of it.
func requireClosedAfterAgentLeft(t *testing.T, r wrapUpRig, closedAt time.Time) {
	t.Helper()
	s, err := r.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status, "ann's wrap-up is over: the session closes")
	require.Equal(t, closedAt, s.ClosedAt)
	require.Equal(t, switchboard.AgentID("ann"), s.WrapUp.Owner)
	require.Equal(t, "agent disconnected", s.WrapUp.Reason)
	for _, p := range s.Participants {
		require.False(t, p.Present(), "%s is still in the closed session", p.ID)
	}
	require.Equal(t, 1, r.closedEntries(t, "c1"))
}

func TestAChatEndedUnderItsOwnerClosesAfterTheWrapUp(t *testing.T) {
	t.Parallel()
	// SPEC K7, T3: a transfer nobody accepted ends the chat under its
	// owner; the session closes when the owner completes the wrap-up, as
	// any other session does, and retention then forgets it.
	var kept []switchboard.ChatID
	r := setupWrapUp(t, func(c *engine.Config) {
		c.Retention = time.Hour
		c.Keep = func(_ context.Context, s session.Session, _ []session.Entry) error {
			kept = append(kept, s.ID)
			return nil
		}
	})
	endedUnderAnn(t, r)

	r.clock.Add(5 * time.Second)
	require.NoError(t, r.eng.CompleteWrapUp(ctx, "c1", "ann"))
	r.settle(t)
	requireClosedAfterAgentLeft(t, r, r.clock.Now())
	require.Equal(t, routing.Available, r.agent(t, "ann").State)

	r.clock.Add(59 * time.Minute)
	r.settle(t)
	require.Empty(t, kept, "kept until the retention has passed")
	r.clock.Add(2 * time.Minute)
	r.settle(t)
	require.Equal(t, []switchboard.ChatID{"c1"}, kept, "the host got the session first")
	_, err := r.store.GetSession(ctx, "c1")
	require.ErrorIs(t, err, session.ErrNotFound)
}

func TestAChatEndedUnderItsOwnerClosesWhenTheWrapUpTimePasses(t *testing.T) {
	t.Parallel()
	// SPEC K7, T3: the owner never completes the wrap-up; the session
	// closes when the queue's wrap-up time has passed, not before.
	r := setupWrapUp(t)
	endedUnderAnn(t, r)

	r.clock.Add(29 * time.Second)
	r.settle(t)
	require.Equal(t, session.StatusEnded, r.status(t, "c1"), "the wrap-up is not over yet")

	r.clock.Add(time.Second)
	r.settle(t)
	requireClosedAfterAgentLeft(t, r, r.clock.Now())
}
