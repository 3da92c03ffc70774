package session

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-cc/switchboard"
)

// maxOptions caps the options of one offer.
const maxOptions = 20

// OfferOptions offers the customer a structured set of options to choose
// from (SPEC S13). It replaces any open offer. by must be a present agent
// allowed to write normal messages, and the customer must be connected.
// The prompt is inbound text: it passes through Config.Filter like a
// message.
func (m *Manager) OfferOptions(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, prompt string, options []Option) error {
	if prompt == "" || len(options) == 0 || len(options) > maxOptions || len(prompt) > m.cfg.MaxTextBytes {
		return fmt.Errorf("%w: an offer needs a prompt and 1 to %d options", ErrInvalid, maxOptions)
	}
	seen := map[string]bool{}
	for _, o := range options {
		if o.ID == "" || o.Label == "" || seen[o.ID] {
			return fmt.Errorf("%w: options need unique IDs and labels", ErrInvalid)
		}
		seen[o.ID] = true
	}
	check := func(s *Session) (*Participant, error) {
		p, err := agentActor(s, by)
		if err != nil {
			return nil, err
		}
		if err := open(s, TriggerMessage); err != nil {
			return nil, err
		}
		if _, err := audienceFor(s, p, &Message{Mode: ModeNormal}); err != nil || !p.Role.IsAgent() {
			return nil, fmt.Errorf("%w: %s cannot offer options", ErrForbidden, p.Role)
		}
		if !s.CustomerConnected() {
			return nil, fmt.Errorf("%w: no connected customer to offer options to", ErrInvalid)
		}
		return p, nil
	}
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return fmt.Errorf("session %s: %w", chat, err)
	}
	if _, err := check(&s); err != nil {
		return err
	}
	// A prompt is no message a later one continues: what the filter holds
	// back of it stays masked.
	prompt, fixes, _, err := m.filter(ctx, &s, &Message{From: AgentParticipant(by), Text: prompt})
	if err != nil {
		return err
	}
	err = m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		p, err := check(s)
		if err != nil {
			return nil, false, err
		}
		s.Menu = &Menu{Version: s.Version, By: p.ID, Prompt: prompt, Options: append([]Option(nil), options...)}
		e := event(EntryOptionsOffered, Everyone(), p, nil)
		e.Text, e.Options = prompt, append([]Option(nil), options...)
		return append(append([]Entry(nil), fixes...), e), true, nil
	})
	return err
}

// Choose records the customer's choice of an offered option, as a choice
// and not as free text. It returns ErrForbidden unless by is the
// customer, ErrNoOffer when no offer is open and ErrUnknownOption for an
// option that was not offered; then nothing changes.
func (m *Manager) Choose(ctx context.Context, chat switchboard.ChatID, by ParticipantID, optionID string) (Option, error) {
	var chosen Option
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		p, err := actor(s, by)
		if err != nil {
			return nil, false, err
		}
		if p.Role != RoleCustomer {
			return nil, false, fmt.Errorf("%w: only the customer chooses", ErrForbidden)
		}
		if err := open(s, TriggerMessage); err != nil {
			return nil, false, err
		}
		if s.Menu == nil {
			return nil, false, ErrNoOffer
		}
		found := false
		for _, o := range s.Menu.Options {
			if o.ID == optionID {
				chosen, found = o, true
			}
		}
		if !found {
			return nil, false, fmt.Errorf("%w: %q", ErrUnknownOption, optionID)
		}
		s.Menu = nil
		e := event(EntryOptionChosen, Everyone(), p, nil)
		e.Options = []Option{chosen}
		return []Entry{e}, true, nil
	})
	if err != nil {
		return Option{}, err
	}
	return chosen, nil
}

// StartVideo starts a video leg inside the chat (SPEC S16); everyone is
// told. It returns ErrVideo if one is running.
func (m *Manager) StartVideo(ctx context.Context, chat switchboard.ChatID, by ParticipantID) error {
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		p, err := actor(s, by)
		if err != nil {
			return nil, false, err
		}
		if err := open(s, TriggerMessage); err != nil {
			return nil, false, err
		}
		if p.Role == RoleBot || p.Role == RoleSupervisor && p.Mode != SupervisorBarge {
			return nil, false, fmt.Errorf("%w: %s cannot start video", ErrForbidden, p.Role)
		}
		if s.Video != nil {
			return nil, false, fmt.Errorf("%w: a video leg is running", ErrVideo)
		}
		s.Video = &VideoLeg{StartedBy: p.ID, StartedAt: m.now()}
		return []Entry{event(EntryVideoStarted, Everyone(), p, p)}, true, nil
	})
	return err
}

// EndVideo ends the video leg. The chat goes on, and the other side is
// told "<name> has left the video call". It returns ErrVideo if none is
// running.
func (m *Manager) EndVideo(ctx context.Context, chat switchboard.ChatID, by ParticipantID) error {
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		p, err := actor(s, by)
		if err != nil {
			return nil, false, err
		}
		if s.Video == nil {
			return nil, false, fmt.Errorf("%w: no video leg is running", ErrVideo)
		}
		s.Video = nil
		e := event(EntryVideoEnded, Everyone(), p, p)
		e.Text = p.Name + " has left the video call"
		return []Entry{e}, true, nil
	})
	return err
}

