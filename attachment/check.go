package attachment

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
)

// Upload is one file offered for a message.
type Upload struct {
	// Name is the file name as given by the sender, possibly with a path.
	Name string
	// DeclaredType is the content type the sender claimed. It is never
	// trusted: the type is sniffed from the content.
	DeclaredType string
	// DeclaredSize is the length the sender claimed, or zero (or less) when
	// unknown. A declared size above the limit is refused without reading;
	// a positive declared size that differs from the real length is
	// refused with [ErrSizeMismatch]. Limits are enforced on the bytes
	// actually read, whatever is declared.
	DeclaredSize int64
	// Body is the content. [Policy.Check] reads it once, at most one byte
	// past the applicable limit, and does not close it.
	Body io.Reader
}

// Meta describes an accepted attachment without its content. It is a
// comparable value, small enough to travel in a chat message; hosts keep the
// content elsewhere (for example keyed by SHA256) and a message carries only
// the Meta.
type Meta struct {
	// Name is the cleaned file name.
	Name string
	// MIME is the sniffed content type, possibly with parameters, as in
	// "text/plain; charset=utf-8".
	MIME string
	// Extension is the lower-case extension of Name, with the dot.
	Extension string
	// Format is the Name of the [Format] the file matched.
	Format string
	// Size is the number of bytes read.
	Size int64
	// SHA256 is the SHA-256 digest of the content.
	SHA256 [sha256.Size]byte
}

// Accepted is a file that passed [Policy.Check].
type Accepted struct {
	Meta
	// OriginalName is the name as uploaded.
	OriginalName string
	// NameChanges records what cleaning did to the name.
	NameChanges NameChange
	// Scanned reports whether the content went through the policy's
	// [ContentScanner]. It is false for formats whose content cannot be
	// inspected (PDF, images) and when the policy sets SkipScan.
	Scanned bool
	// Content is the whole file.
	Content []byte
}

// readChunk is the largest single read from an upload body, and the
// granularity at which context cancellation is noticed.
const readChunk = 64 << 10

// Check reads and checks the files of one message against the policy and
// returns them, cleaned and identified, in the same order. It is
// all-or-nothing: if any file is refused, Check returns nil and a
// [*RejectedError] naming the first refused file (matching one of the
// sentinel errors with errors.Is). Check first judges what it can without
// reading (names, extensions and declared sizes of every file), then reads
// and inspects the files in order. A message refused as a whole (attachments
// disabled, too many files, an invalid policy) gets an error wrapping
// [ErrDisabled], [ErrTooManyFiles] or [ErrInvalidPolicy] instead, before any
// body is read. A message with no files returns nil, nil.
//
// Check buffers every accepted file in memory, so one call holds at most
// MaxTotalSize bytes of content (plus, while scanning an office document,
// the text of one of its parts). Hosts bound concurrent calls, for example
// with golang.org/x/sync/semaphore weighted by DeclaredSize.
//
// Bodies are read in order, on the calling goroutine. Check notices ctx
// cancellation between reads and then returns an error wrapping ctx.Err().
func (p Policy) Check(ctx context.Context, uploads []Upload) ([]Accepted, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if len(uploads) == 0 {
		return nil, nil
	}
	if !p.Enabled {
		return nil, ErrDisabled
	}
	c := p.withDefaults()
	if len(uploads) > c.MaxFiles {
		return nil, fmt.Errorf("%w: %d files, at most %d allowed", ErrTooManyFiles, len(uploads), c.MaxFiles)
	}
	// First what can be judged without reading: names, extensions and
	// declared sizes of every file, so a message with a bad last file is
	// refused before any body is read.
	pre := make([]named, len(uploads))
	var declared int64
	for i, u := range uploads {
		n, err := c.precheck(i, u, declared)
		if err != nil {
			return nil, err
		}
		declared += max(u.DeclaredSize, 0)
		pre[i] = n
	}
	out := make([]Accepted, 0, len(uploads))
	var total int64
	for i, u := range uploads {
		a, err := c.checkOne(ctx, i, u, pre[i], total)
		if err != nil {
			return nil, err
		}
		total += a.Size
		out = append(out, a)
	}
	return out, nil
}

// named is an upload's cleaned name and the format its extension selects.
type named struct {
	name    string
	changes NameChange
	ext     string
	format  Format
}

// precheck checks upload i without reading it, given the sizes declared by
// earlier files. c has its defaults applied.
func (c Policy) precheck(i int, u Upload, declared int64) (named, error) {
	name, changes, err := SanitizeName(u.Name, c.MaxNameBytes)
	if err != nil {
		return named{}, reject(i, u, "", ErrBadName, nil, "the file name is unusable")
	}
	if c.StrictNames && changes != 0 {
		return named{}, reject(i, u, name, ErrBadName, nil, "the file name is not allowed as given (%s)", changes)
	}

	ext := strings.ToLower(path.Ext(name))
	format, ok := c.formatFor(ext)
	if !ok {
		if ext == "" {
			return named{}, reject(i, u, name, ErrTypeNotAllowed, nil, "files without an extension are not allowed")
		}
		return named{}, reject(i, u, name, ErrTypeNotAllowed, nil, "%s files are not allowed", ext)
	}

	if u.DeclaredSize > c.MaxFileSize {
		return named{}, reject(i, u, name, ErrTooLarge, nil, "the file is larger than %s", formatSize(c.MaxFileSize))
	}
	if u.DeclaredSize > c.MaxTotalSize-declared {
		return named{}, reject(i, u, name, ErrTotalTooLarge, nil, "the files together are larger than %s", formatSize(c.MaxTotalSize))
	}
	if u.Body == nil {
		return named{}, reject(i, u, name, ErrUnreadable, nil, "the file has no content stream")
	}
	return named{name: name, changes: changes, ext: ext, format: format}, nil
}

