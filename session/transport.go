package session

import (
	"context"

	"github.com/switchboard-cc/switchboard"
)

// Delivery is one entry delivered live to one participant, already
// filtered and projected for it.
type Delivery struct {
	// Chat is the session.
	Chat switchboard.ChatID `json:"chat,omitzero"`
	// Item is the recipient's view of the entry.
	Item View `json:"item,omitzero"`
	// Invitation reports that the entry brings the recipient into a session
	// someone else started: show it as a new, highlighted tab (SPEC S8).
	Invitation bool `json:"invitation,omitzero"`
}

// Transport delivers entries to participants, typically over the host's
// websocket layer.
//
// The Manager calls Deliver after the entry is stored, never while holding
// a lock, possibly from several goroutines at once, and possibly out of
// sequence order when messages are sent concurrently: recipients order by
// Item.Seq and fill gaps with [Manager.CatchUp]. A participant is
// delivered live only entries written while it was in the session (and
// visible to it, see [Visible]); what was written before it joined it
// reads with [Manager.History] or [Manager.CatchUp]. A message a client
// sends again with the same Message.ID is delivered again with the same
// Seq, to those who were in the session when it was written: recipients
// drop a Seq they already have. A failed delivery does not fail the
// operation that caused it.
//
// An [EntryCorrection] (Item.Type) replaces the text of an earlier message:
// the host must replace the displayed text of the message whose Seq is
// Item.Ref with Item.Text, wherever it shows or caches it, and must not
// show the correction as a message of its own. Corrections mask a card
// number split over messages, and reveal digits that were held back masked
// in case they began one (see [FragmentStore]); a host that shows only
// message entries keeps showing the masked text, which is safe but wrong.
// [Manager.CatchUp] returns messages with their current text and the
// corrections, so a client that catches up can apply them the same way.
type Transport interface {
	// Deliver sends d to participant to. It must be safe for concurrent use
	// and should return promptly; it returns ctx.Err() if ctx is done.
	Deliver(ctx context.Context, to ParticipantID, d Delivery) error
}

// Discard is a Transport that delivers nothing. Participants then rely on
// [Manager.CatchUp].
type Discard struct{}

// Deliver does nothing and returns nil.
func (Discard) Deliver(context.Context, ParticipantID, Delivery) error { return nil }
