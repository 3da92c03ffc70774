package session

import (
	"context"
	"fmt"
	"github.com/switchboard-cc/switchboard/internal/enumtext"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Wire texts of the enums, indexed by value. An empty text is the zero
// value's, which is invalid (or, for Mode, normal).
var (
	kindTexts      = []string{"", "customer", "a2a"}
	statusTexts    = []string{"", "active", "customer_left", "ended", "closed"}
	triggerTexts   = []string{"", "customer_leave", "end", "close", "reopen", "message", "join"}
	roleTexts      = []string{"", "customer", "owner", "consulted", "supervisor", "bot"}
	supModeTexts   = []string{"", "monitor", "coach", "barge"}
	modeTexts      = []string{"normal", "whisper", "coach"}
	audienceTexts  = []string{"", "everyone", "agents", "named", "customer"}
	entryTypeTexts = []string{"", "message", "created", "invited", "joined", "left",
		"customer_left", "owner_changed", "mode_changed", "ended", "closed", "reopened",
		"options_offered", "option_chosen", "video_started", "video_ended", "correction", "transfer", "typing", "notice", "timer"}
)

// MarshalText returns the notice kind's wire text, such as "position".
func (k NoticeKind) MarshalText() ([]byte, error) {
	return marshalEnum(k, noticeNames[:], "notice kind")
}

// UnmarshalText parses a wire text of [NoticeKind.MarshalText].
func (k *NoticeKind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, noticeNames[:], "notice kind")
}

// marshalEnum returns the text of v, or an error wrapping [ErrInvalid].
func marshalEnum[T ~uint8](v T, texts []string, typ string) ([]byte, error) {
	return enumtext.Marshal(v, texts, typ, ErrInvalid)
}

// unmarshalEnum sets *v to the value whose text is text, or returns an
// error wrapping [ErrInvalid] for an unknown text.
func unmarshalEnum[T ~uint8](v *T, text []byte, texts []string, typ string) error {
	return enumtext.Unmarshal(v, text, texts, typ, ErrInvalid)
}

// MarshalText returns the kind's wire text, "customer" or "a2a".
func (k Kind) MarshalText() ([]byte, error) { return marshalEnum(k, kindTexts, "session kind") }

// UnmarshalText parses a wire text of [Kind.MarshalText].
func (k *Kind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, kindTexts, "session kind")
}

// MarshalText returns the status's wire text, such as "customer_left".
func (s Status) MarshalText() ([]byte, error) { return marshalEnum(s, statusTexts, "status") }

// UnmarshalText parses a wire text of [Status.MarshalText].
func (s *Status) UnmarshalText(text []byte) error {
	return unmarshalEnum(s, text, statusTexts, "status")
}

// MarshalText returns the trigger's wire text, such as "customer_leave".
func (t Trigger) MarshalText() ([]byte, error) { return marshalEnum(t, triggerTexts, "trigger") }

// UnmarshalText parses a wire text of [Trigger.MarshalText].
func (t *Trigger) UnmarshalText(text []byte) error {
	return unmarshalEnum(t, text, triggerTexts, "trigger")
}

// MarshalText returns the role's wire text, such as "consulted".
func (r Role) MarshalText() ([]byte, error) { return marshalEnum(r, roleTexts, "role") }

// UnmarshalText parses a wire text of [Role.MarshalText].
func (r *Role) UnmarshalText(text []byte) error {
	return unmarshalEnum(r, text, roleTexts, "role")
}

// MarshalText returns the mode's wire text, such as "barge".
func (m SupervisorMode) MarshalText() ([]byte, error) {
	return marshalEnum(m, supModeTexts, "supervisor mode")
}

// UnmarshalText parses a wire text of [SupervisorMode.MarshalText].
func (m *SupervisorMode) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, supModeTexts, "supervisor mode")
}

// MarshalText returns the mode's wire text: "normal", "whisper" or
// "coach".
func (m Mode) MarshalText() ([]byte, error) { return marshalEnum(m, modeTexts, "message mode") }

// UnmarshalText parses a wire text of [Mode.MarshalText].
func (m *Mode) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, modeTexts, "message mode")
}

// MarshalText returns the kind's wire text, such as "agents".
func (k AudienceKind) MarshalText() ([]byte, error) {
	return marshalEnum(k, audienceTexts, "audience")
}

// UnmarshalText parses a wire text of [AudienceKind.MarshalText].
func (k *AudienceKind) UnmarshalText(text []byte) error {
	return unmarshalEnum(k, text, audienceTexts, "audience")
}

// MarshalText returns the type's wire text, such as "owner_changed".
func (t EntryType) MarshalText() ([]byte, error) {
	return marshalEnum(t, entryTypeTexts, "entry type")
}