// checkOne reads and checks upload i, prechecked as n, given the bytes
// read for earlier files. c has its defaults applied.
func (c Policy) checkOne(ctx context.Context, i int, u Upload, n named, used int64) (Accepted, error) {
	name, ext, format := n.name, n.ext, n.format
	remaining := c.MaxTotalSize - used
	limit := min(c.MaxFileSize, remaining)
	content, err := readLimited(ctx, u.Body, limit, u.DeclaredSize)
	switch {
	case ctx.Err() != nil:
		return Accepted{}, fmt.Errorf("attachment: reading file %d: %w", i+1, ctx.Err())
	case err != nil:
		return Accepted{}, reject(i, u, name, ErrUnreadable, err, "the file could not be read")
	case int64(len(content)) > c.MaxFileSize:
		return Accepted{}, reject(i, u, name, ErrTooLarge, nil, "the file is larger than %s", formatSize(c.MaxFileSize))
	case int64(len(content)) > limit:
		return Accepted{}, reject(i, u, name, ErrTotalTooLarge, nil, "the files together are larger than %s", formatSize(c.MaxTotalSize))
	case len(content) == 0:
		return Accepted{}, reject(i, u, name, ErrEmpty, nil, "the file is empty")
	case u.DeclaredSize > 0 && int64(len(content)) != u.DeclaredSize:
		return Accepted{}, reject(i, u, name, ErrSizeMismatch, nil, "the file has %d bytes, not the %d declared", len(content), u.DeclaredSize)
	}

	m := detect(content)
	if isExecutable(m) {
		return Accepted{}, reject(i, u, name, ErrExecutable, nil, "the file is a program or script (%s)", bareType(m))
	}
	if !format.matches(m) {
		return Accepted{}, reject(i, u, name, ErrTypeMismatch, nil, "the content is %s, which does not match %s (%s)", bareType(m), ext, format.name())
	}

	scanned, err := c.scan(ctx, content, m)
	if err != nil {
		var r *refusal
		switch {
		case ctx.Err() != nil:
			return Accepted{}, fmt.Errorf("attachment: scanning file %d: %w", i+1, ctx.Err())
		case errors.As(err, &r):
			return Accepted{}, reject(i, u, name, r.sentinel, nil, "%s", r.reason)
		case errors.Is(err, errExpands):
			return Accepted{}, reject(i, u, name, ErrUnreadable, err, "%s of %s", errExpands, formatSize(c.MaxUnpackedSize))
		case errors.Is(err, errTooManyParts):
			return Accepted{}, reject(i, u, name, ErrUnreadable, err, "%s", errTooManyParts)
		default:
			return Accepted{}, reject(i, u, name, ErrUnreadable, err, "the content could not be read to check it for sensitive data")
		}
	}

	return Accepted{
		Meta: Meta{
			Name:      name,
			MIME:      m.String(),
			Extension: ext,
			Format:    format.name(),
			Size:      int64(len(content)),
			SHA256:    sha256.Sum256(content),
		},
		OriginalName: u.Name,
		NameChanges:  n.changes,
		Scanned:      scanned,
		Content:      content,
	}, nil
}

// readLimited reads r until EOF or until it has read limit+1 bytes, checking
// ctx between reads. A result longer than limit means the stream exceeds
// it; nothing past limit+1 is read. hint, when positive and within the
// limit, sizes the buffer up front.
func readLimited(ctx context.Context, r io.Reader, limit, hint int64) ([]byte, error) {
	stop := limit + 1
	if limit == math.MaxInt64 {
		stop = limit
	}
	size := int64(readChunk)
	if hint > 0 {
		size = hint + 1 // one more byte to see EOF, or an overlong stream
	}
	buf := make([]byte, 0, min(size, stop))
	for int64(len(buf)) < stop {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		free := min(int64(cap(buf)-len(buf)), stop-int64(len(buf)), readChunk)
		n, err := r.Read(buf[len(buf) : len(buf)+int(free)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// formatSize writes a limit for people: decimal megabytes for the presets'
// limits ("35 MB" for 35 MB minus one byte), binary units for powers of two.
func formatSize(n int64) string {
	switch {
	case n >= MB && n%MB == 0:
		return fmt.Sprintf("%d MB", n/MB)
	case n+1 >= MB && (n+1)%MB == 0:
		return fmt.Sprintf("%d MB", (n+1)/MB)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
