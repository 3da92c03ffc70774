package sessionmem

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

var (
	_ session.Store          = (*Store)(nil)
	_ session.FeedStore      = (*Store)(nil)
	_ session.RetentionStore = (*Store)(nil)
)

// DefaultPartitions is the number of feed partitions of a Store made by
// NewStore or used as its zero value.
const DefaultPartitions = 16

// Store is an in-memory session.Store, session.FeedStore and
// session.RetentionStore. The zero value is ready to use, with
// DefaultPartitions feed partitions; a Store must not be copied after
// first use. It is safe for concurrent use. Forgetting a session frees
// its memory: run [session.Manager.ForgetClosed] periodically.
type Store struct {
	mu       sync.Mutex
	sessions map[switchboard.ChatID]*record
	closed   map[switchboard.ChatID]*record // the closed ones among sessions
	parts    []partition
	cursors  map[cursorKey]session.Cursor
	// peak is the most sessions held since the maps were last rebuilt:
	// Go maps keep their size when entries are deleted, so Forget
	// rebuilds them once most sessions are gone.
	peak int
}

type record struct {
	state session.Session
	log   []session.Entry
	ids   map[string]uint64 // entry ID → Seq
	part  int
	gone  bool // forgotten: its feed references are dead
}

// partition is one feed partition: references to log entries in
// position order, in chunks of refChunk so that growing the feed never
// copies it.
type partition struct {
	last   uint64 // the last position given
	chunks [][]feedRef
	n      int // references held
	dead   int // references to forgotten records, dropped when they pile up
}

// refChunk is the length of a full chunk of feed references.
const refChunk = 256

// add appends ref to the feed.
func (p *partition) add(ref feedRef) {
	if k := len(p.chunks); k == 0 || len(p.chunks[k-1]) == refChunk {
		p.chunks = append(p.chunks, make([]feedRef, 0, refChunk))
	}
	last := &p.chunks[len(p.chunks)-1]
	*last = append(*last, ref)
	p.n++
}

// after returns the references with a position greater than pos, as
// chunk index and offset of the first.
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

// compact drops the references to forgotten records.
func (p *partition) compact() {
	var live partition
	live.last = p.last
	for _, ch := range p.chunks {
		for _, ref := range ch {
			if !ref.rec.gone {
				live.add(ref)
			}
		}
	}
	*p = live
}

// feedRef points at entry number entry (its Seq) of rec's log. It holds
// the record rather than the chat ID so that a session created again
// under a forgotten session's ID does not inherit its positions.
type feedRef struct {
	pos   uint64
	rec   *record
	entry uint64
}

