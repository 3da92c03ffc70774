package compliance

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Brand describes one payment card brand: its name, the issuer
// identification number (IIN) ranges its numbers start with, and the number
// lengths it issues. A number is a card of the brand when it starts with one
// of the ranges, has one of the lengths and passes the Luhn check.
//
// The table is plain data so that it can be read, reviewed and overridden:
// start from [DefaultBrands] and append, remove or edit entries.
type Brand struct {
	// Name is shown in findings, for example "Visa".
	Name string
	// IIN lists the prefixes, each a single prefix ("4") or an inclusive
	// range of prefixes of the same number of digits ("2221-2720"), at most
	// eight digits long.
	IIN []string
	// Lengths lists the allowed numbers of digits, each from 12 to 19.
	Lengths []int
}

// DefaultBrands returns the built-in brand table, a fresh copy on every call.
// Where ranges of two brands overlap, the longer prefix wins; between equal
// prefixes, the brand listed first wins.
//
// Sources: the ISO/IEC 7812 IIN registrations as published by each scheme,
// the Wikipedia "Payment card number" IIN table, and the test card lists of
// acquirers (Adyen test card numbers, Worldpay test card list, Braintree
// testing guide) for ranges in current use that the published tables lag
// behind. Brands no longer issued are in [WithdrawnBrands], not here.
func DefaultBrands() []Brand {
	return []Brand{
		{Name: "Visa", IIN: []string{"4"}, Lengths: []int{13, 16, 19}},
		{Name: "Mastercard", IIN: []string{"51-55", "2221-2720"}, Lengths: []int{16}},
		{Name: "American Express", IIN: []string{"34", "37"}, Lengths: []int{15}},
		{Name: "Diners Club", IIN: []string{"300-305", "3095", "36", "38-39"}, Lengths: []int{14, 16, 17, 18, 19}},
		{Name: "Discover", IIN: []string{"6011", "644-649", "65", "622126-622925"}, Lengths: []int{16, 17, 18, 19}},
		{Name: "JCB", IIN: []string{"3528-3589"}, Lengths: []int{16, 17, 18, 19}},
		{Name: "UnionPay", IIN: []string{"62", "81"}, Lengths: []int{16, 17, 18, 19}},
		// Maestro: the published IIN list (5018, 5020, 5038, 5893, 6304,
		// 6759, 6761-6763; UK Maestro 676770, 676774), plus 6771 (Adyen
		// test card numbers) and 6799 (Worldpay test card list, Braintree
		// testing guide), at every length from 12 to 19.
		{Name: "Maestro", IIN: []string{"5018", "5020", "5038", "5893", "6304", "6759", "6761-6763", "676770", "676774", "6771", "6799"}, Lengths: []int{12, 13, 14, 15, 16, 17, 18, 19}},
		// Maestro 19-digit numbers: acquirers' test card lists use the
		// whole 67 range at this length (6759..., 6771..., 6799...). Only
		// 19 digits: shorter numbers starting with 67 are left to the
		// prefixes above.
		{Name: "Maestro", IIN: []string{"67"}, Lengths: []int{19}},
		// Bancontact (Belgium): 6703, 16 to 19 digits (Adyen test card
		// numbers; Wikipedia "Payment card number" IIN table).
		{Name: "Bancontact", IIN: []string{"6703"}, Lengths: []int{16, 17, 18, 19}},
		{Name: "Mir", IIN: []string{"2200-2204"}, Lengths: []int{16, 17, 18, 19}},
		{Name: "UATP", IIN: []string{"1"}, Lengths: []int{15}},
		{Name: "Dankort", IIN: []string{"5019", "4571"}, Lengths: []int{16}},
		{Name: "RuPay", IIN: []string{"60", "65", "508", "353", "356", "82"}, Lengths: []int{16}},
		{Name: "Troy", IIN: []string{"9792"}, Lengths: []int{16}},
		{Name: "Verve", IIN: []string{"506099-506198", "650002-650027", "507865-507964"}, Lengths: []int{16, 18, 19}},
		{Name: "InterPayment", IIN: []string{"636"}, Lengths: []int{16, 17, 18, 19}},
		{Name: "InstaPayment", IIN: []string{"637-639"}, Lengths: []int{16}},
		{Name: "BORICA", IIN: []string{"2205"}, Lengths: []int{16}},
		{Name: "Humo", IIN: []string{"9860"}, Lengths: []int{16}},
		{Name: "UzCard", IIN: []string{"8600"}, Lengths: []int{16}},
		{Name: "LankaPay", IIN: []string{"357111"}, Lengths: []int{16}},
	}
}

