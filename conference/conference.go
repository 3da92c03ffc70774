package conference

import (
	"fmt"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// EndPolicy decides what ending a conference does to the chat (SPEC C7).
type EndPolicy uint8

const (
	// ChatContinues drops the consulted agents; the chat goes on between
	// the owner and the customer. The default.
	ChatContinues EndPolicy = iota
	// EndEverything drops the consulted agents and ends the chat as well,
	// with the wrap-up reason given when the conference is ended: the
	// customer is told the agent has left and the owner goes to wrap-up.
	EndEverything
)

var policyNames = [...]string{"chat-continues", "end-everything"}

// String returns the policy's name.
func (p EndPolicy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "invalid"
}

// Config holds the conference settings of an engine
// (engine.Config.Conference). The zero value is valid.
type Config struct {
	// EndPolicy decides whether ending a conference also ends the chat.
	// Defaults to [ChatContinues].
	EndPolicy EndPolicy `json:"end_policy,omitzero"`
}

// Validate reports a setting out of range, wrapping [ErrInvalid].
func (c Config) Validate() error {
	if c.EndPolicy > EndEverything {
		return fmt.Errorf("%w: end policy %d", ErrInvalid, c.EndPolicy)
	}
	return nil
}

// Request asks an agent into a chat. Exactly one of Agent and Queue is
// set.
type Request struct {
	// Chat to invite into; it must be assigned to an agent.
	Chat switchboard.ChatID `json:"chat,omitzero"`
	// From is the inviting agent: the owner or a consulted agent present in
	// the session.
	From switchboard.AgentID `json:"from,omitzero"`
	// Agent names the invitee, who must be available now (SPEC C2).
	Agent switchboard.AgentID `json:"agent,omitzero"`
	// Queue names a queue an available agent is chosen from; if the chosen
	// agent does not accept in time, the next one of the queue is invited
	// (SPEC C3).
	Queue switchboard.QueueID `json:"queue,omitzero"`
}

// Validate checks the request's shape: a chat, the inviting agent and
// exactly one of an agent and a queue. It returns an error wrapping
// [ErrInvalid] otherwise.
func (r *Request) Validate() error {
	if r.Chat == "" || r.From == "" || (r.Agent == "") == (r.Queue == "") {
		return fmt.Errorf("%w: an invite names a chat, the inviting agent and exactly one of an agent and a queue", ErrInvalid)
	}
	return nil
}

// CanInvite decides whether from may invite into the chat whose session is
// s (SPEC C1, C9). Only an agent present in the session as its owner or a
// consulted agent who joined may; anyone else (the customer, a bot, a
// monitoring supervisor, an agent still only invited or who left) gets
// [ErrNotInConference]. Once the customer has left nobody may
// ([ErrCustomerLeft]), nor after the chat ended ([ErrChatEnded]).
func CanInvite(s *session.Session, from switchboard.AgentID) error {
	switch s.Status {
	case session.StatusActive:
	case session.StatusCustomerLeft:
		// The interaction is over for everyone but the owner (SPEC C9).
		return fmt.Errorf("%w: %s: %w", ErrCustomerLeft, s.ID, session.ErrCustomerLeft)
	default:
		return fmt.Errorf("%w: %s is %s: %w", ErrChatEnded, s.ID, s.Status, routing.ErrChatEnded)
	}
	p := s.Participant(session.AgentParticipant(from))
	if p == nil || !p.Present() || (p.Role != session.RoleOwner && p.Role != session.RoleConsulted) {
		return fmt.Errorf("%w: %s in %s", ErrNotInConference, from, s.ID)
	}
	return nil
}

// Leaving is what an agent asking to leave a chat does (SPEC C5, C8).
type Leaving uint8

const (
	// Exit: a consulted agent exits; the chat goes on.
	Exit Leaving = iota
	// HandOver: the owner hands the chat to its successor, then leaves.
	HandOver
)

// Leave decides how agent leaves chat c, whose session is s (SPEC C5, C8):
// a consulted agent exits; the owner hands the chat over to its
// [Successor], which it returns. An owner with nobody to take over gets
// [ErrNobodyToTakeOver]; anyone else in routing's chat is let exit, and
// routing refuses an agent not in it ([ErrNotInConference]).
func Leave(s *session.Session, c *routing.Chat, agent switchboard.AgentID) (Leaving, switchboard.AgentID, error) {
	if !c.Owns(agent) {
		return Exit, "", nil
	}
	to, err := Successor(s, c, agent)
	if err != nil {
		return HandOver, "", err
	}
	return HandOver, to, nil
}

// Successor returns the agent that takes chat c over when its owner leaves
// (SPEC C5): the consulted agent present longest. The session s, when not
// nil, orders the consulted agents by when they joined it; those routing
// counts in the chat but the session does not show yet come after, in
// routing's order. It returns [ErrNotOwner] if owner does not own c, and
// [ErrNobodyToTakeOver] if no consulted agent has joined yet.
func Successor(s *session.Session, c *routing.Chat, owner switchboard.AgentID) (switchboard.AgentID, error) {
	if !c.Owns(owner) {
		return "", fmt.Errorf("%w: %s does not own %s: %w", ErrNotOwner, owner, c.ID, routing.ErrNotOwner)
	}
	var (
		best   switchboard.AgentID
		joined uint64
	)
	for _, a := range c.Consultants {
		at := uint64(0)
		if s != nil {
			if p := s.Participant(session.AgentParticipant(a)); p != nil && p.Present() {
				at = p.Stints[len(p.Stints)-1].Joined
			}
		}
		switch {
		case best == "":
			best, joined = a, at
		case at != 0 && (joined == 0 || at < joined):
			best, joined = a, at
		}
	}
	if best == "" {
		return "", fmt.Errorf("%w: %s", ErrNobodyToTakeOver, c.ID)
	}
	return best, nil
}

// CheckEnd decides whether by may end the conference of chat c (SPEC C7,
// C8): only its owner may. A consulted agent gets [ErrCannotEnd] (which
// also matches [ErrNotOwner]); anyone else gets [ErrChatEnded] once the
// chat's conversation is over, and [ErrNotOwner] before.
func CheckEnd(c *routing.Chat, by switchboard.AgentID) error {
	if c.Owns(by) {
		return nil
	}
	if c.In(by) {
		return fmt.Errorf("%w: %w: %s in %s: %w", ErrCannotEnd, ErrNotOwner, by, c.ID, routing.ErrNotOwner)
	}
	if c.State == routing.InWrapUp || c.State.Final() {
		return fmt.Errorf("%w: %s: %w", ErrChatEnded, c.ID, routing.ErrChatEnded)
	}
	return fmt.Errorf("%w: %s does not own %s: %w", ErrNotOwner, by, c.ID, routing.ErrNotOwner)
}

// EndsChat reports whether ending the conference under policy p ends the
// chat as well (SPEC C7).
func (p EndPolicy) EndsChat() bool { return p == EndEverything }
