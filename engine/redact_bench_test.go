package engine_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// BenchmarkRedactingSend measures one customer message through the
// Manager with RedactingFilter, beside the same message with no filter in
// the same run (the baseline). held=yes is the worst case for split
// numbers: every message ends with digits, so each one is held back and
// reveals the one before it (a fragment read, put and delete, an amendment
// and a correction per message); held=no ends in words; fragments=none
// has no fragment store, so digits are only masked.
func BenchmarkRedactingSend(b *testing.B) {
	redactor, err := compliance.New(compliance.Config{})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name      string
		filter    bool
		fragments bool
		text      string
	}{
		{"filter=none", false, false, "it says 4111"},
		{"filter=redact/held=no", true, true, "it says 4111 today"},
		{"filter=redact/held=yes", true, true, "it says 4111"},
		{"filter=redact/held=yes/fragments=none", true, false, "it says 4111"},
	}
	customer := session.CustomerParticipant("u1")
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			mock := clock.NewMock()
			mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
			cfg := session.Config{Clock: mock}
			if c.filter {
				cfg.Filter = engine.RedactingFilter(redactor)
			}
			frags := sessionmem.NewFragmentStore()
			if c.fragments {
				cfg.Fragments = frags
			}
			m, err := session.NewManager(sessionmem.NewStore(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var chat switchboard.ChatID
			for i := range b.N {
				// A new chat every 32 messages keeps the log the filter
				// reads back the size of a real conversation.
				if i%32 == 0 {
					chat = switchboard.ChatID("c" + strconv.Itoa(i))
					mustB(b, func() error {
						_, err := m.Create(ctx, session.CustomerSession{ID: chat, Tenant: "t1", Queue: "q", Customer: "u1", CustomerName: "Carol"})
						return err
					})
				}
				mustB(b, func() error { _, err := m.Send(ctx, chat, session.Message{From: customer, Text: c.text}); return err })
			}
			b.StopTimer()
			held, err := frags.Fragments(ctx, chat, customer)
			if err != nil {
				b.Fatal(err)
			}
			if want := c.fragments && c.name != "filter=redact/held=no"; (len(held) == 1) != want {
				b.Fatalf("%d fragments held at the end; want one: %v", len(held), want)
			}
		})
	}
}
