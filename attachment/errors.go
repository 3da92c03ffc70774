package attachment

import (
	"fmt"
	"github.com/switchboard-cc/switchboard"
	"strconv"
)

// Sentinel errors. A refused file is reported as a [*RejectedError] whose Err
// is one of these, so callers branch with errors.Is and find the file with
// errors.As.
var (
	// ErrDisabled is returned when files are sent under a policy that has
	// attachments switched off (the zero [Policy]).
	ErrDisabled = switchboard.NewError(switchboard.ErrForbidden, "attachment: attachments are disabled")

	// ErrInvalidPolicy is returned when a [Policy] has a negative limit or
	// a malformed [Format].
	ErrInvalidPolicy = switchboard.NewError(switchboard.ErrInvalid, "attachment: invalid policy")

	// ErrTooManyFiles is returned when a message carries more files than
	// [Policy].MaxFiles.
	ErrTooManyFiles = switchboard.NewError(switchboard.ErrInvalid, "attachment: too many files")

	// ErrTooLarge means one file is larger than [Policy].MaxFileSize.
	ErrTooLarge = switchboard.NewError(switchboard.ErrInvalid, "attachment: file too large")

	// ErrTotalTooLarge means the files of one message together exceed
	// [Policy].MaxTotalSize.
	ErrTotalTooLarge = switchboard.NewError(switchboard.ErrInvalid, "attachment: total size too large")

	// ErrEmpty means a file has no content.
	ErrEmpty = switchboard.NewError(switchboard.ErrInvalid, "attachment: file is empty")

	// ErrSizeMismatch means the stream was shorter or longer than the
	// positive [Upload].DeclaredSize: the upload was truncated or the
	// declared length is false.
	ErrSizeMismatch = switchboard.NewError(switchboard.ErrInvalid, "attachment: size differs from declared size")

	// ErrBadName means a file name is unusable: empty once cleaned, or, under
	// [Policy].StrictNames, in need of cleaning.
	ErrBadName = switchboard.NewError(switchboard.ErrInvalid, "attachment: bad file name")

	// ErrTypeNotAllowed means the file's extension is not one the policy
	// allows.
	ErrTypeNotAllowed = switchboard.NewError(switchboard.ErrInvalid, "attachment: file type not allowed")

	// ErrTypeMismatch means the content, as sniffed, is not what the file's
	// extension says.
	ErrTypeMismatch = switchboard.NewError(switchboard.ErrInvalid, "attachment: content does not match file type")

	// ErrExecutable means the content is a program or script, whatever its
	// name. No policy allows executables.
	ErrExecutable = switchboard.NewError(switchboard.ErrInvalid, "attachment: executable content")

	// ErrSensitiveContent means the [ContentScanner] found data that must
	// not be sent, such as a payment card number. The [RejectedError]
	// carries the scanner's reason.
	ErrSensitiveContent = switchboard.NewError(switchboard.ErrInvalid, "attachment: sensitive content")

	// ErrNotScanned means a file would pass without the content scan the
	// policy requires: no [ContentScanner] is configured for a text-bearing
	// file, or the content cannot be inspected under [Policy].RequireScan.
	ErrNotScanned = switchboard.NewError(switchboard.ErrInvalid, "attachment: content not scanned")

	// ErrUnreadable means the content could not be read or decoded: a read
	// error, a corrupt archive, or an archive that expands beyond the
	// policy's limits.
	ErrUnreadable = switchboard.NewError(switchboard.ErrInvalid, "attachment: unreadable content")
)

// RejectedError reports which file of a message was refused and why. Its Err
// is one of the package's sentinel errors; Cause, when set, is the
// underlying error (an I/O or decoding error).
type RejectedError struct {
	// Index is the position of the file in the slice given to [Policy.Check].
	Index int
	// Name is the cleaned file name, or "" if the name could not be cleaned.
	Name string
	// OriginalName is the name as uploaded.
	OriginalName string
	// Reason is a short explanation an agent can be shown, such as
	// "the file contains sensitive data (payment card number)".
	Reason string
	// Err is the sentinel error naming the kind of refusal.
	Err error
	// Cause is the underlying error, or nil.
	Cause error
}

// Error returns a message naming the file and the reason.
func (e *RejectedError) Error() string {
	name := e.Name
	if name == "" {
		// %q escapes control and format characters, so a hostile name cannot
		// rewrite the message it appears in.
		name = e.OriginalName
	}
	return "attachment: file " + strconv.Itoa(e.Index+1) + " " + strconv.Quote(name) + " refused: " + e.Reason
}

// Unwrap returns Err and, if set, Cause.
func (e *RejectedError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

func reject(i int, u Upload, name string, sentinel error, cause error, format string, args ...any) *RejectedError {
	return &RejectedError{
		Index:        i,
		Name:         name,
		OriginalName: u.Name,
		Reason:       fmt.Sprintf(format, args...),
		Err:          sentinel,
		Cause:        cause,
	}
}
