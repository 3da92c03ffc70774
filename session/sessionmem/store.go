package sessionmem

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

var (
	_ session.Store          = (*Store)(nil)
	_ session.FeedStore      = (*Store)(nil)
	_ session.RetentionStore = (*Store)(nil)
	_ session.SessionLender  = (*Store)(nil)
	_ session.EntryLender    = (*Store)(nil)
	_ session.FeedHeadStore  = (*Store)(nil)
	_ session.FeedTipStore   = (*Store)(nil)
	_ session.DeadlineStore  = (*Store)(nil)
)

// DefaultPartitions is the number of feed partitions of a Store made by
// NewStore or used as its zero value.
const DefaultPartitions = 16

// shardCount is how many independently locked maps hold the sessions.
const shardCount = 64

// Store is an in-memory session.Store, session.FeedStore,
// session.RetentionStore and session.DeadlineStore. The zero value is ready to use, with
// DefaultPartitions feed partitions; a Store must not be copied after
// first use. It is safe for concurrent use. Forgetting a session frees
// its memory: run [session.Manager.ForgetClosed] periodically.
//
// Writes to different sessions do not wait for each other: each session
// has its own lock, the sessions are spread over independently locked
// maps, and each feed partition has its own lock. A session's stored
// state is never changed in place (a write stores a new copy), so reading
// it takes no lock and copies it outside every lock.
type Store struct {
	once   sync.Once
	parts  []partition
	shards [shardCount]shard
	// logLen is the moving average of the log lengths of the sessions
	// that closed lately, in sixteenths of an entry (0 before the first
	// closes): a new session's log is made that long, so it seldom grows
	// and seldom holds room it never uses.
	logLen atomic.Int64
	// presence indexes the sessions not closed by the agents present in
	// them, for ActiveSessions, spread over locks of its own by agent.
	presence [presenceShards]presence
}

// presenceShards is how many locks the presence index is spread over.
const presenceShards = 64

// presence is one shard of the presence index: for each agent, the
// sessions not closed that it is present in, in no order. An agent keeps
// its (emptied) list once it has one, so that taking and finishing chats
// allocates nothing; there are as many lists as agents. Customers and bots,
// of whom there are many, each in a session or two, are not indexed:
// ActiveSessions reads every session for them. Lock order: a record's mu,
// then a presence shard's mu, which is never held while any other lock is
// taken.
type presence struct {
	mu sync.Mutex
	in map[session.ParticipantID][]switchboard.ChatID
	_  [64]byte // keeps neighbouring shards' locks off one cache line
}

// shard holds the sessions whose ID hashes to it. Lock order: a record's
// mu, then a shard's mu, then a partition's mu; a shard's mu is never held
// while a record's mu is taken.
type shard struct {
	mu       sync.RWMutex
	sessions map[switchboard.ChatID]*record
	// closed orders the closed ones among sessions by ClosedAt, and timed
	// those with a NextDeadline by it, so that Closed and DueSessions read
	// only what is due, not every session kept.
	closed, timed dueIndex
	// peak is the most sessions held since the maps were last rebuilt:
	// Go maps keep their size when entries are deleted, so Forget
	// rebuilds them once most sessions are gone.
	peak int
	_    [64]byte // keeps neighbouring shards' locks off one cache line
}

// record is one session. state is replaced, never modified, so readers
// load it without a lock; mu serialises the session's writes and guards
// log and ids.
type record struct {
	id    switchboard.ChatID // never changes
	mu    sync.Mutex
	state atomic.Pointer[session.Session]
	log   []session.Entry
	ids   map[string]uint64 // entry ID → Seq, once the log is long
	// lent reports that part of log was handed out by LendEntries since
	// it was last copied: an amendment then copies it first.
	lent bool
	part int
	gone atomic.Bool // forgotten: its feed references are dead
	// closed and timed are the places the record holds in its shard's
	// closed and timed indexes; guarded by mu.
	closed, timed place
	// present is who the presence index holds this session for, in
	// presentBuf while they fit; guarded by mu.
	present    []session.ParticipantID
	presentBuf [2]session.ParticipantID
}

// place is where a record is in an index, if in is true.
type place struct {
	in bool
	at time.Time
}

// idScan is the log length up to which entry IDs are found by scanning
// the log rather than through an index.
const idScan = 32

