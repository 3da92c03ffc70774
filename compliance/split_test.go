package compliance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// sendAll feeds texts of one sender, one second apart, through RedactNext
// and returns every result and the final tail.
func sendAll(t *testing.T, r *compliance.Redactor, texts ...string) ([]compliance.Next, compliance.Tail) {
	t.Helper()
	start := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	var tail compliance.Tail
	var out []compliance.Next
	for i, text := range texts {
		next, nt, err := r.RedactNext(tail, compliance.Message{ID: fmt.Sprintf("m%d", i), Sender: "customer", Text: text, At: start.Add(time.Duration(i) * time.Second)})
		require.NoError(t, err)
		out = append(out, next)
		tail = nt
	}
	return out, tail
}

// SPEC P1 SPEC P4: a card number split over consecutive messages of one
// sender is caught, and the earlier fragments are corrected.
func TestRedactNextSplit(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})

	t.Run("TwoMessages", func(t *testing.T) {
		t.Parallel()
		out, tail := sendAll(t, r, "my card is 4111 1111", "1111 1111 thanks")
		require.Equal(t, "my card is 4111 1111", out[0].Text, "a fragment alone is not a card")
		require.Empty(t, out[0].Corrections)
		require.Equal(t, "**** 1111 thanks", out[1].Text)
		require.Len(t, out[1].Findings, 1)
		f := out[1].Findings[0]
		require.True(t, f.Split)
		require.Equal(t, "Visa", f.Brand)
		require.Equal(t, 16, f.Digits)
		require.Equal(t, "**** 1111", f.Masked)
		require.Equal(t, []compliance.Correction{{
			ID:   "m0",
			Text: "my card is **** ****",
			Findings: []compliance.Finding{{
				Kind: compliance.KindCard, Brand: "Visa", Digits: 16, Start: 11, End: 20, Masked: "**** ****", Split: true,
			}},
		}}, out[1].Corrections)
		require.Zero(t, tail.Len(), "a completed number leaves nothing pending")
	})
	t.Run("ThreeMessages", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "5555", "5555 5555", "4444")
		require.Equal(t, "4444", out[2].Text)
		require.Len(t, out[2].Corrections, 2)
		require.Equal(t, "m0", out[2].Corrections[0].ID)
		require.Equal(t, "****", out[2].Corrections[0].Text)
		require.Equal(t, "m1", out[2].Corrections[1].ID)
		require.Equal(t, "**** ****", out[2].Corrections[1].Text)
	})
	t.Run("FullwidthDigits", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "番号は４１１１ １１１１", "１１１１ １１１１です")
		require.Equal(t, "**** １１１１です", out[1].Text)
		require.Equal(t, "番号は**** ****", out[1].Corrections[0].Text)
	})
	t.Run("CardThenMoreInNewMessage", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "4111 1111 1111", "1111 and cvv 123")
		require.Equal(t, "1111 and cvv ", out[1].Text, "the last four digits stay visible")
		require.Equal(t, "**** **** ****", out[1].Corrections[0].Text)
	})
	t.Run("WholeCardInOneMessage", func(t *testing.T) {
		t.Parallel()
		out, tail := sendAll(t, r, "4111 1111 1111 1111")
		require.Equal(t, "**** **** **** 1111", out[0].Text)
		require.Zero(t, tail.Len())
	})
}

