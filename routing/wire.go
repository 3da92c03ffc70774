package routing

import (
	"encoding/json"
	"github.com/switchboard-cc/switchboard/internal/enumtext"
	"time"
)

// Reasons of events ([Event].Reason) and of agent states ([Agent].Reason)
// the router sets. A NotReady state's reason is the agent's own code, any
// string; every other reason is one of these. They are snake_case words,
// like every enum text of the wire form (see docs/wire.md).
const (
	// ReasonLogout: the agent logged out (AgentLoggedOut,
	// ConsultantLeft).
	ReasonLogout = "logout"
	// ReasonDisconnect: the agent's connection was lost (AgentLoggedOut).
	ReasonDisconnect = "disconnect"
	// ReasonRejected: the agent rejected the offer (ChatQueued,
	// TransferFailed).
	ReasonRejected = "rejected"
	// ReasonTimedOut: the offer was not accepted in time (ChatQueued,
	// TransferFailed).
	ReasonTimedOut = "timed_out"
	// ReasonWithdrawn: the offer or invite was withdrawn (ChatQueued,
	// InviteFailed, TransferFailed).
	ReasonWithdrawn = "withdrawn"
	// ReasonAgentLoggedOut: the chat's agent logged out before it was
	// assigned (ChatQueued).
	ReasonAgentLoggedOut = "agent_logged_out"
	// ReasonTransferred: the chat was transferred to a queue (ChatQueued,
	// ConsultantLeft).
	ReasonTransferred = "transferred"
	// ReasonTransferFailed: a transfer to an agent failed and the chat is
	// back in its queue (ChatQueued).
	ReasonTransferFailed = "transfer_failed"
	// ReasonExit: the consultant left the chat (ConsultantLeft).
	ReasonExit = "exit"
	// ReasonDropped: the owner ended the conference (ConsultantLeft).
	ReasonDropped = "dropped"
	// ReasonChatEnded: the chat ended (ConsultantLeft).
	ReasonChatEnded = "chat_ended"
	// ReasonRequeued: the chat went back to a queue (ConsultantLeft).
	ReasonRequeued = "requeued"
	// ReasonNoAgent: every agent of the invite's queue declined, timed out
	// or was busy (InviteFailed).
	ReasonNoAgent = "no_agent"
	// ReasonAccepted: a transfer offer was accepted (ChatTransferred).
	ReasonAccepted = "accepted"
	// ReasonHandOver: the owner handed the chat over (ChatTransferred).
	ReasonHandOver = "hand_over"
	// ReasonHandedOver: the agent handed the chat over and holds a wrap-up
	// of it (ChatWrapUp).
	ReasonHandedOver = "handed_over"
	// ReasonOwnerLoggedOut: the owner logged out and a consultant took the
	// chat over (ChatTransferred).
	ReasonOwnerLoggedOut = "owner_logged_out"
	// ReasonQueue: the chat was transferred to a queue (ChatTransferred).
	ReasonQueue = "queue"
	// ReasonRONA: an offer to the agent timed out (the agent's state
	// [RONA]).
	ReasonRONA = "rona"
	// ReasonWrapUp: the agent is wrapping up a chat (the agent's state
	// [WrapUp]).
	ReasonWrapUp = "wrap_up"
	// ReasonReopened: a closed chat was reopened and queued again
	// (ChatQueued).
	ReasonReopened = "reopened"
	// ReasonNoResponse: the owner did not answer the customer in time and
	// the chat went back to its queue for another agent (ChatQueued,
	// [Router.Reassign]).
	ReasonNoResponse = "no_response"
	// ReasonReturned: the chat's owner put it back in its queue
	// ([Router.Return]); the event's Comment holds the owner's reason code
	// (ChatQueued).
	ReasonReturned = "returned"
)

