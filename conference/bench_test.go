package conference_test

import (
	"fmt"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
)

// BenchmarkSync is the baseline: one Engine.Sync of a chat with nothing to
// change, which every conference operation ends with.
func BenchmarkSync(b *testing.B) {
	x := setup(b, conference.Config{})
	x.conference()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x.Engine.Sync(ctx, "c1"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInviteAcceptLeave measures one conference round: an invite, its
// accept and the consulted agent leaving, each with its Sync.
func BenchmarkInviteAcceptLeave(b *testing.B) {
	x := setup(b, conference.Config{})
	x.login("ann", "Ann")
	x.login("bob", "Bob")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// A fresh chat each round, set up and ended outside the timing: a
		// real chat sees a few conferences, not thousands.
		b.StopTimer()
		i++
		chat := switchboard.ChatID(fmt.Sprintf("bench-%d", i))
		x.FreshChat(chat, "sales", "ann")
		b.StartTimer()
		o, err := x.Engine.Invite(ctx, conference.Request{Chat: chat, From: "ann", Agent: "bob"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := x.Engine.Accept(ctx, "bob", o.ID); err != nil {
			b.Fatal(err)
		}
		if err := x.Engine.Leave(ctx, chat, "bob"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		x.Finish(chat, "ann")
		b.StartTimer()
	}
}
