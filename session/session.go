package session

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Kind says who a session is between (SPEC S1).
type Kind uint8

// Session kinds.
const (
	// KindCustomer is a customer-to-agent session about a queue.
	KindCustomer Kind = iota + 1
	// KindA2A is an agent-to-agent session: no customer, no queue, never
	// offered through routing, unlimited in number.
	KindA2A
)

// String returns "customer" or "A2A".
func (k Kind) String() string {
	switch k {
	case KindCustomer:
		return "customer"
	case KindA2A:
		return "A2A"
	}
	return "invalid"
}

// Status is a session's life-cycle state.
type Status uint8

// Statuses, in life-cycle order.
const (
	// StatusActive: messages flow.
	StatusActive Status = iota + 1
	// StatusCustomerLeft: the customer left; agents were told and can no
	// longer send, and the owner ends the session.
	StatusCustomerLeft
	// StatusEnded: the conversation is over and the owner is in wrap-up;
	// the wrap-up reason is recorded. It lasts until the session closes:
	// the owner closes it ([Manager.Close]), or, once the owner's wrap-up
	// is over, the system does ([Manager.CloseWrappedUp]; the engine does
	// so when routing finishes the wrap-up).
	StatusEnded
	// StatusClosed: the session is finished, by its owner, by the system
	// once the owner's wrap-up was over, or for a chat no agent took
	// ([Manager.Expire]). A new customer message is handled by the
	// after-close policy, and a retention policy may forget the session
	// ([Manager.ForgetClosed]).
	StatusClosed
)

var statusNames = [...]string{"invalid", "active", "customer-left", "ended", "closed"}

// String returns the status's name.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "invalid"
}

// Trigger is a life-cycle event.
type Trigger uint8

// Triggers.
const (
	// TriggerCustomerLeave: the customer leaves.
	TriggerCustomerLeave Trigger = iota + 1
	// TriggerEnd: the owner ends the conversation with a wrap-up reason.
	TriggerEnd
	// TriggerClose: the session is closed (ending it first if needed).
	TriggerClose
	// TriggerReopen: the customer writes to a closed session and the
	// after-close policy reopens it.
	TriggerReopen
	// TriggerMessage: a participant sends a message or structured content.
	// It changes no status; it is in the table to say where it is allowed.
	TriggerMessage
	// TriggerJoin: a participant is invited, joins or becomes owner.
	TriggerJoin
)

var triggerNames = [...]string{"invalid", "customer-leave", "end", "close", "reopen", "message", "join"}

// String returns the trigger's name.
func (t Trigger) String() string {
	if int(t) < len(triggerNames) {
		return triggerNames[t]
	}
	return "invalid"
}

// transitions is the life cycle as data: status → trigger → next status.
// A pair that is missing is not allowed.
var transitions = map[Status]map[Trigger]Status{
	StatusActive: {
		TriggerCustomerLeave: StatusCustomerLeft,
		TriggerEnd:           StatusEnded,
		TriggerClose:         StatusClosed,
		TriggerMessage:       StatusActive,
		TriggerJoin:          StatusActive,
	},
	StatusCustomerLeft: {
		TriggerEnd:   StatusEnded,
		TriggerClose: StatusClosed,
	},
	StatusEnded: {
		TriggerClose: StatusClosed,
	},
	StatusClosed: {
		TriggerReopen: StatusActive,
	},
}

// Next returns the status that trigger t leads to from status from, or a
// *StatusError if the life cycle does not allow it. Closing a closed
// session returns ErrAlreadyClosed instead.
func Next(from Status, t Trigger) (Status, error) {
	if from == StatusClosed && t == TriggerClose {
		return from, ErrAlreadyClosed
	}
	if to, ok := transitions[from][t]; ok {
		return to, nil
	}
	return from, &StatusError{From: from, Trigger: t}
}

// Attribute is a fact about the customer, such as a name or an e-mail
// address, with whether it was authenticated (SPEC S14).
type Attribute struct {
	// Name is the attribute's name.
	Name string `json:"name,omitzero"`
	// Value is the attribute's value.
	Value string `json:"value,omitzero"`
	// Verified reports that the host authenticated the value; false means
	// the customer only claimed it.
	Verified bool `json:"verified,omitzero"`
}

// Menu is a structured set of options awaiting the customer's choice.
type Menu struct {
	// Version is the session version the offer was made at.
	Version uint64 `json:"version,omitzero"`
	// By is the agent who offered.
	By ParticipantID `json:"by,omitzero"`
	// Prompt is the question.
	Prompt string `json:"prompt,omitzero"`
	// Options are the choices.
	Options []Option `json:"options,omitzero"`
}

// VideoLeg is a running video call inside the chat (SPEC S16).
type VideoLeg struct {
	// StartedBy is the participant who started it.
	StartedBy ParticipantID `json:"started_by,omitzero"`
	// StartedAt is when it started.
	StartedAt time.Time `json:"started_at,omitzero"`
}

