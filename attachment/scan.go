package attachment

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf16"

	"github.com/gabriel-vasile/mimetype"
)

// ContentScanner inspects the text of a text-bearing attachment.
//
// [Policy.Check] calls ScanText on its own goroutine, once or more per file
// (a document is scanned part by part), and never after Check returns. The
// text is only valid during the call: it must not be retained. A scanner
// shared by policies used from several goroutines must be safe for
// concurrent use. The compliance package's detector implements it.
type ContentScanner interface {
	// ScanText reports whether text holds data that must not be sent, with a short
	// human-readable reason such as "payment card number".
	ScanText(text []byte) (reason string, blocked bool)
}

// refusal is a scan outcome that refuses the file for a reason an agent
// can be shown. Other scan errors mean the content could not be read.
type refusal struct {
	sentinel error
	reason   string
}

func (r *refusal) Error() string { return r.reason }

// Errors of the scan whose text is shown to agents as the reason.
var (
	errExpands      = errors.New("the document expands beyond the size limit")
	errTooManyParts = errors.New("the document has too many parts")
)

// maxMailDepth bounds the nesting of multipart bodies in a web archive.
const maxMailDepth = 8

// scan runs the policy's scanner over the text of content, sniffed as m. It
// reports whether the content was scanned. c has its defaults applied.
func (c Policy) scan(ctx context.Context, content []byte, m *mimetype.MIME) (bool, error) {
	inspectable := descendsFrom(m, mimeText) || descendsFrom(m, "application/zip") ||
		descendsFrom(m, "application/x-ole-storage")
	if !inspectable {
		if c.RequireScan {
			return false, &refusal{ErrNotScanned, "the content (" + bareType(m) + ") cannot be checked for sensitive data"}
		}
		return false, nil
	}
	if c.Scanner == nil {
		if c.SkipScan {
			return false, nil
		}
		return false, &refusal{ErrNotScanned, "no content scanner is configured to check it for sensitive data"}
	}
	s := &scanState{ctx: ctx, scanner: c.Scanner, budget: c.MaxUnpackedSize, maxEntries: c.MaxArchiveEntries}
	switch {
	case descendsFrom(m, mimeText):
		return true, s.plain(content, m)
	case descendsFrom(m, "application/zip"):
		return true, s.zip(content, 0)
	default:
		return true, s.text(binaryStrings(content))
	}
}

// scanState carries the scanner and the limits through one file.
type scanState struct {
	ctx        context.Context
	scanner    ContentScanner
	budget     int64 // decompressed bytes still allowed
	maxEntries int
}

func (s *scanState) text(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	reason, blocked := s.scanner.ScanText(b)
	if !blocked {
		return nil
	}
	if reason == "" {
		reason = "sensitive data"
	}
	return &refusal{ErrSensitiveContent, "the file contains sensitive data (" + reason + ")"}
}

// plain scans a text file: as stored, decoded from UTF-16 when it starts
// with a byte order mark, with HTML character references resolved, and with
// the parts of a MIME web archive decoded.
func (s *scanState) plain(content []byte, m *mimetype.MIME) error {
	b := decodeUTF16(content)
	if err := s.text(b); err != nil {
		return err
	}
	if descendsFrom(m, mimeHTML) || descendsFrom(m, "application/xhtml+xml") {
		if un := html.UnescapeString(string(b)); un != string(b) {
			if err := s.text([]byte(un)); err != nil {
				return err
			}
		}
	}
	if descendsFrom(m, "message/rfc822") {
		msg, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("web archive: %w", err)
		}
		return s.entity(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	}
	return nil
}

// entity scans one MIME entity of a web archive, descending into multipart
// bodies. Decoding (base64, quoted-printable) never expands the data, so the
// work is bounded by the file size.
func (s *scanState) entity(h textproto.MIMEHeader, body io.Reader, depth int) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = mimeText
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("web archive part: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if depth >= maxMailDepth {
			return errors.New("web archive: parts nested too deeply")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			if err := s.ctx.Err(); err != nil {
				return err
			}
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("web archive: %w", err)
			}
			if err := s.entity(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	case strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml"):
		data, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("web archive part: %w", err)
		}
		if err := s.text(data); err != nil {
			return err
		}
		if un := html.UnescapeString(string(data)); un != string(data) {
			return s.text([]byte(un))
		}
	}
	return nil
}

