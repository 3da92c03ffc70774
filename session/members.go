package session

import (
	"context"
	"fmt"
	"slices"

	"github.com/switchboard-cc/switchboard"
)

// AssignOwner makes agent the session's owner. A wiring layer calls it when
// agent accepts the routing offer for the chat, and again when a chat is
// reopened or handed over. An agent new to the session joins (everyone is
// told); a consulted agent is promoted. A previous owner stays as a
// consulted agent, so a transfer can remove it afterwards. The owner reads
// the whole history whatever the history rule. A session whose customer
// left may change owner too (a transfer accepted as the customer left): the
// new owner is the one who ends it with a wrap-up reason. It returns
// ErrAlreadyParticipant if agent already owns the session and a *StatusError
// unless the session is active or its customer left.
func (m *Manager) AssignOwner(ctx context.Context, chat switchboard.ChatID, agent AgentRef) (Session, error) {
	if err := agent.validate(); err != nil {
		return Session{}, fmt.Errorf("session %s: %w", chat, err)
	}
	id := AgentParticipant(agent.ID)
	s, _, lent, err := m.changeBuf(ctx, chat, nil, false, nil, func(s *Session, buf []Entry) ([]Entry, bool, error) {
		if s.Kind != KindCustomer || s.Status != StatusCustomerLeft {
			if err := open(s, TriggerJoin); err != nil {
				return nil, false, err
			}
		}
		p := s.Participant(id)
		if p != nil && p.Present() && p.Role == RoleOwner {
			return nil, false, fmt.Errorf("%w: %s already owns %s", ErrAlreadyParticipant, agent.ID, chat)
		}
		if p == nil || p.current() == nil {
			if err := m.roomFor(s); err != nil {
				return nil, false, err
			}
		}
		if old := s.Owner(); old != nil {
			old.Role = RoleConsulted
		}
		entries := slices.Grow(buf, 2)
		v := s.Version + 1
		if p == nil {
			s.Participants = append(s.Participants, Participant{ID: id})
			p = &s.Participants[len(s.Participants)-1]
		}
		hidden := p.Role == RoleSupervisor && p.Mode != SupervisorBarge
		joined := !p.Present()
		p.Role, p.Mode, p.Name = RoleOwner, 0, agent.Name
		if joined {
			joinAt(p, v)
		}
		if joined || hidden {
			entries = append(entries, event(EntryJoined, Everyone(), p, p))
		}
		entries = append(entries, event(EntryOwnerChanged, Agents(), p, p))
		noteOwner(s, agent.ID, m.now())
		return entries, true, nil
	})
	if lent && err == nil {
		s = s.Clone()
	}
	return s, err
}

// AddCustomer brings the customer into a customer session created without
// one (a bot talked first). A session has at most one customer: a second
// one, or any customer in an agent-to-agent session, returns
// ErrSecondCustomer.
func (m *Manager) AddCustomer(ctx context.Context, chat switchboard.ChatID, id switchboard.CustomerID, name string) error {
	if id == "" || name == "" {
		return fmt.Errorf("%w: a customer needs an ID and a display name", ErrInvalid)
	}
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if s.Kind != KindCustomer || s.Customer() != nil {
			return nil, false, ErrSecondCustomer
		}
		if err := open(s, TriggerJoin); err != nil {
			return nil, false, err
		}
		if err := m.roomFor(s); err != nil {
			return nil, false, err
		}
		s.Participants = append(s.Participants, Participant{ID: CustomerParticipant(id), Role: RoleCustomer, Name: name})
		p := &s.Participants[len(s.Participants)-1]
		joinAt(p, s.Version+1)
		return []Entry{event(EntryJoined, Everyone(), p, p)}, true, nil
	})
	return err
}

