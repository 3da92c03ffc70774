package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Manager runs sessions: it validates every action against the session's
// state, writes state and log through the [Store], and delivers each new
// entry to every participant allowed to see it.
//
// A Manager is safe for concurrent use by multiple goroutines, and several
// Managers (in several processes) may share one Store: the Manager keeps no
// session state of its own. Every change is a compare-and-set on the
// session's version, retried up to Config.MaxRetries times on ErrConflict,
// so concurrent actions on one session serialise in the store. The Manager
// holds no lock while it calls the Store, the Transport or any other port.
type Manager struct {
	store Store
	cfg   Config
	// idPrefix and idSeq make write and entry IDs unique across Managers
	// sharing a store: a random prefix of fixed length per Manager (72
	// bits), a counter within it. Entry IDs add "." and the entry's index
	// in its write, a character the prefix and counter never hold.
	idPrefix string
	idSeq    atomic.Uint64
	// typing remembers when each participant's typing was last delivered.
	typing typingLimiter
}

// NewManager returns a Manager over store. It returns an error matching
// ErrInvalid if store is nil or cfg holds an invalid setting.
func NewManager(store Store, cfg Config) (*Manager, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalid)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var b [9]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand.Read panics rather than return an error
	return &Manager{store: store, cfg: cfg, idPrefix: base64.RawURLEncoding.EncodeToString(b[:]) + "-"}, nil
}

// newID returns a write or message ID no other write of any Manager uses.
func (m *Manager) newID() string {
	var buf [48]byte
	return string(m.appendID(buf[:0]))
}

// appendID appends a new ID (see newID) to buf.
func (m *Manager) appendID(buf []byte) []byte {
	return strconv.AppendUint(append(buf, m.idPrefix...), m.idSeq.Add(1), 36)
}

// stamp gives every entry without an ID one derived from the write ID
// txn ("txn.i", i its index), and the time now if it has none. It returns
// txn as a string; the IDs and txn share one allocation.
func stamp(entries []Entry, txn []byte, now time.Time) string {
	size := 0
	for i := range entries {
		if entries[i].At.IsZero() {
			entries[i].At = now
		}
		if entries[i].ID == "" {
			size += len(txn) + 1 + digits(i)
		}
	}
	if size == 0 {
		return string(txn)
	}
	var b strings.Builder
	b.Grow(size)
	for i := range entries {
		if entries[i].ID == "" {
			var d [20]byte
			b.Write(txn)
			b.WriteByte('.')
			b.Write(strconv.AppendUint(d[:0], uint64(i), 10))
		}
	}
	all := b.String()
	at := 0
	for i := range entries {
		if entries[i].ID == "" {
			n := len(txn) + 1 + digits(i)
			entries[i].ID = all[at : at+n]
			at += n
		}
	}
	return all[:len(txn)]
}

// digits returns how many decimal digits i has.
func digits(i int) int {
	n := 1
	for ; i >= 10; i /= 10 {
		n++
	}
	return n
}

// outcomeUnknown reports whether err leaves open whether a write applied:
// the store said so, or it found the write's entries already stored.
func outcomeUnknown(err error) bool {
	return errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrDuplicate)
}

// applied finds out whether a write of entries to chat, or of state with
// write ID txn when there are no entries, took effect. It returns the
// session as it is now and the entries found. Any entry found proves the
// write (entries are stored with their state change or not at all); an
// earlier attempt of the same change may have listed other entries, so
// only those found are returned.
func (m *Manager) applied(ctx context.Context, chat switchboard.ChatID, txn string, entries []Entry) (Session, []Entry, bool, error) {
	var found []Entry
	for i := range entries {
		e, err := m.store.EntryByID(ctx, chat, entries[i].ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Session{}, nil, false, fmt.Errorf("%w: looking up entry %s: %w", ErrOutcomeUnknown, entries[i].ID, err)
		}
		found = append(found, e)
	}
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return Session{}, nil, false, fmt.Errorf("%w: re-reading the session: %w", ErrOutcomeUnknown, err)
	}
	if len(entries) == 0 {
		return s, nil, s.Txn == txn, nil
	}
	return s, found, len(found) > 0, nil
}

