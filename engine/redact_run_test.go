package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func TestRunRevealsHeldDigits(t *testing.T) {
	t.Parallel()
	// SPEC P1, P4: a running engine reveals held-back digits once the split
	// window closes, with no Settle.
	redactor, err := compliance.New(compliance.Config{Split: compliance.SplitConfig{Within: 20 * time.Millisecond}})
	require.NoError(t, err)
	frags := sessionmem.NewFragmentStore()
	eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Poll: 5 * time.Millisecond,
		Router:  routing.Config{SweepInterval: 5 * time.Millisecond},
		Session: session.Config{Filter: engine.RedactingFilter(redactor), Fragments: frags}})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()

	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	_, err = eng.Router().Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	_, err = eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	sent, err := eng.Send(ctx, "c1", session.Message{From: customer, Text: "4111 1111"})
	require.NoError(t, err)
	require.Equal(t, "**** ****", sent.Text)
	require.Eventually(t, func() bool {
		views, err := eng.Sessions().History(ctx, "c1", customer)
		if err != nil {
			return false
		}
		for _, v := range views {
			if v.Seq == sent.Seq && v.Text == "4111 1111" {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond)
	held, err := frags.Fragments(ctx, "c1", customer)
	require.NoError(t, err)
	require.Empty(t, held)
}