type cursorKey struct {
	consumer  string
	partition int
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
// first use. The caller holds s.mu.
func (s *Store) partitions() []partition {
	if s.parts == nil {
		s.parts = make([]partition, DefaultPartitions)
	}
	return s.parts
}

func (s *Store) get(id switchboard.ChatID) (*record, error) {
	r, ok := s.sessions[id]
	if !ok {
		return nil, session.ErrNotFound // the caller names the session
	}
	return r, nil
}

// index keeps r in s.closed while it is closed. The caller holds s.mu.
func (s *Store) index(r *record) {
	if r.state.Status != session.StatusClosed {
		delete(s.closed, r.state.ID)
		return
	}
	if s.closed == nil {
		s.closed = map[switchboard.ChatID]*record{}
	}
	s.closed[r.state.ID] = r
}

// checkIDs returns ErrDuplicate if an entry's ID is already in r's log or
// appears twice in entries. The caller holds s.mu.
func (r *record) checkIDs(entries []session.Entry) error {
	for i, e := range entries {
		if e.ID == "" {
			continue
		}
		if _, ok := r.ids[e.ID]; ok {
			return fmt.Errorf("%w: %s in %s", session.ErrDuplicate, e.ID, r.state.ID)
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
// s.mu and has checked the IDs.
func (s *Store) append(r *record, version uint64, entries []session.Entry) []session.Entry {
	out := make([]session.Entry, len(entries))
	p := &s.partitions()[r.part]
	for i, e := range entries {
		e = e.Clone()
		e.Seq = uint64(len(r.log)) + 1
		e.Version = version
		r.log = append(r.log, e)
		p.last++
		p.add(feedRef{pos: p.last, rec: r, entry: e.Seq})
		if e.ID != "" {
			if r.ids == nil {
				r.ids = map[string]uint64{}
			}
			r.ids[e.ID] = e.Seq
		}
		out[i] = e.Clone()
	}
	return out
}

// CreateSession implements session.StateStore.
func (s *Store) CreateSession(ctx context.Context, st session.Session, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[st.ID]; ok {
		return nil, fmt.Errorf("%w: %s", session.ErrExists, st.ID)
	}
	if s.sessions == nil {
		s.sessions = map[switchboard.ChatID]*record{}
	}
	st = st.Clone()
	st.Version = 1
	r := &record{state: st, part: session.PartitionOf(st.ID, len(s.partitions()))}
	if err := r.checkIDs(entries); err != nil {
		return nil, err
	}
	s.sessions[st.ID] = r
	s.peak = max(s.peak, len(s.sessions))
	s.index(r)
	return s.append(r, 1, entries), nil
}

// GetSession implements session.StateStore.
func (s *Store) GetSession(ctx context.Context, id switchboard.ChatID) (session.Session, error) {
	if err := ctx.Err(); err != nil {
		return session.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(id)
	if err != nil {
		return session.Session{}, err
	}
	return r.state.Clone(), nil
}

// UpdateSession implements session.StateStore.
func (s *Store) UpdateSession(ctx context.Context, st session.Session, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(st.ID)
	if err != nil {
		return nil, err
	}
	if r.state.Version != st.Version {
		return nil, fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, st.ID, r.state.Version, st.Version)
	}
	if err := r.checkIDs(entries); err != nil {
		return nil, err
	}
	out := s.append(r, st.Version, entries)
	r.state = st.Clone()
	r.state.Version = st.Version + 1
	s.index(r)
	return out, nil
}

// ActiveSessions implements session.StateStore.
func (s *Store) ActiveSessions(ctx context.Context, p session.ParticipantID) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []switchboard.ChatID
	for id, r := range s.sessions {
		if r.state.Status == session.StatusClosed {
			continue
		}
		if q := r.state.Participant(p); q != nil && q.Present() {
			out = append(out, id)
		}
	}
	return out, nil
}

// AppendEntries implements session.LogStore.
func (s *Store) AppendEntries(ctx context.Context, chat switchboard.ChatID, version uint64, entries []session.Entry) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(chat)
	if err != nil {
		return nil, err
	}
	if r.state.Version != version {
		return nil, fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, chat, r.state.Version, version)
	}
	if err := r.checkIDs(entries); err != nil {
		return nil, err
	}
	return s.append(r, version, entries), nil
}

// ReadEntries implements session.LogStore.
func (s *Store) ReadEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(chat)
	if err != nil {
		return nil, err
	}
	if after >= uint64(len(r.log)) {
		return nil, nil
	}
	src := r.log[after:]
	if limit > 0 && len(src) > limit {
		src = src[:limit]
	}
	out := make([]session.Entry, len(src))
	for i := range src {
		out[i] = src[i].Clone()
	}
	return out, nil
}

// AmendEntry implements session.LogStore.
func (s *Store) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(chat)
	if err != nil {
		return err
	}
	if seq == 0 || seq > uint64(len(r.log)) {
		return fmt.Errorf("%w: %s has no entry %d", session.ErrNotFound, chat, seq)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(chat)
	if err != nil {
		return session.Entry{}, err
	}
	seq, ok := r.ids[id]
	if !ok {
		return session.Entry{}, fmt.Errorf("%w: %s has no entry %s", session.ErrNotFound, chat, id)
	}
	return r.log[seq-1].Clone(), nil
}