// firstLog is the capacity of a new session's log until a session has
// closed: enough for a chat's usual life (creation, joins, a few messages,
// the end and the close) without growing it. Then the capacity follows
// the length of the logs of the sessions that closed lately, from minLog
// to maxLog entries.
const (
	firstLog = 16
	minLog   = 8
	maxLog   = 256
)

// newLogCap returns the capacity of a new session's log.
func (s *Store) newLogCap() int {
	avg := s.logLen.Load()
	if avg == 0 {
		return firstLog
	}
	return min(max(int((avg+15)/16), minLog), maxLog)
}

// closedWith records that a session closed with a log of n entries: the
// average moves an eighth of the way to it.
func (s *Store) closedWith(n int) {
	for {
		avg := s.logLen.Load()
		next := int64(n) * 16
		if avg != 0 {
			next = avg + (next-avg)/8
		}
		if s.logLen.CompareAndSwap(avg, max(next, 1)) {
			return
		}
	}
}

// partition is one feed partition: references to log entries in
// position order, in chunks of refChunk so that growing the feed never
// copies it, and the consumers' cursors over it.
type partition struct {
	mu sync.Mutex
	// last is the last position given: written under mu, read without
	// it by FeedTips.
	last    atomic.Uint64
	chunks  [][]feedRef
	spare   [][]feedRef // empty chunks compact kept, for add to reuse
	n       int         // references held
	dead    int         // references to forgotten records, dropped when they pile up
	cursors map[string]session.Cursor
	_       [64]byte
}

// refChunk is the length of a full chunk of feed references.
const refChunk = 256

// add appends ref to the feed. The caller holds p.mu.
func (p *partition) add(ref feedRef) {
	if k := len(p.chunks); k == 0 || len(p.chunks[k-1]) == refChunk {
		if k := len(p.spare); k > 0 {
			p.chunks = append(p.chunks, p.spare[k-1])
			p.spare[k-1] = nil
			p.spare = p.spare[:k-1]
		} else {
			p.chunks = append(p.chunks, make([]feedRef, 0, refChunk))
		}
	}
	last := &p.chunks[len(p.chunks)-1]
	*last = append(*last, ref)
	p.n++
}

// after returns the references with a position greater than pos, as
// chunk index and offset of the first. The caller holds p.mu.
func (p *partition) after(pos uint64) (int, int) {
	// The first chunk whose last position is greater than pos.
	c, _ := slices.BinarySearchFunc(p.chunks, pos+1, func(ch []feedRef, pos uint64) int {
		return cmp.Compare(ch[len(ch)-1].pos, pos)
	})
	if c == len(p.chunks) {
		return c, 0
	}
	i, _ := slices.BinarySearchFunc(p.chunks[c], pos+1, func(r feedRef, pos uint64) int { return cmp.Compare(r.pos, pos) })
	return c, i
}

// compact drops the references to forgotten records, moving the live
// ones down in place: the chunks are kept for the references to come, so
// a store that forgets as fast as it writes stops allocating them. The
// caller holds p.mu.
func (p *partition) compact() {
	w := 0 // where the next live reference goes, over all chunks
	for _, ch := range p.chunks {
		for _, ref := range ch {
			if !ref.rec.gone.Load() {
				p.chunks[w/refChunk][w%refChunk] = ref
				w++
			}
		}
	}
	// Every chunk but the last is full, so w's chunk is long enough; the
	// references past w are cleared so their records can be collected.
	keep := (w + refChunk - 1) / refChunk
	for i := keep; i < len(p.chunks); i++ {
		clear(p.chunks[i])
		p.chunks[i] = p.chunks[i][:0]
	}
	if keep > 0 {
		last := p.chunks[keep-1]
		n := w - (keep-1)*refChunk
		clear(last[n:])
		p.chunks[keep-1] = last[:n]
	}
	// Some emptied chunks are kept for add to reuse: no more than the
	// live ones fill, and none once nothing is live, so a store that
	// forgets everything keeps nothing.
	for _, ch := range p.chunks[keep:] {
		if keep > 0 && len(p.spare) < keep {
			p.spare = append(p.spare, ch)
		}
	}
	if keep == 0 {
		p.spare = nil
	}
	clear(p.chunks[keep:])
	p.chunks = p.chunks[:keep]
	if keep == 0 {
		p.chunks = nil
	}
	p.n, p.dead = w, 0
}

// feedRef points at entry number entry (its Seq) of rec's log. It holds
// the record rather than the chat ID so that a session created again
// under a forgotten session's ID does not inherit its positions.
type feedRef struct {
	pos   uint64
	rec   *record
	entry uint64
	typ   session.EntryType // never changes
}

