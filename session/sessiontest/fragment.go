package sessiontest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// RunFragmentStoreTests runs the session.FragmentStore conformance suite.
// newStore must return an empty store for each call; the cases run in
// parallel.
func RunFragmentStoreTests(t *testing.T, newStore func(t *testing.T) session.FragmentStore) {
	t.Helper()
	for _, c := range fragmentCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

type fragmentCase struct {
	name string
	run  func(t *testing.T, s session.FragmentStore)
}

func fragment(chat switchboard.ChatID, sender session.ParticipantID, message string, at time.Duration) session.Fragment {
	return session.Fragment{Chat: chat, Sender: sender, Message: message, Text: "ends with 4111 " + message,
		At: epoch.Add(at), Until: epoch.Add(at + 30*time.Second)}
}

func mustPut(t *testing.T, s session.FragmentStore, fs ...session.Fragment) {
	t.Helper()
	for _, f := range fs {
		require.NoError(t, s.PutFragment(context.Background(), f))
	}
}

func messages(fs []session.Fragment) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, string(f.Chat)+"/"+f.Message)
	}
	return out
}

var fragmentCases = []fragmentCase{
	{"PutAndReadBySender", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		mustPut(t, s,
			fragment("c1", "customer:u1", "m2", 2*time.Second),
			fragment("c1", "customer:u1", "m1", time.Second),
			fragment("c1", "agent:ann", "m3", time.Second),
			fragment("c2", "customer:u1", "m4", time.Second))
		got, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		require.Equal(t, []string{"c1/m1", "c1/m2"}, messages(got), "only the sender's in the chat, oldest first")
		require.Equal(t, fragment("c1", "customer:u1", "m1", time.Second), got[0], "stored as put, every field")
		got, err = s.Fragments(ctx, "c3", "customer:u1")
		require.NoError(t, err)
		require.Empty(t, got)
	}},
	{"PutReplacesTheSameMessage", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		mustPut(t, s, fragment("c1", "customer:u1", "m1", time.Second))
		again := fragment("c1", "customer:u1", "m1", 5*time.Second)
		again.Text = "other 5500"
		mustPut(t, s, again)
		got, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		require.Equal(t, []session.Fragment{again}, got)
	}},
	{"PutInvalid", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		for name, mutate := range map[string]func(*session.Fragment){
			"NoChat":    func(f *session.Fragment) { f.Chat = "" },
			"NoSender":  func(f *session.Fragment) { f.Sender = "" },
			"NoMessage": func(f *session.Fragment) { f.Message = "" },
			"NoUntil":   func(f *session.Fragment) { f.Until = time.Time{} },
		} {
			f := fragment("c1", "customer:u1", "m1", 0)
			mutate(&f)
			require.ErrorIs(t, s.PutFragment(ctx, f), session.ErrInvalid, name)
		}
		got, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		require.Empty(t, got, "nothing stored")
	}},
	{"Delete", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		mustPut(t, s, fragment("c1", "customer:u1", "m1", 0), fragment("c1", "customer:u1", "m2", 0))
		require.NoError(t, s.DeleteFragment(ctx, "c1", "m1"))
		require.ErrorIs(t, s.DeleteFragment(ctx, "c1", "m1"), session.ErrNotFound)
		require.ErrorIs(t, s.DeleteFragment(ctx, "c2", "m2"), session.ErrNotFound, "keyed by chat and message")
		got, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		require.Equal(t, []string{"c1/m2"}, messages(got))
	}},
	{"ConcurrentDeletesClaimOnce", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		mustPut(t, s, fragment("c1", "customer:u1", "m1", 0))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won, lost := 0, 0
		for range 8 {
			wg.Go(func() {
				err := s.DeleteFragment(ctx, "c1", "m1")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.Is(err, session.ErrNotFound):
					lost++
				}
			})
		}
		wg.Wait()
		require.Equal(t, 1, won, "exactly one delete claims the fragment")
		require.Equal(t, 7, lost, "the others find it gone")
	}},
	{"ExpiredByDeadline", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		mustPut(t, s,
			fragment("c2", "customer:u1", "a", 2*time.Second),
			fragment("c1", "customer:u1", "b", 2*time.Second),
			fragment("c1", "customer:u1", "a", 2*time.Second),
			fragment("c1", "customer:u1", "c", time.Second),
			fragment("c1", "customer:u1", "late", time.Minute))
		got, err := s.ExpiredFragments(ctx, epoch.Add(32*time.Second), 0)
		require.NoError(t, err)
		require.Equal(t, []string{"c1/c"}, messages(got), "due before now, not at it")
		got, err = s.ExpiredFragments(ctx, epoch.Add(33*time.Second), 0)
		require.NoError(t, err)
		require.Equal(t, []string{"c1/c", "c1/a", "c1/b", "c2/a"}, messages(got), "by deadline, then chat and message")
		got, err = s.ExpiredFragments(ctx, epoch.Add(33*time.Second), 2)
		require.NoError(t, err)
		require.Equal(t, []string{"c1/c", "c1/a"}, messages(got))
		left, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		require.Len(t, left, 4, "listing changes nothing")
	}},
	{"CopiesAcrossTheBoundary", func(t *testing.T, s session.FragmentStore) {
		ctx := context.Background()
		f := fragment("c1", "customer:u1", "m1", 0)
		mustPut(t, s, f)
		got, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		got[0].Text = "changed"
		again, err := s.Fragments(ctx, "c1", "customer:u1")
		require.NoError(t, err)
		require.Equal(t, f.Text, again[0].Text)
	}},
	{"Cancelled", func(t *testing.T, s session.FragmentStore) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, s.PutFragment(ctx, fragment("c1", "customer:u1", "m1", 0)), context.Canceled)
		got, err := s.Fragments(context.Background(), "c1", "customer:u1")
		require.NoError(t, err)
		require.Empty(t, got, "a cancelled put stores nothing")
		mustPut(t, s, fragment("c1", "customer:u1", "m1", 0))
		_, err = s.Fragments(ctx, "c1", "customer:u1")
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.ExpiredFragments(ctx, epoch.Add(time.Hour), 0)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, s.DeleteFragment(ctx, "c1", "m1"), context.Canceled)
		got, err = s.Fragments(context.Background(), "c1", "customer:u1")
		require.NoError(t, err)
		require.Len(t, got, 1, "a cancelled delete deletes nothing")
	}},
}
