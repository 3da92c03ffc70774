package transfer_test

import (
	"fmt"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/transfer"
)

// BenchmarkSync is the baseline: one Engine.Sync of a chat with nothing to
// change, which every transfer ends with.
func BenchmarkSync(b *testing.B) {
	x := setup(b)
	x.chatWithAnn()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.Engine.Sync(ctx, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransferAccept measures one blind transfer to an agent, its
// accept, and the old owner's wrap-up, on a fresh chat each round (set up
// and ended outside the timing).
func BenchmarkTransferAccept(b *testing.B) {
	x := setup(b)
	x.login("ann", "Ann")
	x.login("bob", "Bob")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		chat := switchboard.ChatID(fmt.Sprintf("bench-%d", i))
		x.FreshChat(chat, "sales", "ann")
		b.StartTimer()
		o, err := x.Engine.Transfer(ctx, transfer.Request{Chat: chat, From: "ann", Agent: "bob", Comment: "over to you"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := x.Engine.Accept(ctx, "bob", o.ID); err != nil {
			b.Fatal(err)
		}
		if err := x.Engine.CompleteWrapUp(ctx, chat, "ann"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		x.Finish(chat, "bob")
		b.StartTimer()
	}
}