// NewStore returns an empty Store with DefaultPartitions feed partitions.
func NewStore() *Store { return &Store{} }

// NewStoreWithPartitions returns an empty Store whose feed has n
// partitions. It returns an error matching session.ErrInvalid if n < 1.
func NewStoreWithPartitions(n int) (*Store, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: %d feed partitions", session.ErrInvalid, n)
	}
	return &Store{parts: make([]partition, n)}, nil
}

// partitions returns the feed partitions, making the default ones on
// first use.
func (s *Store) partitions() []partition {
	s.once.Do(func() {
		if s.parts == nil {
			s.parts = make([]partition, DefaultPartitions)
		}
	})
	return s.parts
}

// shardOf returns the shard holding id: FNV-1a over the ID.
func (s *Store) shardOf(id switchboard.ChatID) *shard {
	return &s.shards[fnv32(string(id))%shardCount]
}

// fnv32 is the 32-bit FNV-1a hash of k, which spreads IDs over shards.
func fnv32(k string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(k); i++ {
		h ^= uint32(k[i])
		h *= 16777619
	}
	return h
}

// lookup returns the record of id, or nil.
func (s *Store) lookup(id switchboard.ChatID) *record {
	sh := s.shardOf(id)
	sh.mu.RLock()
	r := sh.sessions[id]
	sh.mu.RUnlock()
	return r
}

// locked returns the record of id with its mu held, or ErrNotFound.
func (s *Store) locked(id switchboard.ChatID) (*record, error) {
	if r := s.lookup(id); r != nil {
		r.mu.Lock()
		if !r.gone.Load() {
			return r, nil
		}
		r.mu.Unlock()
	}
	return nil, session.ErrNotFound // the caller names the session
}

// current returns the stored state of id (not to be modified), or
// ErrNotFound.
func (s *Store) current(id switchboard.ChatID) (*session.Session, error) {
	if r := s.lookup(id); r != nil {
		if st := r.state.Load(); st != nil && !r.gone.Load() {
			return st, nil
		}
	}
	return nil, session.ErrNotFound // the caller names the session
}

// index keeps r in its shard's closed index under its ClosedAt while it
// is closed, and in its timed index under its NextDeadline while it has
// one. The caller holds r.mu.
func (s *Store) index(r *record) {
	st := r.state.Load()
	s.indexPresence(r, st)
	closed := place{in: st.Status == session.StatusClosed, at: st.ClosedAt}
	if !closed.in {
		closed.at = time.Time{}
	}
	deadline := st.NextDeadline()
	timed := place{in: !deadline.IsZero(), at: deadline}
	if closed.same(r.closed) && timed.same(r.timed) {
		return
	}
	sh := s.shardOf(st.ID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.sessions[st.ID] != r {
		return
	}
	if closed.in && !r.closed.in {
		s.closedWith(len(r.log))
	}
	r.closed = sh.closed.move(st.ID, r.closed, closed)
	r.timed = sh.timed.move(st.ID, r.timed, timed)
}

// indexPresence keeps the presence index in step with st, r's state: it
// holds r's session for every agent present in it while it is not
// closed. The caller holds r.mu.
func (s *Store) indexPresence(r *record, st *session.Session) {
	var buf [8]session.ParticipantID
	want := buf[:0]
	if st.Status != session.StatusClosed {
		for i := range st.Participants {
			if p := &st.Participants[i]; p.Present() && indexed(p.ID) {
				want = append(want, p.ID)
			}
		}
	}
	if slices.Equal(want, r.present) {
		return
	}
	for _, p := range r.present {
		if !slices.Contains(want, p) {
			s.presenceOf(p).remove(p, r.id)
		}
	}
	for _, p := range want {
		if !slices.Contains(r.present, p) {
			s.presenceOf(p).add(p, r.id)
		}
	}
	if r.present == nil {
		r.present = r.presentBuf[:0]
	}
	r.present = append(r.present[:0], want...)
}

// indexed reports whether the presence index holds the sessions of
// participant p: those of agents.
func indexed(p session.ParticipantID) bool {
	_, ok := p.Agent()
	return ok
}

// presenceOf returns the presence shard of participant p.
func (s *Store) presenceOf(p session.ParticipantID) *presence {
	return &s.presence[fnv32(string(p))%presenceShards]
}

// add records that p is present in chat.
func (x *presence) add(p session.ParticipantID, chat switchboard.ChatID) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.in == nil {
		x.in = map[session.ParticipantID][]switchboard.ChatID{}
	}
	x.in[p] = append(x.in[p], chat)
}

