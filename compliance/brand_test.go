package compliance_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

// expectedBrand applies the documented rule to the brand table: the
// longest matching prefix wins, then the brand listed first.
func expectedBrand(brands []compliance.Brand, pan string) string {
	best, bestLen := "", 0
	for _, b := range brands {
		okLen := false
		for _, n := range b.Lengths {
			okLen = okLen || n == len(pan)
		}
		if !okLen {
			continue
		}
		for _, spec := range b.IIN {
			lo, hi, found := strings.Cut(spec, "-")
			if !found {
				hi = lo
			}
			p, _ := strconv.Atoi(pan[:len(lo)])
			l, _ := strconv.Atoi(lo)
			h, _ := strconv.Atoi(hi)
			if p >= l && p <= h && len(lo) > bestLen {
				best, bestLen = b.Name, len(lo)
			}
		}
	}
	return best
}

// SPEC P4: every brand of the table, at both ends of every prefix range and
// at every allowed length, is found and validated; the same number with a
// wrong check digit or a length the brand does not issue is left alone.
func TestBrandTable(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	brands := compliance.DefaultBrands()
	for _, b := range brands {
		for _, spec := range b.IIN {
			lo, hi, found := strings.Cut(spec, "-")
			if !found {
				hi = lo
			}
			for _, prefix := range []string{lo, hi} {
				for _, n := range b.Lengths {
					pan := luhnComplete(prefix, n)
					t.Run(fmt.Sprintf("%s/%s/%d", b.Name, prefix, n), func(t *testing.T) {
						t.Parallel()
						text := "pay with " + pan + " please"
						res := r.Redact(text)
						require.Len(t, res.Findings, 1)
						f := res.Findings[0]
						require.Equal(t, compliance.KindCard, f.Kind)
						require.Equal(t, expectedBrand(brands, pan), f.Brand)
						require.Equal(t, n, f.Digits)
						require.Equal(t, "pay with "+maskKeep(pan, 4)+" please", res.Text)

						wrong := breakLuhn(pan)
						require.Equal(t, "pay with "+wrong, r.Redact("pay with "+wrong).Text, "wrong Luhn digit")
					})
				}
			}
		}
	}
}

// SPEC P4: lengths a brand does not issue are rejected even with a valid
// Luhn digit.
func TestBrandWrongLength(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := []struct {
		prefix string
		n      int
	}{
		{"4", 14}, {"4", 15}, {"4", 17}, {"4", 18}, // Visa: 13, 16, 19
		{"51", 15}, {"51", 17}, {"2221", 18}, // Mastercard: 16
		{"34", 16}, {"37", 14}, // Amex: 15
		{"3528", 15}, // JCB: 16-19
		{"1", 16},    // UATP: 15
	}
	for _, c := range cases {
		pan := luhnComplete(c.prefix, c.n)
		t.Run(pan, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, expectedBrand(compliance.DefaultBrands(), pan), "", "test case must be a length no brand issues")
			require.False(t, r.Contains(pan))
			require.Equal(t, pan, r.Redact(pan).Text)
		})
	}
}

// SPEC P4: published test numbers of the major brands.
func TestKnownTestNumbers(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := []struct{ pan, brand string }{
		{"4111111111111111", "Visa"},
		{"4012888888881881", "Visa"},
		{"4222222222222", "Visa"},
		{"5555555555554444", "Mastercard"},
		{"5105105105105100", "Mastercard"},
		{"2223003122003222", "Mastercard"},
		{"2720992720992729", "Mastercard"},
		{"378282246310005", "American Express"},
		{"371449635398431", "American Express"},
		{"30569309025904", "Diners Club"},
		{"38520000023237", "Diners Club"},
		{"6011111111111117", "Discover"},
		{"6011000990139424", "Discover"},
		{"3530111333300000", "JCB"},
		{"3566002020360505", "JCB"},
		{"6200000000000005", "UnionPay"},
		{"6759649826438453", "Maestro"},
		{"2200000000000004", "Mir"},
		{"122000000000003", "UATP"},
		{"5019717010103742", "Dankort"},
	}
	for _, c := range cases {
		t.Run(c.brand+"/"+c.pan, func(t *testing.T) {
			t.Parallel()
			res := r.Redact(c.pan)
			require.Len(t, res.Findings, 1)
			require.Equal(t, c.brand, res.Findings[0].Brand)
			require.Equal(t, maskKeep(c.pan, 4), res.Text)
		})
	}
}

