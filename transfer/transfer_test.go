package transfer_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

func TestBlindTransferToAgent(t *testing.T) {
	t.Parallel()
	// SPEC T1, T4, T5: once the target accepts, it owns the chat and reads
	// its whole history with the bot transcript; the original agent no
	// longer sees the chat nor receives anything from it, and goes to
	// wrap-up; the customer is told who left and who joined.
	b := setup(t)
	b.chatWithAnn()
	b.Send(annP, "note: asked twice already", session.ModeWhisper)

	o, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "invoice question"})
	require.NoError(t, err)
	require.Equal(t, routing.TransferOffer, o.Kind)
	require.Equal(t, "invoice question", o.Comment)
	require.Equal(t, annP, b.Owner(), "the chat stays with Ann until Bob accepts")
	require.False(t, b.Present(bobP))

	b.Transport.Reset()
	s, a, err := b.Engine.Accept(ctx, "bob", o.ID)
	require.NoError(t, err)
	b.Pump()
	require.Equal(t, bobP, s.Owner().ID)
	require.Equal(t, "What can I do for you?", a.Chat.Transcript[0].Text, "the bot transcript goes with the chat")
	require.Subset(t, texts(b.History(bobP)), []string{"I need an invoice", "Let me check", "note: asked twice already"})

	// The old agent is out: nothing new reaches it.
	require.False(t, b.Present(annP))
	before := b.History(annP)
	annLive := len(b.Transport.Received(annP))
	b.Send(customer, "Hello Bob", session.ModeNormal)
	b.Send(bobP, "Hi Carol", session.ModeNormal)
	b.Send(bobP, "internal", session.ModeWhisper)
	require.Equal(t, before, b.History(annP))
	up, err := b.Sessions.CatchUp(ctx, "c1", annP, before[len(before)-1].Seq, 0)
	require.NoError(t, err)
	require.Empty(t, up)
	require.Len(t, b.Transport.Received(annP), annLive)
	_, err = b.Engine.Send(ctx, "c1", session.Message{From: annP, Text: "still here?"})
	require.Error(t, err, "the old agent cannot write into the chat")

	// Wrap-up, and what the customer is told.
	c := b.Chat()
	require.Equal(t, switchboard.AgentID("bob"), c.Agent)
	require.NotEqual(t, -1, c.HoldIndex("ann"))
	require.Equal(t, routing.WrapUp, b.Agent("ann").State)
	cust := texts(b.History(customer))
	require.Contains(t, cust, "Ann has left")
	var joined bool
	for _, v := range b.History(customer) {
		joined = joined || v.Type == session.EntryJoined && v.SubjectName == "Bob"
		require.NotEqual(t, session.EntryTransfer, v.Type)
	}
	require.True(t, joined)

	// The record.
	hist, err := b.Engine.TransferHistory(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []transfer.Record{{At: b.Clock.Now(), By: "ann", ByName: "Ann", Agent: "bob", AgentName: "Bob",
		Comment: "invoice question"}}, hist)
	log, err := b.Sessions.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	var noted bool
	for _, l := range log {
		noted = noted || l.Type == session.EntryTransfer && l.InternalNote
	}
	require.True(t, noted, "the organisation's log keeps the record as an internal note")
}

