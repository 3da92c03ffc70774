package routingmem_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

func routingID(s string) switchboard.ChatID { return switchboard.ChatID(s) }

func TestBus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bus := routingmem.NewBus()
	all := bus.Subscribe(nil)
	ada := bus.Subscribe(routingmem.ForAgent("ada"))
	events := []routing.Event{{Type: routing.ChatOffered, Agent: "ada"}, {Type: routing.ChatOffered, Agent: "bob"}}
	require.NoError(t, bus.Publish(ctx, events...))
	events[0].Agent = "changed" // the bus keeps copies

	e, err := ada.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("ada"), e.Agent)
	require.Len(t, all.Drain(), 2)

	// Next waits for an event, and gives up with the context.
	go func() { _ = bus.Publish(ctx, routing.Event{Type: routing.AgentLoggedIn, Agent: "ada"}) }()
	e, err = ada.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, routing.AgentLoggedIn, e.Type)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err = ada.Next(short)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ada.Close()
	ada.Close()
	require.NoError(t, bus.Publish(ctx, routing.Event{Type: routing.AgentLoggedIn, Agent: "ada"}))
	_, err = ada.Next(ctx)
	require.ErrorIs(t, err, routingmem.ErrClosed)
	require.Len(t, all.Drain(), 2)
}
