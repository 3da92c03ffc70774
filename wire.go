package switchboard

import "github.com/switchboard-cc/switchboard/internal/enumtext"

// Wire texts of the root package's enums, indexed by value; the zero
// value's text is empty (the default).
var (
	historyTexts = []string{"", "all", "from_invitation", "from_join"}
	policyTexts  = []string{"", "reopen", "new_linked", "read_only"}
)

// MarshalText returns the rule's wire text, such as "from_join"; empty for
// the default.
func (h HistoryRule) MarshalText() ([]byte, error) {
	return enumtext.Marshal(h, historyTexts, "history rule", ErrInvalid)
}

// UnmarshalText parses a wire text of [HistoryRule.MarshalText]. An
// unknown text is an error matching [ErrInvalid].
func (h *HistoryRule) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(h, text, historyTexts, "history rule", ErrInvalid)
}

// MarshalText returns the policy's wire text, such as "new_linked"; empty
// for the default.
func (p AfterClosePolicy) MarshalText() ([]byte, error) {
	return enumtext.Marshal(p, policyTexts, "after-close policy", ErrInvalid)
}

// UnmarshalText parses a wire text of [AfterClosePolicy.MarshalText]. An
// unknown text is an error matching [ErrInvalid].
func (p *AfterClosePolicy) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(p, text, policyTexts, "after-close policy", ErrInvalid)
}