// SPEC P4: the brand table is data users can override.
func TestBrandOverride(t *testing.T) {
	t.Parallel()
	private := luhnComplete("9999", 16)
	mastercard := "5555555555554444"

	t.Run("Append", func(t *testing.T) {
		t.Parallel()
		brands := append(compliance.DefaultBrands(), compliance.Brand{Name: "Store card", IIN: []string{"9999"}, Lengths: []int{16}})
		r := newRedactor(t, compliance.Config{Brands: brands})
		res := r.Redact(private + " " + mastercard)
		require.Len(t, res.Findings, 2)
		require.Equal(t, "Store card", res.Findings[0].Brand)
		require.Equal(t, "Mastercard", res.Findings[1].Brand)
	})
	t.Run("Replace", func(t *testing.T) {
		t.Parallel()
		r := newRedactor(t, compliance.Config{Brands: []compliance.Brand{{Name: "Visa", IIN: []string{"4"}, Lengths: []int{16}}}})
		require.False(t, r.Contains(mastercard))
		require.False(t, r.Contains(private))
		require.True(t, r.Contains("4111111111111111"))
	})
	t.Run("DefaultBrandsIsACopy", func(t *testing.T) {
		t.Parallel()
		b := compliance.DefaultBrands()
		b[0].Name = "changed"
		require.Equal(t, "Visa", compliance.DefaultBrands()[0].Name)
	})
}

func TestBrandErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]compliance.Brand{
		"EmptyName":    {Name: " ", IIN: []string{"4"}, Lengths: []int{16}},
		"NoIIN":        {Name: "x", Lengths: []int{16}},
		"NoLength":     {Name: "x", IIN: []string{"4"}},
		"ShortLength":  {Name: "x", IIN: []string{"4"}, Lengths: []int{11}},
		"LongLength":   {Name: "x", IIN: []string{"4"}, Lengths: []int{20}},
		"UnequalRange": {Name: "x", IIN: []string{"4-55"}, Lengths: []int{16}},
		"Reversed":     {Name: "x", IIN: []string{"55-51"}, Lengths: []int{16}},
		"NotDigits":    {Name: "x", IIN: []string{"4a"}, Lengths: []int{16}},
		"TooLong":      {Name: "x", IIN: []string{"123456789"}, Lengths: []int{16}},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := compliance.New(compliance.Config{Brands: []compliance.Brand{b}})
			require.Nil(t, r)
			require.ErrorIs(t, err, compliance.ErrBrand)
			var be *compliance.BrandError
			require.True(t, errors.As(err, &be))
			require.Equal(t, 0, be.Index)
			require.Contains(t, err.Error(), "compliance: ")
		})
	}
}

// withCheck appends the Luhn check digit to body.
func withCheck(body string) string {
	return body + string(rune('0'+luhnCheckDigit(body)))
}

// digitScripts are the digit scripts every detection test runs in: ASCII
// and the other scripts the detector reads.
var digitScripts = map[string]rune{
	"ASCII":               '0',
	"Fullwidth":           '０',
	"ArabicIndic":         '٠',
	"ExtendedArabicIndic": '۰',
	"Devanagari":          '०',
	"Bengali":             '০',
	"Thai":                '๐',
	"MathematicalBold":    '𝟎',
}

// SPEC P4: the ranges in current use that the published tables lag
// behind: 19-digit Maestro numbers in the 67 range of acquirers' test card
// lists, Maestro at 12 digits, and Bancontact; in every digit script.
func TestNewRanges(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{})
	cases := []struct{ pan, brand string }{
		{"6799990100000000019", "Maestro"}, // Worldpay test card list
		{"6799998900000200010", "Maestro"},
		{"6759560045005727054", "Maestro"},
		{"6771830000000000006", "Maestro"},
		{"6771798021000008", "Maestro"}, // Adyen test card numbers
		{luhnComplete("6761", 19), "Maestro"},
		{luhnComplete("6762", 19), "Maestro"},
		{luhnComplete("6763", 19), "Maestro"},
		{luhnComplete("6790", 19), "Maestro"},
		{luhnComplete("6759", 12), "Maestro"},
		{luhnComplete("5018", 12), "Maestro"},
		{luhnComplete("6304", 12), "Maestro"},
		{"6703444444444449", "Bancontact"}, // Adyen test card numbers
		{"6703000000000000003", "Bancontact"},
		{luhnComplete("6703", 17), "Bancontact"},
		{luhnComplete("6703", 18), "Bancontact"},
	}
	for _, c := range cases {
		for script, zero := range digitScripts {
			t.Run(c.brand+"/"+c.pan+"/"+script, func(t *testing.T) {
				t.Parallel()
				in := toScript("card "+c.pan+" thanks", zero)
				res := r.Redact(in)
				require.Equal(t, toScript("card "+maskKeep(c.pan, 4)+" thanks", zero), res.Text)
				require.Len(t, res.Findings, 1)
				require.Equal(t, c.brand, res.Findings[0].Brand)
				require.Equal(t, len(c.pan), res.Findings[0].Digits)
				wrong := toScript(breakLuhn(c.pan), zero)
				require.Equal(t, wrong, r.Redact(wrong).Text, "wrong check digit")
			})
		}
	}
	t.Run("SixtySevenBelowNineteenDigits", func(t *testing.T) {
		t.Parallel()
		// Only the listed 67 prefixes issue shorter numbers.
		for n := 12; n <= 18; n++ {
			pan := luhnComplete("6790", n)
			require.Equal(t, pan, r.Redact(pan).Text)
		}
	})
}

