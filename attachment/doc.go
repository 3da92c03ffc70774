// Package attachment decides which files may travel with a chat message.
//
// A [Policy], kept by the host per tenant or queue, limits the number of
// files per message, the size of each and their total size, and lists the
// allowed [Format]s. [Policy.Check] reads the files of one message, cleans
// their names, identifies their content, scans the text they carry and
// returns them as [Accepted] files, or refuses the whole message with a
// [*RejectedError] that names the file and the reason.
//
//	p := attachment.TextPDFImages()
//	p.Scanner = detector // for example the compliance package's detector
//	files, err := p.Check(ctx, uploads)
//	var rejected *attachment.RejectedError
//	if errors.As(err, &rejected) {
//		show(rejected.Index, rejected.Reason) // which file, and why
//	}
//
// # Policies
//
// The zero Policy has attachments switched off ([ErrDisabled]), so a queue or
// tenant without a configured policy accepts no files. Two documented
// policies ship as presets: [OfficeDocuments] (several files below 35 MB in
// total, web and office formats) and [TextPDFImages] (at most five files of
// at most 20 MB each, text, PDF or image). Both are plain values to adjust.
// Sizes are decimal (1 MB = 1,000,000 bytes), the stricter reading.
//
// # Content, not names
//
// A file's type is sniffed from its content with
// github.com/gabriel-vasile/mimetype; the name's extension must belong to a
// Format of the policy and the sniffed type must be one that Format lists.
// When the sniffer, which reads only the start of a file, sees a plain zip,
// the archive's directory is consulted for the parts that mark an Office
// Open XML document. The declared content type is ignored. Programs and scripts (PE and MS-DOS,
// ELF, Mach-O, Java, installers, shell and other scripts with a "#!" line)
// are refused with [ErrExecutable] under any name and any policy.
//
// Sizes are counted on the bytes read, never taken from [Upload].DeclaredSize:
// a stream is read at most one byte past the applicable limit. Names are
// cleaned by [SanitizeName] and the changes are reported in
// [Accepted].NameChanges; [Policy].StrictNames refuses such names instead.
//
// # Formats a sniffer cannot tell apart
//
// The sniffer recognises a family of formats, not every variant:
//
//   - Office Open XML presentations (.pptx .pptm .potx .potm .ppsx .ppsm
//     .ppam) all sniff as a PowerPoint presentation, and workbooks (.xlsx
//     .xlsm .xlam .xlsb) as an Excel workbook: the sniffer sees the ppt/ or
//     xl/ part of the zip container, not whether it is a template, a slide
//     show, an add-in or macro-enabled. Every extension of a family is
//     accepted for content of that family.
//   - Legacy binary files (.ppt .pps .pot, .xls .xlt, .pub) sniff as
//     PowerPoint, Excel or Publisher from their compound-file markers; a
//     compound file the sniffer cannot attribute to one of these
//     applications (including password-protected Office Open XML files) is
//     refused as a mismatch.
//   - Web pages saved by Office (.html .pubhtml .xlshtml .xlhtml) are HTML.
//     Web archives (.mhtml .mht .pubmhtml) are MIME messages, which sniff as
//     message/rfc822 when they start with a mail header and as plain text
//     or HTML otherwise; all three are accepted for them.
//   - The source lists ".xlshhtml", evidently a misspelling of ".xlshtml";
//     both are allowed.
//
// # Scanning
//
// Text-bearing files go through the policy's [ContentScanner] before they
// are accepted, and a file it blocks is refused with [ErrSensitiveContent]
// and the scanner's reason: plain text, CSV and HTML (also decoded from
// UTF-16 and with character references resolved); web archives, part by
// part after base64 or quoted-printable decoding; Office Open XML and
// OpenDocument files, through the character data of their XML parts read
// with archive/zip, bounded by [Policy].MaxArchiveEntries and
// [Policy].MaxUnpackedSize against zip bombs; and legacy binary office
// files (and binary parts such as those of .xlsb), through their printable
// single-byte and UTF-16 strings.
//
// Anything that cannot be read fails closed with [ErrUnreadable]: a corrupt
// or encrypted archive, malformed XML, an archive that expands too far. A
// nil Scanner refuses text-bearing files with [ErrNotScanned] unless
// [Policy].SkipScan says to run without scanning. PDF documents and images
// carry no text the scanner can read; they pass unscanned
// ([Accepted].Scanned is false) unless [Policy].RequireScan refuses them.
//
// # Memory and concurrency
//
// [Policy.Check] holds every file of a message in memory: at most
// [Policy].MaxTotalSize bytes (35 MB for the office preset, 100 MB for the
// text preset), plus the text of one document part while scanning. Hosts
// bound concurrent checks, for example with a weighted semaphore. A Policy
// is a value and safe for concurrent use if its Scanner is.
//
// # Messages
//
// [Meta], embedded in [Accepted], is what a chat message carries about an
// attachment: cleaned name, sniffed type, size and SHA-256 digest. The
// session package puts it in messages and gives attachments the visibility
// of the message they travel in.
package attachment
