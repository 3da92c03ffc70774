package sessiontest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// RunStoreTests runs the session.Store conformance suite. newStore must
// return an empty store for each call; the cases run in parallel. When
// the store also implements session.FeedStore, session.FeedHeadStore,
// session.FeedTipStore, session.RetentionStore, session.SessionLender or session.EntryLender,
// their cases run too; otherwise they are skipped.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, c := range storeCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
	for _, c := range feedCases {
		t.Run("Feed/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			f, ok := s.(session.FeedStore)
			if !ok {
				t.Skip("the store does not implement session.FeedStore")
			}
			c.run(t, s, f)
		})
	}
	for _, c := range feedHeadCases {
		t.Run("FeedHeads/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			f, ok := s.(session.FeedStore)
			h, ok2 := s.(session.FeedHeadStore)
			if !ok || !ok2 {
				t.Skip("the store does not implement session.FeedStore and session.FeedHeadStore")
			}
			c.run(t, s, f, h)
		})
	}
	for _, c := range feedTipCases {
		t.Run("FeedTip/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			f, ok := s.(session.FeedStore)
			tip, ok2 := s.(session.FeedTipStore)
			if !ok || !ok2 {
				t.Skip("the store does not implement session.FeedStore and session.FeedTipStore")
			}
			c.run(t, s, f, tip)
		})
	}
	for _, c := range lendCases {
		t.Run("Lend/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			l, ok := s.(session.SessionLender)
			if !ok {
				t.Skip("the store does not implement session.SessionLender")
			}
			c.run(t, s, l)
		})
	}
	for _, c := range entryLendCases {
		t.Run("LendEntries/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			l, ok := s.(session.EntryLender)
			if !ok {
				t.Skip("the store does not implement session.EntryLender")
			}
			c.run(t, s, l)
		})
	}
	for _, c := range deadlineCases {
		t.Run("Deadline/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			d, ok := s.(session.DeadlineStore)
			if !ok {
				t.Skip("the store does not implement session.DeadlineStore")
			}
			c.run(t, s, d)
		})
	}
	for _, c := range retentionCases {
		t.Run("Retention/"+c.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			r, ok := s.(session.RetentionStore)
			if !ok {
				t.Skip("the store does not implement session.RetentionStore")
			}
			c.run(t, s, r)
		})
	}
}

type storeCase struct {
	name string
	run  func(t *testing.T, s session.Store)
}

var epoch = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

func newSession(id switchboard.ChatID) session.Session {
	return session.Session{
		ID: id, Tenant: "t1", Kind: session.KindCustomer, Queue: "sales",
		InitiatedBy: session.CustomerParticipant("c1"), Status: session.StatusActive,
		History: switchboard.HistoryAll, CreatedAt: epoch, Txn: "create-" + string(id),
		Participants: []session.Participant{{
			ID: session.CustomerParticipant("c1"), Role: session.RoleCustomer, Name: "Carol",
			Stints: []session.Stint{{Invited: 1, Joined: 1}},
		}},
		Attributes: []session.Attribute{{Name: "email", Value: "c@example.com", Verified: true}},
	}
}

func msg(text string) session.Entry {
	return session.Entry{Type: session.EntryMessage, Audience: session.Everyone(), At: epoch,
		From: session.CustomerParticipant("c1"), FromName: "Carol", Text: text,
		Files: []session.File{{Name: "a.png", MIMEType: "image/png", Size: 3, Ref: "r1"}}}
}

// withID returns e with ID id.
func withID(e session.Entry, id string) session.Entry {
	e.ID = id
	return e
}

func whisper(text string) session.Entry {
	e := msg(text)
	e.Audience = session.Audience{Kind: session.AudienceNamed, Members: []session.ParticipantID{"agent:a", "agent:b"}}
	return e
}

func mustCreate(t *testing.T, s session.Store, id switchboard.ChatID, entries ...session.Entry) session.Session {
	t.Helper()
	_, err := s.CreateSession(context.Background(), newSession(id), entries)
	require.NoError(t, err)
	got, err := s.GetSession(context.Background(), id)
	require.NoError(t, err)
	return got
}