// UnmarshalText parses a wire text of [EntryType.MarshalText].
func (t *EntryType) UnmarshalText(text []byte) error {
	return unmarshalEnum(t, text, entryTypeTexts, "entry type")
}

// CustomerView is the wire form of a log entry for a customer or a bot. It
// has no field that could carry a participant ID, a wrap-up reason or a
// private flag: what a customer must not see cannot be put in it.
type CustomerView struct {
	// Seq is the entry's sequence number.
	Seq uint64 `json:"seq"`
	// At is when the entry was created.
	At time.Time `json:"at"`
	// Type says what the entry records.
	Type EntryType `json:"type"`
	// FromName is the writer's display name.
	FromName string `json:"from_name,omitzero"`
	// SubjectName is the display name of the participant the event is
	// about.
	SubjectName string `json:"subject_name,omitzero"`
	// Text is the message text, prompt or corrected text.
	Text string `json:"text,omitzero"`
	// Files are the attachments.
	Files []File `json:"files,omitzero"`
	// Options are the offered or chosen options.
	Options []Option `json:"options,omitzero"`
	// Ref is the sequence number of the entry this one refers to.
	Ref uint64 `json:"ref,omitzero"`
	// Notice is what an [EntryNotice] tells the customer about its wait
	// (position, estimated wait, why it is back in the queue), for a
	// client that words it itself; zero on other entries.
	Notice Notice `json:"notice,omitzero"`
}

// CustomerDelivery is the wire form of a [Delivery] to a customer or a
// bot.
type CustomerDelivery struct {
	// Chat is the session.
	Chat switchboard.ChatID `json:"chat"`
	// Item is the entry.
	Item CustomerView `json:"item"`
}

// CustomerWire is the wire form of a session for its customer: what the
// session is about, its status, the display names of the agents present
// and the customer's transcript. It holds no participant ID, no whisper,
// no internal event and no wrap-up reason (SPEC S4, S18).
type CustomerWire struct {
	// Chat is the session.
	Chat switchboard.ChatID `json:"chat"`
	// Status is the life-cycle state.
	Status Status `json:"status"`
	// Agents are the display names of the agents present whom the customer
	// has been told of: owner, consulted agents and barging supervisors.
	Agents []string `json:"agents,omitzero"`
	// Entries are the entries the customer may see, in sequence order.
	Entries []CustomerView `json:"entries,omitzero"`
}

// customerView builds the customer wire form of v, a view projected for a
// customer or a bot.
func customerView(v *View) CustomerView {
	return CustomerView{
		Seq: v.Seq, At: v.At, Type: v.Type, FromName: v.FromName, SubjectName: v.SubjectName,
		Text: v.Text, Files: v.Files, Options: v.Options, Ref: v.Ref, Notice: v.Notice,
	}
}

// ForCustomer returns the customer's wire form of session s with log, its
// entries in sequence order: the entries come from [CustomerTranscript], so
// through [Visible] and the customer's projection. A session without a
// customer gives a form with no entries.
func ForCustomer(s *Session, log []Entry) CustomerWire {
	out := CustomerWire{Chat: s.ID, Status: s.Status}
	for i := range s.Participants {
		p := &s.Participants[i]
		if !p.Present() || !p.Role.IsAgent() {
			continue
		}
		if p.Role == RoleSupervisor && p.Mode != SupervisorBarge {
			continue // the customer is not told of a silent supervisor
		}
		out.Agents = append(out.Agents, p.Name)
	}
	for _, v := range CustomerTranscript(s, log) {
		out.Entries = append(out.Entries, customerView(&v))
	}
	return out
}

// CustomerDeliveryOf returns the customer's wire form of d, a delivery the
// [Transport] got for a customer or a bot. A delivery projected for an
// agent (one that is private, or names a participant) is refused with an
// error matching [ErrForbidden]: it may hold what the customer must not
// see, and dropping fields would not make it safe.
func CustomerDeliveryOf(d Delivery) (CustomerDelivery, error) {
	v := &d.Item
	if v.Private || v.From != "" || v.Subject != "" || v.Reason != "" {
		return CustomerDelivery{}, fmt.Errorf("%w: entry %d of %s was projected for an agent", ErrForbidden, v.Seq, d.Chat)
	}
	return CustomerDelivery{Chat: d.Chat, Item: customerView(v)}, nil
}

// ForCustomer returns the customer's wire form of the session chat: see
// the function [ForCustomer].
func (m *Manager) ForCustomer(ctx context.Context, chat switchboard.ChatID) (CustomerWire, error) {
	s, log, err := m.readAll(ctx, chat)
	if err != nil {
		return CustomerWire{}, err
	}
	return ForCustomer(&s, log), nil
}
