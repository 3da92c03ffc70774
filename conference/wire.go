package conference

import "fmt"

// endPolicyTexts are the wire texts of [EndPolicy], indexed by value.
var endPolicyTexts = []string{"chat_continues", "end_everything"}

// MarshalText returns the policy's wire text, "chat_continues" or
// "end_everything".
func (p EndPolicy) MarshalText() ([]byte, error) {
	if int(p) >= len(endPolicyTexts) {
		return nil, fmt.Errorf("%w: end policy %d has no text form", ErrInvalid, p)
	}
	return []byte(endPolicyTexts[p]), nil
}

// UnmarshalText parses a wire text of [EndPolicy.MarshalText]. An unknown
// text is an error matching [ErrInvalid].
func (p *EndPolicy) UnmarshalText(text []byte) error {
	for i, t := range endPolicyTexts {
		if t == string(text) {
			*p = EndPolicy(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown end policy %q", ErrInvalid, text)
}
