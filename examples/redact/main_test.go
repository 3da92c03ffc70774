package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// SPEC P1: the transcript cleaner masks every card and copies every other
// byte, line for line.
func TestRun(t *testing.T) {
	t.Parallel()
	r, err := compliance.New(compliance.Config{CVV: compliance.CVVKeep, Expiry: compliance.ExpiryKeep})
	require.NoError(t, err)
	long := strings.Repeat("lorem ipsum 12:30 ", 10_000) // about 180 KiB
	cases := []struct{ name, in, want string }{
		{"Empty", "", ""},
		{"NoCard", "hello\nworld\n", "hello\nworld\n"},
		{"Cards", "agent: hi\ncustomer: 4111 1111 1111 1111 exp 12/27 cvv 123\ncustomer: and 5555-5555-5555-4444.\n",
			"agent: hi\ncustomer: **** **** **** 1111 exp 12/27 cvv 123\ncustomer: and ****-****-****-4444.\n"},
		{"NoFinalNewline", "x 4111111111111111", "x ************1111"},
		{"CRLF", "4111111111111111\r\nok\r\n", "************1111\r\nok\r\n"},
		{"EmptyLines", "\n\n4111111111111111\n\n", "\n\n************1111\n\n"},
		{"Unicode", "番号 ４１１１\u3000１１１１\u3000１１１１\u3000１１１１\n", "番号 ****\u3000****\u3000****\u3000１１１１\n"},
		{"LongLine", long + "4111111111111111\n", long + "************1111\n"},
		{"InvalidUTF8", "\xff4111111111111111\xfe\n", "\xff************1111\xfe\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			require.NoError(t, run(strings.NewReader(c.in), &out, r))
			require.Equal(t, c.want, out.String())
			require.Equal(t, strings.Count(c.in, "\n"), strings.Count(out.String(), "\n"))
		})
	}
}

// SPEC P1: the built program works as a filter, and prints nothing for
// empty input.
func TestProgram(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "redact")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	for _, c := range []struct {
		args     []string
		in, want string
	}{
		{nil, "", ""},
		{nil, "pay 4111 1111 1111 1111 12/27 123", "pay **** **** **** 1111 12/27 123"},
		{[]string{"-codes"}, "pay 4111 1111 1111 1111 12/27 123\n", "pay **** **** **** 1111 **/** ***\n"},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Stdin = strings.NewReader(c.in)
		out, err := cmd.Output()
		require.NoError(t, err)
		require.Equal(t, c.want, string(out))
	}
}
