package compliance_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

const (
	visa       = "4111111111111111"
	mastercard = "5555555555554444"
	amex       = "378282246310005"
)

// SPEC P1 SPEC P4: card numbers are masked with any grouping of the
// supported separators, inside sentences, several per message; digits are
// replaced and every other byte is kept.
func TestRedactSeparators(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := map[string]string{
		"Plain":                 visa,
		"Spaces":                "4111 1111 1111 1111",
		"Dashes":                "4111-1111-1111-1111",
		"Dots":                  "4111.1111.1111.1111",
		"NoBreakSpace":          "4111\u00a01111\u00a01111\u00a01111",
		"NarrowNoBreakSpace":    "4111\u202f1111\u202f1111\u202f1111",
		"IdeographicSpace":      "4111\u30001111\u30001111\u30001111",
		"ThinAndFigureSpace":    "4111\u20091111\u20071111\u20091111",
		"EnDash":                "4111\u20131111\u20131111\u20131111",
		"SpaceDashSpace":        "4111 - 1111 - 1111 - 1111",
		"ThreeSpaces":           "4111   1111   1111   1111",
		"MixedSpaces":           "4111\u00a01111 1111\u202f1111",
		"MixedKinds":            "4111 1111-1111.1111",
		"IrregularGroups":       "41 1111111 11111 11",
		"AmexGrouping":          "3782 822463 10005",
		"DinersGrouping":        "3056 930902 5904",
		"EveryDigitSeparated":   "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
		"MastercardTwoSeries":   "2223 0031 2200 3222",
		"NineteenDigits":        luhnComplete("4", 19),
		"EighteenDigitDiscover": luhnComplete("6011", 18),
	}
	for name, number := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text := "Hi, my card is " + number + ", thanks!"
			res := r.Redact(text)
			require.Equal(t, "Hi, my card is "+maskKeep(number, 4)+", thanks!", res.Text)
			require.Len(t, res.Findings, 1)
			f := res.Findings[0]
			require.Equal(t, maskKeep(number, 4), f.Masked)
			require.Equal(t, f.Masked, res.Text[f.Start:f.End])
			require.True(t, r.Contains(text))
		})
	}
}

// SPEC P4: four or more separators in a row end the number.
func TestRedactSeparatorRunTooLong(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	text := "4111    1111    1111    1111"
	require.Equal(t, text, r.Redact(text).Text)
}

// SPEC P4: digits of every script are read; masking replaces each original
// character, whatever its width, by one '*' and leaves every other byte,
// separators included, identical.
func TestRedactUnicodeDigits(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	scripts := map[string]rune{
		"Fullwidth":           '０',
		"ArabicIndic":         '٠',
		"ExtendedArabicIndic": '۰',
		"Devanagari":          '०',
		"Bengali":             '০',
		"Thai":                '๐',
		"MathematicalBold":    '𝟎',
	}
	seps := map[string]string{"NoBreak": "\u00a0", "NarrowNoBreak": "\u202f", "Ideographic": "\u3000", "Space": " "}
	for sname, zero := range scripts {
		for pname, sep := range seps {
			t.Run(sname+"/"+pname, func(t *testing.T) {
				t.Parallel()
				number := toScript(group(visa, sep), zero)
				text := "カード番号" + number + "です。 رقم البطاقة " + number
				res := r.Redact(text)
				want := "カード番号" + maskKeep(number, 4) + "です。 رقم البطاقة " + maskKeep(number, 4)
				require.Equal(t, want, res.Text)
				require.Len(t, res.Findings, 2)
				for _, f := range res.Findings {
					require.Equal(t, "Visa", f.Brand)
					require.Equal(t, res.Text[f.Start:f.End], f.Masked)
				}
			})
		}
	}
}