// AgentRef names an agent taking part in a session.
type AgentRef struct {
	// ID identifies the agent.
	ID switchboard.AgentID
	// Name is the display name customers see (SPEC S18).
	Name string
}

func (a AgentRef) validate() error {
	if a.ID == "" || a.Name == "" {
		return fmt.Errorf("%w: agent needs an ID and a display name", ErrInvalid)
	}
	return nil
}

// write changes a session, as every write does (through changeFrom, which
// it runs, and changeBuf). It reads the session, lets fn change a copy and
// list the entries to write, and stores them: with UpdateSession
// when fn reports a state change, otherwise with a fenced AppendEntries.
// It retries on ErrConflict, then delivers the stored entries. fn must be
// a pure function of the session it is given.
//
// Every attempt carries the same write ID (Session.Txn, and the entries'
// IDs derived from it), so a write whose outcome the store could not know
// is looked up rather than repeated: if it applied, write returns and
// delivers what was stored; if not, it tries again. A state change
// without entries is proven only while it is the latest write; when a
// later write hides it, fn runs again on the newer state, so such an fn
// must leave a session it already changed as it is.
//
// write returns nothing of the session or of the entries stored, so
// nothing is copied for it.
func (m *Manager) write(ctx context.Context, chat switchboard.ChatID,
	fn func(s *Session) (entries []Entry, update bool, err error)) error {
	_, _, _, err := m.changeFrom(ctx, chat, nil, false, nil, fn)
	return err
}

// entryBufs holds buffers for the entries of writes to a [SessionKeeper],
// which copies the entries it is given: see changeBuf.
var entryBufs = sync.Pool{New: func() any { b := make([]Entry, 0, 4); return &b }}

// maxBufEntries is the longest buffer entryBufs keeps.
const maxBufEntries = 16

// changeBuf is changeFrom for an fn that appends the entries it writes to
// buf, and returns them. With a [SessionKeeper], which copies what it is
// given, buf comes from entryBufs and goes back once the write is over, so
// the writes every chat makes (its messages, its assignment, its end and
// its close) allocate no entries of their own. Only the first attempt
// writes into it: a later one (after a conflict, or an outcome unknown)
// gets none, since changeFrom may still compare the first attempt's
// entries with what the store holds.
func (m *Manager) changeBuf(ctx context.Context, chat switchboard.ChatID, first *Session, firstLent bool,
	reads func(s *Session) bool,
	fn func(s *Session, buf []Entry) (entries []Entry, update bool, err error)) (Session, []Entry, bool, error) {
	if _, keeps := m.store.(SessionKeeper); !keeps {
		return m.changeFrom(ctx, chat, first, firstLent, reads, func(s *Session) ([]Entry, bool, error) { return fn(s, nil) })
	}
	bp := entryBufs.Get().(*[]Entry)
	var used []Entry
	taken := false
	s, stored, lent, err := m.changeFrom(ctx, chat, first, firstLent, reads, func(s *Session) ([]Entry, bool, error) {
		if taken {
			return fn(s, nil)
		}
		taken = true
		entries, update, err := fn(s, (*bp)[:0])
		used = entries
		return entries, update, err
	})
	if cap(used) > cap(*bp) && cap(used) <= maxBufEntries {
		*bp = used // it grew: the larger one is kept
	}
	b := (*bp)[:cap(*bp)]
	clear(b) // nothing the entries refer to is kept alive
	*bp = b[:0]
	entryBufs.Put(bp)
	return s, stored, lent, err
}

