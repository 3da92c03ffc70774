package session

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/switchboard-cc/switchboard"
)

// DirectoryQuery asks for one page of the agent directory.
type DirectoryQuery struct {
	// Search keeps agents whose name or ID contains it (case-insensitive).
	// Empty keeps all.
	Search string
	// Page is the zero-based page number.
	Page int
	// PageSize is the number of agents per page. Defaults to 20.
	PageSize int
}

// DirectoryPage is one page of the agent directory.
type DirectoryPage struct {
	// Agents are this page's agents, sorted by name, then ID.
	Agents []AgentInfo `json:"agents,omitzero"`
	// Page is the page number.
	Page int `json:"page,omitzero"`
	// Pages is the number of pages.
	Pages int `json:"pages,omitzero"`
	// Total is the number of matching agents.
	Total int `json:"total,omitzero"`
}

// Directory lists the logged-in agents viewer may see and chat with
// (SPEC S6): its tenant only; its functional group, or every group for a
// supervisor. It returns ErrUnavailable without Config.Directory.
func (m *Manager) Directory(ctx context.Context, viewer switchboard.AgentID, q DirectoryQuery) (DirectoryPage, error) {
	if m.cfg.Directory == nil {
		return DirectoryPage{}, fmt.Errorf("%w: no directory configured", ErrUnavailable)
	}
	if q.Page < 0 || q.PageSize < 0 {
		return DirectoryPage{}, fmt.Errorf("%w: negative page", ErrInvalid)
	}
	if q.PageSize == 0 {
		q.PageSize = 20
	}
	me, err := m.cfg.Directory.Agent(ctx, viewer)
	if err != nil {
		return DirectoryPage{}, fmt.Errorf("session: directory %s: %w", viewer, err)
	}
	all, err := m.cfg.Directory.LoggedIn(ctx, me.Tenant)
	if err != nil {
		return DirectoryPage{}, fmt.Errorf("session: directory of %s: %w", me.Tenant, err)
	}
	search := strings.ToLower(q.Search)
	var match []AgentInfo
	for _, a := range all {
		if CanSee(me, a) && (strings.Contains(strings.ToLower(a.Name), search) || strings.Contains(strings.ToLower(string(a.ID)), search)) {
			match = append(match, a)
		}
	}
	sort.Slice(match, func(i, j int) bool {
		if match[i].Name != match[j].Name {
			return match[i].Name < match[j].Name
		}
		return match[i].ID < match[j].ID
	})
	page := DirectoryPage{Page: q.Page, Total: len(match), Pages: (len(match) + q.PageSize - 1) / q.PageSize}
	if lo := q.Page * q.PageSize; lo < len(match) {
		page.Agents = match[lo:min(lo+q.PageSize, len(match))]
	}
	return page, nil
}

// StartA2A starts an agent-to-agent session from agent from with the
// agents to (SPEC S1, S3, S6). It is never offered through routing: the
// recipients are in it at once, without accept or reject, and are told
// with an invitation delivery (SPEC S8). If text is not empty it is sent
// as the first message, and each recipient is marked AwaitingReply until
// it answers (SPEC R10). An agent may hold any number of these sessions.
// Each recipient must be logged in and visible to from (ErrNotVisible).
// If the inbound filter rejects the first message, the session exists
// without it and StartA2A returns the session with the error.
func (m *Manager) StartA2A(ctx context.Context, from switchboard.AgentID, to []switchboard.AgentID, text string) (Session, error) {
	if m.cfg.Directory == nil {
		return Session{}, fmt.Errorf("%w: no directory configured", ErrUnavailable)
	}
	if len(to) == 0 || len(to)+1 > m.cfg.MaxParticipants {
		return Session{}, fmt.Errorf("%w: 1 to %d recipients", ErrInvalid, m.cfg.MaxParticipants-1)
	}
	if text != "" {
		if err := m.checkContent(&Message{From: AgentParticipant(from), Text: text}); err != nil {
			return Session{}, err
		}
	}
	me, err := m.cfg.Directory.Agent(ctx, from)
	if err != nil {
		return Session{}, fmt.Errorf("session: directory %s: %w", from, err)
	}
	s := Session{
		ID: m.cfg.NewID(), Tenant: me.Tenant, Kind: KindA2A, InitiatedBy: AgentParticipant(from),
		Status: StatusActive, History: m.cfg.History, CreatedAt: m.now(),
		Participants: []Participant{{ID: AgentParticipant(from), Role: RoleOwner, Name: me.Name,
			Stints: []Stint{{Invited: 1, Joined: 1}}}},
	}
	for _, id := range to {
		a, err := m.cfg.Directory.Agent(ctx, id)
		if err != nil {
			return Session{}, fmt.Errorf("session: directory %s: %w", id, err)
		}
		if !CanSee(me, a) {
			return Session{}, fmt.Errorf("%w: %s cannot chat with %s", ErrNotVisible, from, id)
		}
		if s.Participant(AgentParticipant(id)) != nil {
			return Session{}, fmt.Errorf("%w: %s listed twice", ErrInvalid, id)
		}
		s.Participants = append(s.Participants, Participant{ID: AgentParticipant(id), Role: RoleConsulted,
			Name: a.Name, Stints: []Stint{{Invited: 1, Joined: 1}}})
	}
	s, _, err = m.create(ctx, s, nil)
	if err != nil {
		return Session{}, err
	}
	if text != "" {
		if _, err := m.Send(ctx, s.ID, Message{From: AgentParticipant(from), Text: text}); err != nil {
			return s, err
		}
		return m.Session(ctx, s.ID)
	}
	return s, nil
}
