package sessionmem

import (
	"context"
	"fmt"
	"sync"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

var _ session.Store = (*Store)(nil)

// Store is an in-memory session.Store. The zero value is ready to use; a
// Store must not be copied after first use. It is safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	sessions map[switchboard.ChatID]*record
}

type record struct {
	state session.Session
	log   []session.Entry
	ids   map[string]uint64 // entry ID → Seq
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{} }

func (s *Store) get(id switchboard.ChatID) (*record, error) {
	r, ok := s.sessions[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", session.ErrNotFound, id)
	}
	return r, nil
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

// append copies entries into r's log with the next sequence numbers.
// The caller holds s.mu and has checked the IDs.
func (r *record) append(version uint64, entries []session.Entry) []session.Entry {
	out := make([]session.Entry, len(entries))
	for i, e := range entries {
		e = e.Clone()
		e.Seq = uint64(len(r.log)) + 1
		e.Version = version
		r.log = append(r.log, e)
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
	r := &record{state: st}
	if err := r.checkIDs(entries); err != nil {
		return nil, err
	}
	s.sessions[st.ID] = r
	return r.append(1, entries), nil
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
	out := r.append(st.Version, entries)
	r.state = st.Clone()
	r.state.Version = st.Version + 1
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
	return r.append(version, entries), nil
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