// remove records that p is no longer present in chat.
func (x *presence) remove(p session.ParticipantID, chat switchboard.ChatID) {
	x.mu.Lock()
	defer x.mu.Unlock()
	ids := x.in[p]
	i := slices.Index(ids, chat)
	if i < 0 {
		return
	}
	last := len(ids) - 1
	ids[i] = ids[last]
	ids[last] = "" // nothing kept of a chat left
	x.in[p] = ids[:last]
}

// sessions returns the sessions p is present in.
func (x *presence) sessions(p session.ParticipantID) []switchboard.ChatID {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.in[p])
}

// same reports whether p and q are the same place.
func (p place) same(q place) bool { return p.in == q.in && p.at.Equal(q.at) }

// dueIndex orders sessions by an instant: made on first use, with its
// earliest instant kept where a query reads it without the shard's lock.
type dueIndex struct {
	tree *btree.BTreeG[dueAt]
	// earliest is the instant of tree's first entry (see earliestKey; 0
	// when empty), written under the shard's mu.
	earliest atomic.Uint64
}

// move moves id from place was to place to, and returns to. The caller
// holds the shard's mu.
func (x *dueIndex) move(id switchboard.ChatID, was, to place) place {
	if was.same(to) {
		return to
	}
	if to.in {
		if x.tree == nil {
			x.tree = btree.NewWithFreeListG(16, lessDueAt, dueNodes)
		}
		x.tree.ReplaceOrInsert(dueAt{id, to.at})
	}
	if was.in && x.tree != nil {
		x.tree.Delete(dueAt{id, was.at}) // an index left empty keeps no node
	}
	var earliest uint64
	if x.tree != nil {
		if d, ok := x.tree.Min(); ok {
			earliest = earliestKey(d.at)
		}
	}
	x.earliest.Store(earliest)
	return to
}

// appendDue appends to out up to limit (no limit if limit <= 0) of the
// entries for which due holds, earliest first, and returns it. It reads
// nothing, and takes no lock, when the earliest entry is not due (as of
// the write that set it, which a query racing with it may as well have
// come before).
func (x *dueIndex) appendDue(mu *sync.RWMutex, out []dueAt, due func(time.Time) bool, limit int) []dueAt {
	if k := x.earliest.Load(); k == 0 || !due(instantOf(k)) {
		return out
	}
	mu.RLock()
	defer mu.RUnlock()
	if x.tree == nil {
		return out
	}
	n := 0
	x.tree.Ascend(func(d dueAt) bool {
		if !due(d.at) || (limit > 0 && n == limit) {
			return false
		}
		out = append(out, d)
		n++
		return true
	})
	return out
}

// dueNodes is where the indexes of every Store put the nodes they free
// and take new ones from, so that a shard whose index empties and fills
// again, as one holding a single timed session does, allocates nothing.
var dueNodes = btree.NewFreeListG[dueAt](16)

// earliestKey encodes t as a number that orders as instants do and is
// never 0, which stands for an empty index: its Unix nanoseconds (clamped
// to what an int64 holds), shifted to count up from 1.
func earliestKey(t time.Time) uint64 {
	var ns int64
	switch {
	case t.Before(minNano):
		ns = math.MinInt64
	case t.After(maxNano):
		ns = math.MaxInt64
	default:
		ns = t.UnixNano()
	}
	return max(uint64(ns)^(1<<63), 1)
}

// instantOf decodes an earliestKey other than 0, to the nanosecond.
func instantOf(k uint64) time.Time { return time.Unix(0, int64(k^(1<<63))) }

// The instants UnixNano can represent.
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

// seqOf returns the Seq of the entry of r's log with ID id, or 0. The
// caller holds r.mu (or owns r alone).
func (r *record) seqOf(id string) uint64 {
	if r.ids != nil {
		return r.ids[id]
	}
	for i := range r.log {
		if r.log[i].ID == id {
			return r.log[i].Seq
		}
	}
	return 0
}

// checkIDs returns ErrDuplicate if an entry's ID is already in r's log or
// appears twice in entries. The caller holds r.mu (or owns r alone).
func (r *record) checkIDs(chat switchboard.ChatID, entries []session.Entry) error {
	for i, e := range entries {
		if e.ID == "" {
			continue
		}
		if r.seqOf(e.ID) != 0 {
			return fmt.Errorf("%w: %s in %s", session.ErrDuplicate, e.ID, chat)
		}
		for _, f := range entries[:i] {
			if f.ID == e.ID {
				return fmt.Errorf("%w: %s twice in one write", session.ErrDuplicate, e.ID)
			}
		}
	}
	return nil
}