func TestTransferRefusals(t *testing.T) {
	t.Parallel()
	// SPEC T2: the target is an available agent of the same team or a queue
	// of the tenant; every refusal is an error users match, and changes
	// nothing.
	b := setup(t)
	b.chatWithAnn()
	b.loginTo("sue", "Sue", "support", "support")
	b.login("dan", "Dan")
	require.NoError(t, b.Router.SetState(ctx, "dan", routing.NotReady, "break"))
	b.login("zed", "Zed")
	require.NoError(t, b.Router.Logout(ctx, "zed"))

	for _, tc := range []struct {
		name string
		req  transfer.Request
		want error
	}{
		{"NoTarget", transfer.Request{Chat: "c1", From: "ann"}, transfer.ErrInvalid},
		{"TwoTargets", transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Queue: "support"}, transfer.ErrInvalid},
		{"NoFrom", transfer.Request{Chat: "c1", Agent: "bob"}, transfer.ErrInvalid},
		{"LongComment", transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: strings.Repeat("x", 4097)}, transfer.ErrInvalid},
		{"Offline", transfer.Request{Chat: "c1", From: "ann", Agent: "zed"}, transfer.ErrAgentUnavailable},
		{"NotReady", transfer.Request{Chat: "c1", From: "ann", Agent: "dan"}, transfer.ErrAgentUnavailable},
		{"Unknown", transfer.Request{Chat: "c1", From: "ann", Agent: "nobody"}, transfer.ErrAgentNotFound},
		{"Self", transfer.Request{Chat: "c1", From: "ann", Agent: "ann"}, transfer.ErrSameAgent},
		{"OtherTeam", transfer.Request{Chat: "c1", From: "ann", Agent: "sue"}, transfer.ErrNotInTeam},
		{"UnknownQueue", transfer.Request{Chat: "c1", From: "ann", Queue: "nope"}, transfer.ErrQueueNotFound},
		{"OtherTenantQueue", transfer.Request{Chat: "c1", From: "ann", Queue: "other"}, transfer.ErrQueueNotFound},
		{"NotOwner", transfer.Request{Chat: "c1", From: "bob", Agent: "carl"}, transfer.ErrNotOwner},
		{"UnknownChat", transfer.Request{Chat: "c9", From: "ann", Agent: "bob"}, session.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Engine.Transfer(ctx, tc.req)
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, tc.want)
		})
	}
	// Routing's own sentinels match too.
	_, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "sue"})
	require.ErrorIs(t, err, routing.ErrNotInTeam)

	hist, err := b.Engine.TransferHistory(ctx, "c1")
	require.NoError(t, err)
	require.Empty(t, hist, "refused transfers leave no record")
	require.Equal(t, annP, b.Owner())
	require.False(t, b.Pending())

	_, err = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	_, err = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "carl"})
	require.ErrorIs(t, err, transfer.ErrTransferPending)
	require.NoError(t, b.Engine.Reject(ctx, "bob", b.Offer("bob").ID))
	b.Pump()

	// The chat went back to its queue, for anyone but Ann; whoever takes it
	// invites the other. A consulted agent is handed the chat, not
	// transferred it.
	owner, other := switchboard.AgentID("bob"), switchboard.AgentID("carl")
	if os, err := b.Router.Offers(ctx, "carl"); err == nil && len(os) == 1 {
		owner, other = other, owner
	}
	b.Accept(owner)
	o, err := b.Router.Invite(ctx, routing.InviteRequest{Chat: "c1", From: owner, Agent: other})
	require.NoError(t, err)
	_, err = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: owner, Agent: other})
	require.ErrorIs(t, err, transfer.ErrInvitePending)
	_, _, err = b.Engine.Accept(ctx, other, o.ID)
	require.NoError(t, err)
	_, err = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: owner, Agent: other})
	require.ErrorIs(t, err, transfer.ErrAlreadyInChat)

	// An ended session.
	_, err = b.Engine.End(ctx, "c1", owner, session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	_, err = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: owner, Agent: other})
	require.ErrorIs(t, err, transfer.ErrSessionEnded)
}

func TestTransferTargets(t *testing.T) {
	t.Parallel()
	// SPEC T2: the queues of the tenant with their descriptions, and the
	// available agents of the transferring agent's team.
	b := setup(t)
	b.chatWithAnn()
	b.loginTo("sue", "Sue", "support", "support")
	b.login("dan", "Dan")
	require.NoError(t, b.Router.SetState(ctx, "dan", routing.NotReady, "break"))
	_, err := b.Router.Login(ctx, "eve", routing.Profile{DisplayName: "Eve", Tenant: "t2", Team: "sales"})
	require.NoError(t, err)

	qs, err := b.Engine.TransferQueues(ctx, "t1")
	require.NoError(t, err)
	require.Equal(t, []transfer.TargetQueue{
		{ID: "sales", Name: "Sales", Description: "Buying and upgrades"},
		{ID: "support", Name: "Support", Description: "Help with our products"},
	}, qs)

	as, err := b.Engine.TransferTargets(ctx, "c1", "ann")
	require.NoError(t, err)
	require.Equal(t, []transfer.TargetAgent{{ID: "bob", Name: "Bob", Free: 1}, {ID: "carl", Name: "Carl", Free: 1}}, as)

	// An agent already in the chat, or busy with an offer, is not listed.
	_, err = b.Router.Invite(ctx, routing.InviteRequest{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	as, err = b.Engine.TransferTargets(ctx, "c1", "ann")
	require.NoError(t, err)
	require.Equal(t, []transfer.TargetAgent{{ID: "carl", Name: "Carl", Free: 1}}, as)
	_, err = b.Engine.TransferTargets(ctx, "c1", "nobody")
	require.ErrorIs(t, err, routing.ErrAgentNotFound)
	_, err = b.Engine.TransferTargets(ctx, "c9", "ann")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
}

func TestTransferTimeoutPolicy(t *testing.T) {
	t.Parallel()
	// SPEC T3: a target that does not accept in time leaves the policy to
	// decide: re-queue (the default) or end with "agent has left". Either
	// way the original agent wraps up and the customer is told.
	for _, tc := range []struct {
		name   string
		policy routing.TransferPolicy
	}{
		{"Requeue", routing.TransferRequeue},
		{"End", routing.TransferEnd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(q *routing.Queue) { q.TransferFallback = tc.policy })
			b.chatWithAnn()
			_, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "billing"})
			require.NoError(t, err)
			b.Advance(19 * time.Second)
			require.Equal(t, annP, b.Owner(), "not yet timed out")
			require.True(t, b.Pending())

			events := b.Advance(2 * time.Second)
			var failed bool
			for _, e := range events {
				failed = failed || e.Type == routing.TransferFailed && e.Agent == "ann"
			}
			require.True(t, failed, "the transferring agent is told")
			require.Equal(t, routing.RONA, b.Agent("bob").State)
			require.Equal(t, routing.WrapUp, b.Agent("ann").State)

			c := b.Chat()
			if tc.policy == routing.TransferEnd {
				require.Equal(t, routing.Ended, c.State)
				require.Equal(t, routing.EndAgentLeft, c.EndReason)
				require.Equal(t, session.StatusEnded, b.Session().Status)
				require.Contains(t, texts(b.History(customer)), "agent has left")
				require.Equal(t, annP, b.Owner(), "Ann wraps the ended chat up")
				return
			}
			require.False(t, b.Present(annP))
			require.Contains(t, texts(b.History(customer)), "Ann has left")
			// Re-queued: the next agent of the queue takes it, never Ann.
			require.Equal(t, session.ParticipantID(""), b.Owner())
			require.Contains(t, []routing.ChatState{routing.Queued, routing.Offered}, c.State)
			b.Accept("carl")
			b.Pump()
			require.Equal(t, carlP, b.Owner())
			require.Subset(t, texts(b.History(carlP)), []string{"I need an invoice", "Let me check"})
		})
	}
}

