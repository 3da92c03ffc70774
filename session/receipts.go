package session

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// ReadMark is how far a participant has read a session's log, kept on its
// [Participant] in the session record (SPEC I1). Besides the position
// itself it keeps the last entry for everyone at or before it: that is
// what customers and bots are told, so that a receipt never shows them
// where a whisper or another entry they cannot see lies (SPEC I2).
type ReadMark struct {
	// Seq is the last entry the participant has read: every entry it may
	// see up to Seq counts as read. 0 means nothing read yet.
	Seq uint64 `json:"seq,omitzero"`
	// At is when Seq last moved.
	At time.Time `json:"at,omitzero"`
	// Public is the last entry for everyone (audience [AudienceEveryone])
	// at or before Seq; 0 if there is none.
	Public uint64 `json:"public,omitzero"`
	// PublicVersion is the session version Public was written against, so
	// that the visibility rule can tell who may see it.
	PublicVersion uint64 `json:"public_version,omitzero"`
	// PublicAt is when Public last moved. A receipt shown to a customer
	// carries it rather than At, which may be the time an agent read a
	// whisper.
	PublicAt time.Time `json:"public_at,omitzero"`
}

// Receipt is how far one participant has read a session's log, as one
// viewer may see it (SPEC I2, I4).
type Receipt struct {
	// Participant is the reader; empty in a customer's or a bot's
	// receipts, which name readers by display name only.
	Participant ParticipantID `json:"participant,omitzero"`
	// Name is the reader's display name.
	Name string `json:"name,omitzero"`
	// Seq is the last entry the reader has read that the viewer may be told
	// of: for an agent viewer the reader's position, for a customer or a
	// bot the last entry for everyone at or before it.
	Seq uint64 `json:"seq"`
	// At is when the reader reached Seq; zero when it cannot be told.
	At time.Time `json:"at,omitzero"`
}

// CustomerReceipt is the wire form of a [Receipt] for a customer or a bot:
// it has no field that could carry a participant ID.
type CustomerReceipt struct {
	// Name is the reader's display name.
	Name string `json:"name,omitzero"`
	// Seq is the last entry of the customer's transcript the reader has
	// read.
	Seq uint64 `json:"seq"`
	// At is when the reader reached Seq; zero when it cannot be told.
	At time.Time `json:"at,omitzero"`
}

// CustomerReceiptsOf returns the customer's wire form of rs, receipts
// [Manager.Receipts] gave a customer or a bot. A receipt given to an agent
// (one that names a participant) is refused with an error matching
// [ErrForbidden], as [CustomerDeliveryOf] refuses an agent's delivery.
func CustomerReceiptsOf(rs []Receipt) ([]CustomerReceipt, error) {
	var out []CustomerReceipt
	for _, r := range rs {
		if r.Participant != "" {
			return nil, fmt.Errorf("%w: the receipt of %s was made for an agent", ErrForbidden, r.Participant)
		}
		out = append(out, CustomerReceipt{Name: r.Name, Seq: r.Seq, At: r.At})
	}
	return out, nil
}