// SPEC P4: withdrawn brands (Switch, Solo, Australian BankCard) are found
// only when added to the table; appended after the defaults, a prefix
// shared with a current brand keeps the current brand.
func TestWithdrawnBrands(t *testing.T) {
	t.Parallel()
	def := newRedactor(t, compliance.Config{})
	withdrawn := newRedactor(t, compliance.Config{Brands: append(compliance.DefaultBrands(), compliance.WithdrawnBrands()...)})
	cases := []struct {
		pan, brand, defaultBrand string
	}{
		{luhnComplete("6333", 16), "Switch", ""},
		{luhnComplete("564182", 16), "Switch", ""},
		{"5641821000010028", "Switch", ""},
		{luhnComplete("633110", 18), "Switch", ""},
		{luhnComplete("4903", 16), "Switch", "Visa"},
		{luhnComplete("4936", 18), "Switch", ""},
		{luhnComplete("6759", 16), "Maestro", "Maestro"},
		{luhnComplete("6334", 16), "Solo", ""},
		{luhnComplete("6767", 18), "Solo", ""},
		{luhnComplete("5610", 16), "BankCard", ""},
		{luhnComplete("560221", 16), "BankCard", ""},
		{luhnComplete("560225", 16), "BankCard", ""},
	}
	for _, c := range cases {
		t.Run(c.brand+"/"+c.pan, func(t *testing.T) {
			t.Parallel()
			res := withdrawn.Redact(c.pan)
			require.Len(t, res.Findings, 1)
			require.Equal(t, c.brand, res.Findings[0].Brand)
			require.Equal(t, maskKeep(c.pan, 4), res.Text)
			res = def.Redact(c.pan)
			if c.defaultBrand == "" {
				require.Empty(t, res.Findings, "withdrawn brands are off by default")
				require.Equal(t, c.pan, res.Text)
			} else {
				require.Len(t, res.Findings, 1)
				require.Equal(t, c.defaultBrand, res.Findings[0].Brand)
			}
		})
	}
	t.Run("IsACopy", func(t *testing.T) {
		t.Parallel()
		b := compliance.WithdrawnBrands()
		b[0].IIN[0] = "9"
		require.Equal(t, "4903", compliance.WithdrawnBrands()[0].IIN[0])
	})
	t.Run("Valid", func(t *testing.T) {
		t.Parallel()
		_, err := compliance.New(compliance.Config{Brands: compliance.WithdrawnBrands()})
		require.NoError(t, err)
	})
}

