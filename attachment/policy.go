package attachment

import (
	"fmt"
	"math"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// Size units used by the presets. They are decimal: a limit of "20 MB" in
// the sources is enforced as 20,000,000 bytes, which also satisfies anyone
// who reads MB as 2^20 bytes.
const (
	KB int64 = 1000
	MB int64 = 1000 * KB
)

// Defaults applied to a [Policy] whose field is zero.
const (
	DefaultMaxFiles          = 5
	DefaultMaxFileSize       = 20 * MB
	DefaultMaxArchiveEntries = 10_000
	DefaultMaxUnpackedSize   = 64 << 20
)

// Format is one kind of file a [Policy] allows: the extensions a file of
// this kind may be named with and the content types the sniffer may find in
// it. A file is accepted only when its extension is listed in a Format and
// its sniffed content type is listed in that same Format.
//
// Format is a plain value; a Policy holding it is safe for concurrent use as
// long as nobody modifies its slices.
type Format struct {
	// Name describes the format to people, as in "PDF document". Defaults
	// to the first extension.
	Name string
	// Extensions lists the file name extensions, lower case with the
	// leading dot, as in ".pdf". Matching is case-insensitive. Defaults to
	// none (the format matches no file).
	Extensions []string
	// MIMETypes lists the content types, as reported by
	// github.com/gabriel-vasile/mimetype, that a file with one of
	// Extensions may have, as in "application/pdf". Aliases known to the
	// sniffer match too. Each entry must be a type the sniffer knows.
	// Defaults to none (the format matches no file).
	MIMETypes []string
}

func (f Format) name() string {
	if f.Name != "" || len(f.Extensions) == 0 {
		return f.Name
	}
	return f.Extensions[0]
}

func (f Format) hasExtension(ext string) bool {
	for _, e := range f.Extensions {
		if strings.EqualFold(e, ext) {
			return true
		}
	}
	return false
}

func (f Format) matches(m *mimetype.MIME) bool {
	for _, t := range f.MIMETypes {
		if m.Is(t) {
			return true
		}
	}
	return false
}

// Policy says which attachments a message may carry. Hosts keep one per
// tenant or queue. Policy is a value: the zero Policy has attachments
// switched off, so a queue without a configured policy accepts no files.
// Once Enabled, every zero field takes the default given in its comment.
//
// A Policy is safe for concurrent use by multiple goroutines as long as its
// slices are not modified and its Scanner is safe for concurrent use.
type Policy struct {
	// Enabled switches attachments on. Defaults to false: every file is
	// refused with [ErrDisabled].
	Enabled bool

	// MaxFiles is the largest number of files one message may carry.
	// Defaults to DefaultMaxFiles (5).
	MaxFiles int

	// MaxFileSize is the largest size of one file in bytes, enforced while
	// reading. Defaults to DefaultMaxFileSize (20 MB).
	MaxFileSize int64

	// MaxTotalSize is the largest combined size of the files of one
	// message in bytes, enforced while reading. Defaults to MaxFiles ×
	// MaxFileSize, which adds no limit of its own.
	MaxTotalSize int64

	// Formats lists the allowed kinds of file. Defaults to the formats of
	// [TextPDFImages]: text, PDF and common images.
	Formats []Format

	// Scanner inspects the text of text-bearing files (plain text, CSV,
	// HTML, web archives and office documents) for data that must not be
	// sent, such as payment card numbers. Defaults to nil, which refuses
	// every text-bearing file with [ErrNotScanned] unless SkipScan is set:
	// forgetting to configure scanning fails closed.
	Scanner ContentScanner

	// SkipScan lets text-bearing files through unscanned when Scanner is
	// nil. It is the explicit way to run without content scanning.
	// Defaults to false.
	SkipScan bool

	// RequireScan refuses, with [ErrNotScanned], files whose content no
	// scanner can read: PDF documents and images. Defaults to false: such
	// files pass with [Accepted].Scanned false.
	RequireScan bool

	// StrictNames refuses, with [ErrBadName], any file whose name
	// [SanitizeName] would change, instead of cleaning it. Defaults to
	// false: names are cleaned and the changes reported in
	// [Accepted].NameChanges.
	StrictNames bool

	// MaxNameBytes is the longest cleaned name in bytes; longer names are
	// shortened (or refused under StrictNames). Defaults to
	// DefaultMaxNameBytes (255).
	MaxNameBytes int

	// MaxArchiveEntries is the largest number of entries an office
	// document (a zip archive) may hold before it is refused as
	// unreadable. Defaults to DefaultMaxArchiveEntries (10,000).
	MaxArchiveEntries int

	// MaxUnpackedSize is the largest number of bytes decompressed while
	// scanning one archive-based document; a document that expands
	// further is refused as unreadable without being expanded further.
	// Defaults to DefaultMaxUnpackedSize (64 MiB). Scanning
	// takes roughly one second of CPU per 64 MiB unpacked.
	MaxUnpackedSize int64
}

// Validate reports a policy that cannot be applied: negative limits, or a
// format with a malformed extension or a content type the sniffer does not
// know. The error wraps [ErrInvalidPolicy]. The zero Policy is valid.
func (p Policy) Validate() error {
	switch {
	case p.MaxFiles < 0:
		return fmt.Errorf("%w: MaxFiles %d is negative", ErrInvalidPolicy, p.MaxFiles)
	case p.MaxFileSize < 0:
		return fmt.Errorf("%w: MaxFileSize %d is negative", ErrInvalidPolicy, p.MaxFileSize)
	case p.MaxTotalSize < 0:
		return fmt.Errorf("%w: MaxTotalSize %d is negative", ErrInvalidPolicy, p.MaxTotalSize)
	case p.MaxNameBytes < 0:
		return fmt.Errorf("%w: MaxNameBytes %d is negative", ErrInvalidPolicy, p.MaxNameBytes)
	case p.MaxArchiveEntries < 0:
		return fmt.Errorf("%w: MaxArchiveEntries %d is negative", ErrInvalidPolicy, p.MaxArchiveEntries)
	case p.MaxUnpackedSize < 0:
		return fmt.Errorf("%w: MaxUnpackedSize %d is negative", ErrInvalidPolicy, p.MaxUnpackedSize)
	}
	for _, f := range p.Formats {
		for _, e := range f.Extensions {
			if len(e) < 2 || e[0] != '.' || strings.ContainsAny(e[1:], `./\`) {
				return fmt.Errorf("%w: format %q: extension %q must be a dot and a name", ErrInvalidPolicy, f.name(), e)
			}
		}
		for _, t := range f.MIMETypes {
			if mimetype.Lookup(t) == nil {
				return fmt.Errorf("%w: format %q: content type %q is unknown to the sniffer", ErrInvalidPolicy, f.name(), t)
			}
		}
	}
	return nil
}

// withDefaults returns p with every zero field set to its default.
func (p Policy) withDefaults() Policy {
	if p.MaxFiles == 0 {
		p.MaxFiles = DefaultMaxFiles
	}
	if p.MaxFileSize == 0 {
		p.MaxFileSize = DefaultMaxFileSize
	}
	if p.MaxTotalSize == 0 {
		p.MaxTotalSize = math.MaxInt64
		if p.MaxFileSize <= math.MaxInt64/int64(p.MaxFiles) {
			p.MaxTotalSize = int64(p.MaxFiles) * p.MaxFileSize
		}
	}
	if p.Formats == nil {
		p.Formats = textPDFImageFormats()
	}
	if p.MaxNameBytes == 0 {
		p.MaxNameBytes = DefaultMaxNameBytes
	}
	if p.MaxArchiveEntries == 0 {
		p.MaxArchiveEntries = DefaultMaxArchiveEntries
	}
	if p.MaxUnpackedSize == 0 {
		p.MaxUnpackedSize = DefaultMaxUnpackedSize
	}
	return p
}

// formatFor returns the format listing ext, if any.
func (p Policy) formatFor(ext string) (Format, bool) {
	for _, f := range p.Formats {
		if f.hasExtension(ext) {
			return f, true
		}
	}
	return Format{}, false
}

// MIME types reported by the sniffer for the office formats.
const (
	mimeDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	mimeXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimePptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	mimeOdt  = "application/vnd.oasis.opendocument.text"
	mimeXls  = "application/vnd.ms-excel"
	mimePpt  = "application/vnd.ms-powerpoint"
	mimePub  = "application/vnd.ms-publisher"
	mimeHTML = "text/html"
	mimeText = "text/plain"
)

// OfficeDocuments returns the policy documented for the Webex Contact
// Center chat (SPEC A1): several files per message, below 35 MB in total,
// in the listed web and office formats:
//
//	.html .mhtml .mht .odt .pot .potm .potx .pps .ppam .ppsm .ppsx .pptx
//	.pptm .ppt .pub .pubhtml .pubmhtml .xls .xlshhtml .xlhtml .xlt .xlsm
//	.xlsx .xlam .xlsb
//
// The source sets no count, so MaxFiles is 10; MaxTotalSize is 35 MB minus
// one byte ("less than 35 MB") and a single file may use all of it.
// ".xlshtml", the extension Excel actually writes and evidently meant by the
// source's ".xlshhtml", is allowed as well. See the package documentation
// for how each extension maps to sniffed content types.
//
// Scanner is nil: set it (or SkipScan) before use, or every file is refused
// with [ErrNotScanned], since all these formats carry text.
func OfficeDocuments() Policy {
	return Policy{
		Enabled:      true,
		MaxFiles:     10,
		MaxFileSize:  35*MB - 1,
		MaxTotalSize: 35*MB - 1,
		Formats:      officeFormats(),
	}
}

// TextPDFImages returns the policy documented for the web chat agent
// application (SPEC A2): at most five files per message, each at most 20 MB,
// of type text, PDF or image. "Text" means plain text and the passive text
// formats the sniffer tells apart (CSV, TSV, JSON, saved e-mail, calendar
// and contact cards, subtitles) under .txt .text .log .md .csv .tsv; HTML
// is not text here, since it is active content. "Image" means PNG, JPEG, GIF,
// WebP, BMP, TIFF, HEIC/HEIF and AVIF; SVG is left out for the same reason
// as HTML.
//
// Scanner is nil: set it (or SkipScan) before use, or text files are
// refused with [ErrNotScanned].
func TextPDFImages() Policy {
	return Policy{
		Enabled:      true,
		MaxFiles:     5,
		MaxFileSize:  20 * MB,
		MaxTotalSize: 5 * 20 * MB,
		Formats:      textPDFImageFormats(),
	}
}

func officeFormats() []Format {
	return []Format{
		{Name: "web page", Extensions: []string{".html", ".pubhtml", ".xlshtml", ".xlshhtml", ".xlhtml"},
			MIMETypes: []string{mimeHTML, "application/xhtml+xml"}},
		{Name: "web archive", Extensions: []string{".mhtml", ".mht", ".pubmhtml"},
			MIMETypes: []string{"message/rfc822", mimeHTML, mimeText}},
		{Name: "OpenDocument text", Extensions: []string{".odt"},
			MIMETypes: []string{mimeOdt}},
		{Name: "PowerPoint presentation", Extensions: []string{".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm", ".ppam"},
			MIMETypes: []string{mimePptx}},
		{Name: "PowerPoint 97-2003 presentation", Extensions: []string{".ppt", ".pps", ".pot"},
			MIMETypes: []string{mimePpt}},
		{Name: "Publisher document", Extensions: []string{".pub"},
			MIMETypes: []string{mimePub}},
		{Name: "Excel workbook", Extensions: []string{".xlsx", ".xlsm", ".xlam", ".xlsb"},
			MIMETypes: []string{mimeXlsx}},
		{Name: "Excel 97-2003 workbook", Extensions: []string{".xls", ".xlt"},
			MIMETypes: []string{mimeXls}},
	}
}

func textPDFImageFormats() []Format {
	return []Format{
		// Text is whatever the sniffer calls plain text or a passive text
		// format it refines plain text into: a note with commas on every
		// line sniffs as CSV, a log of JSON lines as NDJSON, a saved e-mail
		// as a message. Active text (HTML, SVG, XML, scripts) is not text
		// here.
		{Name: "text", Extensions: []string{".txt", ".text", ".log", ".md"}, MIMETypes: passiveText()},
		{Name: "CSV", Extensions: []string{".csv"},
			MIMETypes: []string{"text/csv", mimeText}},
		{Name: "TSV", Extensions: []string{".tsv"},
			MIMETypes: []string{"text/tab-separated-values", mimeText}},
		{Name: "PDF document", Extensions: []string{".pdf"},
			MIMETypes: []string{"application/pdf"}},
		{Name: "PNG image", Extensions: []string{".png"},
			MIMETypes: []string{"image/png", "image/apng"}},
		{Name: "JPEG image", Extensions: []string{".jpg", ".jpeg", ".jpe", ".jfif"},
			MIMETypes: []string{"image/jpeg"}},
		{Name: "GIF image", Extensions: []string{".gif"},
			MIMETypes: []string{"image/gif"}},
		{Name: "WebP image", Extensions: []string{".webp"},
			MIMETypes: []string{"image/webp"}},
		{Name: "BMP image", Extensions: []string{".bmp"},
			MIMETypes: []string{"image/bmp"}},
		{Name: "TIFF image", Extensions: []string{".tif", ".tiff"},
			MIMETypes: []string{"image/tiff"}},
		{Name: "HEIF image", Extensions: []string{".heic", ".heif"},
			MIMETypes: []string{"image/heic", "image/heic-sequence", "image/heif", "image/heif-sequence"}},
		{Name: "AVIF image", Extensions: []string{".avif"},
			MIMETypes: []string{"image/avif"}},
	}
}

// passiveText lists plain text and the passive text formats the sniffer
// refines it into.
func passiveText() []string {
	return []string{
		mimeText, "text/csv", "text/tab-separated-values",
		"application/json", "application/x-ndjson", "message/rfc822",
		"text/vcard", "text/calendar", "text/vtt", "application/x-subrip",
	}
}
