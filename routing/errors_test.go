package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// snapshot reads every record a bad call could have touched.
type snapshot struct {
	agents map[switchboard.AgentID]routing.Agent
	chats  map[switchboard.ChatID]routing.Chat
	offers map[switchboard.AgentID][]routing.Offer
	queues []routing.Queue
}

func takeSnapshot(t *testing.T, r *routing.Router, b *testBundle) snapshot {
	t.Helper()
	s := snapshot{agents: map[switchboard.AgentID]routing.Agent{}, chats: map[switchboard.ChatID]routing.Chat{}, offers: map[switchboard.AgentID][]routing.Offer{}}
	for _, id := range []switchboard.AgentID{"a1", "a2"} {
		a, err := r.Agent(b.ctx, id)
		require.NoError(t, err)
		s.agents[id] = a
		s.offers[id] = offers(t, r, b, id)
	}
	for _, id := range []switchboard.ChatID{"c1", "c2", "c3"} {
		s.chats[id] = mustChat(t, r, b, id)
	}
	qs, err := r.Queues(b.ctx)
	require.NoError(t, err)
	s.queues = qs
	return s
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	r, b := setup(t, routing.Queue{ID: "q", WrapUp: 1}, routing.Queue{ID: "other"})
	login(t, r, b, "a1", 1, "q")
	login(t, r, b, "a2", 1, "q")
	enqueue(t, r, b, "c1", "q") // offered to a1
	enqueue(t, r, b, "c2", "q") // offered to a2
	enqueue(t, r, b, "c3", "q") // queued
	o1 := onlyOffer(t, r, b, "a1")
	b.events.Drain()

	ctx := b.ctx
	var se *routing.StateError
	cases := []struct {
		name string
		call func() error
		is   error
		as   any
	}{
		{"EmptyChatID", func() error { _, err := r.Enqueue(ctx, routing.ChatRequest{Queue: "q"}); return err }, routing.ErrInvalid, nil},
		{"EmptyQueueID", func() error { _, err := r.Enqueue(ctx, routing.ChatRequest{ID: "x"}); return err }, routing.ErrInvalid, nil},
		{"UnknownTransferFallback", func() error {
			_, err := r.PutQueue(ctx, routing.Queue{ID: "q", TransferFallback: 9})
			return err
		}, routing.ErrInvalid, nil},
		{"UnknownQueue", func() error { _, err := r.Enqueue(ctx, routing.ChatRequest{ID: "x", Queue: "nope"}); return err }, routing.ErrQueueNotFound, nil},
		{"DuplicateChat", func() error { _, err := r.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "q"}); return err }, routing.ErrChatExists, nil},
		{"NegativeSkill", func() error {
			_, err := r.Enqueue(ctx, routing.ChatRequest{ID: "x", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "s", Min: -1}}})
			return err
		}, routing.ErrInvalid, nil},
		{"EmptyAgentID", func() error { _, err := r.Login(ctx, "", routing.Profile{}); return err }, routing.ErrInvalid, nil},
		{"NegativeCapacity", func() error {
			_, err := r.Login(ctx, "a3", routing.Profile{Capacity: []routing.Capacity{{Channel: "chat", Max: -1}}})
			return err
		}, routing.ErrInvalid, nil},
		{"DuplicateChannel", func() error {
			_, err := r.Login(ctx, "a3", routing.Profile{Capacity: []routing.Capacity{{Channel: "chat", Max: 1}, {Channel: "chat", Max: 2}}})
			return err
		}, routing.ErrInvalid, nil},
		{"LoginUnknownQueue", func() error { _, err := r.Login(ctx, "a3", routing.Profile{Queues: qids("nope")}); return err }, routing.ErrQueueNotFound, nil},
		{"LoginTwice", func() error { _, err := r.Login(ctx, "a1", routing.Profile{}); return err }, routing.ErrAlreadyLoggedIn, nil},
		{"LogoutUnknown", func() error { return r.Logout(ctx, "nobody") }, routing.ErrAgentNotFound, nil},
		{"SetStateUnknown", func() error { return r.SetState(ctx, "nobody", routing.Available, "") }, routing.ErrAgentNotFound, nil},
		{"SetStateRONA", func() error { return r.SetState(ctx, "a1", routing.RONA, "") }, routing.ErrInvalid, nil},
		{"AcceptNeverMade", func() error { _, err := r.Accept(ctx, "a1", "c1#99"); return err }, routing.ErrOfferNotFound, nil},
		{"AcceptOthersOffer", func() error { _, err := r.Accept(ctx, "a2", o1.ID); return err }, routing.ErrNotYourOffer, nil},
		{"AcceptEmptyOffer", func() error { _, err := r.Accept(ctx, "a1", ""); return err }, routing.ErrInvalid, nil},
		{"RejectOthersOffer", func() error { return r.Reject(ctx, "a2", o1.ID) }, routing.ErrNotYourOffer, nil},
		{"EndQueuedChat", func() error { return r.End(ctx, "c3") }, nil, &se},
		{"EndUnknownChat", func() error { return r.End(ctx, "nope") }, routing.ErrChatNotFound, nil},
		{"WrapUpOfferedChat", func() error { return r.CompleteWrapUp(ctx, "c1", "a1") }, nil, &se},
		{"StatusUnknown", func() error { _, err := r.Status(ctx, "nope"); return err }, routing.ErrChatNotFound, nil},
		{"QueueOverflowToSelf", func() error { _, err := r.PutQueue(ctx, routing.Queue{ID: "q", Overflow: "q"}); return err }, routing.ErrInvalid, nil},
		{"QueueUnknownStrategy", func() error { _, err := r.PutQueue(ctx, routing.Queue{ID: "q", Strategy: 99}); return err }, routing.ErrInvalid, nil},
		{"QueueNegativeTimeout", func() error { _, err := r.PutQueue(ctx, routing.Queue{ID: "q", AcceptTimeout: -1}); return err }, routing.ErrInvalid, nil},
		{"NegativeLicence", func() error { return r.SetLicenceLimit(ctx, -1) }, routing.ErrInvalid, nil},
	}
	for _, tc := range cases {
		before := takeSnapshot(t, r, b)
		err := tc.call()
		require.Error(t, err, tc.name)
		if tc.is != nil {
			require.ErrorIs(t, err, tc.is, tc.name)
		}
		if tc.as != nil {
			require.ErrorAs(t, err, tc.as, tc.name)
		}
		require.Equal(t, before, takeSnapshot(t, r, b), "%s changed state", tc.name)
		require.Empty(t, b.events.Drain(), "%s emitted events", tc.name)
	}

	var ie *routing.InvalidError
	_, err := r.Login(ctx, "a3", routing.Profile{Capacity: []routing.Capacity{{Channel: "chat", Max: -2}}})
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "capacity", ie.Field)
}

func TestNewRequiresPorts(t *testing.T) {
	t.Parallel()
	_, err := routing.New(nil, routingmem.NewBus(), routing.Config{})
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = routing.New(routingmem.New(routingmem.Config{}), nil, routing.Config{})
	require.ErrorIs(t, err, routing.ErrInvalid)
}