// WithdrawnBrands returns brands whose cards are no longer issued, a fresh
// copy on every call. They are not in [DefaultBrands]: their ranges have
// been reassigned or retired, and matching them only adds look-alikes. A
// user who still sees such cards (old records, archives) adds them:
//
//	cfg.Brands = append(compliance.DefaultBrands(), compliance.WithdrawnBrands()...)
//
// Appended after the default table, a range shared with a current brand of
// equal prefix length (Switch and Maestro both list 6759) is reported as
// the current brand; a longer prefix wins as always (Switch 4903 over Visa
// 4).
//
// Sources: the Wikipedia "Payment card number" IIN table (Switch, Solo,
// Australian BankCard) and the ISO/IEC 7812 IIN registrations as published
// by the schemes before withdrawal.
func WithdrawnBrands() []Brand {
	return []Brand{
		// Switch, merged into Maestro in 2002, withdrawn in the UK in 2011.
		{Name: "Switch", IIN: []string{"4903", "4905", "4911", "4936", "564182", "633110", "6333", "6759"}, Lengths: []int{16, 18, 19}},
		// Solo, withdrawn in 2011.
		{Name: "Solo", IIN: []string{"6334", "6767"}, Lengths: []int{16, 18, 19}},
		// Australian BankCard, withdrawn in 2006.
		{Name: "BankCard", IIN: []string{"5610", "560221-560225"}, Lengths: []int{16}},
	}
}

// Bounds of a card number, in digits.
const (
	minPAN = 12
	maxPAN = 19
	maxIIN = 8
)

// iinRange is one compiled prefix range.
type iinRange struct {
	lo, hi  uint32
	digits  int
	brand   int
	lengths uint32 // bit n set: n digits allowed
}

// brandTable is the compiled form of a []Brand.
type brandTable struct {
	names  []string
	ranges []iinRange
}

// compileBrands checks a brand table and compiles it for matching.
func compileBrands(brands []Brand) (*brandTable, error) {
	t := &brandTable{}
	for bi, b := range brands {
		if strings.TrimSpace(b.Name) == "" {
			return nil, &BrandError{Index: bi, Name: b.Name, Reason: "empty name"}
		}
		if len(b.IIN) == 0 {
			return nil, &BrandError{Index: bi, Name: b.Name, Reason: "no IIN prefix"}
		}
		if len(b.Lengths) == 0 {
			return nil, &BrandError{Index: bi, Name: b.Name, Reason: "no length"}
		}
		var mask uint32
		for _, n := range b.Lengths {
			if n < minPAN || n > maxPAN {
				return nil, &BrandError{Index: bi, Name: b.Name, Reason: fmt.Sprintf("length %d outside %d..%d", n, minPAN, maxPAN)}
			}
			mask |= 1 << n
		}
		for _, spec := range b.IIN {
			lo, hi, ok := strings.Cut(spec, "-")
			if !ok {
				hi = lo
			}
			lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
			if len(lo) != len(hi) || len(lo) == 0 || len(lo) > maxIIN || !allASCIIDigits(lo) || !allASCIIDigits(hi) {
				return nil, &BrandError{Index: bi, Name: b.Name, Reason: fmt.Sprintf("IIN %q is not a prefix or a range of prefixes of equal length (1..%d digits)", spec, maxIIN)}
			}
			l, _ := strconv.ParseUint(lo, 10, 32)
			h, _ := strconv.ParseUint(hi, 10, 32)
			if l > h {
				return nil, &BrandError{Index: bi, Name: b.Name, Reason: fmt.Sprintf("IIN range %q is reversed", spec)}
			}
			t.ranges = append(t.ranges, iinRange{lo: uint32(l), hi: uint32(h), digits: len(lo), brand: bi, lengths: mask})
		}
		t.names = append(t.names, b.Name)
	}
	// Longer prefixes first, so that the first match is the most specific;
	// the stable sort keeps table order between equal lengths.
	slices.SortStableFunc(t.ranges, func(a, b iinRange) int { return b.digits - a.digits })
	return t, nil
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// match returns the index of the brand of the number d (digit values), or
// -1. It does not check the Luhn digit.
func (t *brandTable) match(d []byte) int {
	var prefix [maxIIN + 1]uint32
	var v uint32
	for i := 0; i < maxIIN && i < len(d); i++ {
		v = v*10 + uint32(d[i])
		prefix[i+1] = v
	}
	bit := uint32(1) << len(d)
	for i := range t.ranges {
		r := &t.ranges[i]
		if r.lengths&bit == 0 || r.digits > len(d) {
			continue
		}
		if p := prefix[r.digits]; p >= r.lo && p <= r.hi {
			return r.brand
		}
	}
	return -1
}

// luhnDouble maps a digit to the Luhn sum of its double.
var luhnDouble = [10]byte{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}
