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
)

var entryNames = [...]string{"invalid", "message", "created", "invited", "joined", "left",
	"customer-left", "owner-changed", "mode-changed", "ended", "closed", "reopened",
	"options-offered", "option-chosen", "video-started", "video-ended", "correction", "transfer", "typing"}

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
	Name string
	// MIMEType is the content type, such as "application/pdf".
	MIMEType string
	// Size is the length in bytes.
	Size int64
	// Ref is an opaque reference into the host's storage.
	Ref string
}

// IsPicture reports whether the file is an image.
func (f File) IsPicture() bool { return strings.HasPrefix(f.MIMEType, "image/") }

// Option is one choice of a structured offer (SPEC S13).
type Option struct {
	// ID identifies the option within its offer.
	ID string
	// Label is the text shown to the customer.
	Label string
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
	ID string
	// Seq is the per-session sequence number, 1, 2, 3, ... with no gaps. It
	// is assigned by the store when the entry is appended.
	Seq uint64
	// Version is the session state version the entry was written against;
	// the store sets it. Visibility windows are expressed in versions.
	Version uint64
	// At is when the entry was created.
	At time.Time
	// Type says what the entry records.
	Type EntryType
	// FromRole is From's role at the time (statistics count messages by
	// it); 0 for system events.
	FromRole Role
	// Audience is who may see the entry. It is fixed at creation.
	Audience Audience
	// From is the participant who wrote or caused the entry; empty for
	// system events.
	From ParticipantID
	// FromName is From's display name at the time.
	FromName string
	// Subject is the participant the event is about (joined, left, ...).
	Subject ParticipantID
	// SubjectName is Subject's display name at the time.
	SubjectName string
	// Text is the message text (UTF-8; emoticons are Unicode emoji), the
	// offer's prompt, or the corrected text of a correction.
	Text string
	// Files are the message's attachments; they share its audience.
	Files []File
	// Options are the offered options, or the one chosen.
	Options []Option
	// Reason is the wrap-up reason of EntryEnded, the new mode of
	// EntryModeChanged, or the target queue of EntryTransfer.
	Reason string
	// Tags are the wrap-up tags of EntryEnded.
	Tags []string
	// Ref is the sequence number of the entry this one refers to (the
	// corrected message, the answered offer); 0 for none.
	Ref uint64
	// RefVersion is the Version of the entry Ref points at.
	RefVersion uint64
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
	Seq uint64
	// At is when the entry was created.
	At time.Time
	// Type says what the entry records.
	Type EntryType
	// Private reports that the entry is for agents only (whisper, internal
	// event). Always false in a customer's view.
	Private bool
	// From is the writer's participant ID; empty in customer views.
	From ParticipantID
	// FromName is the writer's display name.
	FromName string
	// Subject is the participant the event is about; empty in customer
	// views.
	Subject ParticipantID
	// SubjectName is the subject's display name.
	SubjectName string
	// Text is the message text, prompt or corrected text.
	Text string
	// Files are the attachments.
	Files []File
	// Options are the offered or chosen options.
	Options []Option
	// Reason is the wrap-up reason or supervisor mode; empty in customer
	// views.
	Reason string
	// Tags are the wrap-up tags; empty in customer views.
	Tags []string
	// Ref is the sequence number of the entry this one refers to.
	Ref uint64
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
	}
	if !viewer.Role.IsAgent() {
		// Names only; wrap-up reasons and supervisor modes are internal.
		v.From, v.Subject, v.Private, v.Reason, v.Tags = "", "", false, "", nil
	}
	return v
}
