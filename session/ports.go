package session

import (
	"context"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// AgentInfo describes an agent as the directory knows it.
type AgentInfo struct {
	// ID identifies the agent.
	ID switchboard.AgentID `json:"id"`
	// Tenant is the agent's tenant.
	Tenant switchboard.TenantID `json:"tenant,omitzero"`
	// Name is the display name.
	Name string `json:"name,omitzero"`
	// Group is the functional group, such as "sales" or "support".
	Group string `json:"group,omitzero"`
	// Supervisor reports that the agent is a supervisor.
	Supervisor bool `json:"supervisor,omitzero"`
	// LoggedIn reports that the agent is logged in.
	LoggedIn bool `json:"logged_in,omitzero"`
}

// CanSee reports whether viewer may see (and chat with) target in the
// agent directory (SPEC S6): never across tenants; within a tenant, agents
// see their own functional group and supervisors see every group. Nobody
// sees an agent who is logged out, or itself.
func CanSee(viewer, target AgentInfo) bool {
	if viewer.Tenant != target.Tenant || !target.LoggedIn || viewer.ID == target.ID {
		return false
	}
	return viewer.Supervisor || viewer.Group == target.Group
}

// Directory tells the Manager which agents exist and who is logged in. A
// wiring layer implements it from routing's agent presence.
type Directory interface {
	// LoggedIn returns the logged-in agents of tenant, in any order. It must
	// be safe for concurrent use and return ctx.Err() when ctx is done.
	LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]AgentInfo, error)
	// Agent returns the agent with id, logged in or not, or an error
	// matching ErrNotFound. Same concurrency and ctx rules.
	Agent(ctx context.Context, id switchboard.AgentID) (AgentInfo, error)
}

// Contact is what the host knows about a customer (SPEC S15).
type Contact struct {
	// Customer identifies the customer.
	Customer switchboard.CustomerID `json:"customer,omitzero"`
	// Name is the customer's name.
	Name string `json:"name,omitzero"`
	// Fields holds further contact data, such as e-mail or phone.
	Fields map[string]string `json:"fields,omitzero"`
}

// ContactRecord is one past interaction with the customer.
type ContactRecord struct {
	// Chat identifies the interaction.
	Chat switchboard.ChatID `json:"chat,omitzero"`
	// Queue is the queue it came through.
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// At is when it started.
	At time.Time `json:"at,omitzero"`
	// Summary describes it.
	Summary string `json:"summary,omitzero"`
}

// Contacts gives agents the customer's contact information and history
// from the host's CRM (SPEC S15).
type Contacts interface {
	// Contact returns the customer's contact information, or an error
	// matching ErrNotFound. It must be safe for concurrent use and return
	// ctx.Err() when ctx is done.
	Contact(ctx context.Context, tenant switchboard.TenantID, customer switchboard.CustomerID) (Contact, error)
	// History returns up to limit past interactions, newest first. Same
	// concurrency and ctx rules.
	History(ctx context.Context, tenant switchboard.TenantID, customer switchboard.CustomerID, limit int) ([]ContactRecord, error)
}

// SentText is one earlier message of a sender, given to the inbound filter.
type SentText struct {
	// Seq is the message's sequence number.
	Seq uint64
	// ID is the message's ID (Message.ID).
	ID string
	// Text is the message's stored text, or, when Held, its text as held
	// in the FragmentStore: the stored text with the digits at its end
	// unmasked.
	Text string
	// Held reports that the message was stored with the digits at its end
	// masked (FilterOutput.Held) and is still held back: the filter either
	// keeps holding it (FilterOutput.Holding), reveals it with a Correction
	// whose Text is this Text, or, by doing neither, keeps it masked for
	// good because the new message completes a card number.
	Held bool
	// At is when the message was stored.
	At time.Time
}

// FilterInput is what the inbound filter sees of a new message.
type FilterInput struct {
	// Chat is the session.
	Chat switchboard.ChatID
	// Tenant is the session's tenant.
	Tenant switchboard.TenantID
	// Sender is the participant sending the message.
	Sender ParticipantID
	// Role is the sender's role.
	Role Role
	// Text is the new message's text.
	Text string
	// At is when the new message arrived.
	At time.Time
	// Recent are the sender's latest messages in the session, oldest
	// first, at most Config.FilterWindow of them.
	Recent []SentText
}

// Correction replaces the text of one of the sender's earlier messages.
type Correction struct {
	// Seq is the earlier message; it must be one of FilterInput.Recent.
	Seq uint64
	// Text is its new text.
	Text string
}

// FilterOutput is the inbound filter's verdict.
type FilterOutput struct {
	// Text replaces the new message's text.
	Text string
	// Corrections rewrite earlier messages of the same sender, for data
	// split over several messages.
	Corrections []Correction
	// Held is set when Text masks digits at the end of the message only
	// because they might begin a card number that the sender's next
	// message completes: it is the text to reveal if none is completed
	// (with all else the filter masks still masked). The Manager keeps it
	// in Config.Fragments until HeldUntil, outside the session log. Empty
	// means nothing is held back.
	Held string
	// HeldUntil is when the sender's next message can no longer complete
	// the card number Held may begin; it must be after FilterInput.At when
	// Held is set.
	HeldUntil time.Time
	// Holding lists the Seq of the held earlier messages (SentText.Held)
	// that stay held because the new message continues their digits
	// without completing a card number.
	Holding []uint64
}

// InboundFilter inspects every inbound message before it is stored,
// delivered or put in an event, for example to mask payment card numbers.
// An error rejects the message: nothing is stored (fail closed). Filter
// must be safe for concurrent use and return ctx.Err() when ctx is done.
type InboundFilter interface {
	Filter(ctx context.Context, in FilterInput) (FilterOutput, error)
}