// append copies entries into r's log with the next sequence numbers and
// gives each the next position of r's feed partition. The caller holds
// r.mu (or owns r alone) and has checked the IDs.
func (s *Store) append(r *record, version uint64, entries []session.Entry) []session.Entry {
	if len(entries) == 0 {
		return nil
	}
	lent := s.appendLent(r, version, entries)
	out := make([]session.Entry, len(lent))
	for i := range lent {
		out[i] = lent[i].Clone()
	}
	return out
}

// appendLent is append returning the stored entries themselves, lent
// like LendEntries' (see [Store.LendEntries]). The caller holds r.mu (or
// owns r alone) and has checked the IDs.
func (s *Store) appendLent(r *record, version uint64, entries []session.Entry) []session.Entry {
	if len(entries) == 0 {
		return nil
	}
	if r.log == nil {
		// Grown from nil, so that the capacity fills the allocation.
		r.log = slices.Grow([]session.Entry(nil), max(s.newLogCap(), len(entries)))
	}
	first := uint64(len(r.log)) + 1
	for _, e := range entries {
		e = e.Clone()
		e.Seq = uint64(len(r.log)) + 1
		e.Version = version
		r.log = append(r.log, e)
	}
	out := r.log[len(r.log)-len(entries) : len(r.log) : len(r.log)]
	if r.ids == nil && len(r.log) > idScan {
		r.ids = make(map[string]uint64, 2*len(r.log))
		for i := range r.log[:len(r.log)-len(entries)] {
			if id := r.log[i].ID; id != "" {
				r.ids[id] = r.log[i].Seq
			}
		}
	}
	if r.ids != nil {
		for _, e := range out {
			if e.ID != "" {
				r.ids[e.ID] = e.Seq
			}
		}
	}
	p := &s.partitions()[r.part]
	p.mu.Lock()
	for i := range entries {
		p.add(feedRef{pos: p.last.Add(1), rec: r, entry: first + uint64(i), typ: entries[i].Type})
	}
	p.mu.Unlock()
	return out
}

// frozen returns a copy of st for the store to keep: nothing else refers
// to it, and it is never modified.
func frozen(st *session.Session, version uint64) *session.Session {
	c := st.Clone()
	c.Version = version
	return &c
}

// CreateSession implements session.StateStore.
func (s *Store) CreateSession(ctx context.Context, st session.Session, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &record{id: st.ID, part: session.PartitionOf(st.ID, len(s.partitions()))}
	if err := r.checkIDs(st.ID, entries); err != nil {
		return nil, err
	}
	r.state.Store(frozen(&st, 1))
	// The record's own lock is held from before it is in the map until its
	// entries are in the feed, so nobody reads its log half written; the
	// shard's lock is held only to put it in the map.
	r.mu.Lock()
	defer r.mu.Unlock()
	sh := s.shardOf(st.ID)
	sh.mu.Lock()
	if _, ok := sh.sessions[st.ID]; ok {
		sh.mu.Unlock()
		return nil, fmt.Errorf("%w: %s", session.ErrExists, st.ID)
	}
	if sh.sessions == nil {
		sh.sessions = map[switchboard.ChatID]*record{}
	}
	sh.sessions[st.ID] = r
	sh.peak = max(sh.peak, len(sh.sessions))
	sh.mu.Unlock()
	out := s.append(r, 1, entries)
	s.index(r)
	return out, nil
}

// GetSession implements session.StateStore.
func (s *Store) GetSession(ctx context.Context, id switchboard.ChatID) (session.Session, error) {
	if err := ctx.Err(); err != nil {
		return session.Session{}, err
	}
	st, err := s.current(id)
	if err != nil {
		return session.Session{}, err
	}
	return st.Clone(), nil
}

// LendSession implements session.SessionLender: a stored session is
// never modified, so it is handed out as it is.
func (s *Store) LendSession(ctx context.Context, id switchboard.ChatID) (*session.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.current(id)
}

