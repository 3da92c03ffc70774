package compliance_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// filler returns k bytes of plain text, ending with a space, that nothing
// in them can start a number.
func filler(k int) string {
	if k == 0 {
		return ""
	}
	return strings.Repeat("x", k-1) + " "
}

// SPEC P4: plain text is read several bytes at a time, and short numbers
// are stepped over whole; no digit, of any script, is stepped over at any
// offset in the text or near its end. A digit glued before a card makes
// one longer number that is not a card, and a security code loses its
// first digit if it is missed.
func TestRedactNothingSkipped(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cards := map[string]string{
		"Plain":     visa,
		"Grouped":   "4111 1111 1111 1111",
		"Fullwidth": toScript(visa, '０'),
	}
	glue := map[string]string{"ASCII": "9", "ArabicIndic": "٩", "Fullwidth": "９", "Devanagari": "९"}
	for name, card := range cards {
		for k := 0; k <= 17; k++ {
			for m := 0; m <= 17; m += 17 {
				text := filler(k) + card + " " + strings.Repeat("y", m)
				res := r.Redact(text)
				require.Len(t, res.Findings, 1, "%s at %d: %q", name, k, text)
				require.Equal(t, k, res.Findings[0].Start, "%s at %d", name, k)
				require.Equal(t, compliance.KindCard, res.Findings[0].Kind)
				for gname, g := range glue {
					glued := filler(k) + g + card + " " + strings.Repeat("y", m)
					require.Empty(t, r.Redact(glued).Findings, "%s glued to %s at %d: %q", name, gname, k, glued)
					require.False(t, r.Contains(glued), "%s glued to %s at %d", name, gname, k)
				}
			}
		}
	}
	// Texts of 7 to 17 bytes that end with a security code: the end of
	// the text is read a byte at a time.
	for _, code := range []string{"123", "１２３", "١٢٣"} {
		for k := 0; len(filler(k))+len("cvv ")+len(code) <= 17; k++ {
			text := filler(k) + "cvv " + code
			res := r.Redact(text)
			require.Equal(t, filler(k)+"cvv ", res.Text, "%q", text)
			require.Len(t, res.Findings, 1, "%q", text)
			require.Equal(t, compliance.KindCVV, res.Findings[0].Kind)
		}
	}
	// Plain text of every length up to 17 is kept as it is.
	for n := 0; n <= 17; n++ {
		text := strings.Repeat("ab cd-e.f", 2)[:n]
		res := r.Redact(text)
		require.Equal(t, text, res.Text)
		require.Empty(t, res.Findings)
	}
}

// SPEC P4: a number is read the same wherever it stands: near the end of
// the text, where it is read a byte at a time, or with more text after it,
// where short numbers are stepped over whole. A line break after the text
// changes nothing, so the masked text with line breaks after it is the
// masked text followed by them.
func TestRedactSameNearTheEnd(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	pieces := []string{
		"1", "2", "3", "4", "41", "111", "1111", "55", "12345", "9", "0",
		" ", " ", " ", "-", ".", "  ", "   ", "    ", " - ",
		"a", "x", "cvv", "cvv ", "card ", "exp ", "ab", ":", "/", "#", "+", ",",
		"*", "**", "\u00a0", "４", "١", "あ", "é",
		visa, "4111 1111 1111", "5555-5555-5555-4444", "501800000009", "12/27", "2024-01-06", "404.21",
		"15.01.2024", "1 22 333", "cvv2 ", "12 1234", "1.123", "CVV",
	}
	// Two numbers apart in a short stretch: the first is a security code.
	fixed := []string{"cvv 123    45", "cvv 123 -  45", "cvv 1234    5 ok", "cvv 123     4", "cvv 123**", "cvv 12 ４",
		"cvv 1 22 333 x", "cvv2 123 ok", "cvv 1.123 ok", "cvv 1 - 123 ok", "cvv 15.01.2024 x", "x 12-34 567 cvv 1 234 y", "1-2 3 cvv 234 y"}
	rng := rand.New(rand.NewPCG(5, 6))
	pad := strings.Repeat("\n", 24)
	for n := range 20000 {
		var b strings.Builder
		if n < len(fixed) {
			b.WriteString(fixed[n])
		} else {
			for k := rng.IntN(12); k >= 0; k-- {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
		}
		text := b.String()
		want := r.Redact(text)
		got := r.Redact(text + pad)
		require.Equal(t, want.Text+pad, got.Text, "%q", text)
		require.Equal(t, want.Findings, got.Findings, "%q", text)
		require.Equal(t, r.Contains(text), r.Contains(text+pad), "%q", text)
	}
}

// SPEC P4: the start of a card number at the end of a message is found
// for the next message to complete, however many short numbers come
// before it in the last few words, and with line breaks after it.
func TestRedactNextSameNearTheEnd(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	pad := strings.Repeat("\n", 24)
	// The last groups have neither three nor four digits, the length of
	// a security code, so that the short numbers are stepped over.
	for _, first := range []string{"411111 11", "at 1:30 411111 11", "ok 2 - 411111 11", "at 9 x 411111 11", "x1y 411111 11"} {
		want, _ := sendAll(t, r, first, "11 111111 thanks")
		got, _ := sendAll(t, r, first+pad, "11 111111 thanks")
		require.NotEmpty(t, want[1].Findings, "%q", first)
		require.Equal(t, compliance.KindCard, want[1].Findings[0].Kind, "%q", first)
		require.Equal(t, want[1].Text, got[1].Text, "%q", first)
		require.Equal(t, want[1].Findings, got[1].Findings, "%q", first)
		require.Len(t, want[1].Corrections, 1, "%q", first)
		require.Len(t, got[1].Corrections, 1, "%q", first)
		require.Equal(t, want[1].Corrections[0].Text+pad, got[1].Corrections[0].Text, "%q", first)
		require.Equal(t, want[1].Corrections[0].Findings, got[1].Corrections[0].Findings, "%q", first)
	}
}