// SPEC P4: several numbers per message, each validated on its own.
func TestRedactSeveral(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	text := "first " + visa + ", second " + group(mastercard, " ") + "; amex " + amex + " and not 1234 5678."
	res := r.Redact(text)
	require.Equal(t, "first "+maskKeep(visa, 4)+", second "+maskKeep(group(mastercard, " "), 4)+"; amex "+maskKeep(amex, 4)+" and not 1234 5678.", res.Text)
	require.Len(t, res.Findings, 3)
	require.Equal(t, []string{"Visa", "Mastercard", "American Express"}, []string{res.Findings[0].Brand, res.Findings[1].Brand, res.Findings[2].Brand})

	t.Run("SeparatedBySpaceOnly", func(t *testing.T) {
		t.Parallel()
		res := r.Redact(visa + " " + mastercard)
		require.Equal(t, maskKeep(visa, 4)+" "+maskKeep(mastercard, 4), res.Text)
	})
	t.Run("OtherDigitsBetween", func(t *testing.T) {
		t.Parallel()
		res := r.Redact(visa + " 12345678 " + mastercard)
		require.Equal(t, maskKeep(visa, 4)+" 12345678 "+maskKeep(mastercard, 4), res.Text)
	})
	t.Run("LeadingCount", func(t *testing.T) {
		t.Parallel()
		res := r.Redact("2 4111 1111 1111 1111")
		require.Equal(t, "2 **** **** **** 1111", res.Text)
	})
}

// SPEC P4: short numbers (times, prices, dates) next to a card do not hide
// it, even where the separators change kind right before the card, and a
// long run of them is still no card.
func TestRedactShortNumbersNextToCard(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := map[string]struct{ in, want string }{
		"DashThenSpaces":  {"12-5018 0000 0009", "12-**** **** 0009"},
		"PriceThenSpaces": {"1.23 5018 0000 0009", "1.23 **** **** 0009"},
		"TimeThenDashes":  {"12:30 5018-0000-0009 x", "12:30 ****-****-0009 x"},
		"OrderThenDate":   {"#123456 2024-01-06", "#123456 2024-01-06"},
		"PriceDateTime":   {"404.21 2024-01-06 12:30 9.99", "404.21 2024-01-06 12:30 9.99"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, r.Redact(c.in).Text)
			require.Equal(t, c.in != c.want, r.Contains(c.in))
		})
	}
}