// SPEC P4: the split window is bounded and fragments that are not the
// start of a card are left alone.
func TestRedactNextWindow(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	msg := func(id, sender, text string, at time.Duration) compliance.Message {
		return compliance.Message{ID: id, Sender: sender, Text: text, At: start.Add(at)}
	}
	r := newRedactor(t, compliance.Config{})

	t.Run("OtherSender", func(t *testing.T) {
		t.Parallel()
		_, tail, err := r.RedactNext(compliance.Tail{}, msg("1", "customer", "4111 1111", 0))
		require.NoError(t, err)
		next, _, err := r.RedactNext(tail, msg("2", "agent", "1111 1111", time.Second))
		require.NoError(t, err)
		require.Equal(t, "1111 1111", next.Text)
		require.Empty(t, next.Corrections)
	})
	t.Run("TooLate", func(t *testing.T) {
		t.Parallel()
		_, tail, _ := r.RedactNext(compliance.Tail{}, msg("1", "c", "4111 1111", 0))
		next, _, _ := r.RedactNext(tail, msg("2", "c", "1111 1111", 3*time.Minute))
		require.Equal(t, "1111 1111", next.Text)
	})
	t.Run("TimeWentBack", func(t *testing.T) {
		t.Parallel()
		_, tail, _ := r.RedactNext(compliance.Tail{}, msg("1", "c", "4111 1111", time.Minute))
		next, _, _ := r.RedactNext(tail, msg("2", "c", "1111 1111", 0))
		require.Equal(t, "1111 1111", next.Text)
	})
	t.Run("TooManyMessages", func(t *testing.T) {
		t.Parallel()
		r := newRedactor(t, compliance.Config{Split: compliance.SplitConfig{Messages: 2}})
		out, _ := sendAll(t, r, "4111", "1111", "1111", "1111")
		require.Equal(t, "1111", out[3].Text)
		require.Empty(t, out[3].Corrections)
		out, _ = sendAll(t, r, "4111 1111", "1111", "1111")
		require.Equal(t, "1111", out[2].Text[len(out[2].Text)-4:])
		require.Len(t, out[2].Corrections, 2)
	})
	t.Run("Disabled", func(t *testing.T) {
		t.Parallel()
		r := newRedactor(t, compliance.Config{Split: compliance.SplitConfig{Messages: -1}})
		out, tail := sendAll(t, r, "4111 1111", "1111 1111", "and 4111111111111111")
		require.Equal(t, "1111 1111", out[1].Text)
		require.Equal(t, "and ************1111", out[2].Text)
		require.Zero(t, tail.Len())
	})
	t.Run("LongMessageNotKept", func(t *testing.T) {
		t.Parallel()
		r := newRedactor(t, compliance.Config{Split: compliance.SplitConfig{MaxBytes: 16}})
		out, _ := sendAll(t, r, "my card number is 4111 1111", "1111 1111")
		require.Equal(t, "1111 1111", out[1].Text)
	})
	t.Run("InterveningMessage", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "4111 1111", "sorry", "1111 1111")
		require.Equal(t, "1111 1111", out[2].Text)
	})
	t.Run("NotAContinuation", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "4111 1111", "ok 1111 1111")
		require.Equal(t, "ok 1111 1111", out[1].Text)
	})
	t.Run("TrapWordFragment", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "order 4111 1111", "1111 1111")
		require.Equal(t, "1111 1111", out[1].Text)
	})
	t.Run("PhoneFragment", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "+4111 1111", "1111 1111")
		require.Equal(t, "1111 1111", out[1].Text)
	})
	t.Run("NoSubWindowOfLongerNumber", func(t *testing.T) {
		t.Parallel()
		out, _ := sendAll(t, r, "98765 4111", "1111 1111 1111")
		require.Equal(t, "1111 1111 1111", out[1].Text)
	})
	t.Run("TailIsAValue", func(t *testing.T) {
		t.Parallel()
		_, tail, _ := r.RedactNext(compliance.Tail{}, msg("1", "c", "4111 1111", 0))
		a, _, _ := r.RedactNext(tail, msg("2", "c", "1111 1111", time.Second))
		b, _, _ := r.RedactNext(tail, msg("2", "c", "1111 1111", time.Second))
		require.Equal(t, a, b, "RedactNext does not change the tail it is given")
		require.Equal(t, 1, tail.Len())
	})
	t.Run("ErrMessageID", func(t *testing.T) {
		t.Parallel()
		_, tail, _ := r.RedactNext(compliance.Tail{}, msg("1", "c", "4111 1111", 0))
		_, got, err := r.RedactNext(tail, msg("", "c", "1111 1111", time.Second))
		require.ErrorIs(t, err, compliance.ErrMessageID)
		require.Equal(t, 1, got.Len(), "the tail is returned unchanged")
		next, _, err := r.RedactNext(got, msg("2", "c", "1111 1111", time.Second))
		require.NoError(t, err)
		require.Len(t, next.Corrections, 1)
	})
}

// SPEC P4: digits left visible by a split number are checked again on
// their own, and a removed security code stays reported.
func TestRedactNextRecheck(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	out, _ := sendAll(t, r, "4151 1111", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3")
	require.NotEmpty(t, out[1].Corrections)
	require.False(t, r.Contains(out[1].Text), out[1].Text)
	require.Equal(t, out[1].Text, r.Redact(out[1].Text).Text)
	for _, f := range out[1].Findings {
		require.Equal(t, f.Masked, out[1].Text[f.Start:f.End])
	}

	out, _ = sendAll(t, r, "4111 1111", "1111 1111 cvv 123")
	require.Equal(t, "**** 1111 cvv ", out[1].Text)
	require.Len(t, out[1].Findings, 2)
	require.Equal(t, compliance.KindCVV, out[1].Findings[1].Kind)
}

// SPEC P1 SPEC P5: the digits a Tail keeps pending can be masked before the
// message is delivered, separators kept, the rest of the text as delivered.
func TestTailPending(t *testing.T) {
	t.Parallel()
	r, err := compliance.New(compliance.Config{})
	require.NoError(t, err)
	cases := []struct {
		name, text, want string
		held             bool
	}{
		{"OK", "4111 1111", "**** ****", true},
		{"AfterWords", "my card is 4111-1111", "my card is ****-****", true},
		{"AfterAMaskedCard", "card 4111 1111 1111 1111, next 4111 1111", "card **** **** **** 1111, next **** ****", true},
		{"NoTrailingDigits", "4111 1111 thanks", "", false},
		{"Words", "hello", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, tail := sendAll(t, r, c.text)
			got, ok := tail.Pending("m0")
			require.Equal(t, c.held, ok)
			require.Equal(t, c.want, got)
			_, ok = tail.Pending("other")
			require.False(t, ok, "an ID the tail does not hold")
		})
	}
	var zero compliance.Tail
	_, ok := zero.Pending("m0")
	require.False(t, ok)

	// A continuation that does not complete a number keeps both messages
	// pending, each masked on its own.
	_, tail := sendAll(t, r, "4111", "1111")
	first, ok := tail.Pending("m0")
	require.True(t, ok)
	require.Equal(t, "****", first)
	second, ok := tail.Pending("m1")
	require.True(t, ok)
	require.Equal(t, "****", second)
	start := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	require.Equal(t, start.Add(2*time.Minute), tail.Until(), "the window of the oldest message held, SplitConfig.Within after it")
	require.True(t, zero.Until().IsZero())
}