// SPEC P4: numbers of other kinds that a wider brand range could catch
// stay untouched, with the default table and with the withdrawn brands
// added, in every digit script. Each is Luhn-valid, so only the prefix and
// length tables keep them out.
func TestWiderRangeTraps(t *testing.T) {
	t.Parallel()
	redactors := map[string]*compliance.Redactor{
		"Default":   newRedactor(t, compliance.Config{}),
		"Withdrawn": newRedactor(t, compliance.Config{Brands: append(compliance.DefaultBrands(), compliance.WithdrawnBrands()...)}),
	}
	imei := func(body string) []string { // printed plain and as AA-BBBBBB-CCCCCC-D
		n := withCheck(body)
		return []string{"IMEI of the phone: " + n, "device " + n[:2] + "-" + n[2:8] + "-" + n[8:14] + "-" + n[14:]}
	}
	classes := map[string][]string{
		// 15 digits, Luhn-valid, reporting bodies 35, 86, 01, 99, 49.
		"IMEI": slices.Concat(imei("35693803564380"), imei("86012345678901"), imei("01234567890123"), imei("99000123456789"), imei("49015420323751")),
		// Country code written without '+', 12 and 13 digits, Luhn-valid.
		"PhoneNoPlus": {
			"call me on " + withCheck("4479111234"+"5"),      // UK, 12
			"call me on " + withCheck("9198765432"+"1"),      // India, 12
			"call me on " + withCheck("86138001380"+"0"),     // China, 13
			"call me on " + withCheck("62812345678"+"9"),     // Indonesia, 13
			"call me on " + withCheck("6391712345"+"6"),      // Philippines, 12
			"call me on " + withCheck("55119876543"+"2"),     // Brazil, 13
			"call me on " + withCheck("4915123456"+"7"),      // Germany, 12
			"call me on " + withCheck("52155123456"+"7"),     // Mexico, 13
			"call me on " + withCheck("23480312345"+"6"),     // Nigeria, 13
			"ring " + spaced(withCheck("6756701234"+"5"), 3), // 67x country code, 12
		},
		// Order and tracking numbers: marketplace order IDs, courier
		// numbers, and 12- to 18-digit numbers in the 67 range below the
		// lengths Maestro issues there.
		"OrderTracking": {
			"your order 112-3456789-1234567 ships today",
			"parcel 1Z999AA10123456784 is on its way",
			"FedEx " + spaced(withCheck("77123456789"), 4),
			"number " + withCheck("671234567890123"),
			"number " + withCheck("67123456789012345"),
			"number " + spaced(withCheck("67987654321"), 4),
			"SIM " + spaced(withCheck("894412345678901234"), 4), // ICCID, 19 digits
		},
		"Dates": {
			"on 2024-01-15 10:30 and 2024-02-15 11:45",
			"15.01.2024 - 16.01.2024",
			"timestamp 20240115103000",
			"from 2024-01-06 to 2024-01-09 2024-01-12",
		},
		"Prices": {
			"total 4 111 111 111 111.99 EUR",
			"paid 404.21 2024-01-06 12:30 9.99",
			"1.299.999 2024-01-06",
			"3 x 129.99 = 389.97 on 2024-01-06",
			"price 4111 11-11 1111.1111",
		},
	}
	for class, texts := range classes {
		for _, text := range texts {
			for script, zero := range digitScripts {
				for name, r := range redactors {
					t.Run(class+"/"+script+"/"+name+"/"+text, func(t *testing.T) {
						t.Parallel()
						in := toScript(text, zero)
						res := r.Redact(in)
						require.Equal(t, in, res.Text)
						require.Empty(t, res.Findings)
						require.False(t, r.Contains(in))
					})
				}
			}
		}
	}
}

// spaced writes s in groups of n digits joined by spaces.
func spaced(s string, n int) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), " ")
}

// SPEC P1: on the new ranges, 12-digit numbers included, masking shows at
// most the first six and last four digits, by default only the last four,
// and always hides at least six.
func TestMaskingNewRanges(t *testing.T) {
	t.Parallel()
	configs := map[string]compliance.Config{
		"Default":     {},
		"First6":      {KeepFirst: 6},
		"First6Last1": {KeepFirst: 6, KeepLast: 1},
		"HideAll":     {KeepLast: -1},
	}
	prefixes := []string{"6799", "6771", "6759", "6761", "5018", "6304", "6703", "6790"}
	for name, cfg := range configs {
		r := newRedactor(t, cfg)
		for _, p := range prefixes {
			for n := 12; n <= 19; n++ {
				pan := luhnComplete(p, n)
				if len(r.Redact(pan).Findings) == 0 {
					require.NotContains(t, []int{19}, n, "%s at 19 digits is a card", p)
					continue
				}
				t.Run(name+"/"+pan, func(t *testing.T) {
					t.Parallel()
					out := r.Redact(pan).Text
					hidden := strings.Count(out, "*")
					require.GreaterOrEqual(t, hidden, compliance.MinHidden)
					first := len(out) - len(strings.TrimLeft(out, "0123456789"))
					last := len(out) - len(strings.TrimRight(out, "0123456789"))
					require.Equal(t, n, first+hidden+last, "visible digits only at the ends: %s", out)
					require.LessOrEqual(t, first, max(cfg.KeepFirst, 0))
					require.LessOrEqual(t, last, 4)
					if cfg.KeepFirst == 0 {
						require.Zero(t, first)
					}
					require.Equal(t, pan[:first], out[:first])
					require.Equal(t, pan[n-last:], out[n-last:])
					if name == "Default" {
						require.Equal(t, maskKeep(pan, 4), out)
					}
					require.Equal(t, out, r.Redact(out).Text, "masking twice changes nothing")
				})
			}
		}
	}
}
