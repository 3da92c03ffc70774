package session

import (
	"strings"

	"github.com/switchboard-cc/switchboard"
)

// ParticipantID identifies a participant within sessions. Build one with
// [AgentParticipant], [CustomerParticipant] or [BotParticipant]; the prefix
// keeps agents, customers and bots from ever sharing an ID. Participant IDs
// are internal: customer views never carry them (SPEC S18).
type ParticipantID string

const (
	agentPrefix    = "agent:"
	customerPrefix = "customer:"
	botPrefix      = "bot:"
)

// AgentParticipant returns the participant ID of an agent.
func AgentParticipant(id switchboard.AgentID) ParticipantID {
	return ParticipantID(agentPrefix + string(id))
}

// CustomerParticipant returns the participant ID of a customer.
func CustomerParticipant(id switchboard.CustomerID) ParticipantID {
	return ParticipantID(customerPrefix + string(id))
}

// BotParticipant returns the participant ID of a bot.
func BotParticipant(name string) ParticipantID {
	return ParticipantID(botPrefix + name)
}

// Agent returns the agent ID p was built from and whether p is an agent.
func (p ParticipantID) Agent() (switchboard.AgentID, bool) {
	s, ok := strings.CutPrefix(string(p), agentPrefix)
	return switchboard.AgentID(s), ok && s != ""
}

// Customer returns the customer ID p was built from, and whether p names a
// customer.
func (p ParticipantID) Customer() (switchboard.CustomerID, bool) {
	s, ok := strings.CutPrefix(string(p), customerPrefix)
	return switchboard.CustomerID(s), ok && s != ""
}

// Role is what a participant is in a session. It decides what the
// participant may do and which audiences admit it.
type Role uint8

// Roles. The zero Role is invalid.
const (
	// RoleCustomer is the customer of a customer-to-agent session; a session
	// has at most one and agents cannot remove it.
	RoleCustomer Role = iota + 1
	// RoleOwner is the agent who owns the session: the one who accepted it,
	// or the initiator of an agent-to-agent session. Only the owner ends a
	// customer session and applies wrap-up.
	RoleOwner
	// RoleConsulted is any other agent: a consulted (conference) agent, or a
	// recipient of an agent-to-agent session.
	RoleConsulted
	// RoleSupervisor is a supervisor who monitors, coaches or barges in
	// (SPEC S20); see [SupervisorMode].
	RoleSupervisor
	// RoleBot is an automated participant. It sees what the customer sees.
	RoleBot
)

var roleNames = [...]string{"invalid", "customer", "owner", "consulted", "supervisor", "bot"}

// String returns the role's name.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "invalid"
}

// IsAgent reports whether the role belongs to the organisation's side:
// owner, consulted agent or supervisor. Only these roles are admitted by
// private audiences.
func (r Role) IsAgent() bool {
	return r == RoleOwner || r == RoleConsulted || r == RoleSupervisor
}

// SupervisorMode is how a supervisor takes part (SPEC S20).
type SupervisorMode uint8

// Supervisor modes.
const (
	// SupervisorMonitor is silent: the supervisor reads everything, agents are
	// told it joined, the customer is not, and it cannot write.
	SupervisorMonitor SupervisorMode = iota + 1
	// SupervisorCoach lets the supervisor whisper to all agents or coach one agent
	// privately; the customer is not told it joined.
	SupervisorCoach
	// SupervisorBarge makes the supervisor an open participant: the customer is
	// told it joined and it can write normal messages.
	SupervisorBarge
)

var modeNames = [...]string{"none", "monitor", "coach", "barge"}

// String returns the mode's name.
func (m SupervisorMode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "invalid"
}

// Stint is one continuous stay of a participant in a session, in session
// state versions. An entry written against version v lies inside the stint
// when the history rule's lower bound is at most v and Left is 0 or greater
// than v.
type Stint struct {
	// Invited is the first session version after the invitation.
	Invited uint64 `json:"invited,omitzero"`
	// Joined is the first session version at which the participant was in
	// the session; 0 while an invitation is pending.
	Joined uint64 `json:"joined,omitzero"`
	// Left is the first version at which the participant was gone; 0 while
	// it is still in.
	Left uint64 `json:"left,omitzero"`
}

// Participant is one member of a session, past or present.
type Participant struct {
	// ID identifies the participant.
	ID ParticipantID `json:"id"`
	// Role is the participant's current role.
	Role Role `json:"role,omitzero"`
	// Name is the display name shown to others, customers included.
	Name string `json:"name,omitzero"`
	// Mode is the supervisor mode; zero for other roles.
	Mode SupervisorMode `json:"mode,omitzero"`
	// AwaitingReply marks an agent-to-agent recipient who has not answered
	// the latest message yet (SPEC R10 seen from the session).
	AwaitingReply bool `json:"awaiting_reply,omitzero"`
	// Stints records each stay, oldest first. A participant who left and
	// came back has several.
	Stints []Stint `json:"stints,omitzero"`

	// Read receipts (SPEC I1).

	// Read is how far the participant has read the session's log
	// ([Manager.MarkRead]).
	Read ReadMark `json:"read,omitzero"`
}

// current returns the open stint, or nil if the participant is not in the
// session (left or never joined).
func (p *Participant) current() *Stint {
	if n := len(p.Stints); n > 0 && p.Stints[n-1].Left == 0 {
		return &p.Stints[n-1]
	}
	return nil
}

// Present reports whether the participant has joined and not left.
func (p *Participant) Present() bool {
	st := p.current()
	return st != nil && st.Joined != 0
}

// Invited reports whether the participant has a pending invitation.
func (p *Participant) Invited() bool {
	st := p.current()
	return st != nil && st.Joined == 0
}

func (p *Participant) clone() Participant {
	c := *p
	c.Stints = append([]Stint(nil), p.Stints...)
	return c
}
