package transfer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// maxComment bounds a transfer comment, as routing does.
const maxComment = switchboard.MaxCommentBytes

// Service transfers customer chats over a [engine.Engine]. It keeps no state
// of its own and is safe for concurrent use.
type Service struct {
	eng *engine.Engine
}

// New returns a Service over eng.
func New(eng *engine.Engine) (*Service, error) {
	if eng == nil {
		return nil, fmt.Errorf("%w: a transfer service needs an engine", ErrInvalid)
	}
	return &Service{eng: eng}, nil
}

// Request asks to transfer a chat. Exactly one of Agent and Queue is set.
type Request struct {
	// Chat to transfer; it must be assigned to From.
	Chat switchboard.ChatID
	// From is the transferring agent: the chat's owner.
	From switchboard.AgentID
	// Agent is the target agent: available now, with a free slot for the
	// chat, in From's team (see [Service.Agents]).
	Agent switchboard.AgentID
	// Queue is the target queue, of the chat's tenant (see
	// [Service.Queues]).
	Queue switchboard.QueueID
	// Comment is a note for the target, at most 4096 bytes; it travels on
	// the offer and stays in the chat's transfer history.
	Comment string
}

// Transfer transfers a chat blind (SPEC T1–T4) and records it in the
// session's history (SPEC T5).
//
// To an agent, the target gets a transfer offer with the queue's accept
// timeout, and the chat stays with From until the target accepts it with
// [engine.Engine.Accept]. Then the target owns the chat and reads its whole
// history, and the routing chat still carries the bot transcript (SPEC T5);
// From leaves the session, sees nothing written afterwards, and goes to
// wrap-up; the customer is told From left and the target joined (SPEC T1,
// T4). If the target declines or does not answer in time, the queue's
// [routing.Queue].TransferFallback decides (SPEC T3): by default the chat
// goes back to its queue for another agent, From goes to wrap-up, and the
// customer waits; with [routing.TransferEnd] the chat ends and the customer
// is told the agent has left. The engine's event processing
// ([engine.Engine.Run]) carries these outcomes to the session.
//
// To a queue, the chat leaves From at once (From goes to wrap-up and leaves
// the session) and waits in that queue, keeping its place by its original
// arrival, until an agent of the queue accepts it.
//
// It returns the offer made to a target agent, or the zero Offer for a
// queue. Every refusal changes nothing and matches one of the package's
// errors: [ErrInvalid], [ErrSessionEnded], [ErrNotOwner],
// [ErrAgentUnavailable], [ErrAgentNotFound], [ErrSameAgent],
// [ErrNotInTeam], [ErrAlreadyInChat], [ErrQueueNotFound],
// [ErrTransferPending], [ErrInvitePending], [ErrChatEnded].
func (s *Service) Transfer(ctx context.Context, req Request) (routing.Offer, error) {
	if req.Chat == "" || req.From == "" || (req.Agent == "") == (req.Queue == "") {
		return routing.Offer{}, fmt.Errorf("%w: a transfer names a chat, the transferring agent and exactly one of an agent and a queue", ErrInvalid)
	}
	if len(req.Comment) > maxComment {
		return routing.Offer{}, fmt.Errorf("%w: comment longer than %d bytes", ErrInvalid, maxComment)
	}
	ss, err := s.eng.Sessions().Session(ctx, req.Chat)
	if err != nil {
		return routing.Offer{}, fmt.Errorf("transfer: %s: %w", req.Chat, err)
	}
	if ss.Status != session.StatusActive {
		return routing.Offer{}, fmt.Errorf("transfer: %s is %s: %w", req.Chat, ss.Status, ErrSessionEnded)
	}
	note := session.TransferNote{By: req.From, Agent: req.Agent, Queue: req.Queue, Comment: req.Comment}
	if req.Agent != "" {
		a, err := s.eng.Router().Agent(ctx, req.Agent)
		if err != nil {
			return routing.Offer{}, refusal(err)
		}
		note.AgentName = a.Profile.DisplayName
	}
	o, err := s.eng.Router().Transfer(ctx, routing.TransferRequest{Chat: req.Chat, From: req.From, Agent: req.Agent, Queue: req.Queue, Comment: req.Comment})
	if err != nil {
		// Asked for again after an error (or a crash): if routing already
		// made this transfer, finish what the first call began.
		if mine, done, oerr := s.made(ctx, req); oerr == nil && done {
			o, err = mine, nil
		}
	}
	if err != nil {
		return routing.Offer{}, refusal(err)
	}
	// A transfer to an agent is named by its offer, so a retried call
	// records it once. (A transfer to a queue is not asked for again:
	// its From no longer owns the chat.)
	if o.ID != "" {
		note.ID = "transfer:" + string(o.ID)
	}
	var errs []error
	if err := s.eng.Sessions().RecordTransfer(ctx, req.Chat, note); err != nil {
		errs = append(errs, fmt.Errorf("record: %w", err))
	}
	if _, err := s.eng.Sync(ctx, req.Chat); err != nil {
		errs = append(errs, fmt.Errorf("sync: %w", err))
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("transfer: %s is transferred in routing but its session is not in step (call again): %w", req.Chat, errors.Join(errs...))
	}
	return o, nil
}

