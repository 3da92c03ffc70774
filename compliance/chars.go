package compliance

import (
	"unicode"
	"unicode/utf8"
)

// text is the set of inputs the scanner reads without copying: strings for
// messages and byte slices for attachments.
type text interface{ ~string | ~[]byte }

// interesting marks the ASCII bytes that can start a chain of digits: the
// digits themselves and the mask character. Every byte >= 0x80 is also
// looked at (it may begin a non-ASCII digit); all other bytes are skipped.
var interesting = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['*'] = true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// Separator kinds, as bits so that a run of separators has a set of kinds.
// The separators inside one card number are runs of the same set ("4111
// 1111 1111 1111", "4111 - 1111 - 1111 - 1111"), or join groups of at
// least minMixedGroup digits ("5555 5555-5555 4444"): a price followed by
// a date ("404.21 2024-01-06") is not a number.
const (
	sepNone  = 0
	sepSpace = 1 << iota
	sepDash
	sepDot // a full stop; a lone one is read as a decimal point
)

// sepClass reports whether r may stand between two groups of digits of one
// number, and its kind.
func sepClass(r rune) int {
	switch r {
	case ' ',
		'\u00a0', // no-break space
		'\u2007', // figure space
		'\u2009', // thin space
		'\u202f', // narrow no-break space
		'\u3000': // ideographic space
		return sepSpace
	case '-',
		'\u2010', // hyphen
		'\u2011', // non-breaking hyphen
		'\u2012', // figure dash
		'\u2013', // en dash
		'\u2212', // minus sign
		'\u30fc', // katakana prolonged sound mark, written as a dash
		'\uff0d': // fullwidth hyphen-minus
		return sepDash
	case '.', '\uff0e': // full stop, fullwidth full stop
		return sepDot
	}
	return sepNone
}

// bmpDigits holds, for each rune of the Basic Multilingual Plane, its
// decimal digit value plus one, or 0 if it is not a decimal digit: one
// lookup for the common case, a letter of a non-Latin script.
var bmpDigits = func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for _, rg := range unicode.Nd.R16 {
		for r := uint32(rg.Lo); r <= uint32(rg.Hi); r += uint32(rg.Stride) {
			t[r] = uint8(digitValueSlow(rune(r)) + 1)
		}
	}
	return &t
}()

// digitValue returns the value of r if r is a decimal digit (Unicode
// category Nd, any script), or -1.
func digitValue(r rune) int {
	if r < utf8.RuneSelf {
		if r >= '0' && r <= '9' {
			return int(r - '0')
		}
		return -1
	}
	if r < 0x10000 {
		return int(bmpDigits[r]) - 1
	}
	return digitValueSlow(r)
}

// digitValueSlow is digitValue by search of the Unicode tables.
func digitValueSlow(r rune) int {
	if !unicode.Is(unicode.Nd, r) {
		return -1
	}
	// Unicode guarantees that decimal digits come in contiguous runs of ten,
	// from zero to nine, so the value is the offset from the start of the
	// run modulo ten.
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}

// decodeAt decodes the rune starting at byte offset i of s, like
// utf8.DecodeRune. Two- and three-byte sequences (most scripts, CJK
// included) are decoded in place.
func decodeAt[T text](s T, i int) (rune, int) {
	b := s[i]
	if b < utf8.RuneSelf {
		return rune(b), 1
	}
	n := len(s)
	switch {
	case b >= 0xC2 && b < 0xE0:
		if i+1 < n {
			if c := s[i+1]; c&0xC0 == 0x80 {
				return rune(b&0x1F)<<6 | rune(c&0x3F), 2
			}
		}
		return utf8.RuneError, 1
	case b >= 0xE0 && b < 0xF0:
		if i+2 < n {
			c, d := s[i+1], s[i+2]
			lo, hi := byte(0x80), byte(0xBF)
			if b == 0xE0 {
				lo = 0xA0 // no overlong encodings
			} else if b == 0xED {
				hi = 0x9F // no surrogates
			}
			if c >= lo && c <= hi && d&0xC0 == 0x80 {
				return rune(b&0x0F)<<12 | rune(c&0x3F)<<6 | rune(d&0x3F), 3
			}
		}
	}
	var buf [utf8.UTFMax]byte
	k := copy(buf[:], s[i:min(i+utf8.UTFMax, n)])
	return utf8.DecodeRune(buf[:k])
}

// decodeBefore decodes the rune that ends at byte offset i of s. It returns
// utf8.RuneError and 0 at the start of s.
func decodeBefore[T text](s T, i int) (rune, int) {
	if i <= 0 {
		return utf8.RuneError, 0
	}
	b := s[i-1]
	if b < utf8.RuneSelf {
		return rune(b), 1
	}
	start := max(i-utf8.UTFMax, 0)
	var buf [utf8.UTFMax]byte
	n := copy(buf[:], s[start:i])
	return utf8.DecodeLastRune(buf[:n])
}

// isWordByte reports whether c is an ASCII letter, digit or underscore.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isLetterByte reports whether c is an ASCII letter or underscore: a digit
// glued to one is part of an identifier, not a number on its own.
func isLetterByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
