package compliance_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/compliance"
)

func allDetectors() []compliance.Detector {
	return []compliance.Detector{compliance.EmailDetector{}, compliance.PhoneDetector{}, compliance.SSNDetector{}, compliance.IBANDetector{}}
}

// SPEC P3: other personal data is masked through the same mechanism when
// configured, and left alone otherwise.
func TestRedactPII(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{Detectors: allDetectors()})
	cases := []struct {
		name, in, want string
		kind           compliance.Kind
	}{
		{"Email", "write to jane.doe+tag@mail.example.co.uk now", "write to ****.***+***@****.*******.**.** now", compliance.KindEmail},
		{"PhoneIntl", "call +44 7911 123456.", "call +** **** ******.", compliance.KindPhone},
		{"PhoneNANP", "call (555) 123-4567 today", "call (***) ***-**** today", compliance.KindPhone},
		{"PhoneNANPDashes", "or 555-123-4567", "or ***-***-****", compliance.KindPhone},
		{"SSN", "SSN 123-45-6789", "SSN ***-**-****", compliance.KindSSN},
		{"IBANGrouped", "IBAN DE89 3704 0044 0532 0130 00 please", "IBAN **** **** **** **** **** ** please", compliance.KindIBAN},
		{"IBANPlain", "GB82WEST12345698765432", "**********************", compliance.KindIBAN},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := r.Redact(c.in)
			require.Equal(t, c.want, res.Text)
			require.Len(t, res.Findings, 1)
			require.Equal(t, c.kind, res.Findings[0].Kind)
			require.True(t, r.Contains(c.in))
			require.Equal(t, c.in, newRedactor(t, compliance.Config{}).Redact(c.in).Text, "off unless configured")
		})
	}

	notPII := map[string]string{
		"IBANBadChecksum":  "DE89 3704 0044 0532 0130 01",
		"SSNArea000":       "000-12-3456",
		"SSNArea666":       "666-12-3456",
		"SSNArea9xx":       "912-12-3456",
		"SSNGroup00":       "123-00-4567",
		"SSNSerial0000":    "123-45-0000",
		"SSNInLongerDigit": "1123-45-6789",
		"EmailNoTLD":       "user@localhost",
		"PhoneTooShort":    "+44 123",
		"Date":             "2024-01-15",
	}
	for name, in := range notPII {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, in, r.Redact(in).Text)
		})
	}

	t.Run("CardWinsOverlap", func(t *testing.T) {
		t.Parallel()
		res := r.Redact("4111111111111111@example.com")
		require.Equal(t, "************1111@*******.***", res.Text)
		require.Equal(t, compliance.KindCard, res.Findings[0].Kind)
		require.Equal(t, res.Text, r.Redact(res.Text).Text)
	})
}

// employeeIDs is a custom detector for "EMP-" followed by digits.
type employeeIDs struct{}

func (employeeIDs) Kind() compliance.Kind { return "employee id" }

func (employeeIDs) Find(text string, dst []compliance.Span) []compliance.Span {
	for i := 0; ; {
		k := strings.Index(text[i:], "EMP-")
		if k < 0 {
			return dst
		}
		start := i + k
		end := start + 4
		for end < len(text) && text[end] >= '0' && text[end] <= '9' {
			end++
		}
		if end > start+4 {
			dst = append(dst, compliance.Span{Start: start, End: end})
		}
		i = end
	}
}

// SPEC P3: detectors are pluggable, and a configured kind can block
// attachments.
func TestCustomDetector(t *testing.T) {
	t.Parallel()
	r := newRedactor(t, compliance.Config{Detectors: []compliance.Detector{employeeIDs{}}, Block: []compliance.Kind{"employee id"}})
	res := r.Redact("ask EMP-12345 or EMP-x about " + visa)
	require.Equal(t, "ask ***-***** or EMP-x about ************1111", res.Text)
	require.Equal(t, compliance.Kind("employee id"), res.Findings[0].Kind)
	reason, blocked := r.ScanText([]byte("from EMP-99"))
	require.True(t, blocked)
	require.Equal(t, "employee id", reason)
}
