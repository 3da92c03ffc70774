package attachment_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gabriel-vasile/mimetype"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

// wordPolicy allows Word documents, which neither preset lists, so that
// the scanning of OOXML documents can be tested on the format the sources
// discuss most.
func wordPolicy() attachment.Policy {
	return attachment.Policy{
		Enabled: true,
		Scanner: cardScanner,
		Formats: []attachment.Format{{
			Name:       "Word document",
			Extensions: []string{".docx"},
			MIMETypes:  []string{"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		}},
	}
}

func utf16File(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// SPEC P2: a text-bearing attachment holding a payment card number is not
// sent; the refusal carries the scanner's reason.
func TestSensitiveContentRefused(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		policy  attachment.Policy
		file    string
		content []byte
	}{
		{"text", textPolicy(), "notes.txt", []byte("Please charge " + testCard + " today.\n")},
		{"text with dashes", textPolicy(), "notes.txt", []byte("card: 4111-1111-1111-1111\n")},
		{"UTF-16 text", textPolicy(), "notes.txt", utf16File("card " + testCard)},
		{"CSV", textPolicy(), "orders.csv", []byte("name,card\nAda," + testCard + "\nBob,none\n")},
		{"HTML", officePolicy(), "page.html", htmlFile("<p>Card: " + testCard + "</p>")},
		{"HTML with character references", officePolicy(), "page.html", htmlFile("<p>Card: &#52;111 1111 &#x31;111 1111</p>")},
		{"web archive, base64 part", officePolicy(), "page.mht", mhtFile("<p>Card: " + testCard + "</p>")},
		{"docx", wordPolicy(), "letter.docx", docxFile(t, []string{"Card: " + testCard})},
		{"docx, number split over runs", wordPolicy(), "letter.docx", docxFile(t, []string{"Hello"}, []string{"Card: 4111 11", "11 1111 ", "1111"})},
		{"xlsx shared string", officePolicy(), "book.xlsx", xlsxFile(t, "Name", testCard)},
		{"pptx slide", officePolicy(), "deck.pptx", pptxFile(t, "Card "+testCard)},
		{"odt", officePolicy(), "letter.odt", odtFile(t, "Card "+testCard)},
		{"xlsb binary part", officePolicy(), "book.xlsb", zipFile(t,
			part{"[Content_Types].xml", contentTypes},
			part{"xl/workbook.bin", "\x83\x01\x00"},
			part{"xl/sharedStrings.bin", "\x9f\x01\x26\x00" + string(utf16File(testCard)[2:])},
		)},
		{"xls strings", officePolicy(), "book.xls", oleFile(clsidXls, testCard)},
		{"ppt strings", officePolicy(), "deck.ppt", oleFile(clsidPpt, testCard)},
		{"embedded workbook in docx", wordPolicy(), "letter.docx", zipFile(t,
			part{"[Content_Types].xml", contentTypes},
			part{"word/document.xml", `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>See table</w:t></w:r></w:p></w:body></w:document>`},
			part{"word/embeddings/Microsoft_Excel_Worksheet.xlsx", string(xlsxFile(t, testCard))},
		)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.policy.Check(context.Background(), []attachment.Upload{upload(tc.file, tc.content)})
			require.Nil(t, got)
			rejected := requireRejected(t, err, 0, attachment.ErrSensitiveContent)
			require.Equal(t, "the file contains sensitive data (payment card number)", rejected.Reason)
		})
	}
}

// SPEC P2: the same files without a card number pass, so the refusals
// above come from the number and not from the format.
func TestCleanContentScanned(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		policy  attachment.Policy
		file    string
		content []byte
	}{
		{"text", textPolicy(), "notes.txt", []byte("Order 4111 shipped.\n")},
		{"docx", wordPolicy(), "letter.docx", docxFile(t, []string{"Order 4111"}, []string{"1111 1111 1111"})},
		{"xlsx cells", officePolicy(), "book.xlsx", xlsxFile(t, "4111 1111", "1111 1111")},
		{"web archive", officePolicy(), "page.mht", mhtFile("<p>hello</p>")},
		{"xls", officePolicy(), "book.xls", oleFile(clsidXls, "Totals")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.policy.Check(context.Background(), []attachment.Upload{upload(tc.file, tc.content)})
			require.NoError(t, err)
			require.True(t, got[0].Scanned)
		})
	}
}

