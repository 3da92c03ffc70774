package transfer

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// maxComment bounds a transfer comment, as routing does.
const maxComment = switchboard.MaxCommentBytes

// Request asks to transfer a chat. Exactly one of Agent and Queue is set.
type Request struct {
	// Chat to transfer; it must be assigned to From.
	Chat switchboard.ChatID `json:"chat,omitzero"`
	// From is the transferring agent: the chat's owner.
	From switchboard.AgentID `json:"from,omitzero"`
	// Agent is the target agent: available now, with a free slot for the
	// chat, in From's team (see [Targets]).
	Agent switchboard.AgentID `json:"agent,omitzero"`
	// Queue is the target queue, of the chat's tenant (see [Queues]).
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// Comment is a note for the target, at most 4096 bytes; it travels on
	// the offer and stays in the chat's transfer history.
	Comment string `json:"comment,omitzero"`
}

// Validate checks the request's shape: a chat, the transferring agent,
// exactly one target and a comment of at most
// [switchboard.MaxCommentBytes]. It returns an error wrapping [ErrInvalid]
// otherwise.
func (r *Request) Validate() error {
	if r.Chat == "" || r.From == "" || (r.Agent == "") == (r.Queue == "") {
		return fmt.Errorf("%w: a transfer names a chat, the transferring agent and exactly one of an agent and a queue", ErrInvalid)
	}
	if len(r.Comment) > maxComment {
		return fmt.Errorf("%w: comment longer than %d bytes", ErrInvalid, maxComment)
	}
	return nil
}

// CanTransfer decides whether the chat whose session is s can be
// transferred: only while the session is active. Otherwise (ended, closed,
// or its customer left) it returns [ErrSessionEnded].
func CanTransfer(s *session.Session) error {
	if s.Status != session.StatusActive {
		return fmt.Errorf("%w: %s is %s", ErrSessionEnded, s.ID, s.Status)
	}
	return nil
}

// Note returns the record of req to keep in the chat's session (SPEC T5).
// targetName is the target agent's display name, and offer the offer made
// to it: a transfer to an agent is named by its offer, so recording it
// again (a retried request) stores it once. Both are empty for a transfer
// to a queue.
func Note(req *Request, targetName string, offer routing.OfferID) session.TransferNote {
	n := session.TransferNote{By: req.From, Agent: req.Agent, AgentName: targetName, Queue: req.Queue, Comment: req.Comment}
	if offer != "" {
		n.ID = "transfer:" + string(offer)
	}
	return n
}

// Same reports whether c's pending invitation is the transfer req asks
// for, made already: a pending transfer offer from req.From, whose offer o
// is to req.Agent with the same comment. A transfer asked for again after
// an error (or a crash) is then finished rather than refused. A transfer to
// a queue takes effect at once, so it is never the same: asking for it
// again is refused, as From no longer owns the chat.
func Same(req *Request, c *routing.Chat, o *routing.Offer) bool {
	return req.Agent != "" && c.Invitation.Pending() && c.Invitation.Kind == routing.TransferOffer &&
		c.Invitation.From == req.From && o.ID == c.Invitation.Offer && o.Agent == req.Agent && o.Comment == req.Comment
}

// CheckCancel decides whether by may cancel a transfer of chat c: only its
// owner may. Anyone else gets [ErrChatEnded] once the chat's conversation is
// over, and [ErrNotOwner] before. pending reports whether c has a transfer
// to cancel; a chat with none is left as it is.
func CheckCancel(c *routing.Chat, by switchboard.AgentID) (pending bool, err error) {
	if !c.Owns(by) {
		if c.State == routing.InWrapUp || c.State.Final() {
			return false, fmt.Errorf("%w: %s: %w", ErrChatEnded, c.ID, routing.ErrChatEnded)
		}
		return false, fmt.Errorf("%w: %s does not own %s: %w", ErrNotOwner, by, c.ID, routing.ErrNotOwner)
	}
	return c.Invitation.Kind == routing.TransferOffer, nil
}

// TargetQueue is a queue a chat can be transferred to (SPEC T2).
type TargetQueue struct {
	// ID identifies the queue.
	ID switchboard.QueueID `json:"id"`
	// Name and Description are shown to the agent choosing a queue.
	Name        string `json:"name,omitzero"`
	Description string `json:"description,omitzero"`
}

// Queues returns the queues of qs that belong to tenant, as transfer
// targets with their names and descriptions, in the order of qs (SPEC T2).
func Queues(qs []routing.Queue, tenant switchboard.TenantID) []TargetQueue {
	var out []TargetQueue
	for i := range qs {
		if q := &qs[i]; q.Tenant == tenant {
			out = append(out, TargetQueue{ID: q.ID, Name: q.Name, Description: q.Description})
		}
	}
	return out
}

// TargetAgent is an agent a chat can be transferred to (SPEC T2).
type TargetAgent struct {
	// ID identifies the agent.
	ID switchboard.AgentID `json:"id"`
	// Name is its display name.
	Name string `json:"name,omitzero"`
	// Free is how many more chats of the chat's channel it can take now.
	Free int `json:"free,omitzero"`
}

// Targets returns the agents of agents that from can transfer chat c to
// now (SPEC T2): agents of from's tenant and team, other than from, who are
// Available and have room for the chat ([routing.Agent.HasRoom]: a free
// slot on its channel, room in their budget, no work the channel may not
// interrupt), and are not in the chat already. They are ordered by ID. A target may become busy before
// the transfer is asked; the transfer is then refused with
// [ErrAgentUnavailable].
func Targets(c *routing.Chat, from *routing.Agent, agents []routing.Agent) []TargetAgent {
	var out []TargetAgent
	for i := range agents {
		a := &agents[i]
		if a.ID == from.ID || a.Profile.Tenant != from.Profile.Tenant || a.Profile.Team != from.Profile.Team ||
			a.State != routing.Available || !a.HasRoom(c.Channel) || c.In(a.ID) {
			continue
		}
		out = append(out, TargetAgent{ID: a.ID, Name: a.Profile.DisplayName, Free: a.Capacity(c.Channel) - a.Load(c.Channel)})
	}
	slices.SortFunc(out, func(a, b TargetAgent) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Record is one transfer of a chat, from its history (SPEC T5).
type Record struct {
	// At is when the transfer was asked for.
	At time.Time `json:"at,omitzero"`
	// By is the agent who transferred the chat, and ByName its display name.
	By     switchboard.AgentID `json:"by,omitzero"`
	ByName string              `json:"by_name,omitzero"`
	// Agent is the target agent, and AgentName its display name; empty for
	// a transfer to a queue.
	Agent     switchboard.AgentID `json:"agent,omitzero"`
	AgentName string              `json:"agent_name,omitzero"`
	// Queue is the target queue; empty for a transfer to an agent.
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// Comment is the transferring agent's note.
	Comment string `json:"comment,omitzero"`
}

// History returns the transfers recorded in log, a session's organisation
// log ([session.OrganisationLog]), oldest first (SPEC T5). It is for agents
// and the host, never for the customer.
func History(log []session.LogLine) []Record {
	var out []Record
	for i := range log {
		l := &log[i]
		if l.Type != session.EntryTransfer {
			continue
		}
		by, _ := l.From.Agent()
		to, _ := l.Subject.Agent()
		out = append(out, Record{At: l.At, By: by, ByName: l.FromName, Agent: to, AgentName: l.SubjectName,
			Queue: switchboard.QueueID(l.Reason), Comment: l.Text})
	}
	return out
}