// Wire texts of the enums, indexed by value. An empty text is the zero
// value's, which has no name.
var (
	stateTexts          = []string{"logged_out", "available", "not_ready", "rona", "wrap_up"}
	strategyTexts       = []string{"longest_idle", "ring_all", "least_busy", "round_robin", "random", "manual"}
	chatKindTexts       = []string{"customer"}
	chatStateTexts      = []string{"queued", "offered", "assigned", "wrap_up", "done", "ended"}
	endReasonTexts      = []string{"", "abandoned", ReasonTimedOut, "escalated", ReasonWithdrawn, "agent_left"}
	transferPolicyTexts = []string{"requeue", "end"}
	offerKindTexts      = []string{"route", "invite", "transfer"}
	outcomeTexts        = []string{"pending", ReasonAccepted, ReasonRejected, ReasonTimedOut, "rescinded", "cancelled"}
	eventTypeTexts      = []string{"", "agent_logged_in", "agent_logged_out", "agent_state_changed", "chat_queued",
		"chat_offered", "offer_resolved", "chat_assigned", "chat_overflowed", "chat_wrap_up", "chat_done",
		"chat_ended", "consultant_joined", "consultant_left", "invite_failed",
		"chat_transferred", "transfer_failed", "wrap_up_done", "agent_disconnected", "agent_reconnected",
		"agent_work_changed"}
)

// marshalEnum returns the text of v, or an error wrapping [ErrInvalid].
func marshalEnum[T ~uint8](v T, texts []string, typ string) ([]byte, error) {
	return enumtext.Marshal(v, texts, typ, ErrInvalid)
}

// unmarshalEnum sets *v to the value whose text is text, or returns an
// error wrapping [ErrInvalid] for an unknown text.
func unmarshalEnum[T ~uint8](v *T, text []byte, texts []string, typ string) error {
	return enumtext.Unmarshal(v, text, texts, typ, ErrInvalid)
}

// MarshalText returns the state's wire text, such as "not_ready".
func (s State) MarshalText() ([]byte, error) { return marshalEnum(s, stateTexts, "agent state") }

// UnmarshalText parses a wire text of [State.MarshalText].
func (s *State) UnmarshalText(text []byte) error {
	return unmarshalEnum(s, text, stateTexts, "agent state")
}

// MarshalText returns the strategy's wire text, such as "ring_all".
func (s Strategy) MarshalText() ([]byte, error) { return marshalEnum(s, strategyTexts, "strategy") }

// UnmarshalText parses a wire text of [Strategy.MarshalText].
func (s *Strategy) UnmarshalText(text []byte) error {
	return unmarshalEnum(s, text, strategyTexts, "strategy")
}

// MarshalText returns the kind's wire text, "customer".
func (k ChatKind) MarshalText() ([]byte, error) { return marshalEnum(k, chatKindTexts, "chat kind") }

// UnmarshalText parses a wire text of [ChatKind.MarshalText].
func (k *ChatKind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, chatKindTexts, "chat kind")
}

// MarshalText returns the state's wire text, such as "wrap_up".
func (s ChatState) MarshalText() ([]byte, error) {
	return marshalEnum(s, chatStateTexts, "chat state")
}

// UnmarshalText parses a wire text of [ChatState.MarshalText].
func (s *ChatState) UnmarshalText(text []byte) error {
	return unmarshalEnum(s, text, chatStateTexts, "chat state")
}

// MarshalText returns the reason's wire text, such as "timed_out"; it is
// empty for [NotEnded].
func (r EndReason) MarshalText() ([]byte, error) {
	return marshalEnum(r, endReasonTexts, "end reason")
}

// UnmarshalText parses a wire text of [EndReason.MarshalText].
func (r *EndReason) UnmarshalText(text []byte) error {
	return unmarshalEnum(r, text, endReasonTexts, "end reason")
}

// MarshalText returns the policy's wire text, "requeue" or "end".
func (p TransferPolicy) MarshalText() ([]byte, error) {
	return marshalEnum(p, transferPolicyTexts, "transfer policy")
}

// UnmarshalText parses a wire text of [TransferPolicy.MarshalText].
func (p *TransferPolicy) UnmarshalText(text []byte) error {
	return unmarshalEnum(p, text, transferPolicyTexts, "transfer policy")
}

// MarshalText returns the kind's wire text, such as "invite".
func (k OfferKind) MarshalText() ([]byte, error) {
	return marshalEnum(k, offerKindTexts, "offer kind")
}

