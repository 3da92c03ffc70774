package compliance

import "fmt"

// Kind names a kind of sensitive data. Its text is short and human-readable
// and is used as the reason reported by [Redactor.ScanText].
type Kind string

// Built-in kinds.
const (
	// KindCard is a payment card number (PAN).
	KindCard Kind = "payment card number"
	// KindCVV is a card security code (CVV, CVC, CID).
	KindCVV Kind = "card security code"
	// KindExpiry is a card expiry date next to a card number.
	KindExpiry Kind = "card expiry date"
	// KindEmail is what [EmailDetector] finds.
	KindEmail Kind = "email address"
	// KindPhone is what [PhoneDetector] finds.
	KindPhone Kind = "phone number"
	// KindSSN is what [SSNDetector] finds.
	KindSSN Kind = "US social security number"
	// KindIBAN is what [IBANDetector] finds.
	KindIBAN Kind = "IBAN"
)

// Finding describes one piece of sensitive data found and masked. It never
// holds the original characters: only where the masked form is in the
// returned text, and that masked form.
type Finding struct {
	// Kind says what was found.
	Kind Kind
	// Brand is the card brand for [KindCard], otherwise empty.
	Brand string
	// Digits is the number of digits of a card number (all of them, also
	// for a number split over messages); 0 for other kinds.
	Digits int
	// Start and End are the byte offsets of the masked form in the returned
	// text. They are equal when the data was removed.
	Start, End int
	// Masked is the masked form, as it appears in the returned text.
	Masked string
	// Split is true for a card number that continues in, or from, another
	// message.
	Split bool
}

// String describes the finding; it holds no original digits.
func (f Finding) String() string {
	s := string(f.Kind)
	if f.Brand != "" {
		s += fmt.Sprintf(" (%s, %d digits)", f.Brand, f.Digits)
	}
	if f.Split {
		s += " split over messages"
	}
	if f.Start == f.End {
		return s + fmt.Sprintf(" removed at %d", f.Start)
	}
	return s + fmt.Sprintf(" at %d-%d: %s", f.Start, f.End, f.Masked)
}

// Result is the outcome of masking one text.
type Result struct {
	// Text is the masked text. When nothing was found it is the input,
	// unchanged and not copied.
	Text string
	// Findings lists what was found, in text order; nil when nothing was.
	Findings []Finding
}

// Found reports whether anything was found.
func (r Result) Found() bool { return len(r.Findings) > 0 }
