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
		"About: Billing; Initiated by: Carol",
		"page 1 of 2: Bob, Cal",
		"page 2 of 2: Cat",
		`search "ca": Cal, Cat`,
		"About: A2A; Initiated by: Ann; a new highlighted tab for Cat: true",
		// In the customer chat the whisper reaches Bob, not Carol.
		"                                       | Ann (private): Refunds are yours, right? | Ann (private): Refunds are yours, right?",
		// Between agents it reaches every agent.
		"  Ann (private): (just between us) I'd rather not | Ann (private): (just between us) I'd rather not | Ann (private): (just between us) I'd rather not",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
