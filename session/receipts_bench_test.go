package session_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard/session"
)

// BenchmarkMarkRead moves an agent's read position one entry at a time in
// a four-participant session, beside Send of one message to the same
// session as the baseline: a read is one compare-and-set of the session
// record and a delivery to those who may see it, with no log entry.
func BenchmarkMarkRead(b *testing.B) {
	b.Run("baseline-send", func(b *testing.B) {
		m := fourParty(b)
		msg := session.Message{From: customer, Text: "hello"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Send(ctx, "c1", msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []session.Mode{session.ModeNormal, session.ModeWhisper} {
		b.Run("mark-read/mode="+map[session.Mode]string{session.ModeNormal: "normal", session.ModeWhisper: "whisper"}[mode], func(b *testing.B) {
			m := fourParty(b)
			from := customer
			if mode == session.ModeWhisper {
				from = bobP
			}
			msg := session.Message{From: from, Mode: mode, Text: "hello"}
			first := uint64(0)
			for i := 0; i < b.N; i++ {
				sent, err := m.Send(ctx, "c1", msg)
				if err != nil {
					b.Fatal(err)
				}
				if first == 0 {
					first = sent.Seq
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := m.MarkRead(ctx, "c1", annP, first+uint64(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("mark-read/older", func(b *testing.B) {
		m := fourParty(b)
		sent, err := m.Send(ctx, "c1", session.Message{From: customer, Text: "hello"})
		if err != nil {
			b.Fatal(err)
		}
		if err := m.MarkRead(ctx, "c1", annP, sent.Seq); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := m.MarkRead(ctx, "c1", annP, sent.Seq-1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
