package transfer_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

func TestRequestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  transfer.Request
		ok   bool
	}{
		{"to an agent", transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "billing"}, true},
		{"to a queue", transfer.Request{Chat: "c1", From: "ann", Queue: "support"}, true},
		{"the longest comment", transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: strings.Repeat("x", switchboard.MaxCommentBytes)}, true},
		{"a comment too long", transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: strings.Repeat("x", switchboard.MaxCommentBytes+1)}, false},
		{"no chat", transfer.Request{From: "ann", Agent: "bob"}, false},
		{"no transferring agent", transfer.Request{Chat: "c1", Agent: "bob"}, false},
		{"no target", transfer.Request{Chat: "c1", From: "ann"}, false},
		{"two targets", transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Queue: "support"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, transfer.ErrInvalid)
		})
	}
}

func TestCanTransfer(t *testing.T) {
	t.Parallel()
	require.NoError(t, transfer.CanTransfer(&session.Session{ID: "c1", Status: session.StatusActive}))
	for _, st := range []session.Status{session.StatusCustomerLeft, session.StatusEnded, session.StatusClosed} {
		require.ErrorIs(t, transfer.CanTransfer(&session.Session{ID: "c1", Status: st}), transfer.ErrSessionEnded, "%s", st)
	}
}

func TestNote(t *testing.T) {
	t.Parallel()
	// SPEC T5: the record names who, to whom and the comment; a transfer to
	// an agent is named by its offer, so it is recorded once.
	req := transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "billing"}
	require.Equal(t, session.TransferNote{ID: "transfer:o1", By: "ann", Agent: "bob", AgentName: "Bob", Comment: "billing"},
		transfer.Note(&req, "Bob", "o1"))
	q := transfer.Request{Chat: "c1", From: "ann", Queue: "support"}
	require.Equal(t, session.TransferNote{By: "ann", Queue: "support"}, transfer.Note(&q, "", ""))
}

func TestSame(t *testing.T) {
	t.Parallel()
	req := transfer.Request{Chat: "c1", From: "ann", Agent: "bob", Comment: "billing"}
	chat := func(kind routing.OfferKind, from switchboard.AgentID) *routing.Chat {
		return &routing.Chat{ID: "c1", State: routing.Assigned, Agent: "ann",
			Invitation: routing.Invitation{Offer: "o1", Kind: kind, From: from}}
	}
	offer := routing.Offer{ID: "o1", Chat: "c1", Agent: "bob", Comment: "billing"}
	for _, tc := range []struct {
		name string
		req  transfer.Request
		c    *routing.Chat
		o    routing.Offer
		want bool
	}{
		{"the same transfer", req, chat(routing.TransferOffer, "ann"), offer, true},
		{"no pending transfer", req, &routing.Chat{ID: "c1", State: routing.Assigned, Agent: "ann"}, offer, false},
		{"an invite, not a transfer", req, chat(routing.InviteOffer, "ann"), offer, false},
		{"made by another agent", req, chat(routing.TransferOffer, "sue"), offer, false},
		{"to another agent", req, chat(routing.TransferOffer, "ann"), routing.Offer{ID: "o1", Agent: "carl", Comment: "billing"}, false},
		{"another comment", req, chat(routing.TransferOffer, "ann"), routing.Offer{ID: "o1", Agent: "bob", Comment: "sales"}, false},
		{"another offer", req, chat(routing.TransferOffer, "ann"), routing.Offer{ID: "o2", Agent: "bob", Comment: "billing"}, false},
		{"to a queue", transfer.Request{Chat: "c1", From: "ann", Queue: "support"}, chat(routing.TransferOffer, "ann"), offer, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, transfer.Same(&tc.req, tc.c, &tc.o))
		})
	}
}

func TestCheckCancel(t *testing.T) {
	t.Parallel()
	pending := &routing.Chat{ID: "c1", State: routing.Assigned, Agent: "ann", Consultants: []switchboard.AgentID{"sue"},
		Invitation: routing.Invitation{Offer: "o1", Kind: routing.TransferOffer, From: "ann"}}
	invite := &routing.Chat{ID: "c1", State: routing.Assigned, Agent: "ann",
		Invitation: routing.Invitation{Offer: "o1", Kind: routing.InviteOffer, From: "ann"}}
	ended := &routing.Chat{ID: "c1", State: routing.InWrapUp, Agent: "ann"}
	for _, tc := range []struct {
		name    string
		c       *routing.Chat
		by      switchboard.AgentID
		pending bool
		want    []error
	}{
		{"the owner, a transfer pending", pending, "ann", true, nil},
		{"the owner, an invite pending", invite, "ann", false, nil},
		{"a consulted agent", pending, "sue", false, []error{transfer.ErrNotOwner, routing.ErrNotOwner}},
		{"once the chat ended", ended, "ann", false, []error{transfer.ErrChatEnded, routing.ErrChatEnded}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := transfer.CheckCancel(tc.c, tc.by)
			require.Equal(t, tc.pending, p)
			if tc.want == nil {
				require.NoError(t, err)
			}
			for _, w := range tc.want {
				require.ErrorIs(t, err, w)
			}
		})
	}
}

func TestQueuesFilter(t *testing.T) {
	t.Parallel()
	// SPEC T2: the queues of the chat's tenant, with their descriptions.
	qs := []routing.Queue{
		{ID: "other", Tenant: "t2", Name: "Other"},
		{ID: "sales", Tenant: "t1", Name: "Sales", Description: "Buying"},
		{ID: "support", Tenant: "t1", Name: "Support", Description: "Help"},
	}
	require.Equal(t, []transfer.TargetQueue{{ID: "sales", Name: "Sales", Description: "Buying"}, {ID: "support", Name: "Support", Description: "Help"}},
		transfer.Queues(qs, "t1"))
	require.Empty(t, transfer.Queues(qs, "t3"))
}