// made reports whether routing already made the transfer to an agent req
// asks for: a pending transfer offer from req.From to req.Agent with the
// same comment. It returns that offer. (A transfer to a queue takes effect
// at once, so asking for it again is refused: From no longer owns the
// chat.)
func (s *Service) made(ctx context.Context, req Request) (routing.Offer, bool, error) {
	if req.Agent == "" {
		return routing.Offer{}, false, nil
	}
	c, err := s.eng.Router().Chat(ctx, req.Chat)
	if err != nil {
		return routing.Offer{}, false, err
	}
	if !c.Invitation.Pending() || c.Invitation.Kind != routing.TransferOffer || c.Invitation.From != req.From {
		return routing.Offer{}, false, nil
	}
	o, err := s.eng.Router().Offer(ctx, c.Invitation.Offer)
	if err != nil || o.Agent != req.Agent || o.Comment != req.Comment {
		return routing.Offer{}, false, err
	}
	return o, true, nil
}

// Cancel withdraws the chat's pending transfer to an agent before the target
// answers: the chat stays with its owner, by, and the target's offer is
// withdrawn. The record of the transfer stays in the history. A chat with no
// pending transfer is left as it is; a pending invite is not touched.
// Errors: [ErrNotOwner], [ErrChatEnded].
func (s *Service) Cancel(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID) error {
	c, err := s.eng.Router().Chat(ctx, chat)
	if err != nil {
		return fmt.Errorf("transfer: cancel %s: %w", chat, err)
	}
	if !c.Owns(by) {
		if c.State == routing.InWrapUp || c.State.Final() {
			return fmt.Errorf("transfer: cancel %s: %w", chat, ErrChatEnded)
		}
		return fmt.Errorf("transfer: cancel %s: %w", chat, ErrNotOwner)
	}
	if c.Invitation.Kind != routing.TransferOffer {
		return nil
	}
	if err := s.eng.Router().CancelInvitation(ctx, chat, by); err != nil {
		return fmt.Errorf("transfer: cancel %s: %w", chat, err)
	}
	if _, err := s.eng.Sync(ctx, chat); err != nil {
		return fmt.Errorf("transfer: cancel %s: the session is not in step; call Sync: %w", chat, err)
	}
	return nil
}

// TargetQueue is a queue a chat can be transferred to (SPEC T2).
type TargetQueue struct {
	// ID identifies the queue.
	ID switchboard.QueueID
	// Name and Description are shown to the agent choosing a queue.
	Name, Description string
}

// Queues lists the queues of tenant a chat can be transferred to, with their
// names and descriptions, ordered by ID (SPEC T2).
func (s *Service) Queues(ctx context.Context, tenant switchboard.TenantID) ([]TargetQueue, error) {
	qs, err := s.eng.Router().Queues(ctx)
	if err != nil {
		return nil, fmt.Errorf("transfer: queues: %w", err)
	}
	var out []TargetQueue
	for _, q := range qs {
		if q.Tenant == tenant {
			out = append(out, TargetQueue{ID: q.ID, Name: q.Name, Description: q.Description})
		}
	}
	return out, nil
}

// TargetAgent is an agent a chat can be transferred to (SPEC T2).
type TargetAgent struct {
	// ID identifies the agent.
	ID switchboard.AgentID
	// Name is its display name.
	Name string
	// Free is how many more chats of the chat's channel it can take now.
	Free int
}

// Agents lists the agents from can transfer chat to now (SPEC T2): agents
// of from's tenant and team, other than from, who are Available and have a
// free slot on the chat's channel, and are not in the chat already. They
// are ordered by ID. A target may become busy before the transfer is
// asked; [Service.Transfer] then returns [ErrAgentUnavailable].
func (s *Service) Agents(ctx context.Context, chat switchboard.ChatID, from switchboard.AgentID) ([]TargetAgent, error) {
	r := s.eng.Router()
	me, err := r.Agent(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("transfer: agents for %s: %w", from, err)
	}
	c, err := r.Chat(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("transfer: agents for %s: %w", chat, err)
	}
	all, err := r.LoggedIn(ctx, me.Profile.Tenant)
	if err != nil {
		return nil, fmt.Errorf("transfer: agents for %s: %w", from, err)
	}
	var out []TargetAgent
	for i := range all {
		a := &all[i]
		if a.ID == from || a.Profile.Team != me.Profile.Team || a.State != routing.Available ||
			a.AtCapacity(c.Channel) || c.In(a.ID) {
			continue
		}
		out = append(out, TargetAgent{ID: a.ID, Name: a.Profile.DisplayName, Free: a.Capacity(c.Channel) - a.Load(c.Channel)})
	}
	slices.SortFunc(out, func(a, b TargetAgent) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Record is one transfer of a chat, from its history (SPEC T5).
type Record struct {
	// At is when the transfer was asked for.
	At time.Time
	// By is the agent who transferred the chat, and ByName its display name.
	By     switchboard.AgentID
	ByName string
	// Agent is the target agent, and AgentName its display name; empty for
	// a transfer to a queue.
	Agent     switchboard.AgentID
	AgentName string
	// Queue is the target queue; empty for a transfer to an agent.
	Queue switchboard.QueueID
	// Comment is the transferring agent's note.
	Comment string
}

// History returns the chat's transfers, oldest first (SPEC T5), from the
// organisation's log of its session. It is for agents and the host, never
// for the customer.
func (s *Service) History(ctx context.Context, chat switchboard.ChatID) ([]Record, error) {
	log, err := s.eng.Sessions().OrganisationLog(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("transfer: history of %s: %w", chat, err)
	}
	var out []Record
	for _, l := range log {
		if l.Type != session.EntryTransfer {
			continue
		}
		by, _ := l.From.Agent()
		to, _ := l.Subject.Agent()
		out = append(out, Record{At: l.At, By: by, ByName: l.FromName, Agent: to, AgentName: l.SubjectName,
			Queue: switchboard.QueueID(l.Reason), Comment: l.Text})
	}
	return out, nil
}
