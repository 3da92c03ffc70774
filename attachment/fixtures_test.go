package attachment_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/attachment"
)

// Card numbers the fake scanner blocks. testCard is a well-known test Visa.
const testCard = "4111 1111 1111 1111"

// fakeScanner blocks text containing any of its needles, and records what
// it was shown.
type fakeScanner struct {
	needles []string
}

func (s fakeScanner) ScanText(text []byte) (string, bool) {
	compact := strings.NewReplacer(" ", "", "-", "").Replace(string(text))
	for _, n := range s.needles {
		if strings.Contains(compact, strings.NewReplacer(" ", "", "-", "").Replace(n)) {
			return "payment card number", true
		}
	}
	return "", false
}

var cardScanner = fakeScanner{needles: []string{testCard}}

// pngFile returns a w×h PNG. With noise it is incompressible, so its size
// is about 4·w·h bytes.
func pngFile(tb testing.TB, w, h int, noise bool) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: uint8(x), G: uint8(y), B: 0x80, A: 0xff}
			if noise {
				c = color.RGBA{R: uint8(r.Uint32()), G: uint8(r.Uint32()), B: uint8(r.Uint32()), A: 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	require.NoError(tb, png.Encode(&buf, img))
	return buf.Bytes()
}

func pdfFile() []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// elfFile returns the start of a 64-bit ELF executable.
func elfFile() []byte {
	b := make([]byte, 64)
	copy(b, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(b[16:], 2) // ET_EXEC
	binary.LittleEndian.PutUint16(b[18:], 62)
	return b
}

// peFile returns the start of a Windows PE executable.
func peFile() []byte {
	b := make([]byte, 128)
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], 64)
	copy(b[64:], "PE\x00\x00")
	return b
}

// part is one entry of a zip container.
type part struct {
	name, body string
}

func zipFile(tb testing.TB, parts ...part) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		method := zip.Deflate
		if p.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		require.NoError(tb, err)
		_, err = w.Write([]byte(p.body))
		require.NoError(tb, err)
	}
	require.NoError(tb, zw.Close())
	return buf.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`

const rels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`

// docxFile returns a minimal Word document whose paragraphs are given as
// runs: each paragraph's runs are written as separate w:r elements.
func docxFile(tb testing.TB, paragraphs ...[]string) []byte {
	tb.Helper()
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, runs := range paragraphs {
		doc.WriteString("<w:p>")
		for _, r := range runs {
			doc.WriteString(`<w:r><w:t xml:space="preserve">` + r + `</w:t></w:r>`)
		}
		doc.WriteString("</w:p>")
	}
	doc.WriteString(`</w:body></w:document>`)
	return zipFile(tb,
		part{"[Content_Types].xml", contentTypes},
		part{"_rels/.rels", rels},
		part{"word/document.xml", doc.String()},
	)
}

// xlsxFile returns a minimal Excel workbook with the given shared strings.
func xlsxFile(tb testing.TB, cells ...string) []byte {
	tb.Helper()
	var ss strings.Builder
	ss.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	for _, c := range cells {
		ss.WriteString("<si><t>" + c + "</t></si>")
	}
	ss.WriteString("</sst>")
	return zipFile(tb,
		part{"[Content_Types].xml", contentTypes},
		part{"_rels/.rels", rels},
		part{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>`},
		part{"xl/sharedStrings.xml", ss.String()},
	)
}

// pptxFile returns a minimal PowerPoint presentation with one slide.
func pptxFile(tb testing.TB, text string) []byte {
	tb.Helper()
	return zipFile(tb,
		part{"[Content_Types].xml", contentTypes},
		part{"_rels/.rels", rels},
		part{"ppt/presentation.xml", `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`},
		part{"ppt/slides/slide1.xml", `<p:sld xmlns:p="p" xmlns:a="a"><a:p><a:r><a:t>` + text + `</a:t></a:r></a:p></p:sld>`},
	)
}

// odtFile returns a minimal OpenDocument text.
func odtFile(tb testing.TB, text string) []byte {
	tb.Helper()
	return zipFile(tb,
		part{"mimetype", "application/vnd.oasis.opendocument.text"},
		part{"content.xml", `<office:document-content xmlns:office="o" xmlns:text="t"><office:body><text:p>` + text + `</text:p></office:body></office:document-content>`},
	)
}

// Root storage CLSIDs of legacy office files.
var (
	clsidXls = []byte{0x10, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}
	clsidPpt = []byte{0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0x00, 0xaa, 0x00, 0xb9, 0x29, 0xe8}
	clsidPub = []byte{0x01, 0x12, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
)

// oleFile returns a minimal compound file whose root storage has the given
// CLSID, followed by text stored as UTF-16LE the way legacy office files
// store strings.
func oleFile(clsid []byte, text string) []byte {
	b := make([]byte, 3*512)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	b[26], b[27] = 0x03, 0x00                // version 3: 512-byte sectors
	binary.LittleEndian.PutUint32(b[48:], 0) // directory starts at sector 0
	copy(b[512:], "R\x00o\x00o\x00t\x00")    // root entry name
	copy(b[512+80:], clsid)                  // root storage CLSID
	for i, c := range []byte(text) {
		b[1024+2*i] = c
	}
	return b
}

// mhtFile returns a web archive whose HTML part is base64-encoded, as
// browsers and Office save it.
func mhtFile(html string) []byte {
	enc := base64.StdEncoding.EncodeToString([]byte(html))
	return []byte("From: <Saved by Microsoft Internet Explorer 11>\r\n" +
		"Subject: Quote\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related; type=\"text/html\"; boundary=\"----=_NextPart_000\"\r\n" +
		"\r\n" +
		"------=_NextPart_000\r\n" +
		"Content-Type: text/html; charset=\"utf-8\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" + enc + "\r\n" +
		"------=_NextPart_000--\r\n")
}

func htmlFile(body string) []byte {
	return []byte("<!DOCTYPE html>\n<html><head><title>t</title></head><body>" + body + "</body></html>\n")
}

// upload wraps content as an upload with an honest declared size.
func upload(name string, content []byte) attachment.Upload {
	return attachment.Upload{Name: name, DeclaredSize: int64(len(content)), Body: bytes.NewReader(content)}
}

// endless is a reader of endless bytes that counts what is read from it.
type endless struct {
	fill byte
	read int64
}

func (r *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.fill
	}
	r.read += int64(len(p))
	return len(p), nil
}

// requireRejected checks that err is a *RejectedError for file index with
// the given sentinel, and returns it.
func requireRejected(t *testing.T, err error, index int, sentinel error) *attachment.RejectedError {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var rejected *attachment.RejectedError
	require.ErrorAs(t, err, &rejected)
	require.Equal(t, index, rejected.Index)
	require.NotEmpty(t, rejected.Reason)
	return rejected
}