// SPEC P4: numbers that look like cards but are something else stay
// untouched.
func TestRedactTraps(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	uatpShaped := luhnComplete("10", 15) // an IMEI with reporting body 10 has this shape
	cases := map[string]string{
		"MillisecondTimestamp":  "created at 1700000000000 ms",
		"MicrosecondTimestamp":  "ts=1700000000000000",
		"PhoneAfterPlus":        "call +44 7911 123456 or +4111111111111111",
		"PhoneNoPlus":           "call 0044 7911 123456",
		"URLPath":               "see https://shop.example/orders/4111111111111111/status",
		"URLPathNoScheme":       "GET /api/cards/4111111111111111 HTTP/1.1",
		"URLWWW":                "www.example.com/4111111111111111",
		"IBANGrouped":           "IBAN DE89 3704 0044 0532 0130 00",
		"IBANPlain":             "GB33BUKB20201555555555",
		"IBANWithCardDigits":    "XX00 4111 1111 1111 1111",
		"IMEI":                  "IMEI 490154203237518",
		"IMEIKeyword":           "IMEI: " + uatpShaped,
		"ICCID":                 "SIM 8944 1234 5678 9012 3456",
		"ICCIDPlain":            "89441234567890123456",
		"TrackingUSPS":          "9400 1000 0000 0000 0000 00",
		"TrackingKeyword":       "tracking number 4111 1111 1111 1111",
		"OrderKeyword":          "Order #4111111111111111",
		"OrderKeywordNo":        "order no. 4111111111111111",
		"InvoiceKeyword":        "invoice: 4111-1111-1111-1111",
		"DecimalFraction":       "pi is 0.4111111111111111",
		"DecimalInteger":        "total 4111111111111111.25",
		"Date":                  "on 2024-01-15 at 10:30",
		"PriceThenDate":         "paid 404.21 2024-01-06",
		"MixedKindsShortGroups": "4111 11-11 1111.1111",
		"DateDots":              "15.01.2024",
		"AlreadyMasked":         "card **** **** **** 1111",
		"AlreadyMaskedFirst6":   "card 411111******1111",
		"MaskedWithX":           "card XXXX-XXXX-XXXX-1111 or 411111xxxxxx1111",
		"PartlyMasked":          "4111 11** **** 1111",
		"Hex":                   "0x4111111111111111",
		"GluedLetters":          "a4111111111111111b",
		"GluedToLongerNumber":   "41111111111111111111",
		"SubWindowOfLong":       "1" + visa + "1",
		"LongNumberGroups":      "1234 5678 9012 " + group(visa, " "),
		"WrongLuhn":             "4111 1111 1111 1112",
		"WrongLength":           luhnComplete("4", 15),
		"ShortNumbers":          "room 101, 2 nights at 129.99, code 4411",
		"OrderIDPlainNoBrand":   "ref 9876543210123456",
		"ProductCodeNoBrand":    "SKU 0000123456789012",
		"NumberWithStarPadding": "*" + visa,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := r.Redact(text)
			require.Equal(t, text, res.Text)
			require.Empty(t, res.Findings)
			require.False(t, r.Contains(text))
			_, blocked := r.ScanText([]byte(text))
			require.False(t, blocked)
		})
	}
	t.Run("UATPShapedWithoutKeywordIsACard", func(t *testing.T) {
		t.Parallel()
		require.True(t, r.Contains("number "+uatpShaped))
	})
	t.Run("TrapWordsCanBeDisabled", func(t *testing.T) {
		t.Parallel()
		r := newRedactor(t, compliance.Config{TrapWords: []string{}})
		require.True(t, r.Contains("order "+visa))
	})
	t.Run("TrapWordFurtherBackDoesNotHide", func(t *testing.T) {
		t.Parallel()
		require.True(t, r.Contains("my order was paid with "+visa))
	})
}

