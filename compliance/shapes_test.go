package compliance_test

import (
	"testing"

	"github.com/switchboard-cc/switchboard/compliance"
)

// SPEC P4: separators of several kinds inside one number ("5555
// 5555-5555 4444") are accepted when every group has at least three
// digits; shorter groups with mixed separators are prices, dates and times.
func TestRedactMixedSeparators(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	checkShapes(t, r, map[string][2]string{
		"SpaceDash":        {"5555 5555-5555 4444", "**** ****-**** 4444"},
		"DotSpaceDash":     {"4111.1111 1111-1111", "****.**** ****-1111"},
		"SpaceDashDot":     {"4111 1111-1111.1111", "**** ****-****.1111"},
		"SpacedDashThenSp": {"4111 - 1111-1111 1111", "**** - ****-**** 1111"},
		"AmexLayout":       {"3782-822463 10005", "****-****** *0005"},
		"UnicodeSeps":      {"4111\u00a01111\u20131111 1111", "****\u00a0****\u2013**** 1111"},
		"NineteenDigits":   {"6799 9901-0000.0000 019", "**** ****-****.***0 019"},
		"InSentence":       {"my card is 5555-5555 5555-4444, thanks", "my card is ****-**** ****-4444, thanks"},
		"ShortGroups":      {"4111 11-11 1111.1111", "4111 11-11 1111.1111"},
		"PriceDate":        {"paid 404.21 2024-01-06", "paid 404.21 2024-01-06"},
		"PriceDateTime":    {"404.21 2024-01-06 12:30 9.99", "404.21 2024-01-06 12:30 9.99"},
		"OrderThenDate":    {"#123456 2024-01-06", "#123456 2024-01-06"},
		"DecimalAtEnd":     {"4111 1111-1111 111.25", "4111 1111-1111 111.25"},
	})
}

// SPEC P4: 19-digit numbers in groups that are neither 4-4-4-4-3 nor a
// printed layout are found, with one kind of separator or with mixed kinds
// and groups of at least three digits.
func TestRedactIrregular19(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := map[string][2]string{}
	for _, pan := range []string{"6799990100000000019", luhnComplete("4", 19), luhnComplete("6011", 19), luhnComplete("6703", 19)} {
		for _, layout := range [][]int{{4, 4, 4, 4, 3}, {6, 13}, {4, 4, 4, 7}, {5, 5, 5, 4}, {3, 16}, {7, 12}, {8, 11}, {9, 10}, {2, 17}, {1, 18}, {4, 15}, {6, 6, 7}, {3, 3, 3, 3, 3, 4}} {
			for _, sep := range []string{" ", "-", ".", " - ", "\u00a0"} {
				text := layoutOf(pan, layout, sep)
				cases[pan+"/"+text] = [2]string{"pay " + text + " now", "pay " + maskKeep(text, 4) + " now"}
			}
			if layout[0] >= 3 && len(layout) > 2 {
				text := layoutOf(pan, layout, " ")
				text = text[:layout[0]] + "-" + text[layout[0]+1:] // mixed kinds
				cases[pan+"/mixed/"+text] = [2]string{"pay " + text + " now", "pay " + maskKeep(text, 4) + " now"}
			}
		}
	}
	// Too long, too many loose digits before, or not valid: no card.
	for _, trap := range []string{
		"6799 9901 0000 0000 0190",      // 20 digits
		"12345 6799 9901 0000 0000 019", // a longer number
		"6799990 100000000010",          // wrong check digit
		"SIM " + layoutOf(withCheck("894412345678901234"), []int{6, 13}, " "), // ICCID
	} {
		cases["trap/"+trap] = [2]string{trap, trap}
	}
	checkShapes(t, r, cases)
}

// layoutOf writes pan in groups of the given sizes joined by sep.
func layoutOf(pan string, sizes []int, sep string) string {
	out := ""
	for i, n := range sizes {
		if i > 0 {
			out += sep
		}
		out += pan[:n]
		pan = pan[n:]
	}
	return out
}
