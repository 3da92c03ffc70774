package compliance

import "unicode/utf8"

// A number glued to a word.
//
// People type "CARD4111111111111111", "card#4111 1111 1111 1111" or
// "4111111111111111exp 06/17": the number is a card even though a word
// touches it. Identifiers also hold long runs of digits between letters
// ("GB33BUKB20201555555555", "ab12cd4111111111111111ef", hashes), and those
// must be left alone. The rule, applied to a run of digits that an ASCII
// letter touches on either side:
//
//   - The word touching it on each side is letters only, at most
//     maxGlueWord of them, and ends at a character that is neither a digit
//     (of any script) nor '_'. A word with digits in it ("ab12cd", "0x",
//     "1Z999AA") makes the run part of an identifier: letters and digits
//     interleaved.
//   - With words on both sides, the word before is a card word ("card",
//     "cc", "visa", ... see cardWords): "CARD4111111111111111exp" is a
//     card, "a4111111111111111b" an identifier.
//   - A run glued to a word on the left starts with its card: no loose
//     digits come first ("XX00 4111 ..." is an account number).
//   - Two capital letters before the digits that pass the IBAN check (ISO
//     13616 MOD 97-10) make an IBAN ("DK5019...").
//   - A glued word of at least minHexWord letters, all from a to f, is
//     part of a hexadecimal string ("4111111111111111abcdef").
//   - The token around the number (the characters up to a space, quote,
//     bracket, comma or semicolon, at most maxToken of them on each side)
//     is not a URL (holds "://", starts with '/' or "www.") and not an
//     e-mail address (holds '@').
//
// Glue after '+' (a phone number) or inside a URL path is handled as
// before: nothing in the run is a card.
const (
	maxGlueWord = 24
	maxToken    = 64
	minHexWord  = 6
)

// Kinds of left glue.
const (
	glueNone     = iota // not glued to a letter
	glueWord            // glued to a word of letters
	glueCardWord        // glued to a card word
	glueIdent           // part of an identifier: no card in the run
)

// cardWords may touch a number that also has a word glued after it.
var cardWords = []string{"card", "cards", "cc", "ccn", "pan", "visa", "mastercard", "mc", "amex", "maestro", "debit", "credit", "number", "num", "no", "nr"}

// isUpperByte reports whether c is an ASCII capital letter.
func isUpperByte(c byte) bool { return c >= 'A' && c <= 'Z' }

