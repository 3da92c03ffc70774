package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/switchboard-cc/switchboard"
)

// Mode says who a message is for.
type Mode uint8

// Message modes.
const (
	// ModeNormal: every participant sees the message. The zero Mode is
	// normal.
	ModeNormal Mode = iota
	// ModeWhisper: agents and supervisors only; the customer never sees it
	// in any output (SPEC S2). In an agent-to-agent session every agent sees
	// it: there is no one-to-one private message (SPEC S3).
	ModeWhisper
	// ModeCoach: a supervisor coaching one agent (Message.To) privately
	// (SPEC S20).
	ModeCoach
)

// MaxMessageIDBytes is the longest Message.ID accepted.
const MaxMessageIDBytes = 128

// Message is a message to send (SPEC S17).
type Message struct {
	// ID is the client message ID: chosen by the sender's client, unique
	// within the session, and the same when the client sends the message
	// again because it never heard back. A message with an ID already
	// stored in the session is stored once: Send returns it as stored. It
	// is optional; when empty the Manager chooses one, and a repeated send
	// is then a new message. At most MaxMessageIDBytes bytes of UTF-8.
	ID string `json:"id"`
	// From is the sender.
	From ParticipantID `json:"from,omitzero"`
	// Mode is normal, whisper or coach.
	Mode Mode `json:"mode,omitzero"`
	// To is the coached agent for ModeCoach; empty otherwise.
	To ParticipantID `json:"to,omitzero"`
	// Text is the message text; emoticons are Unicode emoji.
	Text string `json:"text,omitzero"`
	// Files are attachments; pictures are files with an image/* MIME type.
	// In whisper mode they are as private as the text (SPEC S5, A4).
	Files []File `json:"files,omitzero"`
}

// Sent reports where a message went.
type Sent struct {
	// Chat is the session holding the message: the session sent to, or a
	// new linked session under switchboard.PolicyNewLinked.
	Chat switchboard.ChatID `json:"chat,omitzero"`
	// Seq is the message's sequence number in Chat.
	Seq uint64 `json:"seq"`
	// Text is the text as stored, after the inbound filter.
	Text string `json:"text,omitzero"`
	// AfterClose is the policy applied because the session was closed: 0
	// when it was not; switchboard.PolicyReopen when the session reopened without an
	// owner (the wiring routes it to its queue, SPEC R9); switchboard.PolicyNewLinked
	// when Chat is a new session (the wiring routes it).
	AfterClose switchboard.AfterClosePolicy `json:"after_close,omitzero"`
}

func (m *Manager) checkContent(msg *Message) error {
	if msg.Text == "" && len(msg.Files) == 0 {
		return ErrEmptyMessage
	}
	if len(msg.Text) > m.cfg.MaxTextBytes {
		return &TooLargeError{What: "text bytes", Size: len(msg.Text), Limit: m.cfg.MaxTextBytes}
	}
	if !utf8.ValidString(msg.Text) {
		return fmt.Errorf("%w: text is not UTF-8", ErrInvalid)
	}
	if len(msg.Files) > m.cfg.MaxFiles {
		return &TooLargeError{What: "files", Size: len(msg.Files), Limit: m.cfg.MaxFiles}
	}
	for _, f := range msg.Files {
		if f.Name == "" || f.MIMEType == "" || f.Ref == "" || f.Size < 0 {
			return fmt.Errorf("%w: file needs a name, MIME type, storage reference and a size >= 0", ErrInvalid)
		}
	}
	if msg.Mode > ModeCoach || (msg.Mode == ModeCoach) != (msg.To != "") {
		return fmt.Errorf("%w: mode %d with recipient %q", ErrInvalid, msg.Mode, msg.To)
	}
	if len(msg.ID) > MaxMessageIDBytes || !utf8.ValidString(msg.ID) {
		return fmt.Errorf("%w: message ID longer than %d bytes or not UTF-8", ErrInvalid, MaxMessageIDBytes)
	}
	return nil
}

