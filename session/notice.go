package session

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// NoticeKind says what an [EntryNotice] tells a waiting customer.
type NoticeKind uint8

// Notice kinds.
const (
	// NoticeQueued: the chat entered the queue at Position.
	NoticeQueued NoticeKind = iota + 1
	// NoticePosition: the chat moved to Position while it waits.
	NoticePosition
	// NoticeRequeued: the chat is back in the queue, at Position, for the
	// reason Reason names.
	NoticeRequeued
	// NoticeTransferred: the chat is being transferred to another agent
	// (Position 0), or to another queue (Position is its place there).
	NoticeTransferred
)

var noticeNames = [...]string{"", "queued", "position", "requeued", "transferred"}

// String returns the kind's name, such as "position".
func (k NoticeKind) String() string {
	if int(k) < len(noticeNames) && k != 0 {
		return noticeNames[k]
	}
	return "invalid"
}

// Reasons a chat is back in the queue, as [Notice.Reason] names them.
const (
	// RequeuedAgentLeft: the customer's agent disconnected or logged out.
	RequeuedAgentLeft = "agent_left"
	// RequeuedNoAnswer: the agent the chat was offered to did not answer in
	// time.
	RequeuedNoAnswer = "no_answer"
	// RequeuedTransferFailed: a transfer of the chat could not be
	// completed.
	RequeuedTransferFailed = "transfer_failed"
	// RequeuedReassigned: the customer's agent did not answer in time and
	// another agent will take the chat (SPEC D2).
	RequeuedReassigned = "reassigned"
)

// Notice is what an [EntryNotice] tells a customer about its wait, in a
// form a client can show in its own words.
type Notice struct {
	// Kind says what the notice is about.
	Kind NoticeKind `json:"kind"`
	// Position is the chat's place in its queue, 1 being next; 0 when the
	// notice has none.
	Position int `json:"position,omitzero"`
	// Wait is the estimated wait, when Estimated.
	Wait time.Duration `json:"-"`
	// Estimated reports that Wait holds an estimate.
	Estimated bool `json:"estimated,omitzero"`
	// Reason says why a [NoticeRequeued] chat is back in the queue: one of
	// the Requeued* codes.
	Reason string `json:"reason,omitzero"`

	// Approximate reports that Position is an estimate: the routing
	// store answered with one (routing.QueueStatus.Exact false), so a
	// client says "about" before it.
	Approximate bool `json:"approximate,omitzero"`
}

// noticeWire is the wire form of a [Notice]: the wait in milliseconds, with
// the unit in the name, as every duration of the wire.
type noticeWire struct {
	Kind        NoticeKind `json:"kind"`
	Position    int        `json:"position,omitzero"`
	WaitMS      int64      `json:"wait_ms,omitzero"`
	Estimated   bool       `json:"estimated,omitzero"`
	Reason      string     `json:"reason,omitzero"`
	Approximate bool       `json:"approximate,omitzero"`
}

// MarshalJSON gives the notice's wire form, with the wait as wait_ms.
func (n Notice) MarshalJSON() ([]byte, error) {
	return json.Marshal(noticeWire{n.Kind, n.Position, n.Wait.Milliseconds(), n.Estimated, n.Reason, n.Approximate})
}

// UnmarshalJSON reads the wire form of [Notice.MarshalJSON].
func (n *Notice) UnmarshalJSON(b []byte) error {
	var w noticeWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*n = Notice{Kind: w.Kind, Position: w.Position, Wait: time.Duration(w.WaitMS) * time.Millisecond,
		Estimated: w.Estimated, Reason: w.Reason, Approximate: w.Approximate}
	return nil
}

// Notify writes a notice to the customer of a customer session (SPEC H5,
// H6): an [EntryNotice] whose audience is the customer alone, so no agent
// or supervisor ever sees it. id identifies the notice: a notice whose id
// the session's log holds already is not written again (it is delivered
// again, with its first sequence number), so a caller repeating a notice
// after a crash stores it once. A session whose customer is not present,
// or that is closed, gets nothing and Notify returns nil.
//
// An empty id, an unknown Kind, empty text or an agent-to-agent session is
// [ErrInvalid], and nothing changes.
func (m *Manager) Notify(ctx context.Context, chat switchboard.ChatID, id string, n Notice, text string) error {
	if id == "" || text == "" || n.Kind == 0 || int(n.Kind) >= len(noticeNames) {
		return fmt.Errorf("%w: a notice needs an ID, a kind and a text", ErrInvalid)
	}
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if s.Kind != KindCustomer {
			return nil, false, fmt.Errorf("%w: %s is not a customer session", ErrInvalid, chat)
		}
		if s.Status == StatusClosed {
			return nil, false, nil
		}
		if c := s.Customer(); c == nil || !c.Present() {
			return nil, false, nil
		}
		return []Entry{{ID: "notice:" + id, Type: EntryNotice, Audience: Audience{Kind: AudienceCustomer}, Text: text, Notice: n}}, false, nil
	})
	return err
}

// LastNotice returns the latest notice that carries a position written to
// the chat's customer, and false when there is none. It reads the session's
// log, so a process that did not write the notice (one restarted after a
// crash) learns what the customer was last told. A session that does not
// exist is [ErrNotFound].
func (m *Manager) LastNotice(ctx context.Context, chat switchboard.ChatID) (Notice, bool, error) {
	var last Notice
	found := false
	var after uint64
	for {
		es, err := m.store.ReadEntries(ctx, chat, after, 256)
		if err != nil {
			return Notice{}, false, fmt.Errorf("session: last notice of %s: %w", chat, err)
		}
		for i := range es {
			if es[i].Type == EntryNotice && es[i].Notice.Position > 0 {
				last, found = es[i].Notice, true
			}
			after = es[i].Seq
		}
		if len(es) < 256 {
			return last, found, nil
		}
	}
}
