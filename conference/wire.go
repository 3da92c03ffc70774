package conference

import "github.com/switchboard-cc/switchboard/internal/enumtext"

// endPolicyTexts are the wire texts of [EndPolicy], indexed by value.
var endPolicyTexts = []string{"chat_continues", "end_everything"}

// MarshalText returns the policy's wire text, "chat_continues" or
// "end_everything".
func (p EndPolicy) MarshalText() ([]byte, error) {
	return enumtext.Marshal(p, endPolicyTexts, "end policy", ErrInvalid)
}

// UnmarshalText parses a wire text of [EndPolicy.MarshalText]. An unknown
// text is an error matching [ErrInvalid].
func (p *EndPolicy) UnmarshalText(text []byte) error {
	return enumtext.Unmarshal(p, text, endPolicyTexts, "end policy", ErrInvalid)
}