// UpdateSession implements session.StateStore.
func (s *Store) UpdateSession(ctx context.Context, st session.Session, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	next := frozen(&st, st.Version+1) // copied before taking any lock
	r, err := s.locked(st.ID)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	cur := r.state.Load()
	if cur.Version != st.Version {
		return nil, fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, st.ID, cur.Version, st.Version)
	}
	if err := r.checkIDs(st.ID, entries); err != nil {
		return nil, err
	}
	// The new state is in place before the entries reach the feed: a
	// consumer reading the session for an entry sees the state it was
	// written with.
	r.state.Store(next)
	out := s.append(r, st.Version, entries)
	s.index(r)
	return out, nil
}

// KeepSession implements session.SessionKeeper: st becomes the stored
// version, never modified again, and the entries are lent.
func (s *Store) KeepSession(ctx context.Context, st *session.Session, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.locked(st.ID)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	cur := r.state.Load()
	if cur.Version != st.Version {
		return nil, fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, st.ID, cur.Version, st.Version)
	}
	if err := r.checkIDs(st.ID, entries); err != nil {
		return nil, err
	}
	version := st.Version
	st.Version++
	// As in UpdateSession, the new state is in place before the entries
	// reach the feed.
	r.state.Store(st)
	out := s.appendLent(r, version, entries)
	r.lent = r.lent || len(out) > 0
	s.index(r)
	return out, nil
}

// KeepEntries implements session.SessionKeeper: AppendEntries with the
// stored entries lent.
func (s *Store) KeepEntries(ctx context.Context, chat switchboard.ChatID, version uint64, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.locked(chat)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	if v := r.state.Load().Version; v != version {
		return nil, fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, chat, v, version)
	}
	if err := r.checkIDs(chat, entries); err != nil {
		return nil, err
	}
	out := s.appendLent(r, version, entries)
	r.lent = r.lent || len(out) > 0
	return out, nil
}

// ActiveSessions implements session.StateStore.
func (s *Store) ActiveSessions(ctx context.Context, p session.ParticipantID) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if indexed(p) {
		// From the presence index: the sessions the agent is in, not
		// every session kept.
		return s.presenceOf(p).sessions(p), nil
	}
	var out []switchboard.ChatID
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for id, r := range sh.sessions {
			st := r.state.Load()
			if st.Status == session.StatusClosed {
				continue
			}
			if q := st.Participant(p); q != nil && q.Present() {
				out = append(out, id)
			}
		}
		sh.mu.RUnlock()
	}
	return out, nil
}

// AppendEntries implements session.LogStore.
func (s *Store) AppendEntries(ctx context.Context, chat switchboard.ChatID, version uint64, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.locked(chat)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	if v := r.state.Load().Version; v != version {
		return nil, fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, chat, v, version)
	}
	if err := r.checkIDs(chat, entries); err != nil {
		return nil, err
	}
	return s.append(r, version, entries), nil
}

// ReadEntries implements session.LogStore.
func (s *Store) ReadEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.locked(chat)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	src := r.span(after, limit)
	if len(src) == 0 {
		return nil, nil
	}
	out := make([]session.Entry, len(src))
	for i := range src {
		out[i] = src[i].Clone()
	}
	return out, nil
}

// span returns the entries of r's log after after, at most limit of them
// when limit > 0. The caller holds r.mu.
func (r *record) span(after uint64, limit int) []session.Entry {
	if after >= uint64(len(r.log)) {
		return nil
	}
	src := r.log[after:]
	if limit > 0 && len(src) > limit {
		src = src[:limit]
	}
	return src
}

// LendEntries implements session.EntryLender: entries are appended after
// what was handed out, and an amendment copies the log first, so what is
// handed out never changes.
func (s *Store) LendEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.locked(chat)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	src := r.span(after, limit)
	if len(src) == 0 {
		return nil, nil
	}
	r.lent = true
	return src[:len(src):len(src)], nil
}

// AmendEntry implements session.LogStore.
func (s *Store) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := s.locked(chat)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if seq == 0 || seq > uint64(len(r.log)) {
		return fmt.Errorf("%w: %s has no entry %d", session.ErrNotFound, chat, seq)
	}
	if r.lent {
		// Part of the log is out with a reader: change a copy.
		r.log, r.lent = slices.Clone(r.log), false
	}
	r.log[seq-1].Text = text
	return nil
}

