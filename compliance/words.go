package compliance

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultTrapWords returns the words that, written just before a number
// (optionally followed by "no", "number", "#" or ":"), mark it as something
// other than a card, such as an order or tracking number or a device
// identifier. A fresh copy is returned on every call.
func DefaultTrapWords() []string {
	return []string{
		"order", "tracking", "track", "invoice", "ticket", "booking", "confirmation",
		"reference", "ref", "transaction", "txn", "shipment", "parcel", "awb",
		"imei", "meid", "iccid", "imsi", "serial", "sn",
		"phone", "tel", "mobile", "fax",
	}
}

// fillerWords may stand between a keyword and the number it labels.
var fillerWords = []string{"no", "nr", "num", "number", "is", "id"}

// securityWords label a card security code.
var securityWords = []string{"cvv", "cvv2", "cvc", "cvc2", "cv2", "cid", "csc", "cvn", "cvd", "cav2"}

// codeQualifiers make "code" a security-code label ("security code").
var codeQualifiers = []string{"security", "verification", "card", "cvv", "cvc"}

// trapWords is a compiled, lower-case list of trap words.
type trapWords struct{ words []string }

func newTrapWords(words []string) *trapWords {
	t := &trapWords{}
	for _, w := range words {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
			t.words = append(t.words, w)
		}
	}
	return t
}

func trapBefore[T text](t *trapWords, s T, i int) bool {
	if t == nil || len(t.words) == 0 {
		return false
	}
	limit := max(0, i-keywordLookback)
	end := i
	for range keywordFillerMax + 1 {
		ws, we, ok := prevWord(s, end, limit)
		if !ok {
			return false
		}
		if wordIn(s, ws, we, t.words) {
			return true
		}
		if !wordIn(s, ws, we, fillerWords) {
			return false
		}
		end = ws
	}
	return false
}

// securityWordBefore reports whether the number at i is labelled as a card
// security code ("CVV 123", "security code: 123"). When it is not, but the
// look-back stopped at a short number that may itself be a security code
// ("CVV 123 / 456"), numEnd is the offset after that number, else -1: if
// that number is removed, the label reaches this one too.
func securityWordBefore[T text](s T, i int) (ok bool, numEnd int) {
	limit := max(0, i-keywordLookback)
	end := i
	for range keywordFillerMax + 1 {
		ws, we, found := prevWord(s, end, limit)
		if !found {
			return false, -1
		}
		if wordIn(s, ws, we, securityWords) {
			return true, -1
		}
		if wordIn(s, ws, we, []string{"code"}) {
			qs, qe, found := prevWord(s, ws, limit)
			switch {
			case !found:
				return false, -1
			case wordIn(s, qs, qe, codeQualifiers):
				return true, -1
			case shortNumber(s, qs, qe):
				// "CVC 123 code 456": once 123 is removed, "CVC code"
				// labels 456.
				return false, qe
			}
			return false, -1
		}
		if shortNumber(s, ws, we) {
			return false, we
		}
		if !wordIn(s, ws, we, fillerWords) {
			return false, -1
		}
		end = ws
	}
	return false, -1
}

// shortNumber reports whether s[ws:we] is a number of shortMin to shortMax
// digits of any script.
func shortNumber[T text](s T, ws, we int) bool {
	n := 0
	for p := ws; p < we; {
		r, size := decodeAt(s, p)
		if digitValue(r) < 0 {
			return false
		}
		n++
		p += size
	}
	return n >= shortMin && n <= shortMax
}

// prevWord finds the word (ASCII letters and digits, and decimal digits of
// any script) that ends before offset i, past a few punctuation bytes,
// looking no further back than limit.
func prevWord[T text](s T, i, limit int) (ws, we int, ok bool) {
	j := i
	for skipped := 0; j > limit && skipped < 4; skipped++ {
		c := s[j-1]
		if c != ' ' && c != ':' && c != '#' && c != '-' && c != '=' && c != '\t' && c != '(' && c != '.' {
			break
		}
		j--
	}
	we = j
	for j > limit {
		if isWordByte(s[j-1]) {
			j--
			continue
		}
		if s[j-1] < utf8.RuneSelf {
			break
		}
		r, size := decodeBefore(s, j)
		if digitValue(r) < 0 || j-size < limit {
			break
		}
		j -= size
	}
	if j == we {
		return 0, 0, false
	}
	if j > 0 && s[j-1] >= utf8.RuneSelf {
		if r, _ := decodeBefore(s, j); unicode.IsLetter(r) {
			return 0, 0, false // part of a longer non-ASCII word
		}
	}
	return j, we, true
}

// wordIn reports whether s[ws:we], folded to lower case and with digits of
// any script read as ASCII, is one of the lower-case words.
func wordIn[T text](s T, ws, we int, words []string) bool {
next:
	for _, w := range words {
		if n := we - ws; n < len(w) || n > len(w)*utf8.UTFMax || s[ws] < utf8.RuneSelf && lowerByte(s[ws]) != w[0] {
			continue // quick reject: a match has at least one byte per letter
		}
		k, p := 0, ws
		for p < we {
			if k >= len(w) {
				continue next
			}
			c := s[p]
			if c < utf8.RuneSelf {
				if lowerByte(c) != w[k] {
					continue next
				}
				p++
			} else {
				r, size := decodeAt(s, p)
				if v := digitValue(r); v < 0 || byte('0'+v) != w[k] {
					continue next
				}
				p += size
			}
			k++
		}
		if k == len(w) {
			return true
		}
	}
	return false
}
