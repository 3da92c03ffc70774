package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// This file holds the transitions of assigned chats: invites (conferences),
// transfers and hand-overs, and the work helpers they share.

// InviteRequest asks an agent into an assigned chat as a consultant. Exactly
// one of Agent and Queue is set.
type InviteRequest struct {
	// Chat to invite into; it must be [Assigned].
	Chat switchboard.ChatID
	// From is the inviting agent: the chat's owner or a consultant.
	From switchboard.AgentID
	// Agent names the invitee. It must be Available with a free slot on the
	// chat's channel. If it declines, another agent of the chat's queue is
	// invited.
	Agent switchboard.AgentID
	// Queue names the queue an Available agent is chosen from, by the
	// queue's strategy; further agents come from the same queue. It must be
	// of the tenant of the chat's queue.
	Queue switchboard.QueueID
}

func (req *InviteRequest) validate() error {
	if err := validateID("chat ID", req.Chat); err != nil {
		return err
	}
	if err := validateID("inviting agent", req.From); err != nil {
		return err
	}
	if (req.Agent == "") == (req.Queue == "") {
		return invalid("invite target", "set exactly one of agent and queue")
	}
	return nil
}

// Invite invites an agent into an assigned chat (SPEC C1, C2): an
// [InviteOffer] with the target queue's AcceptTimeout (the chat's queue's
// for an agent-named invite), which reserves one of the invitee's slots.
// Accepting it makes the invitee a consultant of the chat. If the invitee
// rejects it or lets it time out (and goes to RONA), the invite goes to
// another Available agent of that queue who is not in the chat and has not
// declined it (SPEC C3); when none is left, the inviter gets an
// [InviteFailed] event. A chat has at most one pending invite or transfer;
// once it is answered another can be made (SPEC C4).
//
// It returns the offer made. Errors: [ErrNotInChat] when From is neither
// owner nor consultant, [ErrChatEnded] or a [*StateError] when the chat is
// not assigned, [ErrInvitePending] or [ErrTransferPending],
// [ErrAlreadyInChat], [ErrAgentUnavailable], [ErrQueueNotFound],
// [ErrNoAgentAvailable], [ErrOnHold] while the chat is on hold (SPEC O5).
func (r *Router) Invite(ctx context.Context, req InviteRequest) (Offer, error) {
	if err := req.validate(); err != nil {
		return Offer{}, fmt.Errorf("routing: invite into %s: %w", req.Chat, err)
	}
	var out Offer
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(req.Chat, "invite into")
		if err != nil {
			return err
		}
		if !c.In(req.From) {
			return ErrNotInChat
		}
		if c.OnHold {
			return ErrOnHold // SPEC O5
		}
		if err := checkNoInvitation(c); err != nil {
			return err
		}
		var (
			q     *Queue
			agent *Agent
		)
		if req.Agent != "" {
			if q, err = w.queue(c.Queue); err != nil {
				return err
			}
			if agent, err = w.targetAgent(c, req.Agent); err != nil {
				return err
			}
		} else {
			if q, err = w.tenantQueue(c, req.Queue); err != nil {
				return err
			}
			if agent, err = w.pickInvitee(c, q, nil); err != nil {
				return err
			}
			if agent == nil {
				return ErrNoAgentAvailable
			}
		}
		c.Invitation = Invitation{Kind: InviteOffer, From: req.From, Queue: q.ID}
		out = *w.makeInvite(c, q, agent)
		return nil
	})
	if err != nil {
		return Offer{}, fmt.Errorf("routing: invite into %s: %w", req.Chat, err)
	}
	out.Version = 1
	return out, nil
}

