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
		"Bob's chat details: 🔒 e-mail: carol@example.com",
		"Bob's chat details:    phone: +44 20 7946 0000",
		"  Carol chose: Exchange                                | Carol chose: Exchange",
		"Carol's six files in one message are refused: true",
		"| Bob (private): order history [orders.txt]            | Bob (private): order history [orders.txt]",
		"  Cat: Here is your return label. [label.txt]          |",
		"  * customer has left                                  |                                                      | * customer has left",
		"     [internal note] Bob: Gold member, waive the fee.",
		"     [internal note] Bob: order history [orders.txt]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// No private line reaches the customer's column, and the transcript
	// Carol is sent has none of it.
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "  Bob (private)") {
			t.Errorf("the customer was shown a private message: %q", line)
		}
	}
	transcript := got[strings.Index(got, "Carol's transcript:"):strings.Index(got, "the organisation's log, internal notes marked")]
	if strings.Contains(transcript, "Gold member") || strings.Contains(transcript, "orders.txt") {
		t.Errorf("the transcript holds a private message:\n%s", transcript)
	}
}
