package routing_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// benchHours are weekday office hours in London with a year of holidays
// and an override: what a real queue carries.
func benchHours() routing.BusinessHours {
	h := routing.BusinessHours{Zone: "Europe/London", Weekly: weekdays(routing.HM(8, 0), routing.HM(20, 0)),
		Overrides: []routing.DateHours{{Date: routing.Date{Year: 2024, Month: 12, Day: 24},
			Intervals: []routing.Interval{{Open: routing.HM(8, 0), Close: routing.HM(12, 0)}}}}}
	for _, d := range []int{1, 29, 33, 40, 55, 70, 91, 120, 150, 240, 330, 366} {
		h.Holidays = append(h.Holidays, routing.DateOf(time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC)))
	}
	return h
}

// BenchmarkHoursLifecycle measures a whole chat life cycle (enqueue, offer,
// accept, end, wrap-up done) in a queue with business hours, open at the
// time, against the same queue without hours: the baseline.
func BenchmarkHoursLifecycle(b *testing.B) {
	ctx := context.Background()
	for _, hours := range []string{"none", "weekly"} {
		b.Run("hours="+hours, func(b *testing.B) {
			mock := clock.NewMock()
			mock.Set(start.Add(24 * time.Hour)) // Tuesday 09:00, open
			r, err := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})
			if err != nil {
				b.Fatal(err)
			}
			q := routing.Queue{ID: "q", WrapUp: time.Minute}
			if hours == "weekly" {
				q.Hours = benchHours()
			}
			if _, err := r.PutQueue(ctx, q); err != nil {
				b.Fatal(err)
			}
			if _, err := r.Login(ctx, "a", routing.Profile{Queues: []switchboard.QueueID{"q"}}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				id := switchboard.ChatID("c" + strconv.Itoa(i))
				i++
				if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: id, Queue: "q"}); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Accept(ctx, "a", routing.OfferID(string(id)+"#1")); err != nil {
					b.Fatal(err)
				}
				if err := r.End(ctx, id); err != nil {
					b.Fatal(err)
				}
				if err := r.CompleteWrapUp(ctx, id, "a"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenAt measures the plain function: open now (the closing time
// wanted too), and closed over a weekend.
func BenchmarkOpenAt(b *testing.B) {
	h := benchHours()
	for name, at := range map[string]time.Time{
		"open":    start.Add(24 * time.Hour),                    // Tuesday 09:00
		"weekend": time.Date(2024, 1, 6, 12, 0, 0, 0, time.UTC), // Saturday
	} {
		b.Run("at="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.OpenAt(at)
			}
		})
	}
}

// BenchmarkClosedSweep measures a Sweep with 100 agents logged in and a
// closed queue holding no chat (the baseline) against 1,000 waiting chats:
// chats waiting for the opening cost nothing until it comes.
func BenchmarkClosedSweep(b *testing.B) {
	ctx := context.Background()
	for _, waiting := range []int{0, 1000} {
		b.Run(fmt.Sprintf("closed_waiting=%d", waiting), func(b *testing.B) {
			mock := clock.NewMock()
			mock.Set(time.Date(2024, 1, 6, 12, 0, 0, 0, time.UTC)) // Saturday: closed
			r, err := routing.New(routingmem.New(routingmem.Config{}), routingmem.NewBus(), routing.Config{Clock: mock})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.PutQueue(ctx, routing.Queue{ID: "q", Hours: benchHours()}); err != nil {
				b.Fatal(err)
			}
			for i := range 100 {
				if _, err := r.Login(ctx, switchboard.AgentID(fmt.Sprintf("a%d", i)), routing.Profile{Queues: []switchboard.QueueID{"q"}}); err != nil {
					b.Fatal(err)
				}
			}
			for i := range waiting {
				if _, err := r.Enqueue(ctx, routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("c%d", i)), Queue: "q"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Sweep(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
