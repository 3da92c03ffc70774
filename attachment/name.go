package attachment

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxNameBytes is the longest cleaned file name, in bytes, when
// [Policy].MaxNameBytes is zero. It is the limit of common file systems.
const DefaultMaxNameBytes = 255

// NameChange records what [SanitizeName] did to a file name. It is a set of
// bits; the zero value means the name was used as given.
type NameChange uint16

// The changes [SanitizeName] can make, in the order it makes them.
const (
	// NameInvalidUTF8 means bytes that were not UTF-8 were replaced by "_".
	NameInvalidUTF8 NameChange = 1 << iota
	// NameControlRemoved means control characters (C0, DEL, C1, line and
	// paragraph separators) were removed.
	NameControlRemoved
	// NameFormatRemoved means invisible format characters were removed:
	// bidirectional overrides, embeddings, isolates and marks (U+202A to
	// U+202E, U+2066 to U+2069, U+200E, U+200F), zero-width characters and
	// the byte order mark. These are how "invoice\u202Efdp.exe" shows as
	// "invoiceexe.pdf".
	NameFormatRemoved
	// NameReservedReplaced means characters Windows forbids in names
	// (< > : " | ? *) and slash look-alikes (U+2044, U+2215, U+FF0F,
	// U+FF3C, U+29F8, U+29F9) were replaced by "_".
	NameReservedReplaced
	// NameDirectoryRemoved means everything up to the last "/" or "\" was
	// dropped, so "../../etc/passwd" becomes "passwd".
	NameDirectoryRemoved
	// NameDotsChanged means leading dots and spaces, trailing dots and
	// spaces (which Windows drops, turning "a.exe." into "a.exe") were
	// removed, or runs of dots were collapsed to one, so no ".." remains.
	NameDotsChanged
	// NameWindowsReserved means the name was a Windows device name such as
	// CON, NUL, COM1 or LPT1 (with any extension) and was prefixed with "_".
	NameWindowsReserved
	// NameShortened means the name was cut to the byte limit on a rune
	// boundary, keeping its extension.
	NameShortened
)

var nameChangeText = [...]string{
	"invalid UTF-8 replaced",
	"control characters removed",
	"invisible format characters removed",
	"reserved characters replaced",
	"directory part removed",
	"leading or trailing dots removed",
	"Windows device name prefixed",
	"shortened",
}

// String lists the changes, comma separated, or returns "unchanged".
func (c NameChange) String() string {
	if c == 0 {
		return "unchanged"
	}
	var parts []string
	for i, text := range nameChangeText {
		if c&(1<<i) != 0 {
			parts = append(parts, text)
		}
	}
	return strings.Join(parts, ", ")
}

// SanitizeName cleans an uploaded file name so it can be shown to people and
// stored on any common file system. It reports what it changed. maxBytes is
// the longest result in bytes; zero or less means [DefaultMaxNameBytes].
//
// The result never contains "/", "\", "..", control characters, invisible
// format characters (bidirectional controls included) or invalid UTF-8;
// never starts with a dot or ends with a dot or space; and is never a Windows
// device name. SanitizeName returns an error wrapping [ErrBadName] when
// nothing usable is left.
func SanitizeName(name string, maxBytes int) (string, NameChange, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxNameBytes
	}
	var changes NameChange
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			changes |= NameInvalidUTF8
			b.WriteByte('_')
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			changes |= NameControlRemoved
		case unicode.Is(unicode.Cf, r):
			changes |= NameFormatRemoved
		case strings.ContainsRune(`<>:"|?*`, r) || isSlashLookalike(r):
			changes |= NameReservedReplaced
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()

	if strings.ContainsAny(s, `/\`) {
		changes |= NameDirectoryRemoved
		// Keep the last non-empty component, so "report.pdf/" keeps its name.
		s = lastComponent(s)
	}

	s, dots := trimDots(s)
	if dots {
		changes |= NameDotsChanged
	}
	if s == "" {
		return "", changes, fmt.Errorf("%w: nothing usable left of %q", ErrBadName, name)
	}

	if len(s) > maxBytes {
		changes |= NameShortened
		s = shorten(s, maxBytes)
		s, _ = trimDots(s)
		if s == "" {
			return "", changes, fmt.Errorf("%w: nothing usable left of %q within %d bytes", ErrBadName, name, maxBytes)
		}
	}

	// After any cut, since cutting can make a device name ("CONSOLE.txt"
	// in 7 bytes is "CON.txt"). Cutting the prefixed name again cannot:
	// it starts with "_".
	if isWindowsDevice(s) {
		changes |= NameWindowsReserved
		s = "_" + s
		if len(s) > maxBytes {
			changes |= NameShortened
			s, _ = trimDots(shorten(s, maxBytes))
		}
	}
	return s, changes, nil
}

func isSlashLookalike(r rune) bool {
	switch r {
	case '\u2044', '\u2215', '\uFF0F', '\uFF3C', '\u29F8', '\u29F9':
		return true
	}
	return false
}

func lastComponent(s string) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

// trimDots removes leading dots and white space, trailing dots and white
// space, and collapses runs of dots.
func trimDots(s string) (string, bool) {
	orig := s
	s = strings.TrimLeftFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	s = strings.TrimRightFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	return s, s != orig
}

// isWindowsDevice reports whether s names a Windows device: the part before
// the first dot, without trailing spaces, is CON, PRN, AUX, NUL, COM0-9,
// LPT0-9 (superscript digits included), CONIN$ or CONOUT$.
func isWindowsDevice(s string) bool {
	stem, _, _ := strings.Cut(s, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(stem) < 4 || (stem[:3] != "COM" && stem[:3] != "LPT") {
		return false
	}
	switch stem[3:] {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

// shorten cuts s to at most maxBytes bytes on a rune boundary, keeping the
// extension when it fits with at least one byte of stem.
func shorten(s string, maxBytes int) string {
	ext := path.Ext(s)
	if len(ext) >= maxBytes || len(ext) == len(s) {
		ext = ""
	}
	stem := cutRunes(strings.TrimSuffix(s, ext), maxBytes-len(ext))
	if stem == "" {
		// The first rune of the stem is wider than the room left beside
		// the extension: ".txt" alone would be a hidden file with no stem.
		return cutRunes(s, maxBytes)
	}
	return stem + ext
}

// cutRunes returns the longest prefix of s of at most n bytes that ends on a
// rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