// WrapUp reports the end of a conversation so a wiring layer can free the
// owner's routing capacity, at Until (SPEC S11).
type WrapUp struct {
	// Chat is the session.
	Chat switchboard.ChatID `json:"chat,omitzero"`
	// Tenant is the session's tenant.
	Tenant switchboard.TenantID `json:"tenant,omitzero"`
	// Queue is the session's queue; empty for agent-to-agent sessions.
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// Owner is the agent in wrap-up; empty if the session had no owner.
	Owner switchboard.AgentID `json:"owner,omitzero"`
	// Reason is the wrap-up reason.
	Reason string `json:"reason,omitzero"`
	// Tags are the wrap-up tags, each once, in the order the agent gave
	// them.
	Tags []string `json:"tags,omitzero"`
	// At is when the conversation ended.
	At time.Time `json:"at,omitzero"`
	// Until is when wrap-up time ends: At plus the queue's WrapUpTime, or
	// EndOptions.WrapUpUntil when that was set.
	Until time.Time `json:"until,omitzero"`
}

// Session is the state of one session. It is a value: the Manager reads it
// from the [StateStore], changes a copy and writes it back with
// compare-and-set on Version.
type Session struct {
	// ID identifies the session.
	ID switchboard.ChatID `json:"id"`
	// Version is the stored version, 1 after creation; the store bumps it on
	// every update.
	Version uint64 `json:"version,omitzero"`
	// Txn is the ID of the write that stored this version. The Manager sets
	// a new one on every CreateSession and UpdateSession and the store keeps
	// it as given, so that re-reading the session tells whether a write
	// whose outcome was unknown took effect.
	Txn string `json:"txn,omitzero"`
	// Tenant is the tenant the session belongs to.
	Tenant switchboard.TenantID `json:"tenant,omitzero"`
	// Kind is customer-to-agent or agent-to-agent.
	Kind Kind `json:"kind,omitzero"`
	// Queue is what a customer session is about; empty for A2A (SPEC S1).
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// InitiatedBy is the participant who started the session.
	InitiatedBy ParticipantID `json:"initiated_by,omitzero"`
	// Status is the life-cycle state.
	Status Status `json:"status,omitzero"`
	// History is the late-joiner history rule.
	History switchboard.HistoryRule `json:"history,omitzero"`
	// Participants lists every participant, past and present.
	Participants []Participant `json:"participants,omitzero"`
	// Attributes are the customer's attributes.
	Attributes []Attribute `json:"attributes,omitzero"`
	// Menu is the open menu of options awaiting the customer's choice, if any.
	Menu *Menu `json:"menu,omitzero"`
	// Video is the running video leg, if any.
	Video *VideoLeg `json:"video,omitzero"`
	// WrapUp is set when the conversation ended.
	WrapUp *WrapUp `json:"wrap_up,omitzero"`
	// LinkedFrom is the closed session this one continues, if any.
	LinkedFrom switchboard.ChatID `json:"linked_from,omitzero"`
	// LinkedTo is the session that continues this closed one, if any.
	LinkedTo switchboard.ChatID `json:"linked_to,omitzero"`
	// CreatedAt is when the session was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// ClosedAt is when the session closed; zero while open.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// ReopenedAt is when a customer's message last reopened the closed
	// session (the after-close policy switchboard.PolicyReopen); zero if it never was.
	ReopenedAt time.Time `json:"reopened_at,omitzero"`

	// Timers are the session's timers after assignment (SPEC D1–D9): the
	// queue's settings when it started and the facts its deadlines derive
	// from; [Session.NextDeadline] is the next of them.
	Timers TimerState `json:"timers,omitzero"`

	// OnHold marks a customer session whose chat its owner put on hold
	// (SPEC O6, O7): the customer was told, and its messages are flagged
	// [Entry.OnHold] for the owner. It follows routing, through
	// [Manager.SetOnHold].
	OnHold bool `json:"on_hold,omitzero"`

	// Reopening order, compared as counts rather than as clock readings
	// from different processes.

	// Reopens is how many times a customer's message reopened the closed
	// session; the routing request that routes it again carries it
	// ([routing.ChatRequest.Reopens]), so whether routing has heard of
	// the latest reopening is told without comparing clocks.
	Reopens uint64 `json:"reopens,omitzero"`
}

// About returns what the session is about: the queue name, or "A2A" (SPEC S1).
func (s *Session) About() string {
	if s.Kind == KindA2A {
		return "A2A"
	}
	return string(s.Queue)
}

// Participant returns the participant with id, or nil.
func (s *Session) Participant(id ParticipantID) *Participant {
	for i := range s.Participants {
		if s.Participants[i].ID == id {
			return &s.Participants[i]
		}
	}
	return nil
}

// Customer returns the customer participant, or nil.
func (s *Session) Customer() *Participant {
	for i := range s.Participants {
		if s.Participants[i].Role == RoleCustomer {
			return &s.Participants[i]
		}
	}
	return nil
}

// Owner returns the present owner, or nil.
func (s *Session) Owner() *Participant {
	for i := range s.Participants {
		if p := &s.Participants[i]; p.Role == RoleOwner && p.Present() {
			return p
		}
	}
	return nil
}