// SPEC P2: content that cannot be read to be scanned fails closed.
func TestUnreadableFailsClosed(t *testing.T) {
	t.Parallel()

	whole := docxFile(t, []string{"Card: " + testCard})
	cases := []struct {
		name    string
		policy  attachment.Policy
		file    string
		content []byte
	}{
		// The local headers still sniff as a Word document; the end of the
		// central directory is gone.
		{"truncated docx", wordPolicy(), "letter.docx", whole[:len(whole)-10]},
		{"malformed XML", wordPolicy(), "letter.docx", zipFile(t,
			part{"[Content_Types].xml", contentTypes},
			part{"word/document.xml", `<w:document><w:body><w:p>` + testCard + `</w:document>`},
		)},
		{"corrupt compressed data", wordPolicy(), "letter.docx", corruptEntry(t)},
		{"web archive with a broken part", officePolicy(), "page.mht", []byte(
			"From: x\r\nSubject: y\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n" +
				"--b\r\nContent-Type: text/html; charset=\"\r\n\r\n<p>x</p>\r\n--b--\r\n")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.policy.Check(context.Background(), []attachment.Upload{upload(tc.file, tc.content)})
			require.Nil(t, got)
			rejected := requireRejected(t, err, 0, attachment.ErrUnreadable)
			require.NotNil(t, rejected.Cause)
		})
	}
}

// corruptEntry returns a Word document whose main part's compressed data is
// damaged after the headers.
func corruptEntry(t *testing.T) []byte {
	b := docxFile(t, []string{strings.Repeat("lorem ipsum ", 200)})
	i := bytes.Index(b, []byte("word/document.xml")) + len("word/document.xml") + 20
	for j := i; j < i+40; j++ {
		b[j] ^= 0xA5
	}
	return b
}