// LastSeq implements session.LogStore.
func (s *Store) LastSeq(ctx context.Context, chat switchboard.ChatID) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(chat)
	if err != nil {
		return 0, err
	}
	return uint64(len(r.log)), nil
}

// Partitions implements session.FeedStore.
func (s *Store) Partitions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.partitions())
}

// partition returns partition n, or ErrInvalid. The caller holds s.mu.
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
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.partition(partition)
	if err != nil {
		return nil, err
	}
	var out []session.FeedEntry
	c, i := p.after(after)
	for ; c < len(p.chunks); c, i = c+1, 0 {
		for _, ref := range p.chunks[c][i:] {
			if limit > 0 && len(out) == limit {
				return out, nil
			}
			if ref.rec.gone {
				continue
			}
			out = append(out, session.FeedEntry{Seq: ref.pos, Chat: ref.rec.state.ID, Entry: ref.rec.log[ref.entry-1].Clone()})
		}
	}
	return out, nil
}

// Cursor implements session.FeedStore.
func (s *Store) Cursor(ctx context.Context, consumer string, partition int) (session.Cursor, error) {
	if err := ctx.Err(); err != nil {
		return session.Cursor{}, err
	}
	if consumer == "" {
		return session.Cursor{}, fmt.Errorf("%w: empty consumer", session.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.partition(partition); err != nil {
		return session.Cursor{}, err
	}
	if c, ok := s.cursors[cursorKey{consumer, partition}]; ok {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.partition(c.Partition)
	if err != nil {
		return err
	}
	key := cursorKey{c.Consumer, c.Partition}
	cur := s.cursors[key] // Version 0 when none is stored
	switch {
	case cur.Version != c.Version:
		return fmt.Errorf("%w: cursor %s/%d is at version %d, not %d", session.ErrConflict, c.Consumer, c.Partition, cur.Version, c.Version)
	case c.Position < cur.Position:
		return fmt.Errorf("%w: cursor %s/%d cannot move back from %d to %d", session.ErrInvalid, c.Consumer, c.Partition, cur.Position, c.Position)
	case c.Position > p.last:
		return fmt.Errorf("%w: cursor %s/%d position %d is past the last position %d", session.ErrInvalid, c.Consumer, c.Partition, c.Position, p.last)
	}
	if s.cursors == nil {
		s.cursors = map[cursorKey]session.Cursor{}
	}
	c.Version++
	s.cursors[key] = c
	return nil
}

// Closed implements session.RetentionStore.
func (s *Store) Closed(ctx context.Context, before time.Time, limit int) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	type closedAt struct {
		id switchboard.ChatID
		at time.Time
	}
	var due []closedAt
	for id, r := range s.closed {
		if r.state.ClosedAt.Before(before) {
			due = append(due, closedAt{id, r.state.ClosedAt})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(due, func(a, b closedAt) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	out := make([]switchboard.ChatID, len(due))
	for i := range due {
		out[i] = due[i].id
	}
	return out, nil
}

// Forget implements session.RetentionStore. It drops every reference the
// store holds to the session, so the memory is freed.
func (s *Store) Forget(ctx context.Context, chat switchboard.ChatID, version uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.get(chat)
	if err != nil {
		return err
	}
	if r.state.Version != version {
		return fmt.Errorf("%w: %s is at version %d, not %d", session.ErrConflict, chat, r.state.Version, version)
	}
	if r.state.Status != session.StatusClosed {
		return fmt.Errorf("%w: %s is %s, not closed", session.ErrInvalidState, chat, r.state.Status)
	}
	delete(s.sessions, chat)
	delete(s.closed, chat)
	p := &s.partitions()[r.part]
	p.dead += len(r.log)
	*r = record{gone: true}
	if p.dead > p.n/2 {
		p.compact()
	}
	if s.peak > 64 && len(s.sessions) < s.peak/4 {
		s.sessions, s.closed = shrunk(s.sessions), shrunk(s.closed)
		s.peak = len(s.sessions)
	}
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
