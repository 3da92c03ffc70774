package compliance_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// checkShapes runs each case in every digit script: in is masked to want
// (equal to in for a case that must stay untouched).
func checkShapes(t *testing.T, r *compliance.Redactor, cases map[string][2]string) {
	t.Helper()
	for name, c := range cases {
		for script, zero := range digitScripts {
			t.Run(name+"/"+script, func(t *testing.T) {
				t.Parallel()
				in, want := toScript(c[0], zero), toScript(c[1], zero)
				res := r.Redact(in)
				require.Equal(t, want, res.Text)
				require.Equal(t, in != want, r.Contains(in))
				_, blocked := r.ScanText([]byte(in))
				require.Equal(t, in != want, blocked)
				require.Equal(t, res.Text, r.Redact(res.Text).Text, "masking twice changes nothing")
			})
		}
	}
}

// SPEC P4: a number glued to a word is masked when its digits alone are a
// card and the word is letters only: a missing space after a label or
// before "exp" does not hide a card.
func TestRedactGluedToWord(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	checkShapes(t, r, map[string][2]string{
		"WordBefore":           {"CARD4111111111111111", "CARD************1111"},
		"WordBeforeGrouped":    {"card4111 1111 1111 1111 thanks", "card**** **** **** 1111 thanks"},
		"HashBefore":           {"card#4111111111111111", "card#************1111"},
		"BrandWord":            {"visa5555-5555-5555-4444.", "visa****-****-****-4444."},
		"AnyWord":              {"my pan is ccnum378282246310005", "my pan is ccnum***********0005"},
		"WordAfter":            {"4111111111111111exp 06/17", "************1111exp **/**"},
		"WordAfterGrouped":     {"5555 5555 5555 4444exp 12/27 cvv 123", "**** **** **** 4444exp **/** cvv "},
		"CardWordBothSides":    {"CARD4111111111111111exp 06/17", "CARD************1111exp **/**"},
		"NewMaestroGlued":      {"maestro6799990100000000019", "maestro***************0019"},
		"TwoCardsWordsBetween": {"4111111111111111and 5555555555554444", "************1111and ************4444"},
		"AfterOtherScript":     {"カードCARD4111111111111111です", "カードCARD************1111です"},
		"HexStringBeside":      {"abcdef-4111111111111111-abcdef4111111111111111", "abcdef-************1111-abcdef4111111111111111"},
		"FarFromAddress":       {"card4111111111111111-" + strings.Repeat("x", 70) + "@example.com", "card************1111-" + strings.Repeat("x", 70) + "@example.com"},
	})
}

// SPEC P4: a run of digits inside an identifier stays untouched, even
// where its digits alone would be a card: letters and digits interleaved,
// letters on both sides, a hexadecimal string, an IBAN, a URL, an e-mail
// address, a word after '_'.
func TestRedactGluedIdentifiers(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := map[string][2]string{
		"Interleaved":          {"ab12cd4111111111111111ef"},
		"DigitsInWordBefore":   {"x9y4111111111111111"},
		"DigitsInWordAfter":    {"4111111111111111exp06 more"},
		"LettersBothSides":     {"a4111111111111111b"},
		"HexPrefix":            {"0x4111111111111111"},
		"HashHexLetters":       {"sha1 deadbeefcafe4111111111111111abcdef01234567"},
		"HashHexOnlyLetters":   {"commit abcdefabcdefabcdef4111111111111111"},
		"EmailLocalPart":       {"write to jane4111111111111111@example.com"},
		"EmailAfterWord":       {"4111111111111111abc@example.com"},
		"URLPath":              {"https://shop.example/card4111111111111111"},
		"URLNoScheme":          {"www.shop.example/card4111111111111111"},
		"AbsolutePath":         {"GET /cards/pan4111111111111111 HTTP/1.1"},
		"Underscore":           {"user_4111111111111111 and 4111111111111111_tmp"},
		"HexWordAfter":         {"value 4111111111111111abcdef"},
		"LongWord":             {"abcdefghijklmnopqrstuvwxyz4111111111111111"},
		"LooseDigitsAfterWord": {"XX00 4111 1111 1111 1111"},
		"TrapWordGlued":        {"order4111111111111111 imei490154203237518"},
		"IBANWithCardDigits":   {"IBAN " + ibanShapedCard(t)},
	}
	for name, c := range cases {
		cases[name] = [2]string{c[0], c[0]}
	}
	checkShapes(t, r, cases)
}

// ibanShapedCard returns a Danish IBAN, two letters and 16 digits, whose
// digits alone are a Luhn-valid Visa number.
func ibanShapedCard(t *testing.T) string {
	t.Helper()
	for n := 0; n < 1_000_000; n++ {
		bban := "11111111" + string(rune('0'+n/100000%10)) + string(rune('0'+n/10000%10)) + string(rune('0'+n/1000%10)) + string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
		r := 0
		for _, c := range bban + "1320" + "00" { // D=13, K=20
			r = (r*10 + int(c-'0')) % 97
		}
		check := 98 - r
		if check != 41 {
			continue
		}
		digits := "41" + bban
		if luhnCheckDigit(digits[:15]) == int(digits[15]-'0') {
			return "DK" + digits
		}
	}
	t.Fatal("no IBAN-shaped card found")
	return ""
}