// MarkRead records that participant has read the log of chat up to the
// entry upTo, in the session record with the same compare-and-set as any
// change, and writes no log entry (SPEC I1). Positions only move forward:
// an upTo at or before the participant's position is ignored and returns
// nil. upTo must be an entry of the log the participant may see
// ([Visible]); 0, a position past the log, or an entry hidden from the
// participant is refused with an error matching [ErrInvalid], worded the
// same in each case so that it tells no more than the participant may
// see. A participant who is not in the session gets [ErrNotParticipant],
// one who left [ErrLeft], and an unknown session [ErrNotFound]. On error
// nothing changes.
//
// When the position moves, every other present participant who may be
// told of it gets an [EntryRead] delivery through the Transport, filtered
// as [Manager.Receipts] filters (SPEC I3): agents get the new position;
// the customer and bots get the last entry for everyone at or before it,
// and nothing when that did not move, as when an agent reads whispers.
// A customer or a bot is never told of a silent supervisor's reading.
// Deliveries are not rate-limited as typing is: each carries the whole
// position, so dropping one would leave a stale receipt until the next
// catch-up; a client that marks what it shows on every render costs one
// read of the session for each position that did not move.
func (m *Manager) MarkRead(ctx context.Context, chat switchboard.ChatID, participant ParticipantID, upTo uint64) error {
	s, lent, err := m.peek(ctx, chat)
	if err != nil {
		return fmt.Errorf("session %s: %w", chat, err)
	}
	p, err := actor(&s, participant)
	if err != nil {
		return err
	}
	if upTo != 0 && upTo <= p.Read.Seq {
		return nil // already read: positions never move back
	}
	refused := func() error {
		return fmt.Errorf("session %s: %w: no entry %d that %s may see", chat, ErrInvalid, upTo, participant)
	}
	if upTo == 0 {
		return refused()
	}
	got, err := m.store.ReadEntries(ctx, chat, upTo-1, 1)
	if err != nil {
		return fmt.Errorf("session: read %s: %w", chat, err)
	}
	if len(got) == 0 || got[0].Seq != upTo || !Visible(s.History, p, &got[0]) {
		return refused()
	}
	// The last entry for everyone in (p.Read.Seq, upTo]: the entries
	// between p.Read.Public and p.Read.Seq are known not to be.
	pub, pubVersion := uint64(0), uint64(0)
	if got[0].Audience.Kind == AudienceEveryone {
		pub, pubVersion = upTo, got[0].Version
	} else if from := p.Read.Seq; upTo-1 > from {
		between, err := m.store.ReadEntries(ctx, chat, from, int(upTo-1-from))
		if err != nil {
			return fmt.Errorf("session: read %s: %w", chat, err)
		}
		for i := len(between) - 1; i >= 0; i-- {
			if between[i].Audience.Kind == AudienceEveryone {
				pub, pubVersion = between[i].Seq, between[i].Version
				break
			}
		}
	}
	now := m.now()
	var old ReadMark
	moved := false
	// A copy to hand over, so that a position already read costs no
	// allocation.
	first := s
	next, _, _, err := m.changeFrom(ctx, chat, &first, lent, nil, func(s *Session) ([]Entry, bool, error) {
		moved = false
		p, err := actor(s, participant)
		if err != nil {
			return nil, false, err
		}
		if upTo <= p.Read.Seq {
			return nil, false, nil
		}
		old = p.Read
		p.Read.Seq, p.Read.At = upTo, now
		if pub > p.Read.Public {
			p.Read.Public, p.Read.PublicVersion, p.Read.PublicAt = pub, pubVersion, now
		}
		moved = true
		return nil, true, nil
	})
	if err != nil {
		return err
	}
	if moved {
		m.deliverReceipt(ctx, &next, participant, old)
	}
	return nil
}

// deliverReceipt tells the present participants of s other than reader
// how far reader has now read, each as it may see it; old is reader's
// mark before it moved. A customer or a bot is told only when what it may
// see of the position moved.
func (m *Manager) deliverReceipt(ctx context.Context, s *Session, reader ParticipantID, old ReadMark) {
	r := s.Participant(reader)
	if r == nil {
		return
	}
	for i := range s.Participants {
		to := &s.Participants[i]
		if to.ID == reader || !to.Present() {
			continue
		}
		e, ok := receiptEntry(s, to, r)
		if !ok || !to.Role.IsAgent() && e.Ref <= old.Public {
			continue
		}
		if err := m.cfg.Transport.Deliver(ctx, to.ID, Delivery{Chat: s.ID, Item: project(to, &e)}); err != nil {
			m.cfg.OnDeliveryError(ctx, s.ID, to.ID, err)
		}
	}
}

// receiptEntry builds the [EntryRead] entry that tells viewer how far
// reader has read, as viewer may see it, and reports whether viewer may be
// told anything (SPEC I2):
//   - an agent sees every participant's position, its own included;
//   - a customer or a bot is told only of readers it knows are there
//     (not a silent supervisor), and only the last entry for everyone at
//     or before the position, when [Visible] lets it see that entry.
//
// A participant always sees its own position.
func receiptEntry(s *Session, viewer, reader *Participant) (Entry, bool) {
	e := event(EntryRead, joinAudience(reader), reader, nil)
	if viewer.Role.IsAgent() || viewer.ID == reader.ID {
		e.Ref, e.At = reader.Read.Seq, reader.Read.At
		return e, e.Ref != 0
	}
	if e.Audience.Kind != AudienceEveryone || reader.Read.Public == 0 {
		return Entry{}, false
	}
	// The receipt stands where the public entry does: the viewer may see
	// it exactly when it may see that entry.
	e.Ref, e.RefVersion, e.Version, e.At = reader.Read.Public, reader.Read.PublicVersion, reader.Read.PublicVersion, reader.Read.PublicAt
	return e, Visible(s.History, viewer, &e)
}

// receipts returns the positions viewer may see of every participant of s
// who has read something, in the order of s.Participants. earlier finds,
// for a customer or a bot who may not see the public entry a reader
// reached (it left before that entry was written), the last entry for
// everyone before it that the viewer may see.
func receipts(s *Session, viewer *Participant, earlier func(r *Participant) (uint64, error)) ([]Receipt, error) {
	var out []Receipt
	for i := range s.Participants {
		r := &s.Participants[i]
		if r.Read.Seq == 0 {
			continue
		}
		e, ok := receiptEntry(s, viewer, r)
		if !ok && e.Ref != 0 && !viewer.Role.IsAgent() {
			seq, err := earlier(r)
			if err != nil {
				return nil, err
			}
			// When the reader reached it is not known: the time of the
			// later entry is not the viewer's to learn.
			e.Ref, e.At, ok = seq, time.Time{}, seq != 0
		}
		if !ok {
			continue
		}
		v := project(viewer, &e)
		out = append(out, Receipt{Participant: v.From, Name: v.FromName, Seq: v.Ref, At: v.At})
	}
	return out, nil
}

