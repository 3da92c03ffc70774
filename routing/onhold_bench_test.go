package routing_test

import (
	"context"
	"testing"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// BenchmarkOnHold measures putting an assigned chat on hold and resuming
// it, two transitions, against a baseline of two other transitions of the
// same agent (NotReady and back to Available), in the same run.
func BenchmarkOnHold(b *testing.B) {
	ctx := context.Background()
	setup := func(b *testing.B) *routing.Router {
		mock := clock.NewMock()
		mock.Set(start)
		r, err := routing.New(routingmem.New(routingmem.Config{}), routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }),
			routing.Config{Clock: mock})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.PutQueue(ctx, routing.Queue{ID: "q"}); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Login(ctx, "ann", routing.Profile{Queues: []switchboard.QueueID{"q"}}); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: "c1", Queue: "q"}); err != nil {
			b.Fatal(err)
		}
		os, err := r.Offers(ctx, "ann")
		if err != nil || len(os) != 1 {
			b.Fatal(err, os)
		}
		if _, err := r.Accept(ctx, "ann", os[0].ID); err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("hold-and-resume", func(b *testing.B) {
		r := setup(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := r.PutOnHold(ctx, "ann", "c1"); err != nil {
				b.Fatal(err)
			}
			if err := r.Resume(ctx, "ann", "c1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-not-ready-and-available", func(b *testing.B) {
		r := setup(b)
		b.ReportAllocs()
		for b.Loop() {
			if err := r.SetState(ctx, "ann", routing.NotReady, "break"); err != nil {
				b.Fatal(err)
			}
			if err := r.SetState(ctx, "ann", routing.Available, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