// bombFile returns a Word document whose main part inflates to size bytes
// of spaces from a few kilobytes. Its CRC is deliberately wrong: only a
// reader that goes all the way to the end would notice.
func bombFile(t *testing.T, size int64) []byte {
	const chunk = 1 << 20
	require.Zero(t, size%chunk)

	// One sync-flushed block of chunk spaces; repeated, each copy inflates
	// to chunk more spaces.
	var block bytes.Buffer
	fw, err := flate.NewWriter(&block, flate.BestCompression)
	require.NoError(t, err)
	_, err = fw.Write(bytes.Repeat([]byte(" "), chunk))
	require.NoError(t, err)
	require.NoError(t, fw.Flush())

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("[Content_Types].xml")
	require.NoError(t, err)
	_, err = w.Write([]byte(contentTypes))
	require.NoError(t, err)

	head := `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>`
	var headBlock bytes.Buffer
	hw, err := flate.NewWriter(&headBlock, flate.NoCompression)
	require.NoError(t, err)
	_, err = hw.Write([]byte(head))
	require.NoError(t, err)
	require.NoError(t, hw.Flush())

	var data bytes.Buffer
	data.Write(headBlock.Bytes())
	for range size / chunk {
		data.Write(block.Bytes())
	}
	data.Write([]byte{0x03, 0x00}) // final, empty fixed-Huffman block

	raw, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "word/document.xml",
		Method:             zip.Deflate,
		CRC32:              0xDEADBEEF,
		CompressedSize64:   uint64(data.Len()),
		UncompressedSize64: uint64(size) + uint64(len(head)),
	})
	require.NoError(t, err)
	_, err = raw.Write(data.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// SPEC P2: a zip bomb is stopped at the unpacked-size limit instead of
// being inflated; too many entries are refused too.
func TestArchiveLimits(t *testing.T) {
	t.Parallel()

	t.Run("bomb", func(t *testing.T) {
		t.Parallel()
		const inflated = 1 << 30 // 1 GiB
		bomb := bombFile(t, inflated)
		require.Less(t, len(bomb), 4<<20)

		p := wordPolicy()
		p.MaxUnpackedSize = 64 << 10
		got, err := p.Check(context.Background(), []attachment.Upload{upload("letter.docx", bomb)})
		require.Nil(t, got)
		rejected := requireRejected(t, err, 0, attachment.ErrUnreadable)
		require.Equal(t, "the document expands beyond the size limit of 64 KiB", rejected.Reason)
		// Reading to the end would have reported the bad checksum instead.
		require.ErrorContains(t, rejected.Cause, "expands beyond the size limit")
	})

	t.Run("entries", func(t *testing.T) {
		t.Parallel()
		doc := docxFile(t, []string{"x"}) // three entries
		p := wordPolicy()
		p.MaxArchiveEntries = 2
		_, err := p.Check(context.Background(), []attachment.Upload{upload("letter.docx", doc)})
		rejected := requireRejected(t, err, 0, attachment.ErrUnreadable)
		require.Equal(t, "the document has too many parts", rejected.Reason)

		p.MaxArchiveEntries = 3
		_, err = p.Check(context.Background(), []attachment.Upload{upload("letter.docx", doc)})
		require.NoError(t, err)
	})
}

// SPEC P2: scanning cannot be forgotten. Without a scanner, text-bearing
// files fail closed unless SkipScan says otherwise; RequireScan refuses
// files no scanner can read.
func TestScannerConfiguration(t *testing.T) {
	t.Parallel()

	t.Run("no scanner", func(t *testing.T) {
		t.Parallel()
		p := attachment.TextPDFImages()
		_, err := p.Check(context.Background(), []attachment.Upload{upload("notes.txt", []byte("hi"))})
		rejected := requireRejected(t, err, 0, attachment.ErrNotScanned)
		require.Contains(t, rejected.Reason, "no content scanner is configured")

		_, err = attachment.OfficeDocuments().Check(context.Background(), []attachment.Upload{upload("book.xlsx", xlsxFile(t, "x"))})
		requireRejected(t, err, 0, attachment.ErrNotScanned)

		got, err := p.Check(context.Background(), []attachment.Upload{upload("scan.pdf", pdfFile())})
		require.NoError(t, err)
		require.False(t, got[0].Scanned)
	})
	t.Run("skip scan", func(t *testing.T) {
		t.Parallel()
		p := attachment.TextPDFImages()
		p.SkipScan = true
		got, err := p.Check(context.Background(), []attachment.Upload{upload("notes.txt", []byte(testCard))})
		require.NoError(t, err)
		require.False(t, got[0].Scanned)
	})
	t.Run("require scan", func(t *testing.T) {
		t.Parallel()
		p := textPolicy()
		p.RequireScan = true
		_, err := p.Check(context.Background(), []attachment.Upload{upload("scan.pdf", pdfFile())})
		rejected := requireRejected(t, err, 0, attachment.ErrNotScanned)
		require.Contains(t, rejected.Reason, "application/pdf")

		got, err := p.Check(context.Background(), []attachment.Upload{upload("notes.txt", []byte("hi"))})
		require.NoError(t, err)
		require.True(t, got[0].Scanned)
	})
}

// cancellingScanner cancels the check the first time it is called.
type cancellingScanner struct{ cancel context.CancelFunc }

func (s cancellingScanner) ScanText([]byte) (string, bool) {
	s.cancel()
	return "", false
}

// Cancellation during a scan stops it between document parts and is
// reported as the context's error, not as a refused file.
func TestScanCancelled(t *testing.T) {
	t.Parallel()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := officePolicy()
	p.Scanner = cancellingScanner{cancel: cancel}
	got, err := p.Check(ctx, []attachment.Upload{upload("book.xlsx", xlsxFile(t, "a", "b"))})
	require.Nil(t, got)
	require.ErrorIs(t, err, context.Canceled)
	var rejected *attachment.RejectedError
	require.False(t, errors.As(err, &rejected))
}

// SPEC A1: an Office document whose main part lies beyond the sniffer's
// read window is still recognised, from the archive's directory.
func TestOfficePartBeyondSnifferWindow(t *testing.T) {
	t.Parallel()

	noise := make([]byte, 16<<10)
	for i := range noise {
		noise[i] = byte(i*7919 + i>>3)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range []struct {
		name   string
		body   []byte
		method uint16
	}{
		{"[Content_Types].xml", []byte(contentTypes), zip.Deflate},
		{"docProps/thumbnail.jpeg", noise, zip.Store},
		{"xl/workbook.xml", []byte(`<workbook xmlns="x"><sheets/></workbook>`), zip.Deflate},
		{"xl/sharedStrings.xml", []byte(`<sst xmlns="x"><si><t>` + testCard + `</t></si></sst>`), zip.Deflate},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: p.method})
		require.NoError(t, err)
		_, err = w.Write(p.body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	book := buf.Bytes()
	require.Equal(t, "application/zip", mimetype.Detect(book).String(), "the sniffer alone sees a plain zip")

	p := attachment.OfficeDocuments()
	p.SkipScan = true
	got, err := p.Check(context.Background(), []attachment.Upload{upload("book.xlsx", book)})
	require.NoError(t, err)
	require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", got[0].MIME)

	// And its text is scanned like any other workbook's.
	_, err = officePolicy().Check(context.Background(), []attachment.Upload{upload("book.xlsx", book)})
	requireRejected(t, err, 0, attachment.ErrSensitiveContent)
}