// EntryByID implements session.LogStore.
func (s *Store) EntryByID(ctx context.Context, chat switchboard.ChatID, id string) (session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return session.Entry{}, err
	}
	if id == "" {
		return session.Entry{}, fmt.Errorf("%w: empty entry ID", session.ErrInvalid)
	}
	r, err := s.locked(chat)
	if err != nil {
		return session.Entry{}, err
	}
	defer r.mu.Unlock()
	seq := r.seqOf(id)
	if seq == 0 {
		return session.Entry{}, fmt.Errorf("%w: %s has no entry %s", session.ErrNotFound, chat, id)
	}
	return r.log[seq-1].Clone(), nil
}

// LastSeq implements session.LogStore.
func (s *Store) LastSeq(ctx context.Context, chat switchboard.ChatID) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r, err := s.locked(chat)
	if err != nil {
		return 0, err
	}
	defer r.mu.Unlock()
	return uint64(len(r.log)), nil
}

// Partitions implements session.FeedStore.
func (s *Store) Partitions() int { return len(s.partitions()) }

// FeedTips implements session.FeedTipStore, without a lock.
func (s *Store) FeedTips(ctx context.Context, tips []uint64) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return tips, err
	}
	ps := s.partitions()
	for i := range ps {
		tips = append(tips, ps[i].last.Load())
	}
	return tips, nil
}

// partition returns partition n, or ErrInvalid.
func (s *Store) partition(n int) (*partition, error) {
	parts := s.partitions()
	if n < 0 || n >= len(parts) {
		return nil, fmt.Errorf("%w: partition %d of %d", session.ErrInvalid, n, len(parts))
	}
	return &parts[n], nil
}

// Feed implements session.FeedStore.
func (s *Store) Feed(ctx context.Context, partition int, after uint64, limit int) ([]session.FeedEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := s.partition(partition)
	if err != nil {
		return nil, err
	}
	// The references are taken under the partition's lock and the entries
	// read under each session's, never both at once (writers take them in
	// the other order). An entry is in its log before its reference is in
	// the feed, so every reference taken can be read.
	buf := refBufs.Get().(*[]feedRef)
	refs := (*buf)[:0]
	defer func() {
		clear(refs) // let go of the records
		*buf = refs[:0]
		refBufs.Put(buf)
	}()
	p.mu.Lock()
	c, i := p.after(after)
	for ; c < len(p.chunks); c, i = c+1, 0 {
		for _, ref := range p.chunks[c][i:] {
			if limit > 0 && len(refs) == limit {
				break
			}
			if !ref.rec.gone.Load() {
				refs = append(refs, ref)
			}
		}
	}
	p.mu.Unlock()
	if len(refs) == 0 {
		return nil, nil
	}
	out := make([]session.FeedEntry, 0, len(refs))
	for _, ref := range refs {
		r := ref.rec
		r.mu.Lock()
		if !r.gone.Load() {
			out = append(out, session.FeedEntry{Seq: ref.pos, Chat: r.state.Load().ID, Entry: r.log[ref.entry-1].Clone()})
		}
		r.mu.Unlock()
	}
	return out, nil
}