// zip scans an archive-based document (Office Open XML, OpenDocument): the
// character data of its XML parts, printable strings of its binary parts,
// and, one level deep, embedded documents. Everything it decompresses counts
// against the budget, so a zip bomb is stopped after budget+1 bytes.
func (s *scanState) zip(content []byte, depth int) error {
	zr, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		return fmt.Errorf("document archive: %w", err)
	}
	if len(zr.File) > s.maxEntries {
		return fmt.Errorf("%w: %d, more than the %d allowed", errTooManyParts, len(zr.File), s.maxEntries)
	}
	var text bytes.Buffer
	for _, f := range zr.File {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		name := strings.ToLower(f.Name)
		switch {
		case strings.HasSuffix(name, "/"):
			continue
		case strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") || strings.HasSuffix(name, ".vml"):
			text.Reset()
			if err := s.readEntry(f, func(r io.Reader) error { return xmlText(r, &text) }); err != nil {
				return err
			}
			if err := s.text(text.Bytes()); err != nil {
				return err
			}
		case strings.HasSuffix(name, ".bin") || strings.Contains(name, "embeddings/"):
			var data []byte
			err := s.readEntry(f, func(r io.Reader) error {
				var err error
				data, err = io.ReadAll(r)
				return err
			})
			if err != nil {
				return err
			}
			if bytes.HasPrefix(data, []byte("PK\x03\x04")) && depth == 0 {
				if err := s.zip(data, depth+1); err != nil {
					return err
				}
				continue
			}
			if err := s.text(binaryStrings(data)); err != nil {
				return err
			}
		}
		// Other parts (pictures, fonts, thumbnails) hold no text to scan.
	}
	return nil
}

// readEntry opens f and hands read a reader that stops with errExpands once
// the budget is spent.
func (s *scanState) readEntry(f *zip.File, read func(io.Reader) error) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("document part %q: %w", f.Name, err)
	}
	defer rc.Close()
	if err := read(&budgetReader{r: rc, s: s}); err != nil {
		if errors.Is(err, errExpands) {
			return err
		}
		return fmt.Errorf("document part %q: %w", f.Name, err)
	}
	return nil
}

// budgetReader reads from r, counting against the scan budget, and fails
// with errExpands after reading at most one byte past it.
type budgetReader struct {
	r io.Reader
	s *scanState
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.s.budget < 0 {
		return 0, errExpands
	}
	if int64(len(p)) > b.s.budget+1 {
		p = p[:b.s.budget+1]
	}
	n, err := b.r.Read(p)
	b.s.budget -= int64(n)
	if b.s.budget < 0 {
		return n, errExpands
	}
	return n, err
}

// xmlText writes the character data of an XML document to dst, with
// paragraphs, table cells and line breaks as line breaks, so that text
// split over several runs of one paragraph ("4111 1111" "1111 1111") reads
// as one piece and adjacent spreadsheet cells do not run together. Values
// of descriptive attributes (alternative text, titles, tooltips) are
// included. The decoder does not expand custom entities.
func xmlText(r io.Reader, dst *bytes.Buffer) error {
	d := xml.NewDecoder(r)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p", "h", "si", "c", "tc", "tr", "row", "table-cell", "table-row", "list-item", "br", "cr", "line-break":
				dst.WriteByte('\n')
			case "tab", "s":
				dst.WriteByte(' ')
			}
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "descr", "title", "alt", "tooltip":
					dst.WriteByte('\n')
					dst.WriteString(a.Value)
					dst.WriteByte('\n')
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "h", "si", "c", "tc", "tr", "row", "table-cell", "table-row", "list-item":
				dst.WriteByte('\n')
			}
		case xml.CharData:
			writeCollapsed(dst, t)
		}
	}
}

// writeCollapsed writes b to dst with each run of white space, including
// one that continues a run already at the end of dst, as a single space.
// Padding ("4111   1111") then reads like ordinary spacing, and a part
// that is mostly white space costs no memory.
func writeCollapsed(dst *bytes.Buffer, b []byte) {
	for _, c := range b {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if n := dst.Len(); n > 0 && isSpace(dst.Bytes()[n-1]) {
				continue
			}
			dst.WriteByte(' ')
			continue
		}
		dst.WriteByte(c)
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// minRun is the shortest printable run binaryStrings keeps.
const minRun = 4

// binaryStrings extracts the printable ASCII runs of a binary document, both
// as single bytes and as UTF-16LE at either alignment, one run per line.
// Legacy office formats store their text this way. A run split across two
// storage sectors is seen as two runs.
func binaryStrings(b []byte) []byte {
	var out []byte
	var run []byte
	flush := func() {
		if len(run) >= minRun {
			out = append(out, run...)
			out = append(out, '\n')
		}
		run = run[:0]
	}
	for _, c := range b {
		if isPrintable(c) {
			run = append(run, c)
			continue
		}
		flush()
	}
	flush()
	for align := 0; align < 2; align++ {
		for i := align; i+1 < len(b); i += 2 {
			if b[i+1] == 0 && isPrintable(b[i]) {
				run = append(run, b[i])
				continue
			}
			flush()
		}
		flush()
	}
	return out
}

func isPrintable(c byte) bool { return c == '\t' || (c >= 0x20 && c < 0x7f) }

// decodeUTF16 returns b as UTF-8 if it starts with a UTF-16 byte order mark,
// and b unchanged otherwise.
func decodeUTF16(b []byte) []byte {
	var big bool
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		big = true
	default:
		return b
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		if big {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return []byte(string(utf16.Decode(u)))
}