// changeFrom is write starting from first, the session as the caller
// just read it from the store (nil to read it), which it hands over: a
// stale one fails the compare-and-set and the session is read again.
// firstLent says first is lent by the store. The session returned may be
// lent too, which lent reports; the entries returned may be lent by the
// store (see [SessionKeeper]) and are not to be modified. When reads
// reports true for first, fn neither changes first nor reports an update
// for it, and it is given first itself rather than a deep copy.
func (m *Manager) changeFrom(ctx context.Context, chat switchboard.ChatID, first *Session, firstLent bool,
	reads func(s *Session) bool,
	fn func(s *Session) (entries []Entry, update bool, err error)) (_ Session, _ []Entry, lent bool, _ error) {
	keeper, keeps := m.store.(SessionKeeper)
	var txn string
	// lost holds the entries of an attempt whose outcome was unknown and
	// that was not found: its commit may still land, so every later
	// attempt looks for it first.
	var lost []Entry
	var lostSet bool
	for attempt := 0; ; attempt++ {
		if lostSet {
			now, found, ok, err := m.applied(ctx, chat, txn, lost)
			if err != nil {
				return Session{}, nil, false, fmt.Errorf("session: write %s: %w", chat, err)
			}
			if ok {
				m.delivered(ctx, &now, txn, found)
				return now, found, false, nil
			}
		}
		var cur Session
		var err error
		given, fp := first != nil, first
		if given {
			cur, lent, first = *first, firstLent, nil
		} else if cur, lent, err = m.peek(ctx, chat); err != nil {
			return Session{}, nil, false, fmt.Errorf("session %s: %w", chat, err)
		}
		var np *Session
		if given && reads != nil && reads(fp) {
			np = fp // fn only reads it: the caller's copy will do
		} else {
			np = cur.clonePtr()
		}
		entries, update, err := fn(np)
		next := *np
		if err != nil {
			return cur, nil, lent, fmt.Errorf("session %s: %w", chat, err)
		}
		if txn == "" && (update || slices.ContainsFunc(entries, func(e Entry) bool { return e.ID == "" })) {
			var buf [48]byte
			txn = stamp(entries, m.appendID(buf[:0]), m.cfg.Clock.Now())
		} else {
			stamp(entries, []byte(txn), m.cfg.Clock.Now())
		}
		var stored []Entry
		nextLent, reread := false, false
		switch {
		case update && keeps:
			// np is handed over: the store may keep it as it is.
			np.Version, np.Txn = cur.Version, txn
			next = *np
			stored, err = keeper.KeepSession(ctx, np, entries)
			next.Version, nextLent = cur.Version+1, true
		case update:
			next.Version, next.Txn = cur.Version, txn
			stored, err = m.store.UpdateSession(ctx, next, entries)
			next.Version = cur.Version + 1
		default:
			next, nextLent = cur, lent
			if len(entries) > 0 && keeps {
				stored, err = keeper.KeepEntries(ctx, chat, cur.Version, entries)
			} else if len(entries) > 0 {
				stored, err = m.store.AppendEntries(ctx, chat, cur.Version, entries)
			}
		}
		if outcomeUnknown(err) {
			// This attempt's write, if it applied, stored next; a
			// duplicate was stored by an earlier attempt or another call,
			// so the session is as re-read.
			dup := !errors.Is(err, ErrOutcomeUnknown)
			var ok bool
			var found []Entry
			var now Session
			if now, found, ok, err = m.applied(ctx, chat, txn, entries); err == nil {
				switch {
				case !ok:
					err = fmt.Errorf("%w: the write did not apply", ErrConflict)
					if !dup {
						lost, lostSet = entries, true
					}
				case dup:
					next, nextLent, stored, reread = now, false, found, true
				default:
					stored = found
				}
			}
		}
		if errors.Is(err, ErrConflict) && given {
			attempt-- // the caller's read was stale: not a retry
			continue
		}
		if errors.Is(err, ErrConflict) && attempt < m.cfg.MaxRetries {
			continue
		}
		if err != nil {
			return cur, nil, lent, fmt.Errorf("session: write %s: %w", chat, err)
		}
		if reread {
			m.delivered(ctx, &next, txn, stored)
		} else {
			m.deliver(ctx, &next, stored)
		}
		return next, stored, nextLent, nil
	}
}

// deliver sends each entry to every participant for whom Visible holds,
// s being the session as the write that stored entries left it: its
// participants are those the write found, plus any it let in.
func (m *Manager) deliver(ctx context.Context, s *Session, entries []Entry) {
	m.deliverTo(ctx, s, entries, false)
}

