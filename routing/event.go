package routing

import (
	"strconv"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// EventType says what an [Event] reports.
type EventType uint8

const (
	// AgentLoggedIn: Agent logged in; State is its state.
	AgentLoggedIn EventType = iota + 1
	// AgentLoggedOut: Agent logged out; Reason is [ReasonLogout] or
	// [ReasonDisconnect].
	AgentLoggedOut
	// AgentStateChanged: Agent's state became State, with Reason.
	AgentStateChanged
	// ChatQueued: Chat entered Queue (first time, or again with Reason
	// [ReasonRejected], [ReasonTimedOut], [ReasonWithdrawn],
	// [ReasonAgentLoggedOut], [ReasonTransferred],
	// [ReasonTransferFailed] or [ReasonReturned]).
	ChatQueued
	// ChatOffered: Offer of Chat was made to Agent. Customer, EnqueuedAt and
	// ExpiresAt describe it (SPEC R3).
	ChatOffered
	// OfferResolved: Offer to Agent was resolved with Outcome. For
	// [Rescinded] offers, Taken tells the agent the chat was taken by another
	// agent (SPEC R4).
	OfferResolved
	// ChatAssigned: Chat was assigned to Agent.
	ChatAssigned
	// ChatOverflowed: Chat moved from FromQueue to Queue.
	ChatOverflowed
	// ChatWrapUp: Chat ended and Agent is wrapping it up; or, with Reason
	// [ReasonHandedOver], Agent handed Chat over and holds a wrap-up of it
	// ([Hold]).
	ChatWrapUp
	// ChatDone: Chat is done (wrapped up, or ended with no wrap-up).
	ChatDone
	// ChatEnded: Chat ended with EndReason before being assigned, or, with
	// [EndAgentLeft], after a failed transfer by Agent.
	ChatEnded
	// ConsultantJoined: Agent accepted the invite of From and joined Chat
	// as a consultant.
	ConsultantJoined
	// ConsultantLeft: consultant Agent left Chat, with no wrap-up; Reason is
	// [ReasonExit], [ReasonDropped] (the owner ended the conference),
	// [ReasonChatEnded], [ReasonRequeued], [ReasonTransferred] or
	// [ReasonLogout].
	ConsultantLeft
	// InviteFailed: the invite From made (Agent is From) into Chat ended
	// with nobody joining; Reason is [ReasonNoAgent] (every agent of
	// Queue declined, timed out or was busy) or [ReasonWithdrawn].
	InviteFailed
	// ChatTransferred: Chat's owner changed from From to Agent. Reason is
	// [ReasonAccepted] (a transfer offer), [ReasonHandOver] or
	// [ReasonOwnerLoggedOut]; for a transfer to a queue Reason is
	// [ReasonQueue], Agent is empty and Queue is the target queue.
	ChatTransferred
	// TransferFailed: the transfer From made (Agent is From) of Chat was
	// not accepted; Reason is the offer's outcome ([ReasonRejected],
	// [ReasonTimedOut]) or [ReasonWithdrawn]. What happens to the chat follows in the queue's
	// TransferFallback: ChatQueued or ChatEnded with [EndAgentLeft].
	TransferFailed
	// WrapUpDone: Agent completed its wrap-up hold of Chat, which it had
	// handed over; its slot is free.
	WrapUpDone
	// AgentDisconnected: Agent lost its connection and is in its disconnect
	// grace until ExpiresAt (SPEC H2); State and Reason are the state it
	// keeps.
	AgentDisconnected
	// AgentReconnected: Agent reconnected within its grace (SPEC H3); State
	// and Reason are the state it resumes.
	AgentReconnected
	// AgentWorkChanged: the host reported Agent busy with Work items of
	// Channel, a channel it routes itself (SPEC L5); State is the agent's
	// state.
	AgentWorkChanged
)

var eventNames = [...]string{"", "AgentLoggedIn", "AgentLoggedOut", "AgentStateChanged", "ChatQueued",
	"ChatOffered", "OfferResolved", "ChatAssigned", "ChatOverflowed", "ChatWrapUp", "ChatDone",
	"ChatEnded", "ConsultantJoined", "ConsultantLeft", "InviteFailed",
	"ChatTransferred", "TransferFailed", "WrapUpDone", "AgentDisconnected", "AgentReconnected",
	"AgentWorkChanged"}

// String returns the type's name, such as "ChatOffered".
func (t EventType) String() string {
	if int(t) < len(eventNames) && t != 0 {
		return eventNames[t]
	}
	return "EventType(?)"
}

// Event reports one transition. Every transition the router commits emits
// one or more events: they are appended to the store's [EventLog] in the same
// commit, and published through the [Transport] after it. Fields that do not
// apply to the Type are zero.
type Event struct {
	Type EventType `json:"type"`
	At   time.Time `json:"at,omitzero"`
	// Seq is the event's position in its partition of the [EventLog], set
	// by the store; 0 on events not read from the log.
	Seq uint64 `json:"seq"`
	// Txn is the ID of the transaction that committed the event, set by
	// the store like Seq; empty on events not read from the log.
	Txn string `json:"txn,omitzero"`
	// Agent is who the event concerns; a transport delivers it to that
	// agent's desktop.
	Agent switchboard.AgentID `json:"agent,omitzero"`
	Chat  switchboard.ChatID  `json:"chat,omitzero"`
	Queue switchboard.QueueID `json:"queue,omitzero"`
	Offer OfferID             `json:"offer,omitzero"`
	// State and Reason: the agent's new state and reason code.
	State  State  `json:"state,omitzero"`
	Reason string `json:"reason,omitzero"`
	// Kind of an offer (ChatOffered, OfferResolved).
	Kind OfferKind `json:"kind,omitzero"`
	// Outcome and Taken of a resolved offer.
	Outcome OfferOutcome `json:"outcome,omitzero"`
	Taken   bool         `json:"taken,omitzero"`
	// EndReason of an ended chat.
	EndReason EndReason `json:"end_reason,omitzero"`
	// FromQueue of an overflow or a transfer to a queue; From of a direct
	// chat, an invite, a transfer or a new consultant.
	FromQueue switchboard.QueueID `json:"from_queue,omitzero"`
	From      switchboard.AgentID `json:"from,omitzero"`
	// Customer name, queue entry time and expiry of an offer (SPEC R3).
	Customer   string    `json:"customer,omitzero"`
	EnqueuedAt time.Time `json:"enqueued_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	// Comment of a transfer; for a chat its owner returned to its queue
	// (ChatQueued with [ReasonReturned]), the owner's reason code.
	Comment string `json:"comment,omitzero"`

	// Tenant, Team, Priority and Channel describe who and what the event
	// concerns, for consumers that aggregate it (statistics): Tenant is the
	// queue's tenant, or the agent's when the event has no queue; Team is
	// the agent's team; Priority and Channel are the chat's. The router
	// fills each one from the records the transition read, so a field is
	// zero when the transition did not read the record it comes from (an
	// accept reads the chat, not the agent): a consumer keeps what an
	// earlier event of the same chat or agent told it.
	Tenant   switchboard.TenantID `json:"tenant,omitzero"`
	Team     string               `json:"team,omitzero"`
	Priority int                  `json:"priority,omitzero"`
	Channel  switchboard.Channel  `json:"channel,omitzero"`
	// Queues and Capacity of an agent that logged in (AgentLoggedIn): the
	// queues it serves and its capacity per channel.
	Queues   []switchboard.QueueID `json:"queues,omitzero"`
	Capacity []Capacity            `json:"capacity,omitzero"`

	// Work is the count of host-reported items of Channel
	// (AgentWorkChanged).
	Work int `json:"work,omitzero"`
}

// String describes the event on one line, naming only the fields that are
// set, such as "ChatOffered agent=ada chat=c1 queue=support offer=c1#1". It
// leaves out the customer's name.
func (e Event) String() string {
	b := make([]byte, 0, 96)
	b = append(b, e.Type.String()...)
	field := func(k, v string) {
		if v != "" {
			b = append(b, ' ')
			b = append(b, k...)
			b = append(b, '=')
			b = append(b, v...)
		}
	}
	field("agent", string(e.Agent))
	field("chat", string(e.Chat))
	field("queue", string(e.Queue))
	field("from-queue", string(e.FromQueue))
	field("from", string(e.From))
	field("offer", string(e.Offer))
	if e.Kind != RouteOffer {
		field("kind", e.Kind.String())
	}
	switch e.Type {
	case AgentStateChanged, AgentLoggedIn, AgentDisconnected, AgentReconnected:
		field("state", e.State.String())
	case AgentWorkChanged:
		field("channel", string(e.Channel))
		field("work", strconv.Itoa(e.Work))
	}
	field("reason", e.Reason)
	if e.Type == OfferResolved {
		field("outcome", e.Outcome.String())
		if e.Taken {
			field("taken", "true")
		}
	}
	if e.EndReason != NotEnded {
		field("end", e.EndReason.String())
	}
	return string(b)
}
