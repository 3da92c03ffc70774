package engine_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/internal/testclock"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// deepQueue returns a Manual engine whose queue "q" holds n waiting chats,
// each with its customer's session, settled.
func deepQueue(b *testing.B, n int, every time.Duration) (*engine.Engine, *testclock.Stepped) {
	b.Helper()
	mock := testclock.New() // the benchmarks step it before every Settle
	eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routing.TransportFunc(nopPublish), Participants: session.Discard{}, Clock: mock, Manual: true,
		PositionEvery: every})
	if err != nil {
		b.Fatal(err)
	}
	mustB(b, func() error { _, err := eng.Router().PutQueue(ctx, routing.Queue{ID: "q"}); return err })
	for i := range n {
		id := "w" + strconv.Itoa(i)
		mustB(b, func() error {
			_, err := eng.Start(ctx, engine.StartRequest{ID: switchboard.ChatID(id), Queue: "q",
				Customer: switchboard.CustomerID(id), CustomerName: "C"})
			return err
		})
	}
	mustB(b, func() error { return eng.Settle(ctx) })
	return eng, mock
}

// BenchmarkPositionNotices measures what telling waiting customers their
// positions costs. "event" is one routing event (a chat joining the back
// of the queue, its queued notice written and the engine settled) behind
// 10 and behind 1000 waiting chats: the cost of an event must not grow
// with the queue. "pass" is one interval's pass over a queue in which
// nobody moved, beside "no-pass", a settle with no pass due, in the same
// run: the pass is the only work proportional to the queue's depth, and
// runs once per interval; it asks the store's Position twice per queue
// when no offered chat sits amid the queued ones.
func BenchmarkPositionNotices(b *testing.B) {
	for _, depth := range []int{10, 1000} {
		b.Run("event/waiting="+strconv.Itoa(depth), func(b *testing.B) {
			eng, _ := deepQueue(b, depth, time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				id := switchboard.ChatID("n" + strconv.Itoa(i))
				mustB(b, func() error {
					_, err := eng.Start(ctx, engine.StartRequest{ID: id, Queue: "q", Customer: switchboard.CustomerID(id), CustomerName: "C"})
					return err
				})
				mustB(b, func() error { return eng.Settle(ctx) })
				b.StopTimer() // the queue keeps its depth
				mustB(b, func() error { return eng.Router().Withdraw(ctx, id) })
				mustB(b, func() error { return eng.Settle(ctx) })
				b.StartTimer()
			}
		})
	}
	for _, depth := range []int{100, 1000} {
		d := strconv.Itoa(depth)
		b.Run("no-pass/waiting="+d, func(b *testing.B) {
			eng, mock := deepQueue(b, depth, time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				mock.Step(time.Millisecond)
				mustB(b, func() error { return eng.Settle(ctx) })
			}
		})
		b.Run("pass/waiting="+d, func(b *testing.B) {
			eng, mock := deepQueue(b, depth, time.Millisecond)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				mock.Step(time.Millisecond)
				mustB(b, func() error { return eng.Settle(ctx) })
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(depth), "ns/waiting")
		})
	}
}
