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

var _ session.FragmentStore = (*FragmentStore)(nil)

// FragmentStore is an in-memory session.FragmentStore. The zero value is
// ready to use; a FragmentStore must not be copied after first use. It is
// safe for concurrent use. It holds a fragment only until it is deleted,
// which the Manager does when the fragment's window closes.
type FragmentStore struct {
	mu    sync.Mutex
	frags map[fragmentKey]session.Fragment
}

type fragmentKey struct {
	chat    switchboard.ChatID
	message string
}

// NewFragmentStore returns an empty FragmentStore.
func NewFragmentStore() *FragmentStore { return &FragmentStore{} }

// PutFragment implements session.FragmentStore.
func (s *FragmentStore) PutFragment(ctx context.Context, f session.Fragment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.Chat == "" || f.Sender == "" || f.Message == "" || f.Until.IsZero() {
		return fmt.Errorf("%w: fragment needs a chat, sender, message and deadline", session.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.frags == nil {
		s.frags = map[fragmentKey]session.Fragment{}
	}
	s.frags[fragmentKey{f.Chat, f.Message}] = f
	return nil
}

// Fragments implements session.FragmentStore.
func (s *FragmentStore) Fragments(ctx context.Context, chat switchboard.ChatID, sender session.ParticipantID) ([]session.Fragment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var out []session.Fragment
	for k, f := range s.frags {
		if k.chat == chat && f.Sender == sender {
			out = append(out, f)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b session.Fragment) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Message, b.Message))
	})
	return out, nil
}

// DeleteFragment implements session.FragmentStore.
func (s *FragmentStore) DeleteFragment(ctx context.Context, chat switchboard.ChatID, message string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := fragmentKey{chat, message}
	if _, ok := s.frags[k]; !ok {
		return fmt.Errorf("%w: fragment %s in %s", session.ErrNotFound, message, chat)
	}
	delete(s.frags, k)
	return nil
}

// ExpiredFragments implements session.FragmentStore.
func (s *FragmentStore) ExpiredFragments(ctx context.Context, now time.Time, limit int) ([]session.Fragment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var out []session.Fragment
	for _, f := range s.frags {
		if f.Until.Before(now) {
			out = append(out, f)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b session.Fragment) int {
		return cmp.Or(a.Until.Compare(b.Until), cmp.Compare(a.Chat, b.Chat), cmp.Compare(a.Message, b.Message))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit:limit]
	}
	return out, nil
}