// SetAttribute records or replaces a customer attribute (SPEC S14). The
// host sets Verified only for values it authenticated.
func (m *Manager) SetAttribute(ctx context.Context, chat switchboard.ChatID, a Attribute) error {
	if a.Name == "" {
		return fmt.Errorf("%w: attribute without a name", ErrInvalid)
	}
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if s.Kind != KindCustomer {
			return nil, false, fmt.Errorf("%w: agent-to-agent sessions have no customer", ErrInvalid)
		}
		for i := range s.Attributes {
			if s.Attributes[i].Name == a.Name {
				s.Attributes[i] = a
				return nil, true, nil
			}
		}
		s.Attributes = append(s.Attributes, a)
		return nil, true, nil
	})
	return err
}

// agentIn reads the session and checks that agent is present in it.
func (m *Manager) agentIn(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) (Session, *Participant, error) {
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return Session{}, nil, fmt.Errorf("session %s: %w", chat, err)
	}
	p, err := actor(&s, AgentParticipant(agent))
	if err != nil {
		return Session{}, nil, err
	}
	if !p.Role.IsAgent() {
		return Session{}, nil, fmt.Errorf("%w: agents only", ErrForbidden)
	}
	return s, p, nil
}

// Responses returns the predefined responses of the session's queue whose
// title or text contains search (case-insensitive; empty matches all), in
// configured order (SPEC S12). It returns ErrUnavailable when the queue
// has none configured.
func (m *Manager) Responses(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, search string) ([]switchboard.Response, error) {
	s, _, err := m.agentIn(ctx, chat, by)
	if err != nil {
		return nil, err
	}
	qc, err := m.queueOf(ctx, &s)
	if err != nil {
		return nil, err
	}
	all := qc.Responses
	if len(all) == 0 {
		return nil, fmt.Errorf("%w: no predefined responses for queue %q", ErrUnavailable, s.Queue)
	}
	q := strings.ToLower(search)
	var out []switchboard.Response
	for _, r := range all {
		if strings.Contains(strings.ToLower(r.Title), q) || strings.Contains(strings.ToLower(r.Text), q) {
			out = append(out, r)
		}
	}
	return out, nil
}

// InsertResponse returns the text of one predefined response with its
// placeholders resolved for the agent by: {agent} is by's display name,
// {customer} the customer's and {queue} the queue. The agent edits the text
// and sends it with [Manager.Send]; responses are inserted one at a time.
// It returns ErrUnavailable when the queue has none and ErrNotFound for an
// unknown id.
func (m *Manager) InsertResponse(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, id string) (string, error) {
	s, p, err := m.agentIn(ctx, chat, by)
	if err != nil {
		return "", err
	}
	qc, err := m.queueOf(ctx, &s)
	if err != nil {
		return "", err
	}
	all := qc.Responses
	if len(all) == 0 {
		return "", fmt.Errorf("%w: no predefined responses for queue %q", ErrUnavailable, s.Queue)
	}
	for _, r := range all {
		if r.ID == id {
			customer := ""
			if c := s.Customer(); c != nil {
				customer = c.Name
			}
			return strings.NewReplacer("{agent}", p.Name, "{customer}", customer, "{queue}", string(s.Queue)).Replace(r.Text), nil
		}
	}
	return "", fmt.Errorf("%w: response %q", ErrNotFound, id)
}

// ContactInfo returns the customer's contact information from
// Config.Contacts for an agent in the session (SPEC S15). It returns
// ErrUnavailable when no Contacts port is configured.
func (m *Manager) ContactInfo(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID) (Contact, error) {
	c, s, err := m.contactOf(ctx, chat, by)
	if err != nil {
		return Contact{}, err
	}
	info, err := m.cfg.Contacts.Contact(ctx, s.Tenant, c)
	if err != nil {
		return Contact{}, fmt.Errorf("session: contact %s: %w", c, err)
	}
	return info, nil
}

// ContactHistory returns up to limit past interactions of the customer
// from Config.Contacts (SPEC S15). It returns ErrUnavailable when no
// Contacts port is configured.
func (m *Manager) ContactHistory(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, limit int) ([]ContactRecord, error) {
	c, s, err := m.contactOf(ctx, chat, by)
	if err != nil {
		return nil, err
	}
	h, err := m.cfg.Contacts.History(ctx, s.Tenant, c, limit)
	if err != nil {
		return nil, fmt.Errorf("session: contact history %s: %w", c, err)
	}
	return h, nil
}

func (m *Manager) contactOf(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID) (switchboard.CustomerID, Session, error) {
	if m.cfg.Contacts == nil {
		return "", Session{}, fmt.Errorf("%w: no contacts configured", ErrUnavailable)
	}
	s, _, err := m.agentIn(ctx, chat, by)
	if err != nil {
		return "", Session{}, err
	}
	c := s.Customer()
	if c == nil {
		return "", Session{}, fmt.Errorf("%w: agent-to-agent sessions have no customer", ErrInvalid)
	}
	return customerID(c.ID), s, nil
}
