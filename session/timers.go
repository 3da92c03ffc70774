package session

import (
	"context"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Timer names one of a session's timers after assignment (SPEC D1–D9).
type Timer uint8

// Timers, in the order they are checked when several are due at once.
const (
	// TimerFirstResponseWarning: the owner has not answered yet and the
	// queue's FirstResponseWarning ran out.
	TimerFirstResponseWarning Timer = iota + 1
	// TimerFirstResponse: the owner did not answer within FirstResponse;
	// the chat is reassigned.
	TimerFirstResponse
	// TimerResponseSLA: a customer message went unanswered for
	// ResponseSLA: one breach of the reply promise.
	TimerResponseSLA
	// TimerAgentIdle: the owner stayed silent for AgentIdle while the
	// customer waited.
	TimerAgentIdle
	// TimerCustomerIdleWarning: the customer stayed silent for
	// CustomerIdle after an agent's message and is warned.
	TimerCustomerIdleWarning
	// TimerCustomerIdleClose: the customer stayed silent for
	// CustomerIdleClose after the warning; the chat closed.
	TimerCustomerIdleClose
)

var timerTexts = []string{"", "first_response_warning", "first_response", "response_sla", "agent_idle",
	"customer_idle_warning", "customer_idle_close"}

// String returns the timer's wire text, such as "response_sla".
func (t Timer) String() string {
	if t != 0 && int(t) < len(timerTexts) {
		return timerTexts[t]
	}
	return "invalid"
}

// MarshalText returns the timer's wire text, such as "response_sla".
func (t Timer) MarshalText() ([]byte, error) { return marshalEnum(t, timerTexts, "timer") }

// UnmarshalText parses a wire text of [Timer.MarshalText].
func (t *Timer) UnmarshalText(text []byte) error {
	return unmarshalEnum(t, text, timerTexts, "timer")
}

// ReasonCustomerIdle is the wrap-up reason of a chat closed because the
// customer stayed silent (SPEC D6): agents read it on the [EntryEnded]
// entry and in the session's WrapUp, and the statistics count it.
const ReasonCustomerIdle = "customer_idle"

// Default texts of the customer-inactivity timer.
const (
	// DefaultCustomerIdleText is the warning a silent customer reads when
	// the queue sets no CustomerIdleText.
	DefaultCustomerIdleText = "Are you still there? This chat will close soon if we do not hear from you."
	// DefaultCustomerIdleCloseText is what the customer reads when the
	// chat closes for its silence and the queue sets no
	// CustomerIdleCloseText.
	DefaultCustomerIdleCloseText = "This chat was closed because we did not hear from you. Write again at any time."
)

// TimerState is what a customer session's timers after assignment need:
// the queue's settings as they were when the session started, and the
// facts the deadlines derive from. Every message and every change of
// owner updates it in the same store write that records it, so the next
// deadline ([Session.NextDeadline]) is always stored with the facts.
type TimerState struct {
	// Settings are the queue's timers when the session started.
	Settings switchboard.Timers `json:"settings,omitzero"`
	// Owner is the owner the timers watch; empty while the session has
	// none.
	Owner switchboard.AgentID `json:"owner,omitzero"`
	// AssignedAt is when Owner took the session.
	AssignedAt time.Time `json:"assigned_at,omitzero"`
	// Answered reports that Owner has sent the customer a message since
	// AssignedAt.
	Answered bool `json:"answered,omitzero"`
	// CustomerAt is when the oldest customer message no agent has answered
	// yet was sent; zero when none waits.
	CustomerAt time.Time `json:"customer_at,omitzero"`
	// AgentAt is when an agent last sent the customer a message.
	AgentAt time.Time `json:"agent_at,omitzero"`
	// WarnedAt is when the silent customer was warned; zero if not since
	// its last message.
	WarnedAt time.Time `json:"warned_at,omitzero"`
	// Fired lists the timers that fired for the present owner and the
	// present wait, so each fires once.
	Fired []Timer `json:"fired,omitzero"`
	// Reassign is the owner a timer took the chat from (it left the
	// session then): routing is to put the chat back in its queue for
	// another agent. The next owner clears it.
	Reassign switchboard.AgentID `json:"reassign,omitzero"`
}

// fired reports whether timer k fired.
func (t *TimerState) fired(k Timer) bool {
	for _, f := range t.Fired {
		if f == k {
			return true
		}
	}
	return false
}

// unfire forgets that timer k fired.
func (t *TimerState) unfire(k Timer) {
	for i, f := range t.Fired {
		if f == k {
			t.Fired = append(t.Fired[:i:i], t.Fired[i+1:]...)
			if len(t.Fired) == 0 {
				t.Fired = nil
			}
			return
		}
	}
}

// NextTimer returns the timer of s due first and when it is due, or ok
// false when none runs: timers run in an active customer session whose
// present owner is the one they watch, and each fires once per
// assignment or per wait. It is a plain function of the session.
func NextTimer(s *Session) (k Timer, at time.Time, ok bool) {
	t := &s.Timers
	st := &t.Settings
	if s.Kind != KindCustomer || s.Status != StatusActive || t.Owner == "" || t.Reassign != "" || !st.On() {
		return 0, time.Time{}, false
	}
	if o := s.Owner(); o == nil || o.ID != AgentParticipant(t.Owner) {
		return 0, time.Time{}, false
	}
	consider := func(c Timer, when time.Time) {
		if !t.fired(c) && (!ok || when.Before(at)) {
			k, at, ok = c, when, true
		}
	}
	if st.FirstResponse > 0 && !t.Answered {
		if st.FirstResponseWarning > 0 {
			consider(TimerFirstResponseWarning, t.AssignedAt.Add(st.FirstResponseWarning))
		}
		consider(TimerFirstResponse, t.AssignedAt.Add(st.FirstResponse))
	}
	if !t.CustomerAt.IsZero() {
		waiting := t.CustomerAt
		if waiting.Before(t.AssignedAt) {
			waiting = t.AssignedAt // the wait for an agent is routing's
		}
		if st.ResponseSLA > 0 {
			consider(TimerResponseSLA, waiting.Add(st.ResponseSLA))
		}
		if st.AgentIdle > 0 {
			consider(TimerAgentIdle, waiting.Add(st.AgentIdle))
		}
	}
	if st.CustomerIdle > 0 && t.CustomerAt.IsZero() && !t.AgentAt.IsZero() && s.CustomerConnected() {
		if t.WarnedAt.IsZero() {
			consider(TimerCustomerIdleWarning, t.AgentAt.Add(st.CustomerIdle))
		} else if st.CustomerIdleClose > 0 {
			consider(TimerCustomerIdleClose, t.WarnedAt.Add(st.CustomerIdleClose))
		}
	}
	return k, at, ok
}

// NextDeadline returns when the session next needs the engine: when its
// first timer is due ([NextTimer]), or the zero time when none runs. A
// store indexes it for [DeadlineStore.DueSessions].
func (s *Session) NextDeadline() time.Time {
	_, at, _ := NextTimer(s)
	return at
}

// DeadlineStore is implemented by a [Store] that can find the sessions
// whose timers are due, so that any process can fire them, after a crash
// too. A SQL store keeps [Session.NextDeadline] in a column of its own,
// written with every session write, under a partial index of the
// sessions that have one. The engine requires it.
type DeadlineStore interface {
	// DueSessions returns the IDs of up to limit sessions whose
	// NextDeadline is set and not after now, earliest first (limit <= 0
	// means no limit).
	DueSessions(ctx context.Context, now time.Time, limit int) ([]switchboard.ChatID, error)
}

// noteOwner starts the timers for owner (empty: stops them) at now. The
// customer's unanswered message, if any, keeps waiting.
func noteOwner(s *Session, owner switchboard.AgentID, now time.Time) {
	t := &s.Timers
	if !t.Settings.On() {
		return
	}
	t.Owner, t.AssignedAt, t.Answered, t.Fired = owner, now, false, nil
	if owner == "" {
		t.AssignedAt = time.Time{}
	} else {
		t.Reassign = ""
	}
}

// noteMessage records message facts for the timers: a customer's normal
// message starts a wait for an answer, an agent's normal message answers
// it (a whisper or a coaching message does neither). It reports whether
// the timer state changed.
func noteMessage(s *Session, from *Participant, mode Mode, now time.Time) bool {
	t := &s.Timers
	if s.Kind != KindCustomer || !t.Settings.On() || mode != ModeNormal {
		return false
	}
	switch {
	case from.Role == RoleCustomer:
		if t.CustomerAt.IsZero() {
			t.CustomerAt = now
			t.unfire(TimerResponseSLA)
			t.unfire(TimerAgentIdle)
		}
		t.WarnedAt = time.Time{}
		t.unfire(TimerCustomerIdleWarning)
		return true
	case from.Role.IsAgent():
		t.CustomerAt, t.AgentAt, t.WarnedAt = time.Time{}, now, time.Time{}
		t.unfire(TimerCustomerIdleWarning)
		if from.ID == AgentParticipant(t.Owner) {
			t.Answered = true
		}
		return true
	}
	return false
}

// Fired reports what [Manager.FireTimers] did.
type Fired struct {
	// Timers are the timers that fired, in order.
	Timers []Timer `json:"timers,omitzero"`
	// Reassign is the owner a timer took the chat from, when one did:
	// routing is to queue the chat for another agent.
	Reassign switchboard.AgentID `json:"reassign,omitzero"`
	// Closed reports that the chat closed for the customer's silence.
	Closed bool `json:"closed,omitzero"`
}

// FireTimers fires every timer of chat that is due at the clock's now, in
// one session write: each writes an [EntryTimer] whose Reason names it,
// for agents and supervisors, except the customer-inactivity warning,
// which everyone reads (its Text is the queue's CustomerIdleText). A
// missed first response, and an agent silence when the queue says so,
// take the chat from the owner: it leaves the session in the same write
// (everyone reads that it left) and stays marked in TimerState.Reassign
// until the session has a new owner; the caller (the engine) has routing
// queue the chat for another agent. A customer
// silence past CustomerIdleClose ends and closes the session with the
// reason [ReasonCustomerIdle]: the customer reads CustomerIdleCloseText
// and leaves, and agents read the reason on the [EntryEnded] entry.
//
// A session with nothing due is left as it is, and a second call fires
// nothing again. It returns ErrNotFound for an unknown session.
func (m *Manager) FireTimers(ctx context.Context, chat switchboard.ChatID) (Fired, error) {
	var out Fired
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		out = Fired{}
		now := m.now()
		var entries []Entry
		for range len(timerTexts) {
			k, at, ok := NextTimer(s)
			if !ok || at.After(now) {
				break
			}
			t := &s.Timers
			t.Fired = append(t.Fired, k)
			out.Timers = append(out.Timers, k)
			owner := s.Owner()
			e := event(EntryTimer, Agents(), nil, owner)
			e.Reason = k.String()
			switch k {
			case TimerFirstResponse:
				t.Reassign = t.Owner
			case TimerAgentIdle:
				if t.Settings.AgentIdleReassign {
					t.Reassign = t.Owner
				}
			case TimerCustomerIdleWarning:
				t.WarnedAt = now
				e.Audience, e.Subject, e.SubjectName = Everyone(), "", ""
				e.Text = t.Settings.CustomerIdleText
				if e.Text == "" {
					e.Text = DefaultCustomerIdleText
				}
			case TimerCustomerIdleClose:
				entries = append(entries, e)
				entries = append(entries, closeIdle(s, owner, now)...)
				out.Closed = true
				continue
			}
			entries = append(entries, e)
		}
		if a := s.Timers.Reassign; a != "" && len(entries) > 0 {
			// The owner lets go in the same write, so everyone reads that
			// it left before anything routing then does.
			if o := s.Owner(); o != nil && o.ID == AgentParticipant(a) {
				e := event(EntryLeft, joinAudience(o), o, o)
				e.Text = o.Name + " has left"
				o.Role = RoleConsulted
				leaveAt(o, s.Version+1)
				entries = append(entries, e)
			}
			s.Timers.Owner = ""
		}
		out.Reassign = s.Timers.Reassign
		return entries, len(entries) > 0, nil
	})
	if err != nil {
		return Fired{}, err
	}
	return out, nil
}

