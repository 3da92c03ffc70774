package switchboard_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeKitSnippetIsTheExample keeps the code of README.md's "Testing
// routing policy" section the code of the checked Example it is taken
// from: every line of the snippet before its first blank line must be a
// line of engine/enginetest/example_test.go.
func TestReadmeKitSnippetIsTheExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("engine/enginetest/example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(example), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	_, section, ok := strings.Cut(string(readme), "\n## Testing routing policy\n")
	if !ok {
		t.Fatal(`README.md has no "Testing routing policy" section`)
	}
	_, code, ok := strings.Cut(section, "```go\n")
	if !ok {
		t.Fatal(`the "Testing routing policy" section has no Go snippet`)
	}
	code, _, _ = strings.Cut(code, "\n\n")
	n := 0
	for _, l := range strings.Split(code, "\n") {
		if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "```") {
			continue
		}
		n++
		if !lines[l] {
			t.Errorf("README.md snippet line %q is not in the Example", l)
		}
	}
	if n < 5 {
		t.Fatalf("the snippet has %d lines of code; the check read the wrong block", n)
	}
}
