package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"ann: Cy (sales)\n",
		"bob: Sam (support)\n",
		"sam: Ann (sales), Bob (support), Cy (sales)\n",
		"Ann cannot chat with Bob of support: true",
		"the chat (A2A) is in Ann's console at once, as a new tab: true",
		"waiting for Ann's reply: true",
		"Ann is Available, 2 chats open, 0 slots in use",
		"chat with Sam: waiting for Ann's reply: false",
		"chat with Cy: waiting for Ann's reply: true",
		"  Ann: Yes, I can.                  | Ann: Yes, I can.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Zoe") {
		t.Errorf("an agent of another tenant was listed:\n%s", got)
	}
}
