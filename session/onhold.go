package session

import (
	"context"
	"fmt"

	"github.com/switchboard-cc/switchboard"
)

// SetOnHold marks a customer session as on hold, or takes the mark off
// (SPEC O6, O7), following routing, where the chat's owner put it on hold
// or resumed it. While the mark is on, the customer's messages are stored
// with [Entry.OnHold] set, which agents' views carry ([View.OnHold]) and
// the customer's do not.
//
// When the mark changes and text is not empty, the customer alone is told
// in the same write, with an [EntryNotice] of kind [NoticeOnHold] (on) or
// [NoticeResumed] (off) saying text, provided it is present and the session
// is active. A session marked so already is left as it is, so a caller
// repeating the call after a crash tells the customer once. An empty text
// changes the mark silently (the chat went back to its queue, say, and the
// customer is told that instead).
//
// An agent-to-agent session is [ErrInvalid], and nothing changes.
func (m *Manager) SetOnHold(ctx context.Context, chat switchboard.ChatID, onHold bool, text string) error {
	return m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if s.Kind != KindCustomer {
			return nil, false, fmt.Errorf("%w: %s is not a customer session", ErrInvalid, chat)
		}
		if s.OnHold == onHold {
			return nil, false, nil
		}
		s.OnHold = onHold
		if text == "" || s.Status != StatusActive {
			return nil, true, nil
		}
		if c := s.Customer(); c == nil || !c.Present() {
			return nil, true, nil
		}
		kind := NoticeResumed
		if onHold {
			kind = NoticeOnHold
		}
		return []Entry{{Type: EntryNotice, Audience: Audience{Kind: AudienceCustomer}, Text: text, Notice: Notice{Kind: kind}}}, true, nil
	})
}