// Exit takes a consultant out of a chat (SPEC C8): its slot is freed at once,
// with no wrap-up, and the chat goes on with its owner. An invite the
// consultant made and that is still pending is withdrawn. The owner gets
// [ErrNotConsultant]: it ends or transfers the chat instead.
func (r *Router) Exit(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "exit")
		if err != nil {
			return err
		}
		i := slices.Index(c.Consultants, agent)
		if i < 0 {
			if c.Owns(agent) {
				return ErrNotConsultant
			}
			return ErrNotInChat
		}
		return w.removeConsultant(c, i, ReasonExit)
	})
	if err != nil {
		return fmt.Errorf("routing: exit %s from %s: %w", agent, chat, err)
	}
	return nil
}

// DropConsultants ends the conference of an assigned chat (SPEC C7): only
// the owner (by) may. Every consultant leaves with no wrap-up, a pending
// invite is withdrawn, and the chat goes on between the owner and the
// customer. To drop the customer too, the host ends the chat afterwards
// ([Router.End]).
func (r *Router) DropConsultants(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID) error {
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	if err := validateID("agent ID", by); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "end the conference of")
		if err != nil {
			return err
		}
		if !c.Owns(by) {
			return ErrNotOwner
		}
		if c.Invitation.Kind == InviteOffer {
			if err := w.withdrawInvitation(c, Rescinded); err != nil {
				return err
			}
		}
		return w.dropConsultants(c, ReasonDropped)
	})
	if err != nil {
		return fmt.Errorf("routing: end the conference of %s: %w", chat, err)
	}
	return nil
}

// CancelInvitation withdraws the pending invite or transfer of an assigned
// chat: its offer is rescinded and the target's slot freed, the chat stays
// with its owner, and by gets an [InviteFailed] or [TransferFailed] event
// with Reason [ReasonWithdrawn]. by must be the owner or the agent who made the
// invitation ([ErrNotOwner]). A chat with nothing pending is left as it is.
// Errors: [ErrChatEnded] or a [*StateError] when the chat is not assigned.
func (r *Router) CancelInvitation(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID) error {
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	if err := validateID("agent ID", by); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "cancel the invitation of")
		if err != nil {
			return err
		}
		if !c.Owns(by) && c.Invitation.From != by {
			return ErrNotOwner
		}
		return w.withdrawInvitation(c, Rescinded)
	})
	if err != nil {
		return fmt.Errorf("routing: cancel the invitation of %s: %w", chat, err)
	}
	return nil
}

// TransferRequest asks to transfer an assigned chat to an agent or a queue.
// Exactly one of Agent and Queue is set.
type TransferRequest struct {
	// Chat to transfer; it must be [Assigned].
	Chat switchboard.ChatID
	// From is the transferring agent: the chat's owner.
	From switchboard.AgentID
	// Agent is the target agent: Available, with a free slot on the chat's
	// channel, and in From's team ([Profile.Team]; agents with no team
	// count as one team).
	Agent switchboard.AgentID
	// Queue is the target queue, of the same tenant as the chat's queue.
	Queue switchboard.QueueID
	// Comment is a note for the target; it travels on the offer and the
	// events.
	Comment string
}

func (req *TransferRequest) validate() error {
	if err := validateID("chat ID", req.Chat); err != nil {
		return err
	}
	if err := validateID("transferring agent", req.From); err != nil {
		return err
	}
	if (req.Agent == "") == (req.Queue == "") {
		return invalid("transfer target", "set exactly one of agent and queue")
	}
	if len(req.Comment) > switchboard.MaxCommentBytes {
		return invalid("comment", fmt.Sprintf("longer than %d bytes", switchboard.MaxCommentBytes))
	}
	return nil
}