// redeliver sends entries stored by an earlier write to those of s's
// participants who were in the session when it was written, s being the
// session as read at any time since. An agent who joined later sees them
// in its history and catch-up, never live.
func (m *Manager) redeliver(ctx context.Context, s *Session, entries []Entry) {
	m.deliverTo(ctx, s, entries, true)
}

// delivered hands entries found stored by write txn to deliver when s is
// still as that write left it (the write changed the state and no state
// change came after it), else to redeliver.
func (m *Manager) delivered(ctx context.Context, s *Session, txn string, entries []Entry) {
	m.deliverTo(ctx, s, entries, txn == "" || s.Txn != txn)
}

// deliverTo sends each entry to every participant of s for whom Visible
// holds and, when later, who was in the session when it was written.
func (m *Manager) deliverTo(ctx context.Context, s *Session, entries []Entry, later bool) {
	for i := range entries {
		e := &entries[i]
		for j := range s.Participants {
			p := &s.Participants[j]
			if !Visible(s.History, p, e) || later && !presentFor(p, e) {
				continue
			}
			d := Delivery{Chat: s.ID, Item: project(p, e), Invitation: isInvitation(s, p, e)}
			if err := m.cfg.Transport.Deliver(ctx, p.ID, d); err != nil {
				m.cfg.OnDeliveryError(ctx, s.ID, p.ID, err)
			}
		}
	}
}

// presentFor reports whether p was in the session when e was written (at
// version e.Version), or e is about p itself.
func presentFor(p *Participant, e *Entry) bool {
	if e.Subject == p.ID && e.Subject != "" {
		return true
	}
	for i := range p.Stints {
		st := &p.Stints[i]
		if st.Joined != 0 && st.Joined <= e.Version && (st.Left == 0 || e.Version < st.Left) {
			return true
		}
	}
	return false
}

func isInvitation(s *Session, p *Participant, e *Entry) bool {
	switch e.Type {
	case EntryInvited:
		return e.Subject == p.ID
	case EntryCreated:
		return p.ID != s.InitiatedBy && p.Role.IsAgent()
	}
	return false
}

// peek reads the session, lent by the store when it can (see
// [SessionLender]): then it shares memory with the store and lent is true,
// and it must not be modified or handed out.
func (m *Manager) peek(ctx context.Context, chat switchboard.ChatID) (s Session, lent bool, err error) {
	if l, ok := m.store.(SessionLender); ok {
		p, err := l.LendSession(ctx, chat)
		if err != nil {
			return Session{}, false, err
		}
		return *p, true, nil
	}
	s, err = m.store.GetSession(ctx, chat)
	return s, false, err
}

// peekPtr is peek for a caller that keeps the session where it is: the
// store's own when it lends it (lent reports it, and it is not to be
// modified), so nothing is copied at all; a copy of its own otherwise.
func (m *Manager) peekPtr(ctx context.Context, chat switchboard.ChatID) (s *Session, lent bool, err error) {
	if l, ok := m.store.(SessionLender); ok {
		s, err = l.LendSession(ctx, chat)
		return s, err == nil, err
	}
	st, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return nil, false, err
	}
	return &st, false, nil
}

// Peek is [Manager.Session] for a caller that only reads the session: when
// the store implements [SessionLender] nothing is copied, and the session
// returned shares memory with the store, so neither it nor anything it
// refers to may be modified (clone it with [Session.Clone] to change or
// keep it).
func (m *Manager) Peek(ctx context.Context, chat switchboard.ChatID) (Session, error) {
	s, _, err := m.peek(ctx, chat)
	if err != nil {
		return Session{}, fmt.Errorf("session %s: %w", chat, err)
	}
	return s, nil
}

// Session returns the session's state: participants, status, attributes,
// wrap-up. It is for the host and the wiring layer, not for customers (it
// holds agent IDs and the wrap-up reason); it holds no log entries.
func (m *Manager) Session(ctx context.Context, chat switchboard.ChatID) (Session, error) {
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return Session{}, fmt.Errorf("session %s: %w", chat, err)
	}
	return s, nil
}