func TestTargetsFilter(t *testing.T) {
	t.Parallel()
	// SPEC T2: agents of the transferring agent's tenant and team, other than
	// it, Available with a free slot on the chat's channel, not in the chat.
	capacity := []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2}}
	agent := func(id switchboard.AgentID, tenant switchboard.TenantID, team string, st routing.State, used int) routing.Agent {
		return routing.Agent{ID: id, State: st, Used: []int{used},
			Profile: routing.Profile{DisplayName: strings.ToUpper(string(id)), Tenant: tenant, Team: team, Capacity: capacity}}
	}
	ann := agent("ann", "t1", "sales", routing.Available, 1)
	c := &routing.Chat{ID: "c1", Channel: switchboard.DefaultChannel, State: routing.Assigned, Agent: "ann", Consultants: []switchboard.AgentID{"sue"}}
	all := []routing.Agent{
		agent("zoe", "t1", "sales", routing.Available, 1),
		ann,
		agent("bob", "t1", "sales", routing.Available, 0),
		agent("sue", "t1", "sales", routing.Available, 0),
		agent("tom", "t1", "support", routing.Available, 0),
		agent("uma", "t2", "sales", routing.Available, 0),
		agent("vic", "t1", "sales", routing.NotReady, 0),
		agent("wes", "t1", "sales", routing.Available, 2),
	}
	require.Equal(t, []transfer.TargetAgent{{ID: "bob", Name: "BOB", Free: 2}, {ID: "zoe", Name: "ZOE", Free: 1}},
		transfer.Targets(c, &ann, all))
}

func TestTargetsCrossChannel(t *testing.T) {
	t.Parallel()
	// SPEC T2, L1, L2: a target must have room for the chat the way routing
	// judges it, budget and interrupt rules included, not only a free slot.
	const call switchboard.Channel = "call"
	capacity := []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 2, Weight: 2}, {Channel: call, Max: 1, Weight: 3}}
	agent := func(id switchboard.AgentID, p routing.Profile, used, work []int) routing.Agent {
		p.Tenant, p.Team, p.Capacity, p.DisplayName = "t1", "sales", capacity, string(id)
		return routing.Agent{ID: id, State: routing.Available, Used: used, Work: work, Profile: p}
	}
	ann := agent("ann", routing.Profile{}, []int{1, 0}, nil)
	c := &routing.Chat{ID: "c1", Channel: switchboard.DefaultChannel, State: routing.Assigned, Agent: "ann"}
	all := []routing.Agent{
		ann,
		// Over budget: one chat (2 units) of a budget of 3 leaves no room for another.
		agent("bob", routing.Profile{Budget: 3}, []int{1, 0}, nil),
		// On a call the chat channel may not interrupt.
		agent("cat", routing.Profile{LimitInterrupts: true}, []int{0, 0}, []int{0, 1}),
		// Room in a budget of 4.
		agent("dan", routing.Profile{Budget: 4}, []int{1, 0}, nil),
	}
	require.Equal(t, []transfer.TargetAgent{{ID: "dan", Name: "dan", Free: 1}}, transfer.Targets(c, &ann, all))
}

func TestHistoryFromLog(t *testing.T) {
	t.Parallel()
	// SPEC T5: the history lists the transfers of the log, oldest first.
	at := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	log := []session.LogLine{
		{View: session.View{At: at, Type: session.EntryMessage, From: annP, FromName: "Ann", Text: "hello"}},
		{View: session.View{At: at.Add(time.Minute), Type: session.EntryTransfer, From: annP, FromName: "Ann",
			Subject: bobP, SubjectName: "Bob", Text: "billing"}},
		{View: session.View{At: at.Add(2 * time.Minute), Type: session.EntryTransfer, From: bobP, FromName: "Bob",
			Reason: "support", Text: "not mine"}},
	}
	require.Equal(t, []transfer.Record{
		{At: at.Add(time.Minute), By: "ann", ByName: "Ann", Agent: "bob", AgentName: "Bob", Comment: "billing"},
		{At: at.Add(2 * time.Minute), By: "bob", ByName: "Bob", Queue: "support", Comment: "not mine"},
	}, transfer.History(log))
	require.Empty(t, transfer.History(log[:1]))
}

func TestRefusal(t *testing.T) {
	t.Parallel()
	require.NoError(t, transfer.Refusal(nil))
	for _, tc := range []struct{ from, want error }{
		{routing.ErrNotOwner, transfer.ErrNotOwner},
		{routing.ErrAgentUnavailable, transfer.ErrAgentUnavailable},
		{routing.ErrAgentNotFound, transfer.ErrAgentNotFound},
		{routing.ErrSameAgent, transfer.ErrSameAgent},
		{routing.ErrNotInTeam, transfer.ErrNotInTeam},
		{routing.ErrAlreadyInChat, transfer.ErrAlreadyInChat},
		{routing.ErrQueueNotFound, transfer.ErrQueueNotFound},
		{routing.ErrTransferPending, transfer.ErrTransferPending},
		{routing.ErrInvitePending, transfer.ErrInvitePending},
		{routing.ErrChatEnded, transfer.ErrChatEnded},
	} {
		t.Run(tc.from.Error(), func(t *testing.T) {
			err := transfer.Refusal(fmt.Errorf("deciding: %w", tc.from))
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, tc.from)
		})
	}
	other := errors.New("disk on fire")
	require.ErrorIs(t, transfer.Refusal(other), other)
}