// Transfer hands an assigned chat to another agent or queue (SPEC T1, T2).
//
// To an agent, it makes a [TransferOffer] with the chat's queue's
// AcceptTimeout; the chat stays with From until the target accepts. At that
// moment the target becomes the owner, From gets a wrap-up [Hold] (or its
// slot back at once when the queue has no WrapUp time) and a
// [ChatTransferred] event tells both (SPEC T4). If the target rejects the
// offer or lets it time out (and goes to RONA), the queue's
// TransferFallback decides (SPEC T3): by default the chat goes back to its
// queue at its original position, for any agent but From, and From goes to
// wrap-up; with [TransferEnd] the chat ends with [EndAgentLeft].
//
// To a queue, the chat leaves From at once (From goes to wrap-up), its
// consultants are dropped, and it waits in the target queue as [Queued] and
// is routed there. It keeps its original EnqueuedAt, so the customer, who
// has waited already, is served before chats that arrived later; the target
// queue's MaxWait counts from the transfer.
//
// Errors: [ErrNotOwner], [ErrChatEnded] or a [*StateError] when the chat is
// not assigned, [ErrTransferPending] or [ErrInvitePending], [ErrSameAgent],
// [ErrAlreadyInChat] (use [Router.HandOver] for a consultant),
// [ErrAgentNotFound], [ErrAgentUnavailable], [ErrNotInTeam],
// [ErrQueueNotFound], [ErrOnHold] while the chat is on hold (SPEC O5). It
// returns the offer made to a target agent, or the zero Offer for a queue.
func (r *Router) Transfer(ctx context.Context, req TransferRequest) (Offer, error) {
	if err := req.validate(); err != nil {
		return Offer{}, fmt.Errorf("routing: transfer %s: %w", req.Chat, err)
	}
	var out Offer
	err := r.do(ctx, func(w *work) error {
		out = Offer{}
		c, err := w.assignedChat(req.Chat, "transfer")
		if err != nil {
			return err
		}
		if !c.Owns(req.From) {
			return ErrNotOwner
		}
		if c.OnHold {
			return ErrOnHold // SPEC O5
		}
		if err := checkNoInvitation(c); err != nil {
			return err
		}
		if req.Queue != "" {
			return w.transferToQueue(c, req.Queue, req.Comment)
		}
		if req.Agent == req.From {
			return ErrSameAgent
		}
		from, err := w.agent(req.From)
		if err != nil {
			return err
		}
		target, err := w.targetAgent(c, req.Agent)
		if err != nil {
			return err
		}
		if target.Profile.Team != from.Profile.Team {
			return ErrNotInTeam
		}
		q, err := w.queue(c.Queue)
		if err != nil {
			return err
		}
		c.Invitation = Invitation{Kind: TransferOffer, From: req.From, Queue: q.ID, Comment: req.Comment}
		out = *w.makeInvite(c, q, target)
		return nil
	})
	if err != nil {
		return Offer{}, fmt.Errorf("routing: transfer %s: %w", req.Chat, err)
	}
	if out.ID != "" {
		out.Version = 1
	}
	return out, nil
}

// HandOver completes a warm (consult) transfer (SPEC C11): the owner (from)
// hands the chat to a consultant already in it (to), who becomes the owner at
// once; from leaves with a wrap-up [Hold] (or its slot back at once when the
// queue has no WrapUp time). Other consultants stay. A pending invite from
// made is withdrawn. Errors: [ErrNotOwner], [ErrNotConsultant] when to is
// not a consultant, [ErrChatEnded] or a [*StateError] when the chat is not
// assigned, [ErrTransferPending], [ErrOnHold] (SPEC O5).
func (r *Router) HandOver(ctx context.Context, chat switchboard.ChatID, from, to switchboard.AgentID) error {
	if err := validateID("chat ID", chat); err != nil {
		return err
	}
	if err := validateID("agent ID", from); err != nil {
		return err
	}
	if err := validateID("agent ID", to); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.assignedChat(chat, "hand over")
		if err != nil {
			return err
		}
		if !c.Owns(from) {
			return ErrNotOwner
		}
		if c.OnHold {
			return ErrOnHold // SPEC O5
		}
		i := slices.Index(c.Consultants, to)
		if i < 0 {
			return ErrNotConsultant
		}
		if c.Invitation.Kind == TransferOffer {
			return ErrTransferPending
		}
		if c.Invitation.Pending() && c.Invitation.From == from {
			if err := w.withdrawInvitation(c, Rescinded); err != nil {
				return err
			}
		}
		c.Consultants = slices.Delete(slices.Clone(c.Consultants), i, i+1)
		return w.changeOwner(c, to, ReasonHandOver, "")
	})
	if err != nil {
		return fmt.Errorf("routing: hand over %s: %w", chat, err)
	}
	return nil
}

