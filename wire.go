package switchboard

import "fmt"

// Wire texts of the root package's enums, indexed by value; the zero
// value's text is empty (the default).
var (
	historyTexts = []string{"", "all", "from_invitation", "from_join"}
	policyTexts  = []string{"", "reopen", "new_linked", "read_only"}
)

// MarshalText returns the rule's wire text, such as "from_join"; empty for
// the default.
func (h HistoryRule) MarshalText() ([]byte, error) {
	if int(h) >= len(historyTexts) {
		return nil, fmt.Errorf("%w: history rule %d has no text form", ErrInvalid, h)
	}
	return []byte(historyTexts[h]), nil
}

// UnmarshalText parses a wire text of [HistoryRule.MarshalText]. An
// unknown text is an error matching [ErrInvalid].
func (h *HistoryRule) UnmarshalText(text []byte) error {
	for i, t := range historyTexts {
		if t == string(text) {
			*h = HistoryRule(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown history rule %q", ErrInvalid, text)
}

// MarshalText returns the policy's wire text, such as "new_linked"; empty
// for the default.
func (p AfterClosePolicy) MarshalText() ([]byte, error) {
	if int(p) >= len(policyTexts) {
		return nil, fmt.Errorf("%w: after-close policy %d has no text form", ErrInvalid, p)
	}
	return []byte(policyTexts[p]), nil
}

// UnmarshalText parses a wire text of [AfterClosePolicy.MarshalText]. An
// unknown text is an error matching [ErrInvalid].
func (p *AfterClosePolicy) UnmarshalText(text []byte) error {
	for i, t := range policyTexts {
		if t == string(text) {
			*p = AfterClosePolicy(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown after-close policy %q", ErrInvalid, text)
}
