package session

import (
	"context"
	"fmt"

	"github.com/switchboard-cc/switchboard"
)

// CustomerTranscript is the transcript given to the customer after the
// conversation: exactly the entries [Visible] lets the customer see, as the
// customer's views: no whisper, no internal event, no private attachment,
// no agent ID (SPEC S4, S18). It does no I/O; log is the session's log in
// sequence order. A session without a customer has an empty transcript.
func CustomerTranscript(s *Session, log []Entry) []View {
	c := s.Customer()
	if c == nil {
		return nil
	}
	var out []View
	for i := range log {
		if Visible(s.History, c, &log[i]) {
			out = append(out, project(c, &log[i]))
		}
	}
	return out
}

// LogLine is one entry of the organisation's log.
type LogLine struct {
	// View is the entry as an agent with full access sees it.
	View
	// Audience is who could see the entry.
	Audience Audience `json:"audience,omitzero"`
	// InternalNote marks a private entry: whispers and agents-only events
	// double as internal notes in the organisation's log (SPEC S4).
	InternalNote bool `json:"internal_note,omitzero"`
}

// OrganisationLog is the organisation's record of the session: every
// entry, with private ones marked as internal notes. It is the only
// unfiltered projection of a log; never show it to a customer. It does no
// I/O.
func OrganisationLog(log []Entry) []LogLine {
	out := make([]LogLine, 0, len(log))
	org := &Participant{Role: RoleOwner}
	for i := range log {
		e := &log[i]
		v := project(org, e)
		out = append(out, LogLine{View: v, Audience: e.Audience.clone(), InternalNote: e.Audience.Private()})
	}
	return out
}

// Transcript returns the customer's transcript of the session.
func (m *Manager) Transcript(ctx context.Context, chat switchboard.ChatID) ([]View, error) {
	s, log, err := m.readAll(ctx, chat)
	if err != nil {
		return nil, err
	}
	return CustomerTranscript(&s, log), nil
}

// OrganisationLog returns the organisation's log of the session.
func (m *Manager) OrganisationLog(ctx context.Context, chat switchboard.ChatID) ([]LogLine, error) {
	_, log, err := m.readAll(ctx, chat)
	if err != nil {
		return nil, err
	}
	return OrganisationLog(log), nil
}

func (m *Manager) readAll(ctx context.Context, chat switchboard.ChatID) (Session, []Entry, error) {
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return Session{}, nil, fmt.Errorf("session %s: %w", chat, err)
	}
	log, err := m.store.ReadEntries(ctx, chat, 0, 0)
	if err != nil {
		return Session{}, nil, fmt.Errorf("session: read %s: %w", chat, err)
	}
	return s, log, nil
}
