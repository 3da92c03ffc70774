package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func printViews(who string, vs []session.View) {
	fmt.Println(who + ":")
	for _, v := range vs {
		line := fmt.Sprintf("  %d %s", v.Seq, v.Type)
		if v.Private {
			line += " [private]"
		}
		if v.FromName != "" {
			line += " " + v.FromName
		}
		if v.SubjectName != "" && v.SubjectName != v.FromName {
			line += " → " + v.SubjectName
		}
		if v.Text != "" {
			line += ": " + v.Text
		}
		fmt.Println(line)
	}
}

// A customer chat with a whisper between two agents: every output is
// filtered by the same visibility rule, so the customer never sees it.
func Example() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{Clock: mock})

	// The wiring layer creates the session when the chat arrives and
	// assigns the owner when an agent accepts the offer.
	_, _ = m.Create(ctx, session.CustomerSession{ID: "chat-1", Queue: "billing", Customer: "u42", CustomerName: "Carol"})
	_, _ = m.AssignOwner(ctx, "chat-1", session.AgentRef{ID: "a1", Name: "Ann"})
	_ = m.Invite(ctx, "chat-1", "a1", session.AgentRef{ID: "a2", Name: "Bob"})
	_ = m.Join(ctx, "chat-1", "a2")

	carol := session.CustomerParticipant("u42")
	ann := session.AgentParticipant("a1")
	_, _ = m.Send(ctx, "chat-1", session.Message{From: carol, Text: "My invoice is wrong"})
	_, _ = m.Send(ctx, "chat-1", session.Message{From: ann, Mode: session.ModeWhisper, Text: "Bob, is this the March bug?"})
	_, _ = m.Send(ctx, "chat-1", session.Message{From: session.AgentParticipant("a2"), Text: "Let me fix that for you"})

	custView, _ := m.History(ctx, "chat-1", carol)
	printViews("Carol sees", custView)
	annView, _ := m.CatchUp(ctx, "chat-1", ann, 4, 0)
	printViews("Ann, catching up after 4", annView)
	// Output:
	// Carol sees:
	//   1 created Carol
	//   2 joined Ann
	//   5 joined Bob
	//   6 message Carol: My invoice is wrong
	//   8 message Bob: Let me fix that for you
	// Ann, catching up after 4:
	//   5 joined Bob
	//   6 message Carol: My invoice is wrong
	//   7 message [private] Ann: Bob, is this the March bug?
	//   8 message Bob: Let me fix that for you
}

// Ending needs confirmation while the customer is connected and a wrap-up
// reason from the queue's list; closing twice is reported, not repeated.
func ExampleManager_Close() {
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{
		Clock: mock,
		Queues: map[switchboard.QueueID]session.QueueConfig{
			"billing": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"resolved", "escalated"}}, WrapUpTime: time.Minute},
		},
	})
	_, _ = m.Create(ctx, session.CustomerSession{ID: "chat-1", Queue: "billing", Customer: "u42", CustomerName: "Carol"})
	_, _ = m.AssignOwner(ctx, "chat-1", session.AgentRef{ID: "a1", Name: "Ann"})

	_, err := m.Close(ctx, "chat-1", "a1", session.EndOptions{Reason: "resolved"})
	fmt.Println(err)
	_, err = m.Close(ctx, "chat-1", "a1", session.EndOptions{Reason: "lunch", Confirm: true})
	fmt.Println(err)
	c, _ := m.Close(ctx, "chat-1", "a1", session.EndOptions{Reason: "resolved", Confirm: true})
	fmt.Println("ended:", c.Ended, "reason:", c.WrapUp.Reason, "free capacity at:", c.WrapUp.Until.Format(time.TimeOnly))
	_, err = m.Close(ctx, "chat-1", "a1", session.EndOptions{})
	fmt.Println(errors.Is(err, session.ErrAlreadyClosed))
	// Output:
	// session chat-1: customer still connected, confirmation required
	// session chat-1: wrap-up reason "lunch" not in [resolved, escalated]
	// ended: true reason: resolved free capacity at: 09:01:00
	// true
}