// closeIdle ends and closes s, whose customer stayed silent, on its
// owner's behalf: the customer reads the closing text and leaves, agents
// read the reason.
func closeIdle(s *Session, owner *Participant, now time.Time) []Entry {
	text := s.Timers.Settings.CustomerIdleCloseText
	if text == "" {
		text = DefaultCustomerIdleCloseText
	}
	var entries []Entry
	if c := s.Customer(); c != nil && c.Present() {
		leaveAt(c, s.Version+1)
		e := event(EntryLeft, Everyone(), nil, c)
		e.Text = text
		entries = append(entries, e)
	}
	e := event(EntryEnded, Agents(), owner, nil)
	e.Reason = ReasonCustomerIdle
	entries = append(entries, e)
	s.WrapUp = &WrapUp{Chat: s.ID, Tenant: s.Tenant, Queue: s.Queue, Reason: ReasonCustomerIdle, At: now, Until: now}
	if owner != nil {
		s.WrapUp.Owner, _ = owner.ID.Agent()
	}
	s.Status, s.ClosedAt, s.Menu, s.Video = StatusClosed, now, nil, nil
	for i := range s.Participants {
		leaveAt(&s.Participants[i], s.Version+1)
		s.Participants[i].AwaitingReply = false
	}
	return append(entries, Entry{Type: EntryClosed, Audience: Everyone()})
}
