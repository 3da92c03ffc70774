package session_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// Ann reads the customer's message and then a colleague's whisper: Bob
// sees how far she has read, the customer sees only that she has read its
// message, and Bob's desktop shows what he has not read yet.
func ExampleManager_MarkRead() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	tr := sessionmem.NewTransport()
	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{Clock: mock, Transport: tr})
	_, _ = m.Create(ctx, session.CustomerSession{ID: "chat-1", Queue: "billing", Customer: "u42", CustomerName: "Carol"})
	_, _ = m.AssignOwner(ctx, "chat-1", session.AgentRef{ID: "a1", Name: "Ann"})
	_ = m.Invite(ctx, "chat-1", "a1", session.AgentRef{ID: "a2", Name: "Bob"})
	_ = m.Join(ctx, "chat-1", "a2")

	carol := session.CustomerParticipant("u42")
	ann, bob := session.AgentParticipant("a1"), session.AgentParticipant("a2")
	asked, _ := m.Send(ctx, "chat-1", session.Message{From: carol, Text: "My invoice is wrong"})
	note, _ := m.Send(ctx, "chat-1", session.Message{From: bob, Mode: session.ModeWhisper, Text: "March bug again"})
	_ = m.MarkRead(ctx, "chat-1", bob, asked.Seq)
	tr.Reset()

	mock.Add(time.Minute)
	if err := m.MarkRead(ctx, "chat-1", ann, asked.Seq); err != nil {
		fmt.Println(err)
	}
	mock.Add(time.Minute)
	if err := m.MarkRead(ctx, "chat-1", ann, note.Seq); err != nil {
		fmt.Println(err)
	}
	_, _ = m.Send(ctx, "chat-1", session.Message{From: ann, Text: "Fixed, sorry about that"})
	for _, d := range tr.Received(carol) {
		if d.Item.Type != session.EntryRead {
			continue
		}
		cd, _ := session.CustomerDeliveryOf(d)
		fmt.Printf("Carol is told: %s read up to %d\n", cd.Item.FromName, cd.Item.Ref)
	}
	for _, who := range []session.ParticipantID{bob, carol} {
		rs, _ := m.Receipts(ctx, "chat-1", who)
		for _, r := range rs {
			fmt.Printf("%s catches up: %q %s read up to %d at %s\n", who, r.Participant, r.Name, r.Seq, r.At.Format("15:04"))
		}
	}
	n, _ := m.Unread(ctx, "chat-1", bob)
	fmt.Println("Bob has unread:", n)
	// Output:
	// Carol is told: Ann read up to 6
	// agent:a2 catches up: "agent:a1" Ann read up to 7 at 09:02
	// agent:a2 catches up: "agent:a2" Bob read up to 6 at 09:00
	// customer:u42 catches up: "" Ann read up to 6 at 09:01
	// customer:u42 catches up: "" Bob read up to 6 at 09:00
	// Bob has unread: 1
}