// CustomerConnected reports whether a customer is present.
func (s *Session) CustomerConnected() bool {
	c := s.Customer()
	return c != nil && c.Present()
}

// Present returns the participants who have joined and not left.
func (s *Session) Present() []Participant {
	var out []Participant
	for i := range s.Participants {
		if s.Participants[i].Present() {
			out = append(out, s.Participants[i].clone())
		}
	}
	return out
}

// Clone returns a deep copy of s. The participants, their stints and the
// wrap-up of a small session share one allocation.
func (s Session) Clone() Session {
	n, stints := len(s.Participants), s.stints()
	switch {
	case n > 0 && n <= pairParticipants && stints <= pairStints:
		b := new(pairParts)
		s.deepen(b.ps[:n], b.sts[:0:stints], &b.w)
	case n > 0 && n <= smallParticipants && stints <= smallStints:
		b := new(smallParts)
		s.deepen(b.ps[:n], b.sts[:0:stints], &b.w)
	default:
		s.deepen(nil, nil, nil)
	}
	return s
}

// clonePtr returns a deep copy of s; a small session takes one allocation,
// the copy included.
func (s *Session) clonePtr() *Session {
	n, stints := len(s.Participants), s.stints()
	var c *Session
	switch {
	case n > 0 && n <= pairParticipants && stints <= pairStints:
		// A customer and an agent, the usual session: one allocation, of
		// a smaller size class than cloneBlock's.
		b := new(pairBlock)
		c = &b.s
		*c = *s
		c.deepen(b.ps[:n], b.sts[:0:stints], &b.w)
	case n > 0 && n <= smallParticipants && stints <= smallStints:
		// A small conference fits one allocation too.
		b := new(cloneBlock)
		c = &b.s
		*c = *s
		c.deepen(b.ps[:n], b.sts[:0:stints], &b.w)
	default:
		c = new(Session)
		*c = *s
		c.deepen(nil, nil, nil)
	}
	return c
}

// stints counts the stints of every participant of s.
func (s *Session) stints() int {
	n := 0
	for i := range s.Participants {
		n += len(s.Participants[i].Stints)
	}
	return n
}

// deepen makes s, a shallow copy of a session, share no memory with it:
// the participants are copied into ps and their stints into sts (both
// allocated when nil; ps has one element per participant, sts room for
// every stint), the wrap-up into w (allocated when nil), and the rest
// into memory of its own.
func (s *Session) deepen(ps []Participant, sts []Stint, w *WrapUp) {
	if ps == nil {
		ps, sts = make([]Participant, len(s.Participants)), make([]Stint, 0, s.stints())
	}
	for i := range s.Participants {
		ps[i] = s.Participants[i]
		n := len(sts)
		sts = append(sts, s.Participants[i].Stints...)
		// Capped, so that a participant's new stint never overwrites the
		// next participant's.
		ps[i].Stints = sts[n:len(sts):len(sts)]
		if len(ps[i].Stints) == 0 {
			ps[i].Stints = nil
		}
	}
	s.Participants = ps
	s.Attributes = append([]Attribute(nil), s.Attributes...)
	if s.Menu != nil {
		o := *s.Menu
		o.Options = append([]Option(nil), o.Options...)
		s.Menu = &o
	}
	if s.Video != nil {
		v := *s.Video
		s.Video = &v
	}
	if s.Timers.Fired != nil {
		s.Timers.Fired = slices.Clone(s.Timers.Fired)
	}
	if s.WrapUp != nil {
		if w == nil {
			w = new(WrapUp)
		}
		*w = *s.WrapUp
		w.Tags = slices.Clone(w.Tags) // nil stays nil: no allocation without tags
		s.WrapUp = w
	}
}

// Sizes of the session that [Session.Clone] copies in one allocation.
const (
	smallParticipants = 4
	smallStints       = 6
	pairParticipants  = 2
	pairStints        = 3
)

// pairBlock is cloneBlock for a session of two participants.
type pairBlock struct {
	s   Session
	ps  [pairParticipants]Participant
	sts [pairStints]Stint
	w   WrapUp
}

// cloneBlock holds a small session's participants, their stints and its
// wrap-up.
type cloneBlock struct {
	s   Session
	ps  [smallParticipants]Participant
	sts [smallStints]Stint
	w   WrapUp
}

// pairParts holds the participants, stints and wrap-up of a session of two
// participants copied by value ([Session.Clone]), whose session itself
// needs no memory of its own.
type pairParts struct {
	ps  [pairParticipants]Participant
	sts [pairStints]Stint
	w   WrapUp
}

// smallParts is pairParts for a small conference.
type smallParts struct {
	ps  [smallParticipants]Participant
	sts [smallStints]Stint
	w   WrapUp
}

// String returns a short description for logs.
func (s *Session) String() string {
	return fmt.Sprintf("session %s (%s, %s, v%d)", s.ID, s.About(), s.Status, s.Version)
}
