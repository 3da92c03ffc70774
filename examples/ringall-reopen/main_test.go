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
		"c1 rings [ann bob cat] at once; c2 waits for the licence, position 2",
		"bob's desktop: offer of c1 rejected",
		"cat's desktop: offer of c1 rescinded, taken by another agent",
		"c2 rings [bob cat]",
		"after close: reopen; c1 rings [bob] (Ann is paused, Cat is busy)",
		"Carol: Is my parcel on its way?                  | Carol: Is my parcel on its way? |",
		"* chat reopened",
		`his tab opens on the whole conversation (3 messages), the last "Carol: One more thing: can I change the address?"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// Bob joined after the close: he was not sent what Ann was.
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "Ann: Yes") && strings.Count(line, "Ann: Yes") != 2 {
			t.Errorf("Ann's answer reached someone other than Carol and Ann: %q", line)
		}
	}
}