// Invite invites agent into the session as a consulted agent. The invitee
// is notified (SPEC S8) and sees nothing else until it joins with
// [Manager.Join]; the customer is told only when it joins. by must be a
// present agent.
func (m *Manager) Invite(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, agent AgentRef) error {
	if err := agent.validate(); err != nil {
		return fmt.Errorf("session %s: %w", chat, err)
	}
	id := AgentParticipant(agent.ID)
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if err := open(s, TriggerJoin); err != nil {
			return nil, false, err
		}
		inviter, err := agentActor(s, by)
		if err != nil {
			return nil, false, err
		}
		if !inviter.Role.IsAgent() || inviter.Role == RoleSupervisor && inviter.Mode != SupervisorBarge {
			return nil, false, fmt.Errorf("%w: %s cannot invite", ErrForbidden, inviter.Role)
		}
		p := s.Participant(id)
		if p != nil && p.current() != nil {
			return nil, false, fmt.Errorf("%w: %s", ErrAlreadyParticipant, agent.ID)
		}
		if err := m.roomFor(s); err != nil {
			return nil, false, err
		}
		if p == nil {
			s.Participants = append(s.Participants, Participant{ID: id})
			p = &s.Participants[len(s.Participants)-1]
			inviter = s.Participant(inviter.ID)
		}
		p.Role, p.Mode, p.Name = RoleConsulted, 0, agent.Name
		p.Stints = append(p.Stints, Stint{Invited: s.Version + 1})
		return []Entry{event(EntryInvited, Agents(), inviter, p)}, true, nil
	})
	return err
}

// Join accepts agent's pending invitation: the agent joins as a consulted
// agent and everyone, the customer included, is told. It returns
// ErrNotParticipant if there is no pending invitation.
func (m *Manager) Join(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	id := AgentParticipant(agent)
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if err := open(s, TriggerJoin); err != nil {
			return nil, false, err
		}
		p := s.Participant(id)
		if p == nil || !p.Invited() {
			return nil, false, fmt.Errorf("%w: no pending invitation for %s", ErrNotParticipant, agent)
		}
		joinAt(p, s.Version+1)
		return []Entry{event(EntryJoined, Everyone(), p, p)}, true, nil
	})
	return err
}

// Supervise adds a supervisor in mode, or changes a present supervisor's
// mode (SPEC S20). Monitoring and coaching supervisors are announced to
// agents only; barging in is announced to everyone, and leaving barge mode
// tells the customer the supervisor left. Supervisors read history as late
// joiners under the session's history rule.
func (m *Manager) Supervise(ctx context.Context, chat switchboard.ChatID, sup AgentRef, mode SupervisorMode) error {
	if err := sup.validate(); err != nil {
		return fmt.Errorf("session %s: %w", chat, err)
	}
	if mode < SupervisorMonitor || mode > SupervisorBarge {
		return fmt.Errorf("%w: supervisor mode %d", ErrInvalid, mode)
	}
	id := AgentParticipant(sup.ID)
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if err := open(s, TriggerJoin); err != nil {
			return nil, false, err
		}
		p := s.Participant(id)
		if p != nil && p.Present() {
			if p.Role != RoleSupervisor {
				return nil, false, fmt.Errorf("%w: %s is in the session as %s", ErrAlreadyParticipant, sup.ID, p.Role)
			}
			if p.Mode == mode {
				return nil, false, nil
			}
			was := p.Mode
			p.Mode = mode
			entries := []Entry{event(EntryModeChanged, Agents(), p, p)}
			entries[0].Reason = mode.String()
			switch {
			case mode == SupervisorBarge:
				entries = append(entries, event(EntryJoined, Everyone(), p, p))
			case was == SupervisorBarge:
				entries = append(entries, event(EntryLeft, Everyone(), p, p))
			}
			return entries, true, nil
		}
		if err := m.roomFor(s); err != nil {
			return nil, false, err
		}
		if p == nil {
			s.Participants = append(s.Participants, Participant{ID: id})
			p = &s.Participants[len(s.Participants)-1]
		}
		p.Role, p.Mode, p.Name = RoleSupervisor, mode, sup.Name
		joinAt(p, s.Version+1)
		e := event(EntryJoined, joinAudience(p), p, p)
		if e.Audience.Private() {
			e.Reason = mode.String() // the customer is not told what a supervisor is
		}
		return []Entry{e}, true, nil
	})
	return err
}

