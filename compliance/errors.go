package compliance

import (
	"errors"
	"fmt"
	"github.com/switchboard-cc/switchboard"
)

// Errors returned by [New] and [Redactor.RedactNext]. Those of New are
// returned wrapped with details; test with errors.Is.
var (
	// ErrKeepTooMany means the configuration would leave more digits of a
	// card visible than allowed: at most the first six and the last four.
	ErrKeepTooMany = switchboard.NewError(switchboard.ErrInvalid, "compliance: too many visible digits (at most first 6 and last 4)")
	// ErrKeepNegative means a visible-digit count is negative (other than
	// the documented -1 of [Config.KeepLast]).
	ErrKeepNegative = switchboard.NewError(switchboard.ErrInvalid, "compliance: negative visible-digit count")
	// ErrBrand means the brand table is invalid; the error is a *[BrandError].
	ErrBrand = switchboard.NewError(switchboard.ErrInvalid, "compliance: invalid brand table")
	// ErrPolicy means a CVV or expiry policy value is unknown.
	ErrPolicy = switchboard.NewError(switchboard.ErrInvalid, "compliance: unknown policy")
	// ErrDetector means a configured detector is nil.
	ErrDetector = switchboard.NewError(switchboard.ErrInvalid, "compliance: nil detector")
	// ErrSplitWindow means a split-message window setting is negative.
	ErrSplitWindow = switchboard.NewError(switchboard.ErrInvalid, "compliance: invalid split-message window")
	// ErrMessageID means a message given to [Redactor.RedactNext] has no
	// ID, so that corrections could not name it.
	ErrMessageID = switchboard.NewError(switchboard.ErrInvalid, "compliance: message has no ID")
)

// BrandError reports an invalid entry of a brand table. It matches
// [ErrBrand] with errors.Is.
type BrandError struct {
	// Index is the position of the entry in the table.
	Index int
	// Name is the entry's name.
	Name string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *BrandError) Error() string {
	return fmt.Sprintf("compliance: invalid brand table: entry %d (%q): %s", e.Index, e.Name, e.Reason)
}

// Is reports whether target is [ErrBrand] or its kind.
func (e *BrandError) Is(target error) bool { return errors.Is(ErrBrand, target) }
