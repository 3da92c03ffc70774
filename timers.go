package switchboard

import (
	"encoding/json"
	"fmt"
	"time"
)

// Timers are a queue's timers after a chat is assigned (SPEC D1–D9). Each
// is off while its duration is zero, which is the default; a negative
// duration is invalid ([Timers.Validate]). A session takes its queue's
// timers when it starts and keeps them for its life, so a change reaches
// the sessions started after it.
type Timers struct {
	// FirstResponse is how long the owner has, from the assignment, to send
	// the customer a first message (a normal message: not a whisper, not a
	// system entry). When it runs out the chat is reassigned: it goes back
	// to its queue at its original position for the next agent, the owner
	// is kept out of its next offers as if it had rejected it and goes to
	// RONA, and the round counts towards the queue's MaxUnanswered (SPEC
	// D1, D2). Defaults to 0: off.
	FirstResponse time.Duration
	// FirstResponseWarning is when, after the assignment, the owner who has
	// not answered yet is warned: an entry for agents and supervisors. Only
	// with FirstResponse, and shorter. Defaults to 0: no warning.
	FirstResponseWarning time.Duration
	// ResponseSLA is how long an agent has to answer each customer message
	// before the session records one breach of the reply promise for it
	// (SPEC D4). Defaults to 0: off.
	ResponseSLA time.Duration
	// CustomerIdle is how long the customer may stay silent after an
	// agent's message before being warned, in words the customer sees,
	// that the chat will close (SPEC D5). Defaults to 0: off.
	CustomerIdle time.Duration
	// CustomerIdleClose is how long after that warning, with still no word
	// from the customer, the chat closes with the reason
	// session.ReasonCustomerIdle (SPEC D6). Only with CustomerIdle.
	// Defaults to 0: the customer is warned but the chat never closes.
	CustomerIdleClose time.Duration
	// CustomerIdleText is the warning the customer reads. Defaults to
	// "Are you still there? This chat will close soon if we do not hear
	// from you."
	CustomerIdleText string
	// CustomerIdleCloseText is what the customer reads when the chat
	// closes. Defaults to "This chat was closed because we did not hear
	// from you. Write again at any time."
	CustomerIdleCloseText string
	// AgentIdle is how long the owner may stay silent while the customer
	// waits for an answer before supervisors are told (SPEC D7). Defaults
	// to 0: off.
	AgentIdle time.Duration
	// AgentIdleReassign makes AgentIdle reassign the chat too, exactly as a
	// missed FirstResponse does (SPEC D8). Only with AgentIdle. Defaults
	// to false: supervisors are told and the owner keeps the chat.
	AgentIdleReassign bool
}

// On reports whether any timer is on.
func (t *Timers) On() bool {
	return t.FirstResponse > 0 || t.ResponseSLA > 0 || t.CustomerIdle > 0 || t.AgentIdle > 0
}

// Validate reports, as an error matching [ErrInvalid], a negative
// duration, a warning that is not before FirstResponse, or a setting that
// goes with a timer that is off.
func (t *Timers) Validate() error {
	switch {
	case t.FirstResponse < 0 || t.FirstResponseWarning < 0 || t.ResponseSLA < 0 ||
		t.CustomerIdle < 0 || t.CustomerIdleClose < 0 || t.AgentIdle < 0:
		return fmt.Errorf("%w: timers: negative duration", ErrInvalid)
	case t.FirstResponseWarning > 0 && t.FirstResponseWarning >= t.FirstResponse:
		return fmt.Errorf("%w: timers: the first-response warning must come before the first response is due", ErrInvalid)
	case t.CustomerIdleClose > 0 && t.CustomerIdle == 0:
		return fmt.Errorf("%w: timers: CustomerIdleClose needs CustomerIdle", ErrInvalid)
	case t.AgentIdleReassign && t.AgentIdle == 0:
		return fmt.Errorf("%w: timers: AgentIdleReassign needs AgentIdle", ErrInvalid)
	}
	return nil
}

// timersJSON is the wire form of [Timers]: durations in whole
// milliseconds, the unit in the name.
type timersJSON struct {
	FirstResponseMS        int64  `json:"first_response_ms,omitzero"`
	FirstResponseWarningMS int64  `json:"first_response_warning_ms,omitzero"`
	ResponseSLAMS          int64  `json:"response_sla_ms,omitzero"`
	CustomerIdleMS         int64  `json:"customer_idle_ms,omitzero"`
	CustomerIdleCloseMS    int64  `json:"customer_idle_close_ms,omitzero"`
	CustomerIdleText       string `json:"customer_idle_text,omitzero"`
	CustomerIdleCloseText  string `json:"customer_idle_close_text,omitzero"`
	AgentIdleMS            int64  `json:"agent_idle_ms,omitzero"`
	AgentIdleReassign      bool   `json:"agent_idle_reassign,omitzero"`
}

// MarshalJSON returns the timers' wire form, durations in whole
// milliseconds (first_response_ms, response_sla_ms, ...).
func (t Timers) MarshalJSON() ([]byte, error) {
	return json.Marshal(timersJSON{
		FirstResponseMS: t.FirstResponse.Milliseconds(), FirstResponseWarningMS: t.FirstResponseWarning.Milliseconds(),
		ResponseSLAMS: t.ResponseSLA.Milliseconds(), CustomerIdleMS: t.CustomerIdle.Milliseconds(),
		CustomerIdleCloseMS: t.CustomerIdleClose.Milliseconds(), CustomerIdleText: t.CustomerIdleText,
		CustomerIdleCloseText: t.CustomerIdleCloseText, AgentIdleMS: t.AgentIdle.Milliseconds(),
		AgentIdleReassign: t.AgentIdleReassign,
	})
}

// UnmarshalJSON parses the wire form of [Timers.MarshalJSON].
func (t *Timers) UnmarshalJSON(data []byte) error {
	var w timersJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	ms := func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
	*t = Timers{
		FirstResponse: ms(w.FirstResponseMS), FirstResponseWarning: ms(w.FirstResponseWarningMS),
		ResponseSLA: ms(w.ResponseSLAMS), CustomerIdle: ms(w.CustomerIdleMS),
		CustomerIdleClose: ms(w.CustomerIdleCloseMS), CustomerIdleText: w.CustomerIdleText,
		CustomerIdleCloseText: w.CustomerIdleCloseText, AgentIdle: ms(w.AgentIdleMS),
		AgentIdleReassign: w.AgentIdleReassign,
	}
	return nil
}
