package session

import (
	"slices"
	"strings"
	"time"
)

// EntryType says what a log entry records.
type EntryType uint8

// Entry types. Everything that happens in a session is one entry in its
// log: messages and events share one sequence.
const (
	// EntryMessage is a message: text and files (SPEC S17).
	EntryMessage EntryType = iota + 1
	// EntryCreated records the session's creation by From.
	EntryCreated
	// EntryInvited records an invitation of Subject.
	EntryInvited
	// EntryJoined records that Subject joined.
	EntryJoined
	// EntryLeft records that Subject (an agent, supervisor or bot) left: the
	// "agent has left" notice.
	EntryLeft
	// EntryCustomerLeft records that the customer left: the "customer has
	// left" notice (SPEC S9).
	EntryCustomerLeft
	// EntryOwnerChanged records that Subject became the owner.
	EntryOwnerChanged
	// EntryModeChanged records a supervisor's new mode.
	EntryModeChanged
	// EntryEnded records the end of the conversation with its wrap-up
	// reason (agents only).
	EntryEnded
	// EntryClosed records that the session closed.
	EntryClosed
	// EntryReopened records that a closed session reopened because the
	// customer wrote again.
	EntryReopened
	// EntryOptionsOffered records a structured set of options offered to
	// the customer (SPEC S13).
	EntryOptionsOffered
	// EntryOptionChosen records the customer's choice as a choice.
	EntryOptionChosen
	// EntryVideoStarted records the start of a video leg (SPEC S16).
	EntryVideoStarted
	// EntryVideoEnded records the end of the video leg; the chat goes on.
	EntryVideoEnded
	// EntryCorrection replaces the text of an earlier message (Ref) after
	// the inbound filter found data to mask across messages.
	EntryCorrection
	// EntryTransfer records a transfer of the chat (SPEC T5), for agents
	// only: From asked for it, Subject is the target agent or Reason the
	// target queue, and Text is the comment. See [Manager.RecordTransfer].
	EntryTransfer
	// EntryTyping tells that From is typing ([Manager.Typing]). It is
	// delivered live only and never stored: its Seq is 0, it is in no
	// history or catch-up, and a recipient shows it briefly and drops it.
	EntryTyping
	// EntryNotice tells the customer, and only the customer, about its
	// wait: Notice says what, Text says it in words (SPEC H5, H6). See
	// [Manager.Notify].
	EntryNotice
	// EntryTimer records that a timer after assignment fired (SPEC D1–D9):
	// Reason names the [Timer], Subject is the owner it concerns. It is for
	// agents and supervisors, except the customer-inactivity warning, which
	// everyone reads in Text.
	EntryTimer
	// EntryRead tells that From has read the log up to Ref
	// ([Manager.MarkRead], SPEC I3). Like [EntryTyping] it is delivered live
	// only and never stored; [Manager.Receipts] gives the same positions to
	// a participant catching up.
	EntryRead
)

var entryNames = [...]string{"invalid", "message", "created", "invited", "joined", "left",
	"customer-left", "owner-changed", "mode-changed", "ended", "closed", "reopened",
	"options-offered", "option-chosen", "video-started", "video-ended", "correction", "transfer", "typing", "notice", "timer", "read"}

// String returns the type's name.
func (t EntryType) String() string {
	if int(t) < len(entryNames) {
		return entryNames[t]
	}
	return "invalid"
}

// File is an attachment, referenced by metadata; the bytes live in the
// host's storage. Pictures are files whose MIME type is image/*.
type File struct {
	// Name is the file name shown to the recipients.
	Name string `json:"name,omitzero"`
	// MIMEType is the content type, such as "application/pdf".
	MIMEType string `json:"mime_type,omitzero"`
	// Size is the length in bytes.
	Size int64 `json:"size,omitzero"`
	// Ref is an opaque reference into the host's storage.
	Ref string `json:"ref,omitzero"`
}

// IsPicture reports whether the file is an image.
func (f File) IsPicture() bool { return strings.HasPrefix(f.MIMEType, "image/") }

// Option is one choice of a structured offer (SPEC S13).
type Option struct {
	// ID identifies the option within its offer.
	ID string `json:"id"`
	// Label is the text shown to the customer.
	Label string `json:"label,omitzero"`
}