func TestTransferToQueue(t *testing.T) {
	t.Parallel()
	// SPEC T1, T2, T4: a transfer to a queue with no free agent frees the
	// original agent at once and waits there; the next agent of that queue
	// takes the chat with its whole history.
	b := setup(t)
	b.chatWithAnn()
	o, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Queue: "support", Comment: "product fault"})
	require.NoError(t, err)
	require.Empty(t, o.ID)
	b.Pump()
	c := b.Chat()
	require.Equal(t, routing.Queued, c.State)
	require.Equal(t, switchboard.QueueID("support"), c.Queue)
	require.False(t, b.Present(annP))
	require.Equal(t, session.ParticipantID(""), b.Owner())
	require.Equal(t, routing.WrapUp, b.Agent("ann").State)
	require.Contains(t, texts(b.History(customer)), "Ann has left")

	b.loginTo("sue", "Sue", "support", "support")
	b.Pump()
	b.Accept("sue")
	b.Pump()
	require.Equal(t, sueP, b.Owner())
	require.Subset(t, texts(b.History(sueP)), []string{"I need an invoice", "Let me check"})
	hist, err := b.Engine.TransferHistory(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []transfer.Record{{At: b.Clock.Now(), By: "ann", ByName: "Ann", Queue: "support", Comment: "product fault"}}, hist)
	views := b.History(sueP)
	var seen bool
	for _, v := range views {
		seen = seen || v.Type == session.EntryTransfer && v.Text == "product fault"
	}
	require.True(t, seen, "the new owner reads the transfer record")
}

func TestCancelTransfer(t *testing.T) {
	t.Parallel()
	// SPEC T1: until the target accepts, the owner keeps the chat and may
	// withdraw the transfer; the target's offer goes away.
	b := setup(t)
	b.chatWithAnn()
	o, err := b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	require.ErrorIs(t, b.Engine.CancelTransfer(ctx, "c1", "bob"), transfer.ErrNotOwner)
	require.NoError(t, b.Engine.CancelTransfer(ctx, "c1", "ann"))
	b.Pump()
	require.False(t, b.Pending())
	require.Equal(t, annP, b.Owner())
	_, _, err = b.Engine.Accept(ctx, "bob", o.ID)
	require.ErrorIs(t, err, routing.ErrOfferWithdrawn)
	require.NoError(t, b.Engine.CancelTransfer(ctx, "c1", "ann"), "nothing pending")
	_, err = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "carl"})
	require.NoError(t, err)
	_, err = b.Engine.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.ErrorIs(t, b.Engine.CancelTransfer(ctx, "c1", "ann"), transfer.ErrChatEnded)
	require.ErrorIs(t, b.Engine.CancelTransfer(ctx, "c9", "ann"), routing.ErrChatNotFound)
}

func TestTransferAskedAgainFinishesTheFirstCall(t *testing.T) {
	t.Parallel()
	// A host that calls Transfer again after an error (the first call's
	// routing step may have committed) gets the same offer, and the
	// history records the transfer once. A different transfer while one
	// is pending is still refused, with this package's error.
	b := setup(t)
	b.chatWithAnn()
	req := transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "invoice question"}
	first, err := b.Engine.Transfer(ctx, req)
	require.NoError(t, err)
	again, err := b.Engine.Transfer(ctx, req)
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID)
	h, err := b.Engine.TransferHistory(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, h, 1, "one transfer, recorded once")

	req.Comment = "something else"
	_, err = b.Engine.Transfer(ctx, req)
	require.ErrorIs(t, err, transfer.ErrTransferPending)
	require.ErrorIs(t, err, routing.ErrTransferPending, "routing's sentinel matches too")
}