// --- work helpers ---

// assignedChat loads a customer chat that must be [Assigned] for action.
func (w *work) assignedChat(id switchboard.ChatID, action string) (*Chat, error) {
	c, err := w.chat(id)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Kind != CustomerChat:
		return nil, chatStateError(c, action+" direct")
	case c.State == InWrapUp || c.State.Final():
		return nil, ErrChatEnded
	case c.State != Assigned:
		return nil, chatStateError(c, action)
	}
	return c, nil
}

func checkNoInvitation(c *Chat) error {
	if !c.Invitation.Pending() {
		return nil
	}
	if c.Invitation.Kind == TransferOffer {
		return ErrTransferPending
	}
	return ErrInvitePending
}

// targetAgent loads the agent an invite or transfer of c names, checking it
// can take it now.
func (w *work) targetAgent(c *Chat, id switchboard.AgentID) (*Agent, error) {
	if c.In(id) {
		return nil, ErrAlreadyInChat
	}
	a, err := w.agent(id)
	if err != nil {
		return nil, err
	}
	if a.Disconnected() {
		return nil, fmt.Errorf("%s is disconnected: %w", id, ErrAgentUnavailable)
	}
	if a.State != Available || a.AtCapacity(c.Channel) {
		return nil, fmt.Errorf("%s is %s with %d of %d slots in use: %w",
			id, a.State, a.Load(c.Channel), a.Capacity(c.Channel), ErrAgentUnavailable)
	}
	if a.OverBudget(c.Channel) {
		return nil, fmt.Errorf("%s uses %d of its budget of %d: %w", id, a.Units(), a.Profile.Budget, ErrAgentUnavailable)
	}
	if x, blocked := a.InterruptedBy(c.Channel); blocked {
		return nil, fmt.Errorf("%s has work on %s, which %s may not interrupt: %w", id, x, c.Channel, ErrAgentUnavailable)
	}
	return a, nil
}

