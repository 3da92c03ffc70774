package compliance_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// newRedactor builds a Redactor or fails the test.
func newRedactor(t testing.TB, cfg compliance.Config) *compliance.Redactor {
	t.Helper()
	r, err := compliance.New(cfg)
	require.NoError(t, err)
	return r
}

// luhnComplete extends prefix with a fixed filler to length-1 digits and
// appends the Luhn check digit.
func luhnComplete(prefix string, length int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; b.Len() < length-1; i++ {
		b.WriteByte("3141592653589793"[i%16])
	}
	body := b.String()
	return body + string(rune('0'+luhnCheckDigit(body)))
}

// luhnCheckDigit returns the digit that makes body+digit pass the Luhn
// check.
func luhnCheckDigit(body string) int {
	sum := 0
	double := true // the check digit itself is not doubled
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return (10 - sum%10) % 10
}

// breakLuhn changes the last digit so that the number fails the check.
func breakLuhn(pan string) string {
	last := pan[len(pan)-1]
	return pan[:len(pan)-1] + string(rune('0'+(last-'0'+1)%10))
}

// maskKeep replaces every decimal digit of s (any script) but the last keep
// with '*', keeping everything else.
func maskKeep(s string, keep int) string {
	total := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			total++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			seen++
			if seen <= total-keep {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// toScript rewrites the ASCII digits of s in the script whose zero is zero.
func toScript(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

// group writes pan in groups of four joined by sep.
func group(pan, sep string) string {
	var parts []string
	for len(pan) > 4 {
		parts = append(parts, pan[:4])
		pan = pan[4:]
	}
	return strings.Join(append(parts, pan), sep)
}