// UnmarshalText parses a wire text of [OfferKind.MarshalText].
func (k *OfferKind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, offerKindTexts, "offer kind")
}

// MarshalText returns the outcome's wire text, such as "timed_out".
func (o OfferOutcome) MarshalText() ([]byte, error) {
	return marshalEnum(o, outcomeTexts, "offer outcome")
}

// UnmarshalText parses a wire text of [OfferOutcome.MarshalText].
func (o *OfferOutcome) UnmarshalText(text []byte) error {
	return unmarshalEnum(o, text, outcomeTexts, "offer outcome")
}

// MarshalText returns the type's wire text, such as "chat_offered".
func (t EventType) MarshalText() ([]byte, error) {
	return marshalEnum(t, eventTypeTexts, "event type")
}

// UnmarshalText parses a wire text of [EventType.MarshalText].
func (t *EventType) UnmarshalText(text []byte) error {
	return unmarshalEnum(t, text, eventTypeTexts, "event type")
}

// ms returns d in whole milliseconds, the unit of durations on the wire.
func ms(d time.Duration) int64 { return d.Milliseconds() }

// fromMS returns n milliseconds as a duration.
func fromMS(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// queueJSON is the wire form of a [Queue]: its durations in whole
// milliseconds, the unit in the name.
type queueJSON struct {
	queuePlain
	AcceptTimeoutMS int64 `json:"accept_timeout_ms,omitzero"`
	MaxWaitMS       int64 `json:"max_wait_ms,omitzero"`
	PreferredWaitMS int64 `json:"preferred_wait_ms,omitzero"`
	WrapUpMS        int64 `json:"wrap_up_ms,omitzero"`
	AgingStepMS     int64 `json:"aging_step_ms,omitzero"`
}

// queuePlain is a Queue without its methods.
type queuePlain Queue

// MarshalJSON returns the queue's wire form: snake_case fields, durations
// in whole milliseconds (accept_timeout_ms, max_wait_ms,
// preferred_wait_ms, wrap_up_ms, aging_step_ms).
func (q Queue) MarshalJSON() ([]byte, error) {
	return json.Marshal(queueJSON{queuePlain: queuePlain(q),
		AcceptTimeoutMS: ms(q.AcceptTimeout), MaxWaitMS: ms(q.MaxWait),
		PreferredWaitMS: ms(q.PreferredWait), WrapUpMS: ms(q.WrapUp),
		AgingStepMS: ms(q.AgingStep)})
}

// UnmarshalJSON parses the wire form of [Queue.MarshalJSON].
func (q *Queue) UnmarshalJSON(data []byte) error {
	var w queueJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*q = Queue(w.queuePlain)
	q.AcceptTimeout, q.MaxWait = fromMS(w.AcceptTimeoutMS), fromMS(w.MaxWaitMS)
	q.PreferredWait, q.WrapUp = fromMS(w.PreferredWaitMS), fromMS(w.WrapUpMS)
	q.AgingStep = fromMS(w.AgingStepMS)
	return nil
}

// queueStatusJSON is the wire form of a [QueueStatus].
type queueStatusJSON struct {
	queueStatusPlain
	WaitingMS int64 `json:"waiting_ms"`
}

// queueStatusPlain is a QueueStatus without its methods.
type queueStatusPlain QueueStatus

// MarshalJSON returns the status's wire form, with the waiting time in
// whole milliseconds (waiting_ms).
func (s QueueStatus) MarshalJSON() ([]byte, error) {
	return json.Marshal(queueStatusJSON{queueStatusPlain: queueStatusPlain(s), WaitingMS: ms(s.Waiting)})
}

// UnmarshalJSON parses the wire form of [QueueStatus.MarshalJSON].
func (s *QueueStatus) UnmarshalJSON(data []byte) error {
	var w queueStatusJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*s = QueueStatus(w.queueStatusPlain)
	s.Waiting = fromMS(w.WaitingMS)
	return nil
}

// reason returns the outcome as an event reason: its wire text, such as
// [ReasonTimedOut].
func (o OfferOutcome) reason() string {
	if int(o) < len(outcomeTexts) {
		return outcomeTexts[o]
	}
	return o.String()
}
