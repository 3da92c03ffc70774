package compliance_test

import (
	"errors"
	"fmt"
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
