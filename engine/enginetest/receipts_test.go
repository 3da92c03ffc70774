package enginetest_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cc/switchboard/engine/enginetest"
	"github.com/switchboard-cc/switchboard/session"
)

func TestReceiptsAndTypingAreNotLines(t *testing.T) {
	t.Parallel()
	// SPEC I3, K1: a read receipt is delivered live but never stored, like
	// a typing indicator; a client shows it beside the transcript, not as
	// a line of it, and the kit's lines leave both out.
	k := enginetest.New(t, twoAgents())
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	k.CustomerSays("c1", "Hello")
	before := k.CustomerSaw("c1")
	ada := session.AgentParticipant("ada")
	h, err := k.Sessions.History(context.Background(), "c1", ada)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Engine.MarkRead(context.Background(), "c1", ada, h[len(h)-1].Seq); err != nil {
		t.Fatal(err)
	}
	if err := k.Engine.Typing(context.Background(), "c1", ada, false); err != nil {
		t.Fatal(err)
	}
	var got []session.EntryType
	s, err := k.Sessions.Session(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range k.Participants.Received(s.Customer().ID) {
		if d.Item.Seq == 0 {
			got = append(got, d.Item.Type)
		}
	}
	if want := []session.EntryType{session.EntryRead, session.EntryTyping}; !slices.Equal(got, want) {
		t.Fatalf("the customer was delivered %v live, want %v", got, want)
	}
	if after := k.CustomerSaw("c1"); !slices.Equal(after, before) {
		t.Fatalf("the customer's lines became\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if got := enginetest.Lines([]session.View{{Type: session.EntryRead, FromName: "Ada", Ref: 3}}); len(got) != 0 {
		t.Fatalf("Lines of a receipt = %q, want none", got)
	}
}
