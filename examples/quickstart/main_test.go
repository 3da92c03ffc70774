package main

import (
	"testing"

	"github.com/switchboard-cc/switchboard/session"
)

func TestTranscriptLineKeepsNoticesApartFromMessages(t *testing.T) {
	for _, tc := range []struct {
		v    session.View
		want string
	}{
		{session.View{Type: session.EntryMessage, FromName: "Ada Lovelace", Text: "Hello"}, "Ada Lovelace:  Hello"},
		{session.View{Type: session.EntryLeft, FromName: "Ada Lovelace", SubjectName: "Ada Lovelace", Text: "agent has left"}, "*              agent has left"},
		{session.View{Type: session.EntryJoined, SubjectName: "Ada Lovelace"}, ""},
	} {
		if got := transcriptLine(tc.v); got != tc.want {
			t.Errorf("transcriptLine(%v) = %q, want %q", tc.v.Type, got, tc.want)
		}
	}
}
