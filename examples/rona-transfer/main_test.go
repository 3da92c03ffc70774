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
		"Ann's request: Carol, queue Support, waiting 10s",
		"Ann is now RONA; the request went to Bob: true",
		"bot: Which order is it about?",
		"receipt.html not sent: the file contains sensitive data (payment card number)",
		"c1 is Ended (agent-left)",
		`Cat's desktop: transfer offered by bob: "refund for #1234"`,
		"Cat's desktop: the offer timed-out",
		"Cat's desktop: state RONA",
		"  * agent has left                                                        | * agent has left",
		"  * We are still finding an agent for you. You are number 1 in the queue. |",
		`reason "Lunch" refused: true`,
		"c2 is WrapUp",
		"  * Ann joined                     | * Ann joined",
		"  * Bob has left                   | * Bob has left",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "4111 1111") {
		t.Errorf("a card number shows:\n%s", got)
	}
	// The transfer note is for agents: no customer cell holds it.
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "transferred") && !strings.HasPrefix(line, "   ") {
			t.Errorf("the customer was shown the transfer: %q", line)
		}
	}
}