// isAlphaByte reports whether c is an ASCII letter.
func isAlphaByte(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// leftGlue classifies the chain at i by what touches it on the left.
func (sc *scanner[T]) leftGlue(i int) int {
	s := sc.s
	if i == 0 {
		return glueNone
	}
	c := s[i-1]
	if !isAlphaByte(c) {
		if sc.leadGlued(i) { // '+', '_', a URL path
			return glueIdent
		}
		return glueNone
	}
	k := i - 1
	for k > 0 && isAlphaByte(s[k-1]) && i-k <= maxGlueWord {
		k--
	}
	if i-k > maxGlueWord || sc.wordBoundaryBefore(k) {
		return glueIdent
	}
	if i-k == 2 && isUpperByte(s[k]) && isUpperByte(s[k+1]) && sc.ibanAt(k, i) {
		return glueIdent
	}
	if i-k >= minHexWord && allHexLetters(s, k, i) {
		return glueIdent
	}
	if wordIn(s, k, i, cardWords) {
		return glueCardWord
	}
	return glueWord
}

// wordBoundaryBefore reports whether the character before offset k joins
// the word that starts at k into an identifier: a digit of any script or
// '_'.
func (sc *scanner[T]) wordBoundaryBefore(k int) bool {
	if k == 0 {
		return false
	}
	c := sc.s[k-1]
	if c < utf8.RuneSelf {
		return c-'0' <= 9 || c == '_'
	}
	r, _ := decodeBefore(sc.s, k)
	return digitValue(r) >= 0
}

// allHexLetters reports whether s[k:i] holds only the letters a to f.
func allHexLetters[T text](s T, k, i int) bool {
	for ; k < i; k++ {
		if c := s[k] | 0x20; c < 'a' || c > 'f' {
			return false
		}
	}
	return true
}

// rightGlueOK reports whether the word that touches the chain ending at
// end is letters only, not a hexadecimal string, and ends at a character
// that is not a digit or '_'.
func (sc *scanner[T]) rightGlueOK(end int) bool {
	s := sc.s
	n := len(s)
	k := end
	for k < n && isAlphaByte(s[k]) && k-end <= maxGlueWord {
		k++
	}
	if k-end > maxGlueWord || k-end >= minHexWord && allHexLetters(s, end, k) {
		return false
	}
	if k >= n {
		return true
	}
	c := s[k]
	if c < utf8.RuneSelf {
		return c-'0' > 9 && c != '_'
	}
	r, _ := decodeAt(s, k)
	return digitValue(r) < 0
}

// ibanAt reports whether the two capital letters at k followed by the
// first group of digits at k+2 form an IBAN: the group, its first two
// digits moved after the letters, passes the MOD 97-10 check.
func (sc *scanner[T]) ibanAt(k, i int) bool {
	s := sc.s
	n := len(s)
	var check [2]int
	r, nd := 0, 0
	for p := i; p < n && nd < 34; {
		v, size := -1, 1
		if b := s[p]; b < utf8.RuneSelf {
			if b-'0' <= 9 {
				v = int(b - '0')
			}
		} else {
			var rr rune
			rr, size = decodeAt(s, p)
			v = digitValue(rr)
		}
		if v < 0 {
			break
		}
		if nd < 2 {
			check[nd] = v
		} else {
			r = (r*10 + v) % 97
		}
		nd++
		p += size
	}
	if nd < 12 {
		return false
	}
	for _, c := range []byte{s[k], s[k+1]} {
		r = (r*100 + int(c-'A'+10)) % 97
	}
	r = (r*100 + check[0]*10 + check[1]) % 97
	return r == 1
}

// tokenIdent reports whether the token around the chain [i, end) is a URL
// or an e-mail address. It looks at most maxToken characters to each side,
// so that the scan stays linear; what lies further away does not count.
// Removing a security code only brings characters closer, and masking
// replaces a digit by one '*', so a second pass sees at least what the
// first saw.
func (sc *scanner[T]) tokenIdent(i, end int) bool {
	s := sc.s
	n := len(s)
	k, count := i, 0
	for k > 0 && count < maxToken {
		c := s[k-1]
		size := 1
		if c >= utf8.RuneSelf {
			r, sz := decodeBefore(s, k)
			if digitValue(r) < 0 {
				break
			}
			size = sz
		} else if tokenEnd(c) {
			break
		} else if c == '@' || c == '/' && k >= 3 && s[k-2] == '/' && s[k-3] == ':' {
			return true
		}
		k -= size
		count++
	}
	if count < maxToken && (s[k] == '/' || k+4 <= n && s[k]|0x20 == 'w' && s[k+1]|0x20 == 'w' && s[k+2]|0x20 == 'w' && s[k+3] == '.') {
		return true
	}
	count = 0
	for p := end; p < n && count < maxToken; count++ {
		c := s[p]
		if c >= utf8.RuneSelf {
			r, size := decodeAt(s, p)
			if digitValue(r) < 0 {
				break
			}
			p += size
			continue
		}
		if tokenEnd(c) {
			break
		}
		if c == '@' || c == ':' && p+2 < n && s[p+1] == '/' && s[p+2] == '/' {
			return true
		}
		p++
	}
	return false
}

// tokenEnd reports whether the ASCII byte c ends a token.
func tokenEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '"', '\'', '(', ')', '<', '>', '[', ']', '{', '}', ',', ';':
		return true
	}
	return c < ' ' || c == 0x7f
}