// Leave takes who out of the session. The customer leaving tells every
// agent "customer has left" and stops agents from sending (SPEC S9); an
// agent, supervisor or bot leaving tells those who saw it join; an invited
// agent leaving declines. The owner of a customer session cannot leave: it
// ends the session or hands it over first (ErrForbidden). When the last
// agent leaves an agent-to-agent session, the session closes.
func (m *Manager) Leave(ctx context.Context, chat switchboard.ChatID, who ParticipantID) error {
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		return m.leave(s, who, nil)
	})
	return err
}

// Remove takes who out of the session on behalf of the owner by. The
// customer cannot be removed (ErrCannotRemoveCustomer), nor the owner.
func (m *Manager) Remove(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, who ParticipantID) error {
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		owner, err := agentActor(s, by)
		if err != nil {
			return nil, false, err
		}
		if owner.Role != RoleOwner {
			return nil, false, fmt.Errorf("%w: only the owner removes participants", ErrForbidden)
		}
		if p := s.Participant(who); p != nil && p.Role == RoleCustomer {
			return nil, false, ErrCannotRemoveCustomer
		}
		return m.leave(s, who, owner)
	})
	return err
}

func (m *Manager) leave(s *Session, who ParticipantID, by *Participant) ([]Entry, bool, error) {
	if s.Status == StatusClosed {
		return nil, false, &StatusError{From: s.Status, Trigger: TriggerCustomerLeave}
	}
	p := s.Participant(who)
	if p == nil || p.current() == nil {
		if p == nil {
			return nil, false, fmt.Errorf("%w: %s", ErrNotParticipant, who)
		}
		return nil, false, fmt.Errorf("%w: %s", ErrLeft, who)
	}
	v := s.Version + 1
	var entries []Entry
	switch {
	case p.Role == RoleCustomer:
		to, err := Next(s.Status, TriggerCustomerLeave)
		if err != nil {
			return nil, false, err
		}
		s.Status = to
		s.Menu = nil
		if s.Video != nil {
			s.Video = nil
			e := event(EntryVideoEnded, Everyone(), p, p)
			e.Text = p.Name + " has left the video call"
			entries = append(entries, e)
		}
		e := event(EntryCustomerLeft, Everyone(), p, p)
		e.Text = "customer has left"
		entries = append(entries, e)
	case p.Role == RoleOwner && s.Kind == KindCustomer:
		return nil, false, fmt.Errorf("%w: the owner ends or hands over the session instead of leaving", ErrForbidden)
	case p.Invited():
		entries = append(entries, event(EntryLeft, Agents(), by, p))
	default:
		e := event(EntryLeft, joinAudience(p), by, p)
		e.Text = p.Name + " has left"
		entries = append(entries, e)
	}
	if by == nil {
		entries[len(entries)-1].From, entries[len(entries)-1].FromName = p.ID, p.Name
	}
	leaveAt(p, v)
	if s.Kind == KindA2A && presentCount(s) == 0 {
		s.Status = StatusClosed
		s.ClosedAt = m.now()
		entries = append(entries, Entry{Type: EntryClosed, Audience: Everyone()})
	}
	return entries, true, nil
}

// ReleaseOwner takes the owner out of an active customer session without
// ending it, because the owner can no longer serve it (it logged out or lost
// its connection). Everyone who saw the owner join is told it left, the
// customer stays, and the session waits without an owner until
// [Manager.AssignOwner] gives it the next one. It returns ErrNotParticipant
// if agent is not the session's owner and a *StatusError unless the session is
// active.
func (m *Manager) ReleaseOwner(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if err := open(s, TriggerJoin); err != nil {
			return nil, false, err
		}
		p := s.Owner()
		if p == nil || p.ID != AgentParticipant(agent) {
			return nil, false, fmt.Errorf("%w: %s does not own %s", ErrNotParticipant, agent, chat)
		}
		e := event(EntryLeft, joinAudience(p), p, p)
		e.Text = p.Name + " has left"
		p.Role = RoleConsulted
		leaveAt(p, s.Version+1)
		noteOwner(s, "", m.now())
		return []Entry{e}, true, nil
	})
	return err
}
