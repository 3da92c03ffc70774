package compliance_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// digitsOnly keeps the decimal digits of s, of any script.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// requireNoPAN fails if the hidden digits of pan appear, in a row, among
// the digits of any rendering of v.
func requireNoPAN(t *testing.T, pan string, v any) {
	t.Helper()
	hidden := pan[:len(pan)-4]
	wide := toScript(hidden, '０')
	renderings := []string{
		fmt.Sprint(v), fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v),
		fmt.Sprintf("%s", v), fmt.Sprintf("%q", v), fmt.Sprintf("%x", v), fmt.Sprintf("%d", v),
	}
	if b, err := json.Marshal(v); err == nil {
		renderings = append(renderings, string(b))
	}
	for _, s := range renderings {
		require.NotContains(t, digitsOnly(s), hidden, "rendering reveals the number: %s", s)
		require.NotContains(t, digitsOnly(s), wide, "rendering reveals the number: %s", s)
	}
}

// SPEC P5: no value returned by the package reveals the raw number, in any
// fmt verb or as JSON: findings carry offsets, kind, brand and the masked
// form only.
func TestNoRawNumberInReturnedValues(t *testing.T) {
	t.Parallel()
	pans := []string{"4539148803436467", "5425233430109903", "374245455400126", "6011000991300009"}
	r := newRedactor(t, compliance.Config{KeepFirst: 6, Detectors: allDetectors()})
	for _, pan := range pans {
		t.Run(pan[:4], func(t *testing.T) {
			t.Parallel()
			for _, text := range []string{
				"card " + pan + " exp 12/27 cvv 123",
				"card " + group(pan, " "),
				"fullwidth " + toScript(group(pan, "\u00a0"), '０'),
				"twice " + pan + " and " + group(pan, "-"),
			} {
				res := r.Redact(text)
				require.NotEmpty(t, res.Findings)
				requireNoPAN(t, pan, res)
				requireNoPAN(t, pan, res.Findings)
				requireNoPAN(t, pan, res.Findings[0])
				requireNoPAN(t, pan, res.Text)
				reason, blocked := r.ScanText([]byte(text))
				require.True(t, blocked)
				requireNoPAN(t, pan, reason)
			}

			// Split over messages: the new message, the corrections and the
			// tail kept between them.
			at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			_, tail, err := r.RedactNext(compliance.Tail{}, compliance.Message{ID: "1", Sender: "c", Text: pan[:10], At: at})
			require.NoError(t, err)
			requireNoPAN(t, pan, tail)
			holder := struct {
				tail compliance.Tail
				Tail compliance.Tail
			}{tail, tail}
			requireNoPAN(t, pan[:10]+"0000", holder) // the fragment itself is not printed
			next, tail2, err := r.RedactNext(tail, compliance.Message{ID: "2", Sender: "c", Text: pan[10:], At: at.Add(time.Second)})
			require.NoError(t, err)
			require.Len(t, next.Corrections, 1)
			requireNoPAN(t, pan, next)
			requireNoPAN(t, pan, next.Corrections)
			requireNoPAN(t, pan, tail2)
		})
	}
}

// SPEC P5: errors name the problem, never input data.
func TestErrorsCarryNoData(t *testing.T) {
	t.Parallel()
	_, err := compliance.New(compliance.Config{KeepFirst: 8})
	require.Error(t, err)
	require.NotRegexp(t, `\d{6,}`, err.Error())
}
