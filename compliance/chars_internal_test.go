package compliance

// This file tests unexported helpers whose every input can be enumerated;
// the behaviour they serve is tested from outside the package.

import (
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// decodeAt must agree with utf8.DecodeRune on every short byte sequence.
func TestDecodeAtMatchesUTF8(t *testing.T) {
	t.Parallel()
	check := func(b []byte) {
		wr, wn := utf8.DecodeRune(b)
		gr, gn := decodeAt(b, 0)
		if gr != wr || gn != wn {
			t.Fatalf("% x: got %U/%d, want %U/%d", b, gr, gn, wr, wn)
		}
		sr, sn := decodeAt(string(b), 0)
		require.Equal(t, wr, sr)
		require.Equal(t, wn, sn)
	}
	for a := 0x80; a < 0x100; a++ {
		check([]byte{byte(a)})
		for b := 0; b < 0x100; b++ {
			check([]byte{byte(a), byte(b)})
			if a >= 0xE0 && a < 0xF0 {
				for _, c := range []byte{0x00, 0x7F, 0x80, 0xBF, 0xC0} {
					check([]byte{byte(a), byte(b), c})
					check([]byte{byte(a), byte(b), c, 'x'})
				}
			}
		}
	}
}

// digitValue must give every Unicode decimal digit its value, and -1 to
// everything else.
func TestDigitValue(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		v := digitValue(r)
		if !unicode.Is(unicode.Nd, r) {
			if v != -1 {
				t.Fatalf("%U: got %d, want -1", r, v)
			}
			continue
		}
		// Digits come in runs from zero to nine: the zero of r's run is v
		// code points back and is itself a digit of value 0.
		if v < 0 || v > 9 || digitValue(r-rune(v)) != 0 {
			t.Fatalf("%U: value %d", r, v)
		}
	}
}
