package compliance

import "strings"

// Span is a half-open range of byte offsets [Start, End) in a text.
type Span struct{ Start, End int }

// Detector finds one kind of sensitive data other than card numbers. The
// [Redactor] masks what detectors find by replacing every letter and digit
// with '*' and keeping every other character; card numbers take precedence
// over overlapping findings.
//
// Implementations must be safe for concurrent use, must not keep or log the
// text, and should run in time linear in its length. The built-in detectors
// are [EmailDetector], [PhoneDetector], [SSNDetector] and [IBANDetector].
type Detector interface {
	// Kind names what the detector finds.
	Kind() Kind
	// Find appends to dst the spans of text that hold what the detector
	// finds, in increasing order and not overlapping, and returns the
	// extended slice. It must not allocate when it finds nothing and dst is
	// nil.
	Find(text string, dst []Span) []Span
}

// EmailDetector finds email addresses (local@domain.tld). The zero value is
// ready to use.
type EmailDetector struct{}

// Kind returns [KindEmail].
func (EmailDetector) Kind() Kind { return KindEmail }

func isLocalByte(c byte) bool {
	return isWordByte(c) || c == '.' || c == '%' || c == '+' || c == '-'
}

func isDomainByte(c byte) bool {
	return isWordByte(c) && c != '_' || c == '-' || c == '.'
}

// Find implements [Detector].
func (EmailDetector) Find(text string, dst []Span) []Span {
	floor := 0 // no match starts before the end of the previous one
	for i := 0; i < len(text); {
		at := strings.IndexByte(text[i:], '@')
		if at < 0 {
			break
		}
		at += i
		i = at + 1
		start := at
		for start > floor && isLocalByte(text[start-1]) {
			start--
		}
		for start < at && text[start] == '.' {
			start++
		}
		if start == at {
			continue
		}
		end := at + 1
		for end < len(text) && isDomainByte(text[end]) {
			end++
		}
		for end > at+1 && (text[end-1] == '.' || text[end-1] == '-') {
			end--
		}
		dot := strings.LastIndexByte(text[at+1:end], '.')
		if dot <= 0 {
			continue
		}
		tld := text[at+1+dot+1 : end]
		if len(tld) < 2 || !allASCIILetters(tld) {
			continue
		}
		dst = append(dst, Span{start, end})
		floor, i = end, end
	}
	return dst
}

func allASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// PhoneDetector finds phone numbers: international numbers written with a
// leading '+' (8 to 15 digits, with spaces, dashes, dots or parentheses
// between them) and North American numbers written as (555) 123-4567 or
// 555-123-4567. The zero value is ready to use.
type PhoneDetector struct{}

// Kind returns [KindPhone].
func (PhoneDetector) Kind() Kind { return KindPhone }

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// glued reports whether c, next to a candidate, makes it part of a longer
// token: a letter, a digit, an underscore or a mask character (what was
// masked before stays masked, and nothing new is found next to it).
func glued(c byte) bool { return isWordByte(c) || c == '*' }

// Find implements [Detector].
func (PhoneDetector) Find(text string, dst []Span) []Span {
	for i := 0; i < len(text); {
		c := text[i]
		if i > 0 && (glued(text[i-1]) || text[i-1] == '+') {
			i++
			continue
		}
		if c == '+' {
			if end, ok := matchIntl(text, i); ok {
				dst = append(dst, Span{i, end})
				i = end
				continue
			}
		} else if c == '(' || isDigitByte(c) {
			if end, ok := matchNANP(text, i); ok {
				dst = append(dst, Span{i, end})
				i = end
				continue
			}
		}
		i++
	}
	return dst
}

// matchIntl matches +CC NNN... at i.
func matchIntl(s string, i int) (int, bool) {
	j := i + 1
	digits, lastDigit := 0, 0
	seps := 0
	for j < len(s) && digits < 16 {
		c := s[j]
		switch {
		case isDigitByte(c):
			digits++
			lastDigit = j + 1
			seps = 0
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			seps++
			if seps > 2 || digits == 0 && c != '(' {
				return 0, false
			}
		default:
			goto done
		}
		j++
	}
done:
	if digits < 8 || digits > 15 {
		return 0, false
	}
	// Glued to a word, or running into masked text: part of something else.
	if lastDigit < len(s) && glued(s[lastDigit]) || j < len(s) && s[j] == '*' {
		return 0, false
	}
	return lastDigit, true
}