// SPEC P1: security codes are removed and expiry dates masked, next to a
// card or after a security-code word.
func TestRedactCVVAndExpiry(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := []struct{ name, in, want string }{
		{"AfterCard", "4111 1111 1111 1111 123", "**** **** **** 1111 "},
		{"ExpiryAndCVV", "4111 1111 1111 1111 12/27 123", "**** **** **** 1111 **/** "},
		{"Labelled", "card 4111111111111111 exp 12/2027 cvv 987.", "card ************1111 exp **/**** cvv ."},
		{"CVVFirst", "4111111111111111, cvc 1234, expires 01-28", "************1111, cvc , expires **-**"},
		{"KeywordOnly", "my CVV is 123", "my CVV is "},
		{"SecurityCode", "security code: 4321", "security code: "},
		{"CVV2", "cvv2 555", "cvv2 "},
		{"Unicode", "４１１１ １１１１ １１１１ １１１１ １２/２７ ９８７", "**** **** **** １１１１ **/** "},
		{"NotACodeWithoutContext", "I have 123 apples", "I have 123 apples"},
		{"CodeWordWithoutQualifier", "zip code 12345, code 123", "zip code 12345, code 123"},
		{"FarAfterCard", "4111111111111111 and then a long while later 123", "************1111 and then a long while later 123"},
		{"NextLine", "4111111111111111\n123", "************1111\n123"},
		{"NotAMonth", "4111111111111111 13/27", "************1111 13/27"},
		{"CodesInARow", "CvC 000#000", "CvC #"},
		{"CodesInARowAfterCard", "4111111111111111 cvv 123#456, ok", "************1111 cvv #, ok"},
		{"CodeThenOtherNumber", "cvv 123, order 4567", "cvv , order 4567"},
		{"CodeLabelThroughARemovedCode", "CVC 123 code 456", "CVC  code "},
		{"CodeLabelThroughARemovedCodeGlued", "CvC 000 Code0 000", "CvC  Code0 "},
		// Removing the code would join the broken UTF-8 around it into a
		// digit (U+096A), which a second masking would take for part of a
		// card: the code is masked instead.
		{"RemovalWouldJoinBrokenBytes", "4111 1111 1111 1111 \xe0123\xa5\xaa", "**** **** **** 1111 \xe0***\xa5\xaa"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := r.Redact(c.in).Text
			require.Equal(t, c.want, got)
			require.Equal(t, got, r.Redact(got).Text, "masking twice changes nothing")
		})
	}

	t.Run("Policies", func(t *testing.T) {
		t.Parallel()
		in := "4111111111111111 12/27 123"
		for _, p := range []struct {
			cfg  compliance.Config
			want string
		}{
			{compliance.Config{CVV: compliance.CVVMask}, "************1111 **/** ***"},
			{compliance.Config{CVV: compliance.CVVKeep}, "************1111 **/** 123"},
			{compliance.Config{Expiry: compliance.ExpiryKeep}, "************1111 12/27 "},
			{compliance.Config{Expiry: compliance.ExpiryRemove, CVV: compliance.CVVKeep}, "************1111  123"},
		} {
			require.Equal(t, p.want, newRedactor(t, p.cfg).Redact(in).Text)
		}
		// An expiry date whose removal would join broken UTF-8 into a
		// character is masked instead.
		remove := newRedactor(t, compliance.Config{Expiry: compliance.ExpiryRemove, CVV: compliance.CVVKeep})
		require.Equal(t, "************1111 \xe0**/**\xa5\xaa", remove.Redact("4111111111111111 \xe012/27\xa5\xaa").Text)
		require.Equal(t, "cvv 123", newRedactor(t, compliance.Config{CVV: compliance.CVVKeep}).Redact("cvv 123").Text)
	})
	t.Run("Findings", func(t *testing.T) {
		t.Parallel()
		res := r.Redact("4111111111111111 12/27 123")
		require.Len(t, res.Findings, 3)
		require.Equal(t, compliance.KindExpiry, res.Findings[1].Kind)
		require.Equal(t, "**/**", res.Findings[1].Masked)
		require.Equal(t, compliance.KindCVV, res.Findings[2].Kind)
		require.Equal(t, res.Findings[2].Start, res.Findings[2].End)
		require.Equal(t, len(res.Text), res.Findings[2].Start)
	})
}

// SPEC P1: masking keeps the configured digits, never more than the first
// six and last four, and always hides at least six.
func TestRedactMaskingConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  compliance.Config
		in   string
		want string
	}{
		{"DefaultLast4", compliance.Config{}, "4111 1111 1111 1111", "**** **** **** 1111"},
		{"First6Last4", compliance.Config{KeepFirst: 6, KeepLast: 4}, "4111 1111 1111 1111", "4111 11** **** 1111"},
		{"First6Last4Thirteen", compliance.Config{KeepFirst: 6}, "4222222222222", "422******2222"},
		{"First6Last4Twelve", compliance.Config{KeepFirst: 6}, luhnComplete("5018", 12), "50******" + luhnComplete("5018", 12)[8:]},
		{"Last2", compliance.Config{KeepLast: 2}, "4111111111111111", "**************11"},
		{"None", compliance.Config{KeepLast: -1}, "4111-1111-1111-1111", "****-****-****-****"},
		{"First4", compliance.Config{KeepFirst: 4, KeepLast: -1}, "4111111111111111", "4111************"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := newRedactor(t, c.cfg).Redact(c.in)
			require.Equal(t, c.want, res.Text)
			require.GreaterOrEqual(t, strings.Count(res.Text, "*"), compliance.MinHidden)
		})
	}
}

