package attachment_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

// fuzzPolicy allows every preset format with small limits, so the fuzzer
// reaches every path (sniffing, zip, XML, web archive and binary scanning)
// quickly.
func fuzzPolicy() attachment.Policy {
	return attachment.Policy{
		Enabled:         true,
		MaxFiles:        2,
		MaxFileSize:     64 << 10,
		MaxTotalSize:    96 << 10,
		Formats:         append(attachment.OfficeDocuments().Formats, attachment.TextPDFImages().Formats...),
		Scanner:         cardScanner,
		MaxNameBytes:    64,
		MaxUnpackedSize: 1 << 20,
	}
}

// SPEC A5: whatever the names, contents and declared sizes, Check never
// panics, accepted names are clean and accepted sizes within the policy.
func FuzzCheck(f *testing.F) {
	f.Add("notes.txt", []byte("hello"), int64(5), "b.png", pngFile(f, 2, 2, false))
	f.Add("../x.pdf", pdfFile(), int64(0), "a\u202Egnp.exe", peFile())
	f.Add("deck.pptx", pptxFile(f, testCard), int64(-1), "book.xlsx", xlsxFile(f, "x"))
	f.Add("letter.odt", odtFile(f, "hi"), int64(3), "page.mht", mhtFile("<p>x</p>"))
	f.Add("book.xls", oleFile(clsidXls, "x"), int64(1536), "page.html", htmlFile("&#52;"))
	f.Add("a.csv", []byte("a,b\n1,2\n"), int64(1<<40), "CON.txt", elfFile())

	p := fuzzPolicy()
	f.Fuzz(func(t *testing.T, name1 string, content1 []byte, declared int64, name2 string, content2 []byte) {
		uploads := []attachment.Upload{
			{Name: name1, DeclaredSize: declared, Body: bytes.NewReader(content1)},
			{Name: name2, Body: bytes.NewReader(content2)},
		}
		got, err := p.Check(context.Background(), uploads)
		if err != nil {
			require.Nil(t, got)
			var rejected *attachment.RejectedError
			require.True(t, errors.As(err, &rejected), "unexpected error %v", err)
			require.NotEmpty(t, rejected.Reason)
			return
		}
		require.Len(t, got, 2)
		var total int64
		for i, a := range got {
			requireCleanName(t, a.Name, p.MaxNameBytes)
			require.Equal(t, uploads[i].Name, a.OriginalName)
			require.LessOrEqual(t, a.Size, p.MaxFileSize)
			require.Equal(t, int64(len(a.Content)), a.Size)
			require.True(t, strings.HasSuffix(strings.ToLower(a.Name), a.Extension))
			total += a.Size
		}
		require.Equal(t, []byte(content1), got[0].Content)
		require.Equal(t, []byte(content2), got[1].Content)
		require.LessOrEqual(t, total, p.MaxTotalSize)
	})
}

// SPEC A5: SanitizeName keeps its promises for any input and is idempotent.
func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"a.pdf", "../../x", "\u202Eexe.pdf", "CON.txt", ". .", "a\x00b", strings.Repeat("é", 200) + ".docx"} {
		f.Add(s, 0)
	}
	f.Add("CONSOLE.txt", 7)
	f.Add("COM1xyz", 4)
	f.Add("con .a.b.txt", 9)
	f.Fuzz(func(t *testing.T, name string, max int) {
		max %= 512
		clean, _, err := attachment.SanitizeName(name, max)
		if err != nil {
			require.ErrorIs(t, err, attachment.ErrBadName)
			return
		}
		requireCleanName(t, clean, max)
		again, changes, err := attachment.SanitizeName(clean, max)
		require.NoError(t, err)
		require.Equal(t, clean, again)
		require.Zero(t, changes)
	})
}
