package compliance_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cc/switchboard/compliance"
)

// fuzzSeeds are shared by the fuzz targets: cards in every shape, traps,
// Unicode, and adversarial runs of digits and separators.
var fuzzSeeds = []string{
	"",
	"hello",
	"card 4111 1111 1111 1111 exp 12/27 cvv 123",
	"4111111111111111 5555555555554444",
	"2 4111-1111-1111-1111.",
	"０１２３４５６７８９ ４１１１　１１１１　１１１１　１１１１",
	"٤١١١ ١١١١ ١١١١ ١١١١ and ४१११ ११११ ११११ ११११",
	"4111\u00a01111\u202f1111\u30001111",
	"order #4111111111111111 +4111111111111111 https://x.example/4111111111111111",
	"DE89 3704 0044 0532 0130 00 jane@example.com 123-45-6789 (555) 123-4567",
	"**** **** **** 1111 5555 5555 5555 4444",
	"0.4111111111111111 4111111111111111.25 1700000000000",
	"1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3",
	"cvv2 123, security code: 9876",
	"line one 4111 1111\nline two 1111 1111\r\n",
	"\xff\xfe4111111111111111\x80",
	strings.Repeat("4111 ", 40),
	strings.Repeat("1-", 50),
	// New ranges: 19-digit Maestro, Bancontact, 12-digit Maestro, and
	// traps a wider range could catch (IMEI, phone without '+').
	"6799990100000000019 6771798021000008 6703444444444449 501800000009",
	"IMEI-less 356938035643809 phone 447911123456 order 112-3456789-1234567",
	// Numbers glued to words, and identifiers that stay untouched.
	"CARD4111111111111111exp 06/17 card#5555555555554444 4111111111111111exp",
	"ab12cd4111111111111111ef a4111111111111111b jane4111111111111111@example.com",
	"https://x.example/card4111111111111111 deadbeefcafe4111111111111111abcdef0123456789",
	"XX00 4111 1111 1111 1111 GB33BUKB20201555555555 cvv4111111111111111 cvv 123",
	"abcdef-4111111111111111-abcdef4111111111111111 4111111111111111 123-abcdef4111111111111111abcdef0",
	// Mixed separator kinds and irregular groups of 19 digits.
	"5555 5555-5555 4444 4111.1111 1111-1111 404.21 2024-01-06 12:30",
	"679999 0100000000019 6799-9901-0000-0000019 67999 90100 00000 0019",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

// checkMasked verifies the properties every masked text has. keepFirst is
// the redactor's Config.KeepFirst; the last four digits at most stay
// visible besides.
func checkMasked(t *testing.T, r *compliance.Redactor, in string, res compliance.Result, keepFirst int) {
	t.Helper()
	for _, f := range res.Findings {
		if f.Kind != compliance.KindCard {
			continue
		}
		// SPEC P1: at least six digits hidden, at most the first keepFirst
		// and the last four shown, whatever the brand and length.
		hidden := strings.Count(f.Masked, "*")
		if hidden < compliance.MinHidden || f.Digits-hidden > keepFirst+4 {
			t.Fatalf("card of %d digits masked as %q", f.Digits, f.Masked)
		}
		if keepFirst == 0 && !strings.HasPrefix(f.Masked, "*") {
			t.Fatalf("leading digit visible in %q", f.Masked)
		}
	}
	if got, want := strings.Count(res.Text, "\n"), strings.Count(in, "\n"); got != want {
		t.Fatalf("lines changed: %d -> %d", want, got)
	}
	if utf8.ValidString(in) && !utf8.ValidString(res.Text) {
		t.Fatalf("output is not valid UTF-8: %q", res.Text)
	}
	if len(res.Text) > len(in) {
		t.Fatalf("output grew: %q -> %q", in, res.Text)
	}
	for _, f := range res.Findings {
		if f.Start < 0 || f.Start > f.End || f.End > len(res.Text) || res.Text[f.Start:f.End] != f.Masked {
			t.Fatalf("finding %v does not match output %q", f, res.Text)
		}
	}
	again := r.Redact(res.Text)
	if again.Text != res.Text {
		t.Fatalf("masking twice changes the text:\n in: %q\n 1st: %q\n 2nd: %q", in, res.Text, again.Text)
	}
	if r.Contains(res.Text) {
		t.Fatalf("something detectable remains in %q", res.Text)
	}
	if _, blocked := r.ScanText([]byte(res.Text)); blocked {
		t.Fatalf("a card remains in %q", res.Text)
	}
}

// FuzzRedact checks the default masker: it never panics, keeps the lines,
// is idempotent and leaves nothing detectable. SPEC P1 SPEC P4
func FuzzRedact(f *testing.F) {
	addSeeds(f)
	r := newRedactor(f, compliance.Config{})
	f.Fuzz(func(t *testing.T, in string) {
		checkMasked(t, r, in, r.Redact(in), 0)
	})
}

// FuzzRedactConfigured checks the masker with first six and last four
// visible, masked codes and every PII detector. SPEC P3
func FuzzRedactConfigured(f *testing.F) {
	addSeeds(f)
	r := newRedactor(f, compliance.Config{KeepFirst: 6, CVV: compliance.CVVMask, Detectors: allDetectors()})
	f.Fuzz(func(t *testing.T, in string) {
		checkMasked(t, r, in, r.Redact(in), 6)
	})
}

// FuzzScanText checks the detector on arbitrary bytes: it never panics and
// agrees with the masker. SPEC P2
func FuzzScanText(f *testing.F) {
	addSeeds(f)
	r := newRedactor(f, compliance.Config{})
	f.Fuzz(func(t *testing.T, in string) {
		_, blocked := r.ScanText([]byte(in))
		hasCard := false
		for _, fd := range r.Redact(in).Findings {
			hasCard = hasCard || fd.Kind == compliance.KindCard
		}
		if blocked != hasCard {
			t.Fatalf("ScanText says %v, Redact found a card: %v", blocked, hasCard)
		}
	})
}

// FuzzRedactNext checks split detection over two messages: no panic,
// lines kept, corrections only of the earlier message, nothing detectable
// left in either. SPEC P4
func FuzzRedactNext(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "1111 1111")
		f.Add("4111 1111", s)
	}
	f.Add("4111", "1111 1111 1111 12/27 123")
	r := newRedactor(f, compliance.Config{})
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, a, b string) {
		first, tail, err := r.RedactNext(compliance.Tail{}, compliance.Message{ID: "a", Sender: "s", Text: a, At: at})
		if err != nil {
			t.Fatal(err)
		}
		checkMasked(t, r, a, first.Result, 0)
		next, _, err := r.RedactNext(tail, compliance.Message{ID: "b", Sender: "s", Text: b, At: at.Add(time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Count(next.Text, "\n"), strings.Count(b, "\n"); got != want {
			t.Fatalf("lines changed: %d -> %d", want, got)
		}
		if r.Contains(next.Text) {
			t.Fatalf("something detectable remains in %q", next.Text)
		}
		for _, c := range next.Corrections {
			if c.ID != "a" {
				t.Fatalf("correction of unknown message %q", c.ID)
			}
			if strings.Count(c.Text, "\n") != strings.Count(a, "\n") || len(c.Text) > len(first.Text) {
				t.Fatalf("correction %q does not fit %q", c.Text, first.Text)
			}
			if r.Contains(c.Text) {
				t.Fatalf("something detectable remains in correction %q", c.Text)
			}
		}
	})
}

// FuzzUnicodeDigits checks that digits of another script are treated
// exactly like ASCII digits: masking the fullwidth form of a text gives the
// fullwidth form of the masked text. It also cross-checks the ASCII fast
// paths of the scanner against the general one. SPEC P4
func FuzzUnicodeDigits(f *testing.F) {
	addSeeds(f)
	r := newRedactor(f, compliance.Config{})
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return // the rewriting to fullwidth would change invalid bytes
		}
		ascii := r.Redact(in)
		wide := r.Redact(toScript(in, '０'))
		if want := toScript(ascii.Text, '０'); wide.Text != want {
			t.Fatalf("scripts differ:\n ascii: %q\n  wide: %q\n  want: %q", ascii.Text, wide.Text, want)
		}
		if len(ascii.Findings) != len(wide.Findings) {
			t.Fatalf("findings differ: %v vs %v", ascii.Findings, wide.Findings)
		}
	})
}