// Entry is one item of a session's log as stored. Entries leave the
// package only through [Visible]-filtered projections ([View]) or the
// organisation's log ([OrganisationLog]).
type Entry struct {
	// ID identifies the entry within its session's log: a message's client
	// message ID ([Message].ID), or an ID the Manager derives from the
	// write. The store keeps it and never stores two entries with the same
	// non-empty ID in one session, which is what makes a retried write
	// safe; an empty ID is not checked.
	ID string `json:"id"`
	// Seq is the per-session sequence number, 1, 2, 3, ... with no gaps. It
	// is assigned by the store when the entry is appended.
	Seq uint64 `json:"seq"`
	// Version is the session state version the entry was written against;
	// the store sets it. Visibility windows are expressed in versions.
	Version uint64 `json:"version,omitzero"`
	// At is when the entry was created.
	At time.Time `json:"at,omitzero"`
	// Type says what the entry records.
	Type EntryType `json:"type"`
	// FromRole is From's role at the time (statistics count messages by
	// it); 0 for system events.
	FromRole Role `json:"from_role,omitzero"`
	// Audience is who may see the entry. It is fixed at creation.
	Audience Audience `json:"audience,omitzero"`
	// From is the participant who wrote or caused the entry; empty for
	// system events.
	From ParticipantID `json:"from,omitzero"`
	// FromName is From's display name at the time.
	FromName string `json:"from_name,omitzero"`
	// Subject is the participant the event is about (joined, left, ...).
	Subject ParticipantID `json:"subject,omitzero"`
	// SubjectName is Subject's display name at the time.
	SubjectName string `json:"subject_name,omitzero"`
	// Text is the message text (UTF-8; emoticons are Unicode emoji), the
	// offer's prompt, or the corrected text of a correction.
	Text string `json:"text,omitzero"`
	// Files are the message's attachments; they share its audience.
	Files []File `json:"files,omitzero"`
	// Options are the offered options, or the one chosen.
	Options []Option `json:"options,omitzero"`
	// Reason is the wrap-up reason of EntryEnded, the new mode of
	// EntryModeChanged, the target queue of EntryTransfer, or the timer of
	// EntryTimer.
	Reason string `json:"reason,omitzero"`
	// Tags are the wrap-up tags of EntryEnded.
	Tags []string `json:"tags,omitzero"`
	// Ref is the sequence number of the entry this one refers to (the
	// corrected message, the answered offer); 0 for none.
	Ref uint64 `json:"ref,omitzero"`
	// RefVersion is the Version of the entry Ref points at.
	RefVersion uint64 `json:"ref_version,omitzero"`
	// Notice is what an [EntryNotice] tells the customer; zero on other
	// entries.
	Notice Notice `json:"notice,omitzero"`

	// OnHold marks a customer's message written while the session was on
	// hold ([Session.OnHold]), for the owner's desktop (SPEC O7).
	OnHold bool `json:"on_hold,omitzero"`
}

// Clone returns a deep copy of e.
func (e Entry) Clone() Entry {
	e.Audience = e.Audience.clone()
	e.Files = append([]File(nil), e.Files...)
	e.Options = append([]Option(nil), e.Options...)
	e.Tags = slices.Clone(e.Tags)
	return e
}

// View is one log entry as a particular viewer may see it: the only form in
// which entries reach participants. Views for a customer or a bot carry no
// participant IDs, only display names (SPEC S18), and are never private.
type View struct {
	// Seq is the entry's sequence number.
	Seq uint64 `json:"seq"`
	// At is when the entry was created.
	At time.Time `json:"at,omitzero"`
	// Type says what the entry records.
	Type EntryType `json:"type"`
	// Private reports that the entry is for agents only (whisper, internal
	// event). Always false in a customer's view.
	Private bool `json:"private,omitzero"`
	// From is the writer's participant ID; empty in customer views.
	From ParticipantID `json:"from,omitzero"`
	// FromName is the writer's display name.
	FromName string `json:"from_name,omitzero"`
	// Subject is the participant the event is about; empty in customer
	// views.
	Subject ParticipantID `json:"subject,omitzero"`
	// SubjectName is the subject's display name.
	SubjectName string `json:"subject_name,omitzero"`
	// Text is the message text, prompt or corrected text.
	Text string `json:"text,omitzero"`
	// Files are the attachments.
	Files []File `json:"files,omitzero"`
	// Options are the offered or chosen options.
	Options []Option `json:"options,omitzero"`
	// Reason is the wrap-up reason or supervisor mode; empty in customer
	// views.
	Reason string `json:"reason,omitzero"`
	// Tags are the wrap-up tags; empty in customer views.
	Tags []string `json:"tags,omitzero"`
	// Ref is the sequence number of the entry this one refers to.
	Ref uint64 `json:"ref,omitzero"`
	// Notice is what an [EntryNotice] tells the customer.
	Notice Notice `json:"notice,omitzero"`

	// OnHold marks a customer's message written while the session was on
	// hold (SPEC O7); agents' views only.
	OnHold bool `json:"on_hold,omitzero"`
}

// project builds viewer's view of e. The caller has checked Visible.
func project(viewer *Participant, e *Entry) View {
	v := View{
		Seq:         e.Seq,
		At:          e.At,
		Type:        e.Type,
		Private:     e.Audience.Private(),
		From:        e.From,
		FromName:    e.FromName,
		Subject:     e.Subject,
		SubjectName: e.SubjectName,
		Text:        e.Text,
		Files:       append([]File(nil), e.Files...),
		Options:     append([]Option(nil), e.Options...),
		Reason:      e.Reason,
		Tags:        slices.Clone(e.Tags),
		Ref:         e.Ref,
		Notice:      e.Notice,
		OnHold:      e.OnHold && viewer.Role.IsAgent(),
	}
	if !viewer.Role.IsAgent() {
		// Names only; wrap-up reasons and supervisor modes are internal.
		v.From, v.Subject, v.Private, v.Reason, v.Tags = "", "", false, "", nil
	}
	return v
}