// pickInvitee chooses an Available agent of q with a free slot on c's
// channel by q's strategy, skipping the agents in c, those who declined its
// invitation and those in skip. It returns nil if there is none. A ring-all
// queue invites one agent at a time, the longest idle first.
func (w *work) pickInvitee(c *Chat, q *Queue, skip []switchboard.AgentID) (*Agent, error) {
	exclude := make([]switchboard.AgentID, 0, 1+len(c.Consultants)+len(c.Invitation.Declined)+len(skip))
	exclude = append(exclude, c.Agent)
	exclude = append(exclude, c.Consultants...)
	exclude = append(exclude, c.Invitation.Declined...)
	exclude = append(exclude, skip...)
	cq := CandidateQuery{Queue: q.ID, Channel: c.Channel, Require: q.RequiredSkills, Exclude: exclude,
		Order: OrderOf(q.Strategy), Limit: 1}
	switch q.Strategy {
	case Random:
		cq.Limit = 0
	case RoundRobin:
		st, err := w.queueState(q.ID)
		if err != nil {
			return nil, err
		}
		cq.After = st.Cursor
	}
	ids, err := w.r.store.Candidates(w.ctx, cq)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 && cq.After != "" {
		cq.After = "" // wrap around
		if ids, err = w.r.store.Candidates(w.ctx, cq); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	i := 0
	if q.Strategy == Random && len(ids) > 1 {
		if i = w.r.cfg.Rand(len(ids)) % len(ids); i < 0 {
			i += len(ids)
		}
	}
	a, err := w.agent(ids[i])
	if err != nil {
		return nil, err
	}
	cq.After = ""
	if !cq.Matches(a) {
		return nil, errStale
	}
	if q.Strategy == RoundRobin {
		st, err := w.queueState(q.ID)
		if err != nil {
			return nil, err
		}
		st.Cursor = a.ID
		w.touchQueueState(st)
	}
	return a, nil
}

// makeInvite makes the offer of c's invitation to agent a, with q's
// AcceptTimeout, reserving one of a's slots.
func (w *work) makeInvite(c *Chat, q *Queue, a *Agent) *Offer {
	inv := &c.Invitation
	c.Offers++
	o := w.newOffer(Offer{
		ID: offerID(c.ID, c.Offers), Kind: inv.Kind, Chat: c.ID, Agent: a.ID, Queue: q.ID, Channel: c.Channel,
		From: inv.From, Comment: inv.Comment, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt,
		CreatedAt: w.now, ExpiresAt: w.now.Add(q.AcceptTimeout),
	})
	inv.Offer = o.ID
	w.touchChat(c)
	a.addLoad(c.Channel, 1)
	w.touchAgent(a)
	w.emit(Event{Type: ChatOffered, Agent: a.ID, Chat: c.ID, Queue: q.ID, Offer: o.ID, Kind: o.Kind, From: o.From,
		Customer: o.Customer, EnqueuedAt: o.EnqueuedAt, ExpiresAt: o.ExpiresAt, Comment: o.Comment})
	return o
}

// withdrawInvitation resolves c's pending invite or transfer offer with
// outcome (Rescinded or Cancelled), which clears the invitation.
func (w *work) withdrawInvitation(c *Chat, outcome OfferOutcome) error {
	if !c.Invitation.Pending() {
		return nil
	}
	o, err := w.offer(c.Invitation.Offer)
	if err != nil {
		return err
	}
	if o.Outcome != Pending {
		return errStale // the chat and its offer disagree: read both again
	}
	return w.resolveOffer(o, outcome, false)
}

// invitationAnswered settles c's invitation after its offer o was resolved
// with outcome (not Accepted): a decline or timeout moves an invite on to
// another agent and applies a failed transfer's fallback; a withdrawal ends
// the invitation.
func (w *work) invitationAnswered(c *Chat, o *Offer, outcome OfferOutcome) error {
	if c.Invitation.Offer != o.ID {
		return nil // the chat moved on; only the offer settles
	}
	inv := &c.Invitation
	inv.Offer = ""
	w.touchChat(c)
	if outcome != Rejected && outcome != TimedOut {
		kind, from := inv.Kind, inv.From
		c.Invitation = Invitation{}
		if outcome == Rescinded {
			typ := InviteFailed
			if kind == TransferOffer {
				typ = TransferFailed
			}
			w.emit(Event{Type: typ, Agent: from, Chat: c.ID, Queue: c.Queue, Reason: ReasonWithdrawn})
		}
		return nil
	}
	inv.Declined = append(slices.Clip(inv.Declined), o.Agent)
	if inv.Kind == TransferOffer {
		return w.transferFailed(c, outcome.reason())
	}
	q, err := w.queue(inv.Queue)
	if err != nil && !errors.Is(err, ErrQueueNotFound) {
		return err
	}
	var next *Agent
	if err == nil {
		if next, err = w.pickInvitee(c, q, nil); err != nil {
			return err
		}
	}
	if next == nil {
		from, queue := inv.From, inv.Queue
		c.Invitation = Invitation{}
		w.emit(Event{Type: InviteFailed, Agent: from, Chat: c.ID, Queue: queue, Reason: ReasonNoAgent})
		return nil
	}
	w.makeInvite(c, q, next)
	return nil
}

// acceptInvitation accepts invite or transfer offer o of c by agent a.
func (w *work) acceptInvitation(c *Chat, o *Offer, a *Agent) error {
	if c.State != Assigned || c.Invitation.Offer != o.ID {
		return errStale // a pending invite is always its chat's invitation
	}
	o.Outcome, o.ResolvedAt = Accepted, w.now
	w.touchOffer(o)
	inv := c.Invitation
	c.Invitation = Invitation{}
	w.touchChat(c)
	a.IdleSince = w.now
	w.touchAgent(a)
	w.emit(Event{Type: OfferResolved, Agent: a.ID, Chat: c.ID, Queue: o.Queue, Offer: o.ID, Kind: o.Kind, From: o.From, Outcome: Accepted})
	if inv.Kind == InviteOffer {
		c.Consultants = append(slices.Clip(c.Consultants), a.ID)
		w.emit(Event{Type: ConsultantJoined, Agent: a.ID, Chat: c.ID, Queue: c.Queue, From: inv.From})
		return nil
	}
	return w.changeOwner(c, a.ID, ReasonAccepted, o.Comment)
}

// changeOwner makes agent to the owner of assigned chat c; the old owner
// leaves with a wrap-up hold. The slot to holds for c is already counted.
func (w *work) changeOwner(c *Chat, to switchboard.AgentID, reason, comment string) error {
	from := c.Agent
	c.Agent, c.AssignedAt = to, w.now
	w.touchChat(c)
	w.emit(Event{Type: ChatTransferred, Agent: to, From: from, Chat: c.ID, Queue: c.Queue, Reason: reason, Comment: comment})
	return w.leave(c, from)
}

// leave starts the wrap-up hold of agent, who leaves chat c while it goes
// on or ends: with the queue's WrapUp time the agent keeps its slot until
// it completes the hold, else the slot is freed at once.
func (w *work) leave(c *Chat, agent switchboard.AgentID) error {
	q, err := w.queue(c.Queue)
	if err != nil {
		return err
	}
	a, err := w.agent(agent)
	if err != nil {
		return err
	}
	if a.State == LoggedOut {
		return nil
	}
	if q.WrapUp <= 0 {
		return w.wrapUpDone(a, c.Channel, false)
	}
	c.Holds = append(slices.Clip(c.Holds), Hold{Agent: agent, Channel: c.Channel, Until: w.now.Add(q.WrapUp)})
	w.touchChat(c)
	a.WrapUps++
	w.touchAgent(a)
	w.emit(Event{Type: ChatWrapUp, Chat: c.ID, Queue: c.Queue, Agent: agent, Reason: ReasonHandedOver})
	if a.State == Available {
		return w.setAgentState(a, WrapUp, ReasonWrapUp)
	}
	return nil
}

// removeConsultant takes the consultant at index i out of chat c, freeing
// its slot with no wrap-up. A pending invite it made is withdrawn.
func (w *work) removeConsultant(c *Chat, i int, reason string) error {
	id := c.Consultants[i]
	if c.Invitation.Pending() && c.Invitation.From == id {
		if err := w.withdrawInvitation(c, Rescinded); err != nil {
			return err
		}
	}
	c.Consultants = slices.Delete(slices.Clone(c.Consultants), i, i+1)
	if len(c.Consultants) == 0 {
		c.Consultants = nil
	}
	w.touchChat(c)
	w.emit(Event{Type: ConsultantLeft, Agent: id, Chat: c.ID, Queue: c.Queue, Reason: reason})
	a, err := w.agent(id)
	if err != nil {
		return err
	}
	return w.wrapUpDone(a, c.Channel, false)
}

// dropConsultants takes every consultant out of chat c.
func (w *work) dropConsultants(c *Chat, reason string) error {
	for len(c.Consultants) > 0 {
		if err := w.removeConsultant(c, 0, reason); err != nil {
			return err
		}
	}
	return nil
}

// releaseAssigned prepares assigned chat c to leave its agents: a pending
// invite or transfer is withdrawn, consultants are dropped and the owner
// leaves with a wrap-up hold.
func (w *work) releaseAssigned(c *Chat, outcome OfferOutcome, reason string) error {
	if err := w.withdrawInvitation(c, outcome); err != nil {
		return err
	}
	if err := w.dropConsultants(c, reason); err != nil {
		return err
	}
	return w.leave(c, c.Agent)
}

// transferFailed applies the queue's TransferFallback to c, whose transfer
// to an agent was rejected or timed out.
func (w *work) transferFailed(c *Chat, reason string) error {
	from := c.Invitation.From
	c.Invitation = Invitation{}
	w.touchChat(c)
	w.emit(Event{Type: TransferFailed, Agent: from, Chat: c.ID, Queue: c.Queue, Reason: reason})
	q, err := w.queue(c.Queue)
	if err != nil {
		return err
	}
	if q.TransferFallback == TransferEnd {
		if err := w.releaseAssigned(c, Cancelled, ReasonChatEnded); err != nil {
			return err
		}
		if err := w.releaseLicence(c); err != nil {
			return err
		}
		c.State, c.EndReason, c.EndedAt = Ended, EndAgentLeft, w.now
		w.emit(Event{Type: ChatEnded, Chat: c.ID, Queue: c.Queue, Agent: from, EndReason: EndAgentLeft})
		return nil
	}
	if err := w.releaseAssigned(c, Cancelled, ReasonRequeued); err != nil {
		return err
	}
	if !slices.Contains(c.Rejected, from) {
		c.Rejected = append(slices.Clip(c.Rejected), from)
	}
	return w.requeue(c, ReasonTransferFailed, false)
}

// tenantQueue loads queue id, which must be of the tenant of c's queue: a
// queue of another tenant is not found.
func (w *work) tenantQueue(c *Chat, id switchboard.QueueID) (*Queue, error) {
	q, err := w.queue(id)
	if err != nil {
		return nil, err
	}
	cur, err := w.queue(c.Queue)
	if err != nil {
		return nil, err
	}
	if q.Tenant != cur.Tenant {
		return nil, fmt.Errorf("queue %s is of another tenant: %w", id, ErrQueueNotFound)
	}
	return q, nil
}

// transferToQueue moves assigned chat c to queue id at once.
func (w *work) transferToQueue(c *Chat, id switchboard.QueueID, comment string) error {
	q, err := w.tenantQueue(c, id)
	if err != nil {
		return err
	}
	from, fromQueue := c.Agent, c.Queue
	if err := w.releaseAssigned(c, Rescinded, ReasonTransferred); err != nil {
		return err
	}
	w.emit(Event{Type: ChatTransferred, From: from, Chat: c.ID, Queue: q.ID, FromQueue: fromQueue, Reason: ReasonQueue, Comment: comment})
	c.Queue, c.Channel = q.ID, q.Channel
	c.Rejected, c.Unanswered, c.Preferred, c.PreferredUntil = []switchboard.AgentID{from}, 0, "", time.Time{}
	c.QueuedAt, c.QueueDeadline = w.now, deadline(w.now, q.MaxWait)
	c.joinQueue(q, w.now)
	return w.requeue(c, ReasonTransferred, false)
}

// ownerLeft handles the logout of assigned chat c's owner: a pending invite
// or transfer it made is withdrawn; the longest-present consultant becomes
// the owner, or the chat goes back to its queue.
func (w *work) ownerLeft(c *Chat) error {
	from := c.Agent
	if c.Invitation.Pending() && c.Invitation.From == from {
		if err := w.withdrawInvitation(c, Rescinded); err != nil {
			return err
		}
	}
	if len(c.Consultants) == 0 {
		if err := w.withdrawInvitation(c, Rescinded); err != nil {
			return err
		}
		return w.requeue(c, ReasonAgentLoggedOut, false)
	}
	next := c.Consultants[0]
	c.Consultants = slices.Delete(slices.Clone(c.Consultants), 0, 1)
	if len(c.Consultants) == 0 {
		c.Consultants = nil
	}
	c.Agent, c.AssignedAt = next, w.now
	w.touchChat(c)
	w.emit(Event{Type: ChatTransferred, Agent: next, From: from, Chat: c.ID, Queue: c.Queue, Reason: ReasonOwnerLoggedOut})
	return nil
}
