package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWallboard runs the busy hour and checks what the supervisor sees:
// a board at each quarter hour, the cumulative table, and figures that
// agree with each other: every chat that entered a queue in the hour was
// answered, abandoned, or is still waiting at 11:00 (SPEC M1, M7).
func TestWallboard(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	text := out.String()
	for _, at := range []string{"10:15:00", "10:30:00", "10:45:00", "11:00:00"} {
		require.Contains(t, text, "== board at "+at+"\n")
	}
	require.Contains(t, text, "queue    waiting offered  longest   talking  wrap-up eligible occupancy\n")
	require.Contains(t, text, "== the hour by 15 minutes\n")
	require.Contains(t, text, "agents: Available 3, NotReady 1, WrapUp 2; free slots 0\n", "dan's break at 10:30")

	final := text[strings.Index(text, "== board at 11:00:00"):]
	for _, q := range []string{"sales", "support"} {
		var waiting, offered int
		line := lineStarting(t, final, fmt.Sprintf("%-8s ", q))
		_, err := fmt.Sscanf(line[9:], "%d %d", &waiting, &offered)
		require.NoError(t, err)

		var entered, answered, abandoned, sum int
		for _, from := range []string{"10:00", "10:15", "10:30", "10:45"} {
			var e int
			_, err := fmt.Sscanf(lineStarting(t, text, fmt.Sprintf("%-13s %-6s", "queue "+q, from))[21:], "%d", &e)
			require.NoError(t, err)
			sum += e
		}
		_, err = fmt.Sscanf(lineStarting(t, text, fmt.Sprintf("%-13s %-6s", "queue "+q, "hour"))[21:], "%d %d %d", &entered, &answered, &abandoned)
		require.NoError(t, err)
		require.Equal(t, sum, entered, "%s: the hour is the sum of its quarters", q)
		require.Greater(t, answered, 20, q)
		require.Equal(t, entered, answered+abandoned+waiting+offered, "%s: every chat is accounted for", q)
	}
}

// lineStarting returns the line of text that starts with prefix.
func lineStarting(t *testing.T, text, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return ""
}