// FeedHeads implements session.FeedHeadStore. It reads the partition
// alone: a session's ID and an entry's type never change.
func (s *Store) FeedHeads(ctx context.Context, partition int, after uint64, limit int, buf []session.FeedHead) ([]session.FeedHead, error) {
	if err := ctx.Err(); err != nil {
		return buf, err
	}
	p, err := s.partition(partition)
	if err != nil {
		return buf, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	c, i := p.after(after)
	for ; c < len(p.chunks); c, i = c+1, 0 {
		for _, ref := range p.chunks[c][i:] {
			if limit > 0 && n == limit {
				return buf, nil
			}
			if !ref.rec.gone.Load() {
				buf = append(buf, session.FeedHead{Seq: ref.pos, Chat: ref.rec.id, Type: ref.typ})
				n++
			}
		}
	}
	return buf, nil
}

// refBufs holds the buffers Feed collects references in.
var refBufs = sync.Pool{New: func() any { b := make([]feedRef, 0, 16); return &b }}

// Cursor implements session.FeedStore.
func (s *Store) Cursor(ctx context.Context, consumer string, partition int) (session.Cursor, error) {
	if err := ctx.Err(); err != nil {
		return session.Cursor{}, err
	}
	if consumer == "" {
		return session.Cursor{}, fmt.Errorf("%w: empty consumer", session.ErrInvalid)
	}
	p, err := s.partition(partition)
	if err != nil {
		return session.Cursor{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.cursors[consumer]; ok {
		return c, nil
	}
	return session.Cursor{Consumer: consumer, Partition: partition}, nil
}

// SaveCursor implements session.FeedStore.
func (s *Store) SaveCursor(ctx context.Context, c session.Cursor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.Consumer == "" {
		return fmt.Errorf("%w: empty consumer", session.ErrInvalid)
	}
	p, err := s.partition(c.Partition)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.cursors[c.Consumer] // Version 0 when none is stored
	switch {
	case cur.Version != c.Version:
		return fmt.Errorf("%w: cursor %s/%d is at version %d, not %d", session.ErrConflict, c.Consumer, c.Partition, cur.Version, c.Version)
	case c.Position < cur.Position:
		return fmt.Errorf("%w: cursor %s/%d cannot move back from %d to %d", session.ErrInvalid, c.Consumer, c.Partition, cur.Position, c.Position)
	case c.Position > p.last.Load():
		return fmt.Errorf("%w: cursor %s/%d position %d is past the last position %d", session.ErrInvalid, c.Consumer, c.Partition, c.Position, p.last.Load())
	}
	if p.cursors == nil {
		p.cursors = map[string]session.Cursor{}
	}
	c.Version++
	p.cursors[c.Consumer] = c
	return nil
}

// Closed implements session.RetentionStore. It reads, in each shard, only
// the closed sessions it returns.
func (s *Store) Closed(ctx context.Context, before time.Time, limit int) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.earliestOf(func(sh *shard) *dueIndex { return &sh.closed },
		func(at time.Time) bool { return at.Before(before) }, limit), nil
}

// DueSessions implements session.DeadlineStore. It reads, in each shard,
// only the sessions it returns.
func (s *Store) DueSessions(ctx context.Context, now time.Time, limit int) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.earliestOf(func(sh *shard) *dueIndex { return &sh.timed },
		func(at time.Time) bool { return !at.After(now) }, limit), nil
}

// earliestOf returns the IDs of up to limit (no limit if limit <= 0)
// entries of every shard's index that are due, earliest first.
func (s *Store) earliestOf(index func(*shard) *dueIndex, due func(time.Time) bool, limit int) []switchboard.ChatID {
	var out []dueAt
	for i := range s.shards {
		sh := &s.shards[i]
		out = index(sh).appendDue(&sh.mu, out, due, limit)
	}
	return earliest(out, limit)
}

// dueAt is a session and the instant an index orders it by.
type dueAt struct {
	id switchboard.ChatID
	at time.Time
}

// lessDueAt orders by instant, then by ID.
func lessDueAt(a, b dueAt) bool { return compareDueAt(a, b) < 0 }

func compareDueAt(a, b dueAt) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// earliest returns the IDs of due, earliest first (by ID among equals), at
// most limit of them when limit is positive.
func earliest(due []dueAt, limit int) []switchboard.ChatID {
	slices.SortFunc(due, compareDueAt)
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	out := make([]switchboard.ChatID, len(due))
	for i := range due {
		out[i] = due[i].id
	}
	return out
}

// Forget implements session.RetentionStore. It drops every reference the
// store holds to the session, so the memory is freed.
func (s *Store) Forget(ctx context.Context, chat switchboard.ChatID, version uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := s.locked(chat)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	st := r.state.Load()
	if st.Version != version {
		return fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, chat, st.Version, version)
	}
	if st.Status != session.StatusClosed {
		return fmt.Errorf("%w: %s is %s, not closed", session.ErrInvalidState, chat, st.Status)
	}
	r.gone.Store(true)
	sh := s.shardOf(chat)
	sh.mu.Lock()
	delete(sh.sessions, chat)
	r.closed = sh.closed.move(chat, r.closed, place{})
	r.timed = sh.timed.move(chat, r.timed, place{})
	switch {
	case len(sh.sessions) == 0:
		sh.sessions, sh.peak = nil, 0
	case sh.peak > 16 && len(sh.sessions) < sh.peak/4:
		sh.sessions = shrunk(sh.sessions)
		sh.peak = len(sh.sessions)
	}
	sh.mu.Unlock()
	p := &s.partitions()[r.part]
	p.mu.Lock()
	p.dead += len(r.log)
	if p.dead > p.n/2 {
		p.compact()
	}
	p.mu.Unlock()
	r.log, r.ids = nil, nil
	r.state.Store(nil)
	return nil
}

// shrunk returns a copy of m sized for what it holds (maps.Clone keeps
// the capacity).
func shrunk(m map[switchboard.ChatID]*record) map[switchboard.ChatID]*record {
	out := make(map[switchboard.ChatID]*record, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