// sentBefore looks msg.ID up in chat: a client sending a message again
// gets the stored one back, delivered again with its Seq (recipients drop
// a Seq they already have) to those who were in the session when it was
// written, instead of a second copy. It returns ok false
// when the ID is new, and ErrDuplicate when another sender or another
// kind of entry holds it.
func (m *Manager) sentBefore(ctx context.Context, chat switchboard.ChatID, msg *Message) (Sent, bool, error) {
	e, err := m.store.EntryByID(ctx, chat, msg.ID)
	if errors.Is(err, ErrNotFound) {
		return Sent{}, false, nil
	}
	if err != nil {
		return Sent{}, false, fmt.Errorf("session: look up message %s in %s: %w", msg.ID, chat, err)
	}
	if e.Type != EntryMessage || e.From != msg.From {
		return Sent{}, false, fmt.Errorf("%w: message ID %q is taken in %s", ErrDuplicate, msg.ID, chat)
	}
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return Sent{}, false, fmt.Errorf("session %s: %w", chat, err)
	}
	m.redeliver(ctx, &s, []Entry{e})
	return Sent{Chat: chat, Seq: e.Seq, Text: e.Text}, true, nil
}

// audienceFor checks that p may send in msg.Mode and returns the audience.
func audienceFor(s *Session, p *Participant, msg *Message) (Audience, error) {
	forbid := func() (Audience, error) {
		return Audience{}, fmt.Errorf("%w: %s (%s) cannot send mode %d", ErrForbidden, p.Role, p.Mode, msg.Mode)
	}
	silent := p.Role == RoleSupervisor && p.Mode == SupervisorMonitor
	switch msg.Mode {
	case ModeNormal:
		if silent || p.Role == RoleSupervisor && p.Mode == SupervisorCoach {
			return forbid()
		}
		return Everyone(), nil
	case ModeWhisper:
		if !p.Role.IsAgent() || silent {
			return forbid()
		}
		return Agents(), nil
	default: // ModeCoach
		if p.Role != RoleSupervisor || p.Mode != SupervisorCoach {
			return forbid()
		}
		to := s.Participant(msg.To)
		if to == nil || !to.Present() || !to.Role.IsAgent() || to.ID == p.ID {
			return Audience{}, fmt.Errorf("%w: coached participant %s is not a present agent", ErrInvalid, msg.To)
		}
		return Audience{Kind: AudienceNamed, Members: []ParticipantID{p.ID, to.ID}}, nil
	}
}

