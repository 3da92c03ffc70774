package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// holdQueue gives queue "sales" a maximum on-hold time and policy.
func holdQueue(t *testing.T, b *bundle, max time.Duration, end routing.OnHoldPolicy) {
	t.Helper()
	q, err := b.router.Queue(ctx, "sales")
	require.NoError(t, err)
	q.MaxOnHold, q.OnHoldEnd = max, end
	_, err = b.router.PutQueue(ctx, q)
	require.NoError(t, err)
}

func TestEngineHoldTellsTheCustomer(t *testing.T) {
	t.Parallel()
	// SPEC O6: the customer is told of the hold and of its end, and the
	// session is marked on hold exactly while routing holds the chat.
	// SPEC O7: what the customer writes meanwhile reaches the owner
	// flagged.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.startFor(t, "c1", "u1")
	b.accept(t, "ann")

	s, err := b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)
	require.True(t, s.OnHold)
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.True(t, c.OnHold)
	b.settle(t)
	require.Equal(t, "on_hold 0", lastOf(b.seen(t, "c1", "u1")))

	_, err = b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "still there?"})
	require.NoError(t, err)
	vs, err := b.m.History(ctx, "c1", annP)
	require.NoError(t, err)
	last := vs[len(vs)-1]
	require.Equal(t, "still there?", last.Text)
	require.True(t, last.OnHold, "the owner sees the message came while on hold")

	s, err = b.eng.Resume(ctx, "ann", "c1")
	require.NoError(t, err)
	require.False(t, s.OnHold)
	b.settle(t)
	seen := b.seen(t, "c1", "u1")
	require.Equal(t, []string{"on_hold 0", "resumed 0"}, seen[len(seen)-2:])
	vs, err = b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	require.Equal(t, "Your agent is back. Thank you for waiting.", vs[len(vs)-1].Text)

	// Routing's refusals come through.
	_, err = b.eng.Resume(ctx, "ann", "nope")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	b.login(t, "bob", "Bob")
	_, err = b.eng.PutOnHold(ctx, "bob", "c1")
	require.ErrorIs(t, err, routing.ErrNotOwner)
}

func TestHoldExpiryRequeueTellsTheCustomer(t *testing.T) {
	t.Parallel()
	// SPEC O3, O6: the maximum on-hold time passes with the requeue policy:
	// the customer is told why it is back in the queue, the owner leaves
	// the session, and the mark is off.
	b := setup(t)
	holdQueue(t, b, time.Minute, routing.OnHoldRequeue)
	b.login(t, "ann", "Ann")
	b.startFor(t, "c1", "u1")
	b.accept(t, "ann")
	_, err := b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)
	require.NoError(t, b.router.SetState(ctx, "ann", routing.NotReady, "research"))

	b.clock.Add(time.Minute)
	b.settle(t)
	require.Equal(t, routing.Queued, b.routingState(t, "c1"))
	require.Equal(t, "requeued 1 on_hold_expired", lastOf(b.seen(t, "c1", "u1")))
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.False(t, s.OnHold)
	require.Nil(t, s.Owner())
	vs, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	require.Contains(t, vs[len(vs)-1].Text, "could not come back to you in time")
}

func TestCustomerLeavingAChatOnHold(t *testing.T) {
	t.Parallel()
	// SPEC O4: the chat stays on hold with its owner, who ends it; the
	// wrap-up takes no slot and the mark comes off with the end.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.startFor(t, "c1", "u1")
	b.accept(t, "ann")
	_, err := b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)

	require.NoError(t, b.eng.CustomerLeft(ctx, "c1", "u1"))
	b.settle(t)
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Assigned, c.State)
	require.True(t, c.OnHold)

	_, err = b.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	b.settle(t)
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"))
	a, err := b.router.Agent(ctx, "ann")
	require.NoError(t, err)
	require.Zero(t, a.Load(c.Channel), "the wrap-up of a chat ended on hold takes no slot")
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.False(t, s.OnHold)
}

func TestEngineHoldAndResumeAreIdempotent(t *testing.T) {
	t.Parallel()
	// SPEC O8: called again, each finishes the session's side; a session
	// that missed routing's step catches up from the event log.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.startFor(t, "c1", "u1")
	b.accept(t, "ann")

	// Routing alone, as if the process stopped before the session's step.
	require.NoError(t, b.router.PutOnHold(ctx, "ann", "c1"))
	s, err := b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)
	require.True(t, s.OnHold)
	_, err = b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)
	b.settle(t)
	require.Equal(t, []string{"on_hold 0"}, holdNotices(b.seen(t, "c1", "u1")))

	require.NoError(t, b.router.Resume(ctx, "ann", "c1"))
	b.settle(t) // the event log carries it to the session
	s, err = b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.False(t, s.OnHold)
	_, err = b.eng.Resume(ctx, "ann", "c1")
	require.NoError(t, err)
	require.Equal(t, []string{"on_hold 0", "resumed 0"}, holdNotices(b.seen(t, "c1", "u1")))
}

func holdNotices(seen []string) []string {
	var out []string
	for _, s := range seen {
		if s == "on_hold 0" || s == "resumed 0" {
			out = append(out, s)
		}
	}
	return out
}

func TestHoldNoticeTexts(t *testing.T) {
	t.Parallel()
	// SPEC O6
	require.Equal(t, "Your agent has put the chat on hold and will be back with you shortly.",
		engine.NoticeText(session.Notice{Kind: session.NoticeOnHold}))
	require.Equal(t, "Your agent could not come back to you in time, so you are back in the queue for the next agent. You are number 2 in the queue.",
		engine.NoticeText(session.Notice{Kind: session.NoticeRequeued, Position: 2, Reason: session.RequeuedOnHoldExpired}))
}

func TestEngineRefusesToTransferOrInviteIntoAChatOnHold(t *testing.T) {
	t.Parallel()
	// SPEC O5: the engine's transfers and invites get routing's refusal,
	// and the chat stays on hold with its owner.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.startFor(t, "c1", "u1")
	b.accept(t, "ann")
	b.login(t, "bob", "Bob")
	_, err := b.eng.PutOnHold(ctx, "ann", "c1")
	require.NoError(t, err)

	_, err = b.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.ErrorIs(t, err, routing.ErrOnHold)
	_, err = b.eng.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.ErrorIs(t, err, routing.ErrOnHold)
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.True(t, c.OnHold)
	require.Equal(t, "ann", string(c.Agent))
	require.False(t, c.Invitation.Pending())
}
