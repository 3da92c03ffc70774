package engine_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
)

// manualSetup is setup with a Manual queue "desk" of tenant t1 and ann
// and bob logged in to it; desktops are what the bus delivered.
func manualSetup(t *testing.T) (*bundle, *routingmem.Subscription) {
	t.Helper()
	bus := routingmem.NewBus()
	desktops := bus.Subscribe(nil)
	b := setup(t, func(c *engine.Config) { c.Desktops = bus })
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "desk", Tenant: "t1", Strategy: routing.Manual, WrapUp: 30 * time.Second,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold"}}})
	require.NoError(t, err)
	for _, a := range []struct {
		id   switchboard.AgentID
		name string
	}{{"ann", "Ann"}, {"bob", "Bob"}} {
		_, err := b.router.Login(ctx, a.id, routing.Profile{DisplayName: a.name, Tenant: "t1", Team: "sales",
			Queues: []switchboard.QueueID{"desk"}})
		require.NoError(t, err)
	}
	return b, desktops
}

func (b *bundle) startDesk(t *testing.T, id switchboard.ChatID, u switchboard.CustomerID) {
	t.Helper()
	_, err := b.eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "desk", Customer: u, CustomerName: "Carol"})
	require.NoError(t, err)
}

// desktopOf returns the types of the events the bus delivered for agent.
func desktopOf(sub *routingmem.Subscription, agent switchboard.AgentID) []routing.EventType {
	var out []routing.EventType
	for _, e := range sub.Drain() {
		if e.Agent == agent {
			out = append(out, e.Type)
		}
	}
	return out
}

func TestEnginePickMakesThePickerTheOwner(t *testing.T) {
	t.Parallel()
	// SPEC U11: Engine.Pick assigns the chat and makes the agent the
	// session's owner, as an accepted offer does: the customer sees the
	// agent join by name, the agent's desktop gets an accepted offer's
	// events, a second picker gets ErrChatTaken, and picking again
	// returns the same assignment.
	b, desktops := manualSetup(t)
	b.startDesk(t, "c1", "u1")
	b.settle(t)
	cs, err := b.eng.Pickable(ctx, "ann", 5)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	desktops.Drain()

	s, a, err := b.eng.Pick(ctx, "ann", "c1")
	require.NoError(t, err)
	require.Equal(t, annP, s.Owner().ID)
	require.Equal(t, switchboard.AgentID("ann"), a.Chat.Agent)
	require.Equal(t, routing.Accepted, a.Offer.Outcome)
	require.Equal(t, []routing.EventType{routing.ChatOffered, routing.OfferResolved, routing.ChatAssigned}, desktopOf(desktops, "ann"))
	require.Contains(t, b.seen(t, "c1", "u1"), "joined Ann")

	_, _, err = b.eng.Pick(ctx, "bob", "c1")
	require.ErrorIs(t, err, routing.ErrChatTaken)
	require.ErrorIs(t, err, switchboard.ErrConflict)
	require.Equal(t, annP, b.owner(t, "c1"))

	s2, a2, err := b.eng.Pick(ctx, "ann", "c1")
	require.NoError(t, err)
	require.Equal(t, a, a2)
	require.Equal(t, annP, s2.Owner().ID)
	b.settle(t)
	require.Equal(t, []string{"queued 1", "joined Ann"}, b.seen(t, "c1", "u1"))
}

func TestEngineReturnHandsTheConversationOn(t *testing.T) {
	t.Parallel()
	// SPEC U12: Engine.Return puts the chat back in its queue and lets the
	// session's owner go: the customer sees the agent leave and a neutral
	// notice of its place, never the reason; the organisation's log keeps
	// the agent and its reason code, once; the next agent continues the
	// same conversation. A non-owner's return is refused and changes
	// nothing.
	b, _ := manualSetup(t)
	b.startDesk(t, "c1", "u1")
	b.clock.Add(time.Second)
	b.startDesk(t, "c2", "u2")
	_, _, err := b.eng.Pick(ctx, "ann", "c1")
	require.NoError(t, err)
	_, err = b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "My order is late"})
	require.NoError(t, err)
	_, err = b.eng.Send(ctx, "c1", session.Message{From: annP, Text: "Let me look"})
	require.NoError(t, err)

	err = b.eng.Return(ctx, "bob", "c1", "busy")
	require.ErrorIs(t, err, routing.ErrNotOwner)
	require.Equal(t, annP, b.owner(t, "c1"))
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"))

	require.NoError(t, b.eng.Return(ctx, "ann", "c1", "wrong_language"))
	require.Empty(t, b.owner(t, "c1"))
	require.Equal(t, routing.Queued, b.routingState(t, "c1"))
	b.settle(t)
	b.settle(t) // processing the return again records it once

	views, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	var texts []string
	for _, v := range views {
		require.NotContains(t, v.Text, "wrong_language")
		require.NotContains(t, v.Reason, "wrong_language")
		texts = append(texts, v.Text)
	}
	require.Contains(t, texts, "Ann has left")
	require.Equal(t, []string{"joined Ann", "requeued 1"}, b.seen(t, "c1", "u1"))

	log, err := b.m.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	returns := slices.DeleteFunc(slices.Clone(log), func(l session.LogLine) bool { return l.Type != session.EntryTransfer })
	require.Len(t, returns, 1)
	require.Equal(t, annP, returns[0].From)
	require.Equal(t, "wrong_language", returns[0].Text)
	require.True(t, returns[0].InternalNote)

	cs, err := b.eng.Pickable(ctx, "ann", 5)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, switchboard.ChatID("c2"), cs[0].ID)
	cs, err = b.eng.Pickable(ctx, "bob", 5)
	require.NoError(t, err)
	require.Equal(t, switchboard.ChatID("c1"), cs[0].ID, "the returned chat keeps its place")

	s, _, err := b.eng.Pick(ctx, "bob", "c1")
	require.NoError(t, err)
	require.Equal(t, session.AgentParticipant("bob"), s.Owner().ID)
	bobViews, err := b.m.History(ctx, "c1", session.AgentParticipant("bob"))
	require.NoError(t, err)
	var bobTexts []string
	for _, v := range bobViews {
		bobTexts = append(bobTexts, v.Text)
	}
	require.Contains(t, bobTexts, "My order is late")
	require.Contains(t, bobTexts, "Let me look")
}