// Send stores a message and delivers it to everyone allowed to see it.
//
// The message passes through Config.Filter before anything is stored; a
// filter error rejects it (ErrFiltered) and stores nothing, and the
// filter's corrections rewrite the sender's earlier messages and are
// announced to those who could see them.
//
// Sending to a closed session is open to the customer only, and then
// Config.AfterClose (or the queue's) decides: reopen the session, start a
// new linked session, or refuse with ErrReadOnly; Sent reports which.
//
// A message whose ID (Message.ID) is already stored in the session, or in
// the linked session that continues it, is not stored again: Send returns
// it as first stored (whatever the session's state now) and delivers it
// again with the same Seq to those who were in the session when it was
// written; one who joined since reads it in its history and catch-up, as
// everything written before it joined. That makes a client's retry safe;
// so is the Manager's own handling of a store write whose outcome was
// unknown (ErrOutcomeUnknown), which it resolves by looking the message
// up.
//
// Bad input returns an error and changes nothing: ErrEmptyMessage,
// *TooLargeError, ErrInvalid, ErrNotParticipant, ErrLeft, ErrForbidden,
// ErrCustomerLeft (agents after the customer left, SPEC S9), ErrDuplicate
// (the ID holds another sender's message) and *StatusError. A session that
// does not exist, including one forgotten after it closed
// ([Manager.ForgetClosed]), returns ErrNotFound.
func (m *Manager) Send(ctx context.Context, chat switchboard.ChatID, msg Message) (Sent, error) {
	if err := m.checkContent(&msg); err != nil {
		return Sent{}, fmt.Errorf("session %s: %w", chat, err)
	}
	if msg.ID != "" {
		if sent, ok, err := m.sentBefore(ctx, chat, &msg); ok || err != nil {
			return sent, err
		}
	} else {
		msg.ID = m.newID()
	}
	// Lent, when the store lends it: read here, and handed to the write;
	// only read until then.
	s, lent, err := m.peekPtr(ctx, chat)
	if err != nil {
		return Sent{}, fmt.Errorf("session %s: %w", chat, err)
	}
	var policy switchboard.AfterClosePolicy
	if s.Status == StatusClosed {
		c := s.Customer()
		if c == nil || c.ID != msg.From {
			if s.Participant(msg.From) == nil {
				return Sent{}, fmt.Errorf("%w: %s in %s", ErrNotParticipant, msg.From, chat)
			}
			return Sent{}, &StatusError{From: s.Status, Trigger: TriggerMessage}
		}
		if msg.Mode != ModeNormal {
			return Sent{}, fmt.Errorf("%w: customers send normal messages only", ErrForbidden)
		}
		qc, err := m.cfg.queue(ctx, s.Queue)
		if err != nil {
			return Sent{}, err
		}
		policy = qc.AfterClose
		if policy == switchboard.PolicyReadOnly {
			return Sent{}, ErrReadOnly
		}
	} else {
		p, err := actor(s, msg.From)
		if err != nil {
			return Sent{}, err
		}
		if err := open(s, TriggerMessage); err != nil {
			return Sent{}, err
		}
		if _, err := audienceFor(s, p, &msg); err != nil {
			return Sent{}, err
		}
	}
	if policy == switchboard.PolicyNewLinked {
		return m.sendLinked(ctx, s, msg)
	}
	text, fixes, hold, err := m.filter(ctx, s, &msg)
	if err != nil {
		return Sent{}, err
	}
	if err := m.putHeld(ctx, chat, hold); err != nil {
		return Sent{}, err
	}
	msg.Text = text
	var reopened bool
	// A message changes the session only when it reopens it or when the
	// session keeps track of who awaits a reply.
	reads := func(s *Session) bool {
		return s.Kind != KindA2A && (s.Status != StatusClosed || policy != switchboard.PolicyReopen) && !s.Timers.Settings.On()
	}
	_, stored, _, err := m.changeBuf(ctx, chat, s, lent, reads, func(s *Session, buf []Entry) ([]Entry, bool, error) {
		reopened = false
		entries := buf
		update := false
		if s.Status == StatusClosed && policy == switchboard.PolicyReopen {
			c := s.Customer()
			if c == nil || c.ID != msg.From {
				return nil, false, &StatusError{From: s.Status, Trigger: TriggerMessage}
			}
			to, err := Next(s.Status, TriggerReopen)
			if err != nil {
				return nil, false, err
			}
			s.Status, s.WrapUp, s.ClosedAt, s.Menu, s.Video = to, nil, time.Time{}, nil, nil
			s.ReopenedAt = m.now()
			s.Reopens++
			joinAt(c, s.Version+1)
			entries = append(entries, event(EntryReopened, Everyone(), c, c))
			update, reopened = true, true
		}
		p, err := actor(s, msg.From)
		if err != nil {
			return nil, false, err
		}
		if err := open(s, TriggerMessage); err != nil {
			return nil, false, err
		}
		aud, err := audienceFor(s, p, &msg)
		if err != nil {
			return nil, false, err
		}
		entries = append(entries, fixes...)
		e := event(EntryMessage, aud, p, nil)
		e.ID, e.Text, e.Files = msg.ID, msg.Text, append([]File(nil), msg.Files...)
		e.OnHold = s.OnHold && p.Role == RoleCustomer // SPEC O7
		entries = append(entries, e)
		// The timers' facts change with the message, in the same write
		// (SPEC D9).
		update = noteMessage(s, p, msg.Mode, m.now()) || update
		if s.Kind == KindA2A {
			for i := range s.Participants {
				q := &s.Participants[i]
				was := q.AwaitingReply
				q.AwaitingReply = q.Present() && q.ID != p.ID && q.Role.IsAgent()
				update = update || was != q.AwaitingReply
			}
		}
		return entries, update, nil
	})
	if err != nil {
		return Sent{}, err
	}
	last := stored[len(stored)-1]
	if last.ID != msg.ID {
		// A write found already stored returns only what it finds.
		for _, e := range stored {
			if e.ID == msg.ID {
				last = e
			}
		}
	}
	if last.ID != msg.ID || last.Type != EntryMessage || last.From != msg.From {
		// Another sender stored an entry with this ID at the same time.
		return Sent{}, fmt.Errorf("%w: message ID %q is taken in %s", ErrDuplicate, msg.ID, chat)
	}
	out := Sent{Chat: chat, Seq: last.Seq, Text: last.Text}
	if reopened {
		out.AfterClose = switchboard.PolicyReopen
	}
	return out, nil
}