// Agent-to-agent chat: the directory shows agents of the same group, the
// chat arrives without accept or reject, and the recipient is marked as
// owing a reply until it answers.
func ExampleManager_StartA2A() {
	ctx := context.Background()
	dir := sessionmem.NewDirectory(
		session.AgentInfo{ID: "a1", Tenant: "acme", Name: "Ann", Group: "billing", LoggedIn: true},
		session.AgentInfo{ID: "a2", Tenant: "acme", Name: "Bob", Group: "billing", LoggedIn: true},
		session.AgentInfo{ID: "a3", Tenant: "acme", Name: "Dan", Group: "sales", LoggedIn: true},
	)
	transport := sessionmem.NewTransport()
	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{
		Clock: clock.NewMock(), Directory: dir, Transport: transport,
		NewID: func() switchboard.ChatID { return "a2a-1" },
	})

	page, _ := m.Directory(ctx, "a1", session.DirectoryQuery{})
	for _, a := range page.Agents {
		fmt.Println("Ann can chat with", a.Name)
	}
	s, _ := m.StartA2A(ctx, "a1", []switchboard.AgentID{"a2"}, "Got a minute?")
	fmt.Println(s.About(), "awaiting Bob's reply:", s.Participant(session.AgentParticipant("a2")).AwaitingReply)
	for _, d := range transport.Received(session.AgentParticipant("a2")) {
		fmt.Printf("Bob received %s (new tab: %v)\n", d.Item.Type, d.Invitation)
	}
	_, _ = m.Send(ctx, s.ID, session.Message{From: session.AgentParticipant("a2"), Text: "Sure"})
	s, _ = m.Session(ctx, s.ID)
	fmt.Println("awaiting Bob's reply:", s.Participant(session.AgentParticipant("a2")).AwaitingReply)
	// Output:
	// Ann can chat with Bob
	// A2A awaiting Bob's reply: true
	// Bob received created (new tab: true)
	// Bob received message (new tab: false)
	// awaiting Bob's reply: false
}

type cardMask struct{}

// Filter masks digits of a message and of the sender's previous message
// when the two together hold a 16-digit number.
func (cardMask) Filter(_ context.Context, in session.FilterInput) (session.FilterOutput, error) {
	count := func(s string) int { return len(strings.Map(keepDigit, s)) }
	out := session.FilterOutput{Text: in.Text}
	if n := len(in.Recent); n > 0 && count(in.Recent[n-1].Text)+count(in.Text) == 16 {
		prev := in.Recent[n-1]
		out.Text = strings.Map(maskDigit, in.Text)
		out.Corrections = []session.Correction{{Seq: prev.Seq, Text: strings.Map(maskDigit, prev.Text)}}
	}
	return out, nil
}

func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

func maskDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return '#'
	}
	return r
}

// An inbound filter masks a card number split over two messages: the new
// message is masked before it is stored, and the earlier one is corrected
// in the log and for everyone who saw it.
func ExampleInboundFilter() {
	ctx := context.Background()
	transport := sessionmem.NewTransport()
	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{Clock: clock.NewMock(), Filter: cardMask{}, Transport: transport})
	_, _ = m.Create(ctx, session.CustomerSession{ID: "chat-1", Queue: "billing", Customer: "u42", CustomerName: "Carol"})
	_, _ = m.AssignOwner(ctx, "chat-1", session.AgentRef{ID: "a1", Name: "Ann"})
	carol := session.CustomerParticipant("u42")
	_, _ = m.Send(ctx, "chat-1", session.Message{From: carol, Text: "card 4111 1111"})
	_, _ = m.Send(ctx, "chat-1", session.Message{From: carol, Text: "1111 1111"})

	for _, d := range transport.Received(session.AgentParticipant("a1")) {
		if d.Item.Type == session.EntryMessage || d.Item.Type == session.EntryCorrection {
			fmt.Printf("live: %d %s %q (ref %d)\n", d.Item.Seq, d.Item.Type, d.Item.Text, d.Item.Ref)
		}
	}
	h, _ := m.History(ctx, "chat-1", session.AgentParticipant("a1"))
	fmt.Println("stored:", strings.Join(texts(h), " | "))
	// Output:
	// live: 4 message "card 4111 1111" (ref 0)
	// live: 5 correction "card #### ####" (ref 4)
	// live: 6 message "#### ####" (ref 0)
	// stored: card #### #### | #### ####
}
