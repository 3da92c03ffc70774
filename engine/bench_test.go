package engine_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// BenchmarkLifecycle measures one whole customer chat through the public
// entry point (start, accept, three messages, a whisper, end, wrap-up done,
// and the engine settled so its event processing is included), beside
// routing's own life cycle of a chat (enqueue, offer, accept, end, wrap-up
// done) in the same run: the baseline of what the orchestration adds.
func BenchmarkLifecycle(b *testing.B) {
	ids := make([]switchboard.ChatID, 1<<16)
	for i := range ids {
		ids[i] = switchboard.ChatID("c" + strconv.Itoa(i))
	}
	b.Run("layer=routing", func(b *testing.B) {
		mock := clock.NewMock()
		r, err := routing.New(routingmem.New(routingmem.Config{}), routing.TransportFunc(nopPublish), routing.Config{Clock: mock})
		if err != nil {
			b.Fatal(err)
		}
		mustB(b, func() error { _, err := r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Second}); return err })
		mustB(b, func() error {
			_, err := r.Login(ctx, "ann", routing.Profile{Queues: []switchboard.QueueID{"q"}})
			return err
		})
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			id := ids[i%len(ids)]
			mustB(b, func() error { _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); return err })
			os, err := r.Offers(ctx, "ann")
			if err != nil || len(os) != 1 {
				b.Fatal(err, len(os))
			}
			mustB(b, func() error { _, err := r.Accept(ctx, "ann", os[0].ID); return err })
			mustB(b, func() error { return r.End(ctx, id) })
			mustB(b, func() error { return r.CompleteWrapUp(ctx, id, "ann") })
		}
	})
	b.Run("layer=engine", func(b *testing.B) {
		mock := clock.NewMock()
		eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
			Desktops: routing.TransportFunc(nopPublish), Participants: session.Discard{}, Clock: mock, Manual: true})
		if err != nil {
			b.Fatal(err)
		}
		r := eng.Router()
		mustB(b, func() error { _, err := r.PutQueue(ctx, routing.Queue{ID: "q", WrapUp: time.Second}); return err })
		mustB(b, func() error {
			_, err := r.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
			return err
		})
		ann, cust := session.AgentParticipant("ann"), session.CustomerParticipant("u1")
		msgs := []session.Message{
			{From: cust, Text: "My order is late"}, {From: ann, Text: "Let me check"},
			{From: ann, Mode: session.ModeWhisper, Text: "note: second time"}, {From: ann, Text: "It ships today"},
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			id := ids[i%len(ids)]
			// Session IDs are never reused while a session is kept, so
			// the chat IDs run on past the table.
			if i >= len(ids) {
				id = switchboard.ChatID("c" + strconv.Itoa(i))
			}
			mustB(b, func() error {
				_, err := eng.Start(ctx, engine.StartRequest{ID: id, Queue: "q", Customer: "u1", CustomerName: "Carol"})
				return err
			})
			os, err := r.Offers(ctx, "ann")
			if err != nil || len(os) != 1 {
				b.Fatal(err, len(os))
			}
			mustB(b, func() error { _, _, err := eng.Accept(ctx, "ann", os[0].ID); return err })
			for _, m := range msgs {
				mustB(b, func() error { _, err := eng.Send(ctx, id, m); return err })
			}
			mustB(b, func() error {
				_, err := eng.End(ctx, id, "ann", session.EndOptions{Reason: "resolved", Confirm: true})
				return err
			})
			mustB(b, func() error { return eng.CompleteWrapUp(ctx, id, "ann") })
			mustB(b, func() error { return eng.Settle(ctx) })
		}
	})
}

func nopPublish(_ context.Context, _ ...routing.Event) error { return nil }

func mustB(b *testing.B, f func() error) {
	b.Helper()
	if err := f(); err != nil {
		b.Fatal(err)
	}
}