// sendLinked sends the customer's message to the session that continues
// the closed session old, starting it if need be. The new session's ID is
// reserved on old first, so concurrent messages agree on one linked
// session. Whoever finds the reserved session missing creates it (the
// reserving call may still be creating it, or may have failed or crashed
// in between); the loser of that race finds ErrExists and sends to the
// session the winner created. So a reservation never strands later
// messages, in this process or another.
func (m *Manager) sendLinked(ctx context.Context, old *Session, msg Message) (Sent, error) {
	id := m.cfg.NewID()
	// The new session has no history yet: the filter sees no recent
	// messages and can correct none. It runs before anything is written,
	// so a filter error changes nothing.
	n := m.linkedSession(old, id)
	text, _, hold, err := m.filter(ctx, &n, &msg)
	if err != nil {
		return Sent{}, err
	}
	var link switchboard.ChatID
	err = m.write(ctx, old.ID, func(s *Session) ([]Entry, bool, error) {
		if link = s.LinkedTo; link != "" {
			return nil, false, nil
		}
		link, s.LinkedTo = id, id
		return nil, true, nil
	})
	if err != nil {
		return Sent{}, err
	}
	if link != id {
		// Another message reserved the link first; it has usually
		// stored the session by now.
		if _, err := m.store.GetSession(ctx, link); err == nil {
			return m.Send(ctx, link, msg)
		} else if !errors.Is(err, ErrNotFound) {
			return Sent{}, fmt.Errorf("session %s: %w", link, err)
		}
		n.ID = link
	}
	if err := m.putHeld(ctx, n.ID, hold); err != nil {
		return Sent{}, err
	}
	e := event(EntryMessage, Everyone(), &n.Participants[0], nil)
	e.ID, e.Text, e.Files = msg.ID, text, append([]File(nil), msg.Files...)
	_, stored, err := m.create(ctx, n, []Entry{e})
	if errors.Is(err, ErrExists) {
		return m.Send(ctx, link, msg)
	}
	if err != nil {
		return Sent{}, err
	}
	last := stored[len(stored)-1]
	return Sent{Chat: n.ID, Seq: last.Seq, Text: last.Text, AfterClose: switchboard.PolicyNewLinked}, nil
}

// linkedSession returns the session with the given ID that continues the
// closed session old: same tenant, queue, history rule and attributes, with
// old's customer as its only participant.
func (m *Manager) linkedSession(old *Session, id switchboard.ChatID) Session {
	c := old.Customer()
	return Session{
		ID: id, Tenant: old.Tenant, Kind: KindCustomer, Queue: old.Queue,
		InitiatedBy: c.ID, Status: StatusActive, History: old.History,
		Attributes: append([]Attribute(nil), old.Attributes...), LinkedFrom: old.ID,
		CreatedAt:    m.now(),
		Participants: []Participant{{ID: c.ID, Role: RoleCustomer, Name: c.Name, Stints: []Stint{{Invited: 1, Joined: 1}}}},
	}
}

// filterScan bounds how far back the filter's recent messages are sought.
const filterScan = 256