// ActiveSessions returns the sessions agent is present in that are not
// closed, sorted by ID: a wiring layer walks them when the agent logs out.
func (m *Manager) ActiveSessions(ctx context.Context, agent switchboard.AgentID) ([]switchboard.ChatID, error) {
	ids, err := m.store.ActiveSessions(ctx, AgentParticipant(agent))
	if err != nil {
		return nil, fmt.Errorf("session: active sessions of %s: %w", agent, err)
	}
	slices.Sort(ids)
	return ids, nil
}

// ActiveCount returns how many sessions agent is present in that are not
// closed (SPEC S7).
func (m *Manager) ActiveCount(ctx context.Context, agent switchboard.AgentID) (int, error) {
	ids, err := m.ActiveSessions(ctx, agent)
	return len(ids), err
}

// CustomerSession describes a new customer-to-agent session.
type CustomerSession struct {
	// ID identifies the session; usually the routing chat ID.
	ID switchboard.ChatID
	// Tenant is the tenant.
	Tenant switchboard.TenantID
	// Queue is the queue the chat came in on.
	Queue switchboard.QueueID
	// Customer identifies the customer. It may be empty when Bot is set:
	// the bot talks first and [Manager.AddCustomer] brings the customer in.
	Customer switchboard.CustomerID
	// CustomerName is the customer's display name; required with Customer.
	CustomerName string
	// Attributes are the customer's attributes, verified or claimed.
	Attributes []Attribute
	// Bot, if not empty, is the display name of a bot present from the
	// start; its ID is BotParticipant(Bot).
	Bot string
}

// Create starts a customer-to-agent session with the customer (and the
// bot, if any) in it and no owner yet. A wiring layer calls it when a chat
// enters routing, then [Manager.AssignOwner] when an agent accepts the
// offer. It returns ErrExists if the ID is taken.
func (m *Manager) Create(ctx context.Context, req CustomerSession) (Session, error) {
	if req.ID == "" || req.Queue == "" || (req.Customer == "") != (req.CustomerName == "") || req.Customer == "" && req.Bot == "" {
		return Session{}, fmt.Errorf("%w: a customer session needs an ID, a queue, and a named customer or a bot", ErrInvalid)
	}
	for _, a := range req.Attributes {
		if a.Name == "" {
			return Session{}, fmt.Errorf("%w: attribute without a name", ErrInvalid)
		}
	}
	qc, err := m.cfg.queue(ctx, req.Queue)
	if err != nil {
		return Session{}, err
	}
	s := Session{
		ID: req.ID, Tenant: req.Tenant, Kind: KindCustomer, Queue: req.Queue,
		Status: StatusActive, History: qc.History, Timers: TimerState{Settings: qc.Timers},
		Attributes: append([]Attribute(nil), req.Attributes...),
		CreatedAt:  m.cfg.Clock.Now(),
	}
	// The participants and their stints share one allocation; each
	// stint list is capped, so a later stint never overwrites the next
	// participant's.
	b := new(startBlock)
	ps := b.ps[:0]
	if req.Customer != "" {
		b.sts[0] = Stint{Invited: 1, Joined: 1}
		ps = append(ps, Participant{ID: CustomerParticipant(req.Customer), Role: RoleCustomer,
			Name: req.CustomerName, Stints: b.sts[0:1:1]})
	}
	if req.Bot != "" {
		b.sts[1] = Stint{Invited: 1, Joined: 1}
		ps = append(ps, Participant{ID: BotParticipant(req.Bot), Role: RoleBot,
			Name: req.Bot, Stints: b.sts[1:2:2]})
	}
	if len(ps) > 0 {
		s.Participants = ps
	}
	s.InitiatedBy = s.Participants[0].ID
	s, _, err = m.create(ctx, s, nil)
	return s, err
}

// startBlock holds the participants a customer session starts with, and
// their stints.
type startBlock struct {
	ps  [2]Participant
	sts [2]Stint
}