// lastVisible returns the sequence number of the last entry of log for
// everyone, before before, that viewer may see; 0 if there is none.
func lastVisible(rule switchboard.HistoryRule, viewer *Participant, log []Entry, before uint64) uint64 {
	for i := len(log) - 1; i >= 0; i-- {
		e := &log[i]
		if e.Seq < before && e.Audience.Kind == AudienceEveryone && Visible(rule, viewer, e) {
			return e.Seq
		}
	}
	return 0
}

// receiptScan is how many entries a search back for an earlier public
// entry reads at a time.
const receiptScan = 64

// Receipts returns how far each participant of chat who has read
// something has read, as viewer may see it (SPEC I4): the catch-up of
// receipts for a reconnecting participant, beside [Manager.CatchUp]. An
// agent gets every participant's position with its participant ID; a
// customer or a bot gets, by display name only, the last entry for
// everyone at or before each position of the readers it knows of, and its
// own position (see [Manager.MarkRead]). Give a customer's receipts to
// [CustomerReceiptsOf] for its wire form. A participant who left still
// gets what it may see. It returns ErrNotParticipant if viewer was never
// in the session, and ErrNotFound for an unknown session.
func (m *Manager) Receipts(ctx context.Context, chat switchboard.ChatID, viewer ParticipantID) ([]Receipt, error) {
	s, _, err := m.peek(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", chat, err)
	}
	p := s.Participant(viewer)
	if p == nil {
		return nil, fmt.Errorf("%w: %s in %s", ErrNotParticipant, viewer, chat)
	}
	return receipts(&s, p, func(r *Participant) (uint64, error) {
		// Rare: the viewer left before the reader's public entry was
		// written. Search back from it, a page at a time.
		for hi := r.Read.Public; hi > 1; {
			lo := uint64(0)
			if hi-1 > receiptScan {
				lo = hi - 1 - receiptScan
			}
			page, err := m.store.ReadEntries(ctx, chat, lo, int(hi-1-lo))
			if err != nil {
				return 0, fmt.Errorf("session: read %s: %w", chat, err)
			}
			if seq := lastVisible(s.History, p, page, hi); seq != 0 {
				return seq, nil
			}
			hi = lo + 1
		}
		return 0, nil
	})
}

// Unread returns how many entries of chat that participant may see lie
// after its read position and were written by someone else (SPEC I5): the
// count an agent's desktop shows on the session's tab. It reads only the
// entries after the position. It returns ErrNotParticipant if participant
// was never in the session, and ErrNotFound for an unknown session.
func (m *Manager) Unread(ctx context.Context, chat switchboard.ChatID, participant ParticipantID) (int, error) {
	s, _, err := m.peek(ctx, chat)
	if err != nil {
		return 0, fmt.Errorf("session %s: %w", chat, err)
	}
	p := s.Participant(participant)
	if p == nil {
		return 0, fmt.Errorf("%w: %s in %s", ErrNotParticipant, participant, chat)
	}
	count := func(log []Entry) int {
		n := 0
		for i := range log {
			if log[i].From != participant && Visible(s.History, p, &log[i]) {
				n++
			}
		}
		return n
	}
	if l, ok := m.store.(EntryLender); ok {
		log, err := l.LendEntries(ctx, chat, p.Read.Seq, 0)
		if err != nil {
			return 0, fmt.Errorf("session: read %s: %w", chat, err)
		}
		return count(log), nil
	}
	n := 0
	for after := p.Read.Seq; ; {
		page, err := m.store.ReadEntries(ctx, chat, after, catchUpPage)
		if err != nil {
			return 0, fmt.Errorf("session: read %s: %w", chat, err)
		}
		n += count(page)
		if len(page) < catchUpPage {
			return n, nil
		}
		after = page[len(page)-1].Seq
	}
}

// customerReceipts returns the customer's receipts of s with its whole log
// at hand, for [ForCustomer].
func customerReceipts(s *Session, log []Entry) []CustomerReceipt {
	c := s.Customer()
	if c == nil {
		return nil
	}
	// The search back reads the log in memory and cannot fail.
	rs, _ := receipts(s, c, func(r *Participant) (uint64, error) {
		return lastVisible(s.History, c, log, r.Read.Public), nil
	})
	var out []CustomerReceipt
	for _, r := range rs {
		out = append(out, CustomerReceipt{Name: r.Name, Seq: r.Seq, At: r.At})
	}
	return out
}