// filter runs the inbound filter and turns its corrections into stored
// amendments and correction entries. The sender's messages held back in
// Config.Fragments are given to the filter unmasked; those it no longer
// holds are released (their fragments deleted) before anything else is
// written, and revealed when it says so. When the filter holds back the
// new message too, filter returns the fragment to put once the message's
// session is known; the caller puts it before storing the message.
func (m *Manager) filter(ctx context.Context, s *Session, msg *Message) (string, []Entry, *Fragment, error) {
	if m.cfg.Filter == nil || msg.Text == "" {
		return msg.Text, nil, nil, nil
	}
	var tail []Entry
	held := map[string]Fragment{}
	if s.Version != 0 { // a session not stored yet has no history
		last, err := m.store.LastSeq(ctx, s.ID)
		if err != nil {
			return "", nil, nil, fmt.Errorf("session: last seq of %s: %w", s.ID, err)
		}
		var after uint64
		if last > filterScan {
			after = last - filterScan
		}
		if tail, err = m.store.ReadEntries(ctx, s.ID, after, 0); err != nil {
			return "", nil, nil, fmt.Errorf("session: read %s: %w", s.ID, err)
		}
		if m.cfg.Fragments != nil {
			frags, err := m.cfg.Fragments.Fragments(ctx, s.ID, msg.From)
			if err != nil {
				return "", nil, nil, fmt.Errorf("session: fragments of %s in %s: %w", msg.From, s.ID, err)
			}
			for _, f := range frags {
				held[f.Message] = f
			}
		}
	}
	var mine []Entry
	for _, e := range tail {
		if e.Type == EntryMessage && e.From == msg.From && e.Text != "" {
			mine = append(mine, e)
		}
	}
	if len(mine) > m.cfg.FilterWindow {
		mine = mine[len(mine)-m.cfg.FilterWindow:]
	}
	in := FilterInput{Chat: s.ID, Tenant: s.Tenant, Sender: msg.From, Text: msg.Text, At: m.now()}
	if p := s.Participant(msg.From); p != nil {
		in.Role = p.Role
	}
	for _, e := range mine {
		st := SentText{Seq: e.Seq, ID: e.ID, Text: e.Text, At: e.At}
		if f, ok := held[e.ID]; ok && e.ID != "" {
			// Replayed as the filter first saw it.
			st.Text, st.At, st.Held = f.Text, f.At, true
		}
		in.Recent = append(in.Recent, st)
	}
	out, err := m.cfg.Filter.Filter(ctx, in)
	if err != nil {
		return "", nil, nil, fmt.Errorf("%w: %w", ErrFiltered, err)
	}
	if out.Text == "" && len(msg.Files) == 0 {
		return "", nil, nil, fmt.Errorf("%w: filter emptied the message", ErrFiltered)
	}
	if len(out.Text) > m.cfg.MaxTextBytes || !utf8.ValidString(out.Text) {
		return "", nil, nil, fmt.Errorf("%w: filtered text too long or not UTF-8", ErrFiltered)
	}
	if out.Held != "" && (len(out.Held) > m.cfg.MaxTextBytes || !utf8.ValidString(out.Held) || !out.HeldUntil.After(in.At)) {
		return "", nil, nil, fmt.Errorf("%w: held text too long, not UTF-8, or held until no later than now", ErrFiltered)
	}
	recent := func(seq uint64) *SentText {
		for i := range in.Recent {
			if in.Recent[i].Seq == seq {
				return &in.Recent[i]
			}
		}
		return nil
	}
	holding := map[uint64]bool{}
	for _, seq := range out.Holding {
		if r := recent(seq); r == nil || !r.Held {
			return "", nil, nil, fmt.Errorf("%w: seq %d is not a held message of the sender", ErrFiltered, seq)
		}
		holding[seq] = true
	}
	var fixes []Entry
	corrected := map[uint64]bool{}
	for _, c := range out.Corrections {
		var orig *Entry
		for i := range mine {
			if mine[i].Seq == c.Seq {
				orig = &mine[i]
			}
		}
		if orig == nil || c.Text == "" || !utf8.ValidString(c.Text) || holding[c.Seq] {
			return "", nil, nil, fmt.Errorf("%w: correction of seq %d is not one of the sender's recent messages", ErrFiltered, c.Seq)
		}
		corrected[c.Seq] = true
		fixes = append(fixes, correctionOf(orig, c.Text))
	}
	// Release what is no longer held before anything is written: deleting
	// a fragment claims it, so a message [Manager.ExpireFragments] is
	// revealing at the same time is not also decided here.
	for _, r := range in.Recent {
		if !r.Held || holding[r.Seq] {
			continue
		}
		err := m.cfg.Fragments.DeleteFragment(ctx, s.ID, r.ID)
		switch {
		case errors.Is(err, ErrNotFound) && corrected[r.Seq]:
			// Revealed by another process already.
			fixes = slices.DeleteFunc(fixes, func(e Entry) bool { return e.Ref == r.Seq })
		case errors.Is(err, ErrNotFound):
			// Its window closed while the filter found it completed by this
			// message: another process may be revealing it. Sending again
			// sees it as stored, and masks it by a correction if need be.
			return "", nil, nil, fmt.Errorf("%w: held message seq %d was released concurrently", ErrConflict, r.Seq)
		case err != nil:
			return "", nil, nil, fmt.Errorf("session: delete fragment %s in %s: %w", r.ID, s.ID, err)
		}
	}
	// Amend before the new message is stored: a masked earlier message is
	// the safe state even if the new one is then refused.
	for _, f := range fixes {
		if err := m.store.AmendEntry(ctx, s.ID, f.Ref, f.Text); err != nil {
			return "", nil, nil, fmt.Errorf("session: amend %s seq %d: %w", s.ID, f.Ref, err)
		}
	}
	var hold *Fragment
	if out.Held != "" && m.cfg.Fragments != nil && msg.ID != "" {
		hold = &Fragment{Chat: s.ID, Sender: msg.From, Message: msg.ID, Text: out.Held, At: in.At, Until: out.HeldUntil}
	}
	return out.Text, fixes, hold, nil
}

