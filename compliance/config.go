package compliance

import (
	"fmt"
	"time"
)

// CVVPolicy says what happens to a card security code (CVV, CVC, CID) that
// follows a card number or a security-code word.
type CVVPolicy int

const (
	// CVVRemove deletes the code's digits from the text. It is the default:
	// a security code must never be stored, not even masked.
	CVVRemove CVVPolicy = iota
	// CVVMask replaces each digit of the code with '*'.
	CVVMask
	// CVVKeep leaves the code alone.
	CVVKeep
)

// ExpiryPolicy says what happens to an expiry date ("12/27") that follows a
// card number.
type ExpiryPolicy int

const (
	// ExpiryMask replaces each digit of the date with '*'. It is the default.
	ExpiryMask ExpiryPolicy = iota
	// ExpiryRemove deletes the date.
	ExpiryRemove
	// ExpiryKeep leaves the date alone.
	ExpiryKeep
)

// Masking limits, in digits of a card number.
const (
	// MaxKeepFirst is the largest allowed [Config.KeepFirst].
	MaxKeepFirst = 6
	// MaxKeepLast is the largest allowed [Config.KeepLast].
	MaxKeepLast = 4
	// MinHidden is the least number of digits of any card number that are
	// always replaced, whatever the configuration.
	MinHidden = 6
)

// Config configures a [Redactor]. The zero value is valid: cards are found
// with [DefaultBrands] and masked keeping the last four digits, security
// codes are removed, expiry dates next to a card are masked, numbers split
// over up to three messages within two minutes are caught, and no other
// personal data is looked for.
type Config struct {
	// Brands is the card brand table. Defaults to [DefaultBrands].
	Brands []Brand
	// KeepFirst is the number of leading digits of a card left visible,
	// from 0 to [MaxKeepFirst]. Defaults to 0.
	KeepFirst int
	// KeepLast is the number of trailing digits of a card left visible,
	// from 1 to [MaxKeepLast], or -1 to hide them all. Defaults to 4 (the
	// value 0 means the default).
	//
	// Whatever the setting, at least [MinHidden] digits of every number are
	// hidden: for a number too short to show all the configured digits,
	// fewer leading digits are shown first, then fewer trailing ones.
	KeepLast int
	// CVV is the security-code policy. Defaults to [CVVRemove].
	CVV CVVPolicy
	// Expiry is the expiry-date policy. Defaults to [ExpiryMask].
	Expiry ExpiryPolicy
	// Detectors lists detectors of other personal data, such as
	// [EmailDetector] or [IBANDetector]; what they find is masked by
	// replacing every letter and digit with '*'. Defaults to none.
	Detectors []Detector
	// Block lists the kinds, besides [KindCard], that make
	// [Redactor.ScanText] report blocked. Defaults to none (only cards
	// block).
	Block []Kind
	// TrapWords lists words that, just before a number, mark it as not a
	// card (an order, tracking or device number). Defaults to
	// [DefaultTrapWords]; an empty non-nil slice disables the check.
	TrapWords []string
	// Split configures the detection of numbers split over consecutive
	// messages. Defaults to the zero [SplitConfig].
	Split SplitConfig
}

// SplitConfig bounds the window in which [Redactor.RedactNext] joins a
// number split over consecutive messages of one sender.
type SplitConfig struct {
	// Messages is the largest number of earlier messages a number may
	// continue from, or -1 to turn split detection off. Defaults to 3.
	Messages int
	// Within is the longest time between the first fragment and the message
	// that completes the number. Defaults to 2 minutes.
	Within time.Duration
	// MaxBytes is the longest earlier message, in bytes, kept in a [Tail];
	// a longer message never starts a split number. Defaults to 512.
	MaxBytes int
}

// Defaults of [SplitConfig].
const (
	defaultSplitMessages = 3
	defaultSplitWithin   = 2 * time.Minute
	defaultSplitMaxBytes = 512
	defaultKeepLast      = 4
)

// settings is a validated Config with defaults applied.
type settings struct {
	keepFirst, keepLast int
	cvv                 CVVPolicy
	expiry              ExpiryPolicy
	splitMessages       int
	splitWithin         time.Duration
	splitMaxBytes       int
}

func (c Config) settings() (settings, error) {
	s := settings{keepFirst: c.KeepFirst, keepLast: c.KeepLast, cvv: c.CVV, expiry: c.Expiry}
	switch {
	case c.KeepFirst < 0:
		return s, fmt.Errorf("%w: KeepFirst is %d", ErrKeepNegative, c.KeepFirst)
	case c.KeepLast < -1:
		return s, fmt.Errorf("%w: KeepLast is %d (use -1 to hide every digit)", ErrKeepNegative, c.KeepLast)
	case c.KeepFirst > MaxKeepFirst:
		return s, fmt.Errorf("%w: KeepFirst is %d", ErrKeepTooMany, c.KeepFirst)
	case c.KeepLast > MaxKeepLast:
		return s, fmt.Errorf("%w: KeepLast is %d", ErrKeepTooMany, c.KeepLast)
	}
	switch c.KeepLast {
	case 0:
		s.keepLast = defaultKeepLast
	case -1:
		s.keepLast = 0
	}
	if c.CVV < CVVRemove || c.CVV > CVVKeep {
		return s, fmt.Errorf("%w: CVV policy %d", ErrPolicy, c.CVV)
	}
	if c.Expiry < ExpiryMask || c.Expiry > ExpiryKeep {
		return s, fmt.Errorf("%w: expiry policy %d", ErrPolicy, c.Expiry)
	}
	for i, d := range c.Detectors {
		if d == nil {
			return s, fmt.Errorf("%w: Detectors[%d]", ErrDetector, i)
		}
	}
	sp := c.Split
	if sp.Messages < -1 || sp.Within < 0 || sp.MaxBytes < 0 {
		return s, fmt.Errorf("%w: %+v", ErrSplitWindow, sp)
	}
	s.splitMessages, s.splitWithin, s.splitMaxBytes = sp.Messages, sp.Within, sp.MaxBytes
	if s.splitMessages == 0 {
		s.splitMessages = defaultSplitMessages
	}
	if s.splitWithin == 0 {
		s.splitWithin = defaultSplitWithin
	}
	if s.splitMaxBytes == 0 {
		s.splitMaxBytes = defaultSplitMaxBytes
	}
	return s, nil
}

// visible returns how many leading and trailing digits of an n-digit card
// stay visible, keeping at least MinHidden digits hidden.
func (s *settings) visible(n int) (first, last int) {
	first, last = s.keepFirst, s.keepLast
	if n-first-last < MinHidden {
		first = max(0, n-last-MinHidden)
	}
	if n-first-last < MinHidden {
		last = max(0, n-MinHidden)
	}
	return first, last
}