// SPEC P1: a configuration that would show too much is refused with a
// clear error.
func TestNewErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  compliance.Config
		err  error
	}{
		{"KeepFirst7", compliance.Config{KeepFirst: 7}, compliance.ErrKeepTooMany},
		{"KeepLast5", compliance.Config{KeepLast: 5}, compliance.ErrKeepTooMany},
		{"KeepFirstNegative", compliance.Config{KeepFirst: -1}, compliance.ErrKeepNegative},
		{"KeepLastBelowMinusOne", compliance.Config{KeepLast: -2}, compliance.ErrKeepNegative},
		{"CVVPolicy", compliance.Config{CVV: 7}, compliance.ErrPolicy},
		{"ExpiryPolicy", compliance.Config{Expiry: -1}, compliance.ErrPolicy},
		{"NilDetector", compliance.Config{Detectors: []compliance.Detector{nil}}, compliance.ErrDetector},
		{"SplitMessages", compliance.Config{Split: compliance.SplitConfig{Messages: -2}}, compliance.ErrSplitWindow},
		{"SplitWithin", compliance.Config{Split: compliance.SplitConfig{Within: -1}}, compliance.ErrSplitWindow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, err := compliance.New(c.cfg)
			require.Nil(t, r)
			require.ErrorIs(t, err, c.err)
			require.True(t, strings.HasPrefix(err.Error(), "compliance: "), err.Error())
		})
	}
}

// SPEC P2: the attachment scan reports card numbers with a reason that
// never holds the number, on large inputs too.
func TestScanText(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})

	reason, blocked := r.ScanText([]byte("invoice total 129.99\npaid with " + group(visa, " ") + "\n"))
	require.True(t, blocked)
	require.Equal(t, "payment card number", reason)
	require.NotContains(t, reason, "1111")

	reason, blocked = r.ScanText([]byte("nothing to see, order 12345, call +44 7911 123456"))
	require.False(t, blocked)
	require.Empty(t, reason)

	t.Run("Large", func(t *testing.T) {
		t.Parallel()
		big := bytes.Repeat([]byte("lorem ipsum 2024-01-15 dolor 12345 sit amet\n"), 500_000) // 22 MB
		_, blocked := r.ScanText(big)
		require.False(t, blocked)
		big = append(big, "last line "+mastercard...)
		reason, blocked := r.ScanText(big)
		require.True(t, blocked)
		require.Equal(t, string(compliance.KindCard), reason)
	})
	t.Run("BlockingDetector", func(t *testing.T) {
		t.Parallel()
		r := newRedactor(t, compliance.Config{
			Detectors: []compliance.Detector{compliance.EmailDetector{}, compliance.PhoneDetector{}},
			Block:     []compliance.Kind{compliance.KindEmail},
		})
		reason, blocked := r.ScanText([]byte("write to jane.doe@example.com"))
		require.True(t, blocked)
		require.Equal(t, "email address", reason)
		_, blocked = r.ScanText([]byte("call +44 7911 123456"))
		require.False(t, blocked, "phone numbers are masked but do not block")
	})
	t.Run("MatchesRedact", func(t *testing.T) {
		t.Parallel()
		for _, s := range []string{visa, "x " + amex + " y", "nothing", "cvv 123"} {
			_, blocked := r.ScanText([]byte(s))
			hasCard := false
			for _, f := range r.Redact(s).Findings {
				hasCard = hasCard || f.Kind == compliance.KindCard
			}
			require.Equal(t, hasCard, blocked, s)
		}
	})
}

// SPEC P1: nothing found means the input comes back as is, without
// allocating.
func TestRedactNothingFound(t *testing.T) { // not parallel: AllocsPerRun needs the process to itself
	r := newRedactor(t, compliance.Config{})
	text := "Hello, I ordered 3 items on 2024-01-15 for 59.90 EUR, order 123456, rooms 101, 102; 4111 1111."
	res := r.Redact(text)
	require.Equal(t, text, res.Text)
	require.Nil(t, res.Findings)
	require.False(t, res.Found())
	allocs := testing.AllocsPerRun(100, func() {
		_ = r.Redact(text)
		_ = r.Contains(text)
		_, _ = r.ScanText([]byte("no card here 12345"))
	})
	require.Zero(t, allocs)
}
