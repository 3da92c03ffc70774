// Package enumtext encodes the library's uint8 enums as their wire texts:
// the text of a value is texts[value], and a text names the value at its
// index. It imports nothing of the module, so every package can use it.
package enumtext

import "fmt"

// Marshal returns the text of v, or an error wrapping invalid (the calling
// package's invalid-input sentinel) for a value that has none. typ names the
// enum in the message, such as "agent state".
func Marshal[T ~uint8](v T, texts []string, typ string, invalid error) ([]byte, error) {
	if int(v) >= len(texts) {
		return nil, fmt.Errorf("%w: %s %d has no text form", invalid, typ, v)
	}
	return []byte(texts[v]), nil
}

// Unmarshal sets *v to the value whose text is text, or returns an error
// wrapping invalid for an unknown text and leaves *v unchanged.
func Unmarshal[T ~uint8](v *T, text []byte, texts []string, typ string, invalid error) error {
	for i, t := range texts {
		if t == string(text) {
			*v = T(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown %s %q", invalid, typ, text)
}