func readAll(t *testing.T, s session.Store, id switchboard.ChatID) []session.Entry {
	t.Helper()
	log, err := s.ReadEntries(context.Background(), id, 0, 0)
	require.NoError(t, err)
	return log
}

// requireGapless checks that log's sequence numbers are 1..len(log) and
// that versions never decrease along the log.
func requireGapless(t *testing.T, log []session.Entry) {
	t.Helper()
	for i, e := range log {
		require.Equal(t, uint64(i+1), e.Seq, "entry %d", i)
		if i > 0 {
			require.GreaterOrEqual(t, e.Version, log[i-1].Version, "versions must not decrease along the log")
		}
	}
}

func stress() int {
	n := 1
	if v, err := strconv.Atoi(os.Getenv("SESSIONTEST_STRESS")); err == nil && v > 0 {
		n = v
	}
	if testing.Short() {
		return n
	}
	return 4 * n
}

var storeCases = []storeCase{
	{"NoticesRoundTrip", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1")
		n := session.Entry{ID: "notice:n1", Type: session.EntryNotice, Audience: session.Audience{Kind: session.AudienceCustomer},
			Text: "You are number 2 in the queue.",
			Notice: session.Notice{Kind: session.NoticeRequeued, Position: 2, Wait: 90 * time.Second, Estimated: true,
				Reason: session.RequeuedAgentLeft}}
		stored, err := s.AppendEntries(ctx, "s1", 1, []session.Entry{n})
		require.NoError(t, err)
		require.Len(t, stored, 1)
		got, err := s.EntryByID(ctx, "s1", "notice:n1")
		require.NoError(t, err)
		require.Equal(t, n.Notice, got.Notice)
		require.Equal(t, session.AudienceCustomer, got.Audience.Kind)
		_, err = s.AppendEntries(ctx, "s1", 1, []session.Entry{n})
		require.ErrorIs(t, err, session.ErrDuplicate, "a notice's ID is stored once")
	}},
	{"CreateAndGet", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		in := newSession("s1")
		stored, err := s.CreateSession(ctx, in, []session.Entry{msg("one"), whisper("two")})
		require.NoError(t, err)
		require.Len(t, stored, 2)
		for i, e := range stored {
			require.Equal(t, uint64(i+1), e.Seq)
			require.Equal(t, uint64(1), e.Version)
		}
		require.Equal(t, "two", stored[1].Text)
		require.Equal(t, session.AudienceNamed, stored[1].Audience.Kind)
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		want := in.Clone()
		want.Version = 1
		require.Equal(t, want, got)
		require.Equal(t, stored, readAll(t, s, "s1"))
	}},
	{"ErrExists", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1", msg("one"))
		other := newSession("s1")
		other.Queue = "other"
		_, err := s.CreateSession(ctx, other, []session.Entry{msg("two")})
		require.ErrorIs(t, err, session.ErrExists)
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, switchboard.QueueID("sales"), got.Queue)
		require.Len(t, readAll(t, s, "s1"), 1)
	}},
	{"ErrNotFound", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		_, err := s.GetSession(ctx, "nope")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.UpdateSession(ctx, newSession("nope"), nil)
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.AppendEntries(ctx, "nope", 1, []session.Entry{msg("x")})
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.ReadEntries(ctx, "nope", 0, 0)
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.LastSeq(ctx, "nope")
		require.ErrorIs(t, err, session.ErrNotFound)
		require.ErrorIs(t, s.AmendEntry(ctx, "nope", 1, "x"), session.ErrNotFound)
		mustCreate(t, s, "s1", msg("one"))
		require.ErrorIs(t, s.AmendEntry(ctx, "s1", 2, "x"), session.ErrNotFound)
		require.ErrorIs(t, s.AmendEntry(ctx, "s1", 0, "x"), session.ErrNotFound)
		ids, err := s.ActiveSessions(ctx, "agent:nobody")
		require.NoError(t, err)
		require.Empty(t, ids)
	}},
	{"UpdateCompareAndSet", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		cur := mustCreate(t, s, "s1", msg("one"))
		next := cur.Clone()
		next.Status = session.StatusCustomerLeft
		stored, err := s.UpdateSession(ctx, next, []session.Entry{msg("two"), msg("three")})
		require.NoError(t, err)
		require.Equal(t, []uint64{2, 3}, []uint64{stored[0].Seq, stored[1].Seq})
		require.Equal(t, uint64(1), stored[0].Version, "entries carry the version they were written against")
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, uint64(2), got.Version)
		require.Equal(t, session.StatusCustomerLeft, got.Status)

		stale := cur.Clone() // still version 1
		stale.Status = session.StatusClosed
		_, err = s.UpdateSession(ctx, stale, []session.Entry{msg("four")})
		require.ErrorIs(t, err, session.ErrConflict)
		got, err = s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, session.StatusCustomerLeft, got.Status, "a conflicting update changes nothing")
		require.Len(t, readAll(t, s, "s1"), 3, "a conflicting update appends nothing")
	}},
	{"AppendIsFenced", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		cur := mustCreate(t, s, "s1")
		stored, err := s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{msg("one")})
		require.NoError(t, err)
		require.Equal(t, uint64(1), stored[0].Seq)
		require.Equal(t, cur.Version, stored[0].Version)
		_, err = s.UpdateSession(ctx, cur, nil)
		require.NoError(t, err)
		_, err = s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{msg("stale")})
		require.ErrorIs(t, err, session.ErrConflict)
		stored, err = s.AppendEntries(ctx, "s1", cur.Version+1, []session.Entry{msg("two")})
		require.NoError(t, err)
		require.Equal(t, uint64(2), stored[0].Seq)
		last, err := s.LastSeq(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, uint64(2), last)
	}},
	{"ReadAfterAndLimit", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1", msg("1"), msg("2"), msg("3"), msg("4"), msg("5"))
		page, err := s.ReadEntries(ctx, "s1", 2, 2)
		require.NoError(t, err)
		require.Equal(t, []string{"3", "4"}, []string{page[0].Text, page[1].Text})
		page, err = s.ReadEntries(ctx, "s1", 5, 0)
		require.NoError(t, err)
		require.Empty(t, page)
		page, err = s.ReadEntries(ctx, "s1", 99, 0)
		require.NoError(t, err)
		require.Empty(t, page)
		page, err = s.ReadEntries(ctx, "s1", 0, -1)
		require.NoError(t, err)
		require.Len(t, page, 5)
	}},
	{"AmendChangesTextOnly", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1", msg("card 4111"), whisper("note"))
		before := readAll(t, s, "s1")
		require.NoError(t, s.AmendEntry(ctx, "s1", 1, "card ****"))
		after := readAll(t, s, "s1")
		want := before[0].Clone()
		want.Text = "card ****"
		require.Equal(t, want, after[0])
		require.Equal(t, before[1], after[1])
	}},
	{"CopiesAcrossTheBoundary", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		in := newSession("s1")
		entries := []session.Entry{whisper("w")}
		_, err := s.CreateSession(ctx, in, entries)
		require.NoError(t, err)
		in.Participants[0].Name = "changed"
		in.Attributes[0].Value = "changed"
		entries[0].Audience.Members[0] = "customer:c1"
		entries[0].Files[0].Name = "changed"

		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, "Carol", got.Participants[0].Name)
		require.Equal(t, "c@example.com", got.Attributes[0].Value)
		got.Participants[0].Stints[0].Left = 9
		again, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Zero(t, again.Participants[0].Stints[0].Left)

		log := readAll(t, s, "s1")
		require.Equal(t, session.ParticipantID("agent:a"), log[0].Audience.Members[0])
		require.Equal(t, "a.png", log[0].Files[0].Name)
		log[0].Audience.Members[0] = "customer:c1"
		log[0].Files[0].Name = "changed"
		require.Equal(t, session.ParticipantID("agent:a"), readAll(t, s, "s1")[0].Audience.Members[0])
		require.Equal(t, "a.png", readAll(t, s, "s1")[0].Files[0].Name)
	}},
	{"EntryIDsAreStoredOnce", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		cur := mustCreate(t, s, "s1", withID(msg("one"), "a"), withID(msg("two"), "b"))
		log := readAll(t, s, "s1")
		require.Equal(t, []string{"a", "b"}, []string{log[0].ID, log[1].ID}, "IDs are kept")

		_, err := s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{withID(msg("three"), "c"), withID(msg("again"), "b")})
		require.ErrorIs(t, err, session.ErrDuplicate)
		next := cur.Clone()
		next.Status, next.Txn = session.StatusCustomerLeft, "w2"
		_, err = s.UpdateSession(ctx, next, []session.Entry{withID(msg("again"), "a")})
		require.ErrorIs(t, err, session.ErrDuplicate)
		_, err = s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{withID(msg("x"), "d"), withID(msg("y"), "d")})
		require.ErrorIs(t, err, session.ErrDuplicate, "the same ID twice in one write")
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, cur, got, "a duplicate changes no state")
		require.Equal(t, log, readAll(t, s, "s1"), "a duplicate appends nothing")

		_, err = s.UpdateSession(ctx, cur, nil)
		require.NoError(t, err)
		_, err = s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{withID(msg("stale"), "a")})
		require.ErrorIs(t, err, session.ErrConflict, "the version fence is checked first")

		stored, err := s.AppendEntries(ctx, "s1", cur.Version+1, []session.Entry{msg("no ID"), msg("no ID either")})
		require.NoError(t, err, "empty IDs are not checked")
		require.Len(t, stored, 2)
		stored, err = s.AppendEntries(ctx, "s1", cur.Version+1, []session.Entry{withID(msg("three"), "c")})
		require.NoError(t, err)
		require.Equal(t, "c", stored[0].ID)

		_, err = s.CreateSession(ctx, newSession("s2"), []session.Entry{withID(msg("x"), "a"), withID(msg("y"), "a")})
		require.ErrorIs(t, err, session.ErrDuplicate)
		_, err = s.GetSession(ctx, "s2")
		require.ErrorIs(t, err, session.ErrNotFound, "a duplicate creates nothing")
		mustCreate(t, s, "s2", withID(msg("x"), "a"))
		require.Equal(t, "a", readAll(t, s, "s2")[0].ID, "IDs are unique per session, not across sessions")
	}},
	{"EntryByID", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1", withID(msg("one"), "a"), withID(whisper("two"), "b"))
		log := readAll(t, s, "s1")
		e, err := s.EntryByID(ctx, "s1", "b")
		require.NoError(t, err)
		require.Equal(t, log[1], e)
		e.Audience.Members[0] = "customer:c1"
		e.Files[0].Name = "changed"
		again, err := s.EntryByID(ctx, "s1", "b")
		require.NoError(t, err)
		require.Equal(t, log[1], again, "the entry is a copy")

		require.NoError(t, s.AmendEntry(ctx, "s1", 1, "masked"))
		e, err = s.EntryByID(ctx, "s1", "a")
		require.NoError(t, err)
		require.Equal(t, "masked", e.Text, "an amendment shows")

		_, err = s.EntryByID(ctx, "s1", "zzz")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.EntryByID(ctx, "nope", "a")
		require.ErrorIs(t, err, session.ErrNotFound)
		_, err = s.EntryByID(ctx, "s1", "")
		require.ErrorIs(t, err, session.ErrInvalid)
	}},
	{"WriteIDIsKept", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		cur := mustCreate(t, s, "s1")
		require.Equal(t, "create-s1", cur.Txn)
		next := cur.Clone()
		next.Txn = "w2"
		_, err := s.UpdateSession(ctx, next, nil)
		require.NoError(t, err)
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, "w2", got.Txn)
	}},
	{"ActiveSessions", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		agent := session.AgentParticipant("a")
		withAgent := func(id switchboard.ChatID, st session.Stint, status session.Status) {
			in := newSession(id)
			in.Status = status
			in.Participants = append(in.Participants, session.Participant{ID: agent, Role: session.RoleOwner, Name: "Ann",
				Stints: []session.Stint{st}})
			_, err := s.CreateSession(ctx, in, nil)
			require.NoError(t, err)
		}
		withAgent("present", session.Stint{Invited: 1, Joined: 1}, session.StatusActive)
		withAgent("wrapup", session.Stint{Invited: 1, Joined: 1}, session.StatusEnded)
		withAgent("left", session.Stint{Invited: 1, Joined: 1, Left: 2}, session.StatusActive)
		withAgent("invited", session.Stint{Invited: 1}, session.StatusActive)
		withAgent("closed", session.Stint{Invited: 1, Joined: 1}, session.StatusClosed)
		mustCreate(t, s, "other")
		ids, err := s.ActiveSessions(ctx, agent)
		require.NoError(t, err)
		require.ElementsMatch(t, []switchboard.ChatID{"present", "wrapup"}, ids)
	}},
	{"ConcurrentAppendsAreGapless", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		cur := mustCreate(t, s, "s1")
		workers, each := 8, 25*stress()
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					batch := []session.Entry{msg(fmt.Sprintf("%d-%d-a", w, i)), msg(fmt.Sprintf("%d-%d-b", w, i))}
					stored, err := s.AppendEntries(ctx, "s1", cur.Version, batch)
					if err != nil {
						errs <- err
						return
					}
					if stored[1].Seq != stored[0].Seq+1 {
						errs <- fmt.Errorf("batch split: %d then %d", stored[0].Seq, stored[1].Seq)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		log := readAll(t, s, "s1")
		require.Len(t, log, workers*each*2)
		requireGapless(t, log)
		seen := map[string]bool{}
		for _, e := range log {
			require.False(t, seen[e.Text], "duplicate %s", e.Text)
			seen[e.Text] = true
		}
	}},
	{"ConcurrentUpdatesConflict", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1")
		workers, each := 6, 10*stress()
		var wg sync.WaitGroup
		var mu sync.Mutex
		conflicts, wins := 0, 0
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; {
					cur, err := s.GetSession(ctx, "s1")
					if err != nil {
						t.Error(err)
						return
					}
					next := cur.Clone()
					next.Attributes = append(next.Attributes, session.Attribute{Name: fmt.Sprintf("%d-%d", w, i)})
					_, err = s.UpdateSession(ctx, next, []session.Entry{msg(fmt.Sprintf("%d-%d", w, i))})
					mu.Lock()
					switch {
					case errors.Is(err, session.ErrConflict):
						conflicts++
					case err == nil:
						wins++
						i++
					default:
						t.Error(err)
						mu.Unlock()
						return
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, workers*each, wins)
		require.Equal(t, uint64(1+wins), got.Version, "every successful update bumps the version once")
		require.Len(t, got.Attributes, 1+wins, "no update was lost")
		log := readAll(t, s, "s1")
		require.Len(t, log, wins, "conflicting updates append nothing")
		requireGapless(t, log)
		t.Logf("%d updates, %d conflicts", wins, conflicts)
	}},
	{"AppendsRaceUpdates", func(t *testing.T, s session.Store) {
		ctx := context.Background()
		mustCreate(t, s, "s1")
		rounds := 50 * stress()
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					cur, err := s.GetSession(ctx, "s1")
					if err != nil {
						t.Error(err)
						return
					}
					if w == 0 {
						_, err = s.UpdateSession(ctx, cur, []session.Entry{msg(fmt.Sprintf("u%d", i))})
					} else {
						_, err = s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{msg(fmt.Sprintf("a%d-%d", w, i))})
					}
					if err != nil && !errors.Is(err, session.ErrConflict) {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		log := readAll(t, s, "s1")
		requireGapless(t, log)
		got, err := s.GetSession(ctx, "s1")
		require.NoError(t, err)
		for _, e := range log {
			require.Less(t, e.Version, got.Version+1)
		}
	}},
	{"CancelledContext", func(t *testing.T, s session.Store) {
		cur := mustCreate(t, s, "s1", msg("one"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := s.CreateSession(ctx, newSession("s2"), nil)
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.GetSession(ctx, "s1")
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.UpdateSession(ctx, cur, []session.Entry{msg("x")})
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.AppendEntries(ctx, "s1", cur.Version, []session.Entry{msg("x")})
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, s.AmendEntry(ctx, "s1", 1, "x"), context.Canceled)
		_, err = s.EntryByID(ctx, "s1", "a")
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.GetSession(context.Background(), "s2")
		require.ErrorIs(t, err, session.ErrNotFound)
		got, err := s.GetSession(context.Background(), "s1")
		require.NoError(t, err)
		require.Equal(t, cur, got)
		log := readAll(t, s, "s1")
		require.Len(t, log, 1)
		require.Equal(t, "one", log[0].Text)
	}},
}
