package attachment_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

// SPEC A5: names are sanitised, and SanitizeName says what it did.
func TestSanitizeName(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		in      string
		max     int
		want    string
		changes attachment.NameChange
		wantErr bool
	}{
		{"plain", "Quote 2024.pdf", 0, "Quote 2024.pdf", 0, false},
		{"unicode kept", "Ångström-報告.pdf", 0, "Ångström-報告.pdf", 0, false},
		{"unix traversal", "../../../etc/passwd", 0, "passwd", attachment.NameDirectoryRemoved, false},
		{"windows traversal", `..\..\boot.ini`, 0, "boot.ini", attachment.NameDirectoryRemoved, false},
		{"trailing separator", "report.pdf/", 0, "report.pdf", attachment.NameDirectoryRemoved, false},
		{"dot dot alone", "..", 0, "", attachment.NameDotsChanged, true},
		{"separators only", "/\\/", 0, "", attachment.NameDirectoryRemoved, true},
		{"empty", "", 0, "", 0, true},
		{"right-to-left override", "invoice\u202Efdp.exe", 0, "invoicefdp.exe", attachment.NameFormatRemoved, false},
		{"isolates and marks", "\u2067a\u2069\u200Eb\u200F.txt", 0, "ab.txt", attachment.NameFormatRemoved, false},
		{"zero width and BOM", "\ufeffa\u200bb.txt", 0, "ab.txt", attachment.NameFormatRemoved, false},
		{"C0 and C1 controls", "a\x01b\x7fc\u0085d.txt", 0, "abcd.txt", attachment.NameControlRemoved, false},
		{"line separator", "a\u2028b.txt", 0, "ab.txt", attachment.NameControlRemoved, false},
		{"invalid UTF-8", "a\xffb.txt", 0, "a_b.txt", attachment.NameInvalidUTF8, false},
		{"reserved characters", `a<b>c:d"e|f?g*.txt`, 0, "a_b_c_d_e_f_g_.txt", attachment.NameReservedReplaced, false},
		{"slash look-alikes", "a\u2215b\uff0fc.txt", 0, "a_b_c.txt", attachment.NameReservedReplaced, false},
		{"hidden file", ".bashrc", 0, "bashrc", attachment.NameDotsChanged, false},
		{"trailing dot and space", "setup.exe. .", 0, "setup.exe", attachment.NameDotsChanged, false},
		{"dot run", "a...b.txt", 0, "a.b.txt", attachment.NameDotsChanged, false},
		{"device name", "nul.txt", 0, "_nul.txt", attachment.NameWindowsReserved, false},
		{"device name with digit", "COM1", 0, "_COM1", attachment.NameWindowsReserved, false},
		{"device-like name", "console.txt", 0, "console.txt", 0, false},
		{"shortened keeps extension", strings.Repeat("a", 300) + ".xlsx", 0, strings.Repeat("a", 250) + ".xlsx", attachment.NameShortened, false},
		{"shortened on a rune boundary", "ééé.txt", 9, "éé.txt", attachment.NameShortened, false},
		{"huge extension is cut", "a." + strings.Repeat("x", 20), 8, "a.xxxxxx", attachment.NameShortened, false},
		{"cut down to a device name", "CONSOLE.txt", 7, "_CO.txt", attachment.NameShortened | attachment.NameWindowsReserved, false},
		{"no stem left beside the extension", "é.txt", 5, "é.tx", attachment.NameShortened, false},
		{"everything", "../\u202Ecv.\x00..exe ", 0, "cv.exe", attachment.NameDirectoryRemoved | attachment.NameFormatRemoved | attachment.NameControlRemoved | attachment.NameDotsChanged, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, changes, err := attachment.SanitizeName(tc.in, tc.max)
			require.Equal(t, tc.changes, changes)
			if tc.wantErr {
				require.ErrorIs(t, err, attachment.ErrBadName)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			requireCleanName(t, got, tc.max)
		})
	}
}

func TestNameChangeString(t *testing.T) {
	t.Parallel()

	require.Equal(t, "unchanged", attachment.NameChange(0).String())
	require.Equal(t, "invisible format characters removed, directory part removed",
		(attachment.NameFormatRemoved | attachment.NameDirectoryRemoved).String())
}

// requireCleanName checks the promises SanitizeName makes about its result.
func requireCleanName(t testing.TB, name string, max int) {
	t.Helper()
	if max <= 0 {
		max = attachment.DefaultMaxNameBytes
	}
	require.NotEmpty(t, name)
	require.True(t, utf8.ValidString(name), "invalid UTF-8 in %q", name)
	require.LessOrEqual(t, len(name), max)
	require.NotContains(t, name, "/")
	require.NotContains(t, name, `\`)
	require.NotContains(t, name, "..")
	require.False(t, strings.HasPrefix(name, "."), "leading dot in %q", name)
	require.False(t, strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "), "trailing dot or space in %q", name)
	for _, r := range name {
		require.False(t, unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp), "character %U in %q", r, name)
	}
}