// putHeld stores the fragment of a message held back by the filter, before
// the message itself is stored: a fragment whose message is never stored
// is deleted when it is due.
func (m *Manager) putHeld(ctx context.Context, chat switchboard.ChatID, hold *Fragment) error {
	if hold == nil {
		return nil
	}
	f := *hold
	f.Chat = chat
	if err := m.cfg.Fragments.PutFragment(ctx, f); err != nil {
		return fmt.Errorf("session: put fragment %s in %s: %w", f.Message, chat, err)
	}
	return nil
}

// catchUpPage is how many entries CatchUp reads from the store at a time.
const catchUpPage = 256

// CatchUp returns, in sequence order, up to limit entries after seq that
// viewer may see, as viewer's views; limit <= 0 means all. A reconnecting
// participant calls it with the last Seq it received (SPEC S19); a
// participant who left may still read what it was allowed to see. It
// returns ErrNotParticipant if viewer was never in the session.
func (m *Manager) CatchUp(ctx context.Context, chat switchboard.ChatID, viewer ParticipantID, after uint64, limit int) ([]View, error) {
	s, _, err := m.peek(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", chat, err)
	}
	p := s.Participant(viewer)
	if p == nil {
		return nil, fmt.Errorf("%w: %s in %s", ErrNotParticipant, viewer, chat)
	}
	if l, ok := m.store.(EntryLender); ok {
		// Nothing is copied but what is returned.
		log, err := l.LendEntries(ctx, chat, after, 0)
		if err != nil {
			return nil, fmt.Errorf("session: read %s: %w", chat, err)
		}
		return views(&s, p, log, limit, nil), nil
	}
	// Pages as long as what is asked for, up to catchUpPage: a short
	// catch-up reads a short page.
	page := catchUpPage
	if limit > 0 && limit < page {
		page = limit
	}
	// Room for all there is to return, at once, rather than growing page
	// by page.
	last, err := m.store.LastSeq(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("session: last seq of %s: %w", chat, err)
	}
	var out []View
	if last > after {
		n := last - after
		if limit > 0 {
			n = min(n, uint64(limit))
		}
		out = make([]View, 0, n)
	}
	for {
		entries, err := m.store.ReadEntries(ctx, chat, after, page)
		if err != nil {
			return nil, fmt.Errorf("session: read %s: %w", chat, err)
		}
		out = views(&s, p, entries, limit, out)
		if len(entries) < page || limit > 0 && len(out) == limit {
			if len(out) == 0 {
				return nil, nil
			}
			return out, nil
		}
		after = entries[len(entries)-1].Seq
		page = min(2*page, catchUpPage)
	}
}

// views appends to out, up to limit in all (limit <= 0: no limit), p's
// views of the entries of s's log that p may see, and returns out (nil if
// there are none).
func views(s *Session, p *Participant, log []Entry, limit int, out []View) []View {
	want := len(log)
	if limit > 0 {
		want = limit - len(out)
	}
	n := 0
	for i := 0; i < len(log) && n < want; i++ {
		if Visible(s.History, p, &log[i]) {
			n++
		}
	}
	if n == 0 {
		return out
	}
	out = slices.Grow(out, n)
	for i := range log {
		if Visible(s.History, p, &log[i]) {
			out = append(out, project(p, &log[i]))
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// History returns everything viewer may see of the session: CatchUp from
// the start.
func (m *Manager) History(ctx context.Context, chat switchboard.ChatID, viewer ParticipantID) ([]View, error) {
	return m.CatchUp(ctx, chat, viewer, 0, 0)
}