// create stores a new session with its creation entry plus extra entries.
func (m *Manager) create(ctx context.Context, s Session, extra []Entry) (Session, []Entry, error) {
	init := s.Participant(s.InitiatedBy)
	entries := append([]Entry{{Type: EntryCreated, Audience: Everyone(), From: init.ID, FromName: init.Name, FromRole: init.Role}}, extra...)
	now := m.cfg.Clock.Now()
	for i := range entries {
		entries[i].At = now
	}
	var buf [48]byte
	s.Txn = stamp(entries, m.appendID(buf[:0]), now)
	var stored []Entry
	var err error
	for attempt := 0; ; attempt++ {
		stored, err = m.store.CreateSession(ctx, s, entries)
		if !errors.Is(err, ErrOutcomeUnknown) {
			break
		}
		// The session's entries carry IDs only this call uses: finding
		// one proves the session is the one this call created.
		var ok bool
		var now Session
		now, stored, ok, err = m.applied(ctx, s.ID, s.Txn, entries)
		if errors.Is(err, ErrNotFound) && attempt < m.cfg.MaxRetries {
			continue // not created: try again
		}
		if err == nil && !ok {
			err = fmt.Errorf("%w: %s", ErrExists, s.ID)
		}
		if err == nil {
			m.delivered(ctx, &now, s.Txn, stored)
			return now, stored, nil
		}
		break
	}
	if err != nil {
		return Session{}, nil, fmt.Errorf("session: create %s: %w", s.ID, err)
	}
	s.Version = 1
	m.deliver(ctx, &s, stored)
	return s, stored, nil
}

// open checks that the session is in a status where trigger t is allowed.
func open(s *Session, t Trigger) error {
	_, err := Next(s.Status, t)
	if err != nil && s.Status == StatusCustomerLeft && t == TriggerMessage {
		return fmt.Errorf("%w: %w", ErrCustomerLeft, err)
	}
	return err
}

// actor returns the present participant id, or ErrNotParticipant / ErrLeft.
func actor(s *Session, id ParticipantID) (*Participant, error) {
	p := s.Participant(id)
	switch {
	case p == nil || p.Invited() && len(p.Stints) == 1:
		return nil, fmt.Errorf("%w: %s in %s", ErrNotParticipant, id, s.ID)
	case !p.Present():
		return nil, fmt.Errorf("%w: %s in %s", ErrLeft, id, s.ID)
	}
	return p, nil
}

// agentActor is actor for agent a, without building its participant ID.
func agentActor(s *Session, a switchboard.AgentID) (*Participant, error) {
	for i := range s.Participants {
		if id, ok := s.Participants[i].ID.Agent(); ok && id == a {
			return actor(s, s.Participants[i].ID)
		}
	}
	return actor(s, AgentParticipant(a))
}

// presentCount counts participants present or invited.
func presentCount(s *Session) int {
	n := 0
	for i := range s.Participants {
		if s.Participants[i].current() != nil {
			n++
		}
	}
	return n
}

func (m *Manager) roomFor(s *Session) error {
	if presentCount(s) >= m.cfg.MaxParticipants {
		return fmt.Errorf("%w: %d", ErrParticipantLimit, m.cfg.MaxParticipants)
	}
	return nil
}

// leaveAt closes p's open stint at version v.
func leaveAt(p *Participant, v uint64) {
	if st := p.current(); st != nil {
		st.Left = v
	}
}

// joinAt gives p an open, joined stint from version v, reusing a pending
// invitation.
func joinAt(p *Participant, v uint64) {
	if st := p.current(); st != nil {
		if st.Joined == 0 {
			st.Joined = v
		}
		return
	}
	p.Stints = append(p.Stints, Stint{Invited: v, Joined: v})
}

// joinAudience is who is told that p joined or left.
func joinAudience(p *Participant) Audience {
	if p.Role == RoleSupervisor && p.Mode != SupervisorBarge {
		return Agents()
	}
	return Everyone()
}

func event(t EntryType, a Audience, from, subject *Participant) Entry {
	e := Entry{Type: t, Audience: a}
	if from != nil {
		e.From, e.FromName, e.FromRole = from.ID, from.Name, from.Role
	}
	if subject != nil {
		e.Subject, e.SubjectName = subject.ID, subject.Name
	}
	return e
}

func (m *Manager) now() time.Time { return m.cfg.Clock.Now() }

func customerID(p ParticipantID) switchboard.CustomerID {
	return switchboard.CustomerID(strings.TrimPrefix(string(p), customerPrefix))
}
