package sessionmem_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// retentionBytes runs n chats (created, owned, ten messages) and returns
// the live heap each adds to a Store while open, once closed, and once
// forgotten through Manager.ForgetClosed.
func retentionBytes(tb testing.TB, n int) (open, closed, forgotten float64) {
	tb.Helper()
	ctx := context.Background()
	st := sessionmem.NewStore()
	clk := clock.NewMock()
	clk.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	m, err := session.NewManager(st, session.Config{Clock: clk, Transport: session.Discard{}})
	if err != nil {
		tb.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	ids := make([]switchboard.ChatID, n)
	for i := range ids {
		ids[i] = switchboard.ChatID(fmt.Sprintf("chat-%06d", i))
	}
	base := liveHeap()
	for _, id := range ids {
		_, err := m.Create(ctx, session.CustomerSession{ID: id, Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		must(err)
		_, err = m.AssignOwner(ctx, id, session.AgentRef{ID: "ann", Name: "Ann"})
		must(err)
		for j := range 10 {
			from := session.CustomerParticipant("u1")
			if j%2 == 1 {
				from = session.AgentParticipant("ann")
			}
			_, err = m.Send(ctx, id, session.Message{From: from, Text: fmt.Sprintf("message number %d of this chat", j)})
			must(err)
		}
	}
	perChat := func() float64 { return float64(liveHeap()-base) / float64(n) }
	open = perChat()
	for _, id := range ids {
		_, err := m.Close(ctx, id, "ann", session.EndOptions{Reason: "sold", Confirm: true})
		must(err)
	}
	closed = perChat()
	forgot, err := m.ForgetClosed(ctx, clk.Now().Add(time.Second), nil)
	must(err)
	if forgot != n {
		tb.Fatalf("forgot %d of %d chats", forgot, n)
	}
	forgotten = perChat()
	runtime.KeepAlive(st)
	runtime.KeepAlive(m)
	return open, closed, forgotten
}

// TestForgottenChatsFreeTheirMemory runs alone (not in parallel) so that
// no other test's allocations count.
func TestForgottenChatsFreeTheirMemory(t *testing.T) {
	open, closed, forgotten := retentionBytes(t, 2000)
	t.Logf("live heap per chat: open %.0f B, closed %.0f B, forgotten %.0f B", open, closed, forgotten)
	if closed < 1000 {
		t.Fatalf("a closed chat holds %.0f B: the measure is broken", closed)
	}
	if forgotten > 64 || forgotten > closed/20 {
		t.Fatalf("a forgotten chat still holds %.0f B (closed: %.0f B)", forgotten, closed)
	}
}

// BenchmarkRetention reports the live heap per chat of 1,000 chats of ten
// messages: open, closed, and forgotten. One op is the whole run.
func BenchmarkRetention(b *testing.B) {
	var open, closed, forgotten float64
	for b.Loop() {
		open, closed, forgotten = retentionBytes(b, 1000)
	}
	b.ReportMetric(open, "open-B/chat")
	b.ReportMetric(closed, "closed-B/chat")
	b.ReportMetric(forgotten, "forgotten-B/chat")
}
