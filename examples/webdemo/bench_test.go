package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// BenchmarkDeliver measures the transport's cost per delivery with 100
// pages connected: finding the recipient's pages and encoding the
// customer's wire form. The baseline is building and encoding the frame
// alone.
func BenchmarkDeliver(b *testing.B) {
	d := session.Delivery{Chat: "chat-1", Item: session.View{Seq: 7, At: time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC),
		Type: session.EntryMessage, FromName: "Ada Lovelace", Text: "Hello Jane, how can I help?"}}
	to := session.CustomerParticipant("jane")
	b.Run("baseline-encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := entryFrame(to, d)
			if err != nil {
				b.Fatal(err)
			}
			_ = encode(f)
		}
	})
	b.Run("hub-100-pages", func(b *testing.B) {
		h := newHub()
		var target *client
		for i := range 100 {
			c := &client{out: make(chan []byte, 1), who: session.AgentParticipant(switchboard.AgentID(fmt.Sprint("agent-", i)))}
			if i == 50 {
				c.who, target = to, c
			}
			h.clients[c] = struct{}{}
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := h.Deliver(ctx, to, d); err != nil {
				b.Fatal(err)
			}
			<-target.out
		}
	})
}