// matchNANP matches (555) 123-4567, 555-123-4567 or 555.123.4567 at i.
func matchNANP(s string, i int) (int, bool) {
	j := i
	digits := func(n int) bool {
		for k := 0; k < n; k++ {
			if j >= len(s) || !isDigitByte(s[j]) {
				return false
			}
			j++
		}
		return true
	}
	if s[j] == '(' {
		j++
		if !digits(3) || j >= len(s) || s[j] != ')' {
			return 0, false
		}
		j++
		if j < len(s) && s[j] == ' ' {
			j++
		}
		if !digits(3) || j >= len(s) || s[j] != '-' {
			return 0, false
		}
		j++
	} else {
		if !digits(3) || j >= len(s) {
			return 0, false
		}
		sep := s[j]
		if sep != '-' && sep != '.' {
			return 0, false
		}
		j++
		if !digits(3) || j >= len(s) || s[j] != sep {
			return 0, false
		}
		j++
	}
	if !digits(4) {
		return 0, false
	}
	if j < len(s) && (glued(s[j]) || (s[j] == '-' || s[j] == '.') && j+1 < len(s) && (isDigitByte(s[j+1]) || s[j+1] == '*')) {
		return 0, false
	}
	return j, true
}

// SSNDetector finds US social security numbers written as 123-45-6789 or
// 123 45 6789, skipping numbers the Social Security Administration never
// issues (area 000, 666 or 900-999, group 00, serial 0000). The zero value
// is ready to use.
type SSNDetector struct{}

// Kind returns [KindSSN].
func (SSNDetector) Kind() Kind { return KindSSN }

// Find implements [Detector].
func (SSNDetector) Find(text string, dst []Span) []Span {
	for i := 0; i+11 <= len(text); i++ {
		if !isDigitByte(text[i]) || i > 0 && (glued(text[i-1]) || text[i-1] == '-' || text[i-1] == '.' || text[i-1] == '+') {
			continue
		}
		s := text[i : i+11]
		sep := s[3]
		if sep != '-' && sep != ' ' || s[6] != sep {
			continue
		}
		if !allASCIIDigits(s[0:3]) || !allASCIIDigits(s[4:6]) || !allASCIIDigits(s[7:11]) {
			continue
		}
		if j := i + 11; j < len(text) && (glued(text[j]) || (text[j] == '-' || text[j] == '.') && j+1 < len(text) && (isDigitByte(text[j+1]) || text[j+1] == '*')) {
			continue
		}
		area, group, serial := s[0:3], s[4:6], s[7:11]
		if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
			continue
		}
		dst = append(dst, Span{i, i + 11})
		i += 10
	}
	return dst
}

// IBANDetector finds international bank account numbers: two letters, two
// check digits and up to 30 letters or digits, written together or in
// groups of four separated by single spaces, that pass the ISO 7064
// mod-97 check. The zero value is ready to use.
type IBANDetector struct{}

// Kind returns [KindIBAN].
func (IBANDetector) Kind() Kind { return KindIBAN }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// Find implements [Detector].
func (IBANDetector) Find(text string, dst []Span) []Span {
	for i := 0; i+15 <= len(text); i++ {
		if !isUpper(text[i]) || !isUpper(text[i+1]) || !isDigitByte(text[i+2]) || !isDigitByte(text[i+3]) {
			continue
		}
		if i > 0 && glued(text[i-1]) {
			continue
		}
		if end, ok := matchIBAN(text, i); ok {
			dst = append(dst, Span{i, end})
			i = end - 1
		}
	}
	return dst
}

// matchIBAN reads the longest IBAN at i that passes the mod-97 check.
func matchIBAN(s string, i int) (int, bool) {
	var chars [34]byte
	var ends [35]int // ends[n]: byte offset after the n-th character
	n := 0
	j := i
	for j < len(s) && n < len(chars) {
		c := s[j]
		if isUpper(c) || isDigitByte(c) {
			chars[n] = c
			n++
			j++
			ends[n] = j
			continue
		}
		// A single space is allowed after every group of four.
		if c == ' ' && n%4 == 0 && j+1 < len(s) && (isUpper(s[j+1]) || isDigitByte(s[j+1])) {
			j++
			continue
		}
		break
	}
	for ; n >= 15; n-- {
		end := ends[n]
		if end < len(s) && glued(s[end]) {
			continue
		}
		if mod97(chars[:n]) == 1 {
			return end, true
		}
	}
	return 0, false
}

// mod97 computes the ISO 7064 MOD 97-10 remainder of an IBAN: the first
// four characters moved to the end and letters read as 10 to 35.
func mod97(c []byte) int {
	r := 0
	add := func(ch byte) {
		if isDigitByte(ch) {
			r = (r*10 + int(ch-'0')) % 97
		} else {
			r = (r*100 + int(ch-'A'+10)) % 97
		}
	}
	for _, ch := range c[4:] {
		add(ch)
	}
	for _, ch := range c[:4] {
		add(ch)
	}
	return r
}
