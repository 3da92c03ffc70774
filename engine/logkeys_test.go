package engine_test

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/session"
)

// TestLogLinesHoldNoCardNumberOrMessageText runs a chat's life cycle with
// a card number and other words in messages, logging at Debug level
// through the engine's Logger and LogTracer, and checks every log line:
// it holds no card number, whole or in part, and no word of any message,
// and its attributes are the stable keys of trace.go (SPEC M9).
func TestLogLinesHoldNoCardNumberOrMessageText(t *testing.T) {
	b := setupCompliant(t)
	for _, m := range []session.Message{
		{From: customer, Text: "my card is 4111 1111 1111 1111, the parcel never reached Quillfeather Lane"},
		{From: annP, Text: "Sorry to hear that Zanzibarian weather delayed it"},
		{From: customer, Text: "4111 1111"},
	} {
		_, err := b.eng.Send(ctx, "c1", m)
		require.NoError(t, err)
	}
	b.clock.Add(time.Minute) // the held-back fragment is revealed
	b.settle(t)
	_, err := b.eng.End(ctx, "c1", "ann", session.EndOptions{Confirm: true, Forced: true})
	require.NoError(t, err)
	b.settle(t)
	require.NoError(t, b.eng.Logout(ctx, "ann"))
	b.settle(t)

	logs := b.logs.String()
	require.NotEmpty(t, logs, "the life cycle logged at Debug level")
	requireNoPAN(t, logs)
	for _, word := range []string{"Quillfeather", "parcel", "Zanzibarian", "weather"} {
		require.NotContains(t, logs, word, "message text in a log line")
	}
	keys := map[string]bool{"time": true, "level": true, "msg": true, "err": true,
		engine.KeyChat: true, engine.KeyAgent: true, engine.KeyQueue: true, engine.KeyOffer: true,
		engine.KeyEvent: true, engine.KeyTenant: true}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(b.logs.Bytes()))
	for sc.Scan() {
		lines++
		for _, field := range strings.Fields(sc.Text()) {
			k, _, ok := strings.Cut(field, "=")
			if ok && !strings.ContainsAny(k, `"`) {
				require.True(t, keys[k], "log key %q in %q", k, sc.Text())
			}
		}
	}
	require.Greater(t, lines, 5)
	require.Contains(t, logs, "level=DEBUG")
	require.Contains(t, logs, "chat=c1")
	require.Contains(t, logs, "agent=ann")
	require.Contains(t, logs, "queue=sales")
}
