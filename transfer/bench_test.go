package transfer_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/transfer"
)

// BenchmarkSync is the baseline: one Desk.Sync of a chat with nothing to
// change, which every transfer ends with.
func BenchmarkSync(b *testing.B) {
	x := setup(b)
	x.chatWithAnn()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.desk.Sync(ctx, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransferAccept measures one blind transfer to an agent and its
// accept, then the old owner's wrap-up; the chat goes back and forth
// between Ann and Bob.
func BenchmarkTransferAccept(b *testing.B) {
	x := setup(b)
	x.chatWithAnn()
	from, to := switchboard.AgentID("ann"), switchboard.AgentID("bob")
	b.ReportAllocs()
	for b.Loop() {
		o, err := x.svc.Transfer(ctx, transfer.Request{Chat: "c1", From: from, Agent: to, Comment: "over to you"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := x.desk.Accept(ctx, to, o.ID); err != nil {
			b.Fatal(err)
		}
		if err := x.desk.CompleteWrapUp(ctx, "c1", from); err != nil {
			b.Fatal(err)
		}
		x.events.Drain()
		from, to = to, from
	}
}
