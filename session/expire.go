package session

import (
	"context"
	"fmt"

	"github.com/switchboard-cc/switchboard"
)

// Expire ends and closes a customer session that no agent owns, on the
// system's behalf: the chat was ended before any agent took it (it waited
// longer than its queue allows, say). A connected customer is told text
// ("Sorry, no agent is free right now", say) and disconnected; reason is
// recorded for agents, as a forced end's is. Anyone invited is let go.
//
// It returns ErrAlreadyClosed for a closed session, a *StatusError for an
// agent-to-agent session, and ErrForbidden while an agent owns the session
// (the owner ends it with [Manager.End]); in each case nothing changes.
func (m *Manager) Expire(ctx context.Context, chat switchboard.ChatID, reason, text string) error {
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if s.Status == StatusClosed {
			return nil, false, ErrAlreadyClosed
		}
		if s.Kind != KindCustomer {
			return nil, false, &StatusError{From: s.Status, Trigger: TriggerEnd}
		}
		if o := s.Owner(); o != nil && o.Present() {
			return nil, false, fmt.Errorf("%w: %s owns %s", ErrForbidden, o.ID, chat)
		}
		now := m.now()
		var entries []Entry
		if s.Status != StatusEnded {
			if _, err := Next(s.Status, TriggerEnd); err != nil {
				return nil, false, err
			}
			if c := s.Customer(); c != nil && c.Present() {
				leaveAt(c, s.Version+1)
				e := event(EntryLeft, Everyone(), nil, c)
				e.Text = text
				entries = append(entries, e)
			}
			e := event(EntryEnded, Agents(), nil, nil)
			e.Reason = reason
			entries = append(entries, e)
			s.WrapUp = &WrapUp{Chat: s.ID, Tenant: s.Tenant, Queue: s.Queue, Reason: reason, At: now, Until: now}
			s.Status = StatusEnded
		}
		to, err := Next(s.Status, TriggerClose)
		if err != nil {
			return nil, false, err
		}
		s.Menu, s.Video = nil, nil
		return shut(s, to, now, entries), true, nil
	})
	return err
}
