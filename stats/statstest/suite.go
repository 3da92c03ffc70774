// Package statstest checks an implementation of [stats.Store] against its
// contract.
package statstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/stats"
)

// RunStoreTests runs the conformance suite against stores made by
// newStore, which must return an empty store each time.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) stats.Store) {
	ctx := context.Background()
	t.Run("EmptyPartition", func(t *testing.T) {
		s := newStore(t)
		st, err := s.Load(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		if st.Partition != 3 || st.Version != 0 || st.Position != 0 || len(st.Figures) != 0 {
			t.Fatalf("empty partition loaded as %+v", st)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		s := newStore(t)
		st := folded(t)
		if err := s.Save(ctx, &st); err != nil {
			t.Fatal(err)
		}
		if st.Version != 1 {
			t.Fatalf("version after the first save = %d, want 1", st.Version)
		}
		got, err := s.Load(ctx, st.Partition)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || got.Position != st.Position {
			t.Fatalf("loaded version %d position %d, want 1 and %d", got.Version, got.Position, st.Position)
		}
		want := stats.Window(stats.ByQueue, "q", day, day.Add(24*time.Hour), &st)
		have := stats.Window(stats.ByQueue, "q", day, day.Add(24*time.Hour), &got)
		if want.Entered != 1 || have != want {
			t.Fatalf("figures after a round trip = %+v, want %+v", have, want)
		}
		if len(got.Chats) != 1 || len(got.Agents) != 1 {
			t.Fatalf("live state after a round trip: %d chats, %d agents; want 1 and 1", len(got.Chats), len(got.Agents))
		}
		if got.FeedPosition != 5 || got.Awaiting["c1"].Agent != "ada" {
			t.Fatalf("feed state after a round trip: position %d, awaiting %v; want 5 and ada", got.FeedPosition, got.Awaiting)
		}
	})
	t.Run("SaveChanges", func(t *testing.T) {
		s, ok := newStore(t).(stats.ChangeStore)
		if !ok {
			t.Skip("the store saves whole states only")
		}
		st := folded(t)
		if err := s.Save(ctx, &st); err != nil {
			t.Fatal(err)
		}
		next := st.Clone()
		next.Chats["c2"] = &stats.Live{Queue: "q", Phase: stats.Waiting}
		delete(next.Agents, "ada")
		delete(next.Awaiting, "c1")
		next.Position, next.FeedPosition = 9, 7
		for k := range next.Figures {
			next.Figures[k].Entered = 42 // changed, but not named: not written
		}
		ch := &stats.Changes{Chats: []switchboard.ChatID{"c2"}, Agents: []switchboard.AgentID{"ada"}, Awaiting: []switchboard.ChatID{"c1"}}
		stale := next.Clone()
		if err := s.SaveChanges(ctx, &next, ch); err != nil {
			t.Fatal(err)
		}
		if next.Version != 2 {
			t.Fatalf("version after saving changes = %d, want 2", next.Version)
		}
		got, err := s.Load(ctx, st.Partition)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Position != 9 || got.FeedPosition != 7 {
			t.Fatalf("loaded version %d, positions %d and %d; want 2, 9 and 7", got.Version, got.Position, got.FeedPosition)
		}
		if got.Chats["c2"] == nil || got.Chats["c1"] == nil || len(got.Agents) != 0 || len(got.Awaiting) != 0 {
			t.Fatalf("live state after saving changes: chats %v, agents %v, awaiting %v; want c1 and c2, none, none",
				got.Chats, got.Agents, got.Awaiting)
		}
		if w := stats.Window(stats.ByQueue, "q", day, day.Add(24*time.Hour), &got); w.Entered != 1 {
			t.Fatalf("a row the changes did not name was written: entered %d, want 1", w.Entered)
		}
		// Saving changes from a version no longer stored changes nothing.
		stale.Chats["c3"] = &stats.Live{Queue: "q"}
		err = s.SaveChanges(ctx, &stale, &stats.Changes{Chats: []switchboard.ChatID{"c3"}})
		if !errors.Is(err, stats.ErrConflict) {
			t.Fatalf("saving changes at a stale version: %v, want ErrConflict", err)
		}
		if again, err := s.Load(ctx, st.Partition); err != nil || again.Version != 2 || again.Chats["c3"] != nil {
			t.Fatalf("after a conflict: version %d, c3 %v, %v", again.Version, again.Chats["c3"], err)
		}
	})
	t.Run("CompareAndSet", func(t *testing.T) {
		s := newStore(t)
		st := folded(t)
		if err := s.Save(ctx, &st); err != nil {
			t.Fatal(err)
		}
		stale := st
		stale.Version = 0
		stale.Position = 99
		if err := s.Save(ctx, &stale); !errors.Is(err, stats.ErrConflict) {
			t.Fatalf("creating a stored partition again: %v, want ErrConflict", err)
		}
		stale.Version = 7
		if err := s.Save(ctx, &stale); !errors.Is(err, stats.ErrConflict) {
			t.Fatalf("saving at a wrong version: %v, want ErrConflict", err)
		}
		got, err := s.Load(ctx, st.Partition)
		if err != nil {
			t.Fatal(err)
		}
		if got.Position != st.Position || got.Version != 1 {
			t.Fatalf("a failed save changed the state: position %d version %d", got.Position, got.Version)
		}
		got.Position++
		if err := s.Save(ctx, &got); err != nil || got.Version != 2 {
			t.Fatalf("saving at the stored version: %v, version %d; want nil and 2", err, got.Version)
		}
	})
	t.Run("Copies", func(t *testing.T) {
		s := newStore(t)
		st := folded(t)
		if err := s.Save(ctx, &st); err != nil {
			t.Fatal(err)
		}
		for _, f := range st.Figures {
			f.Entered += 100
		}
		for _, c := range st.Chats {
			c.Queue = "changed"
		}
		got, err := s.Load(ctx, st.Partition)
		if err != nil {
			t.Fatal(err)
		}
		for k, f := range got.Figures {
			if f.Entered >= 100 {
				t.Fatalf("the store kept the caller's figures of %v", k)
			}
			f.Entered += 1000
		}
		for _, c := range got.Chats {
			if c.Queue == "changed" {
				t.Fatal("the store kept the caller's live chat")
			}
		}
		again, err := s.Load(ctx, st.Partition)
		if err != nil {
			t.Fatal(err)
		}
		for k, f := range again.Figures {
			if f.Entered >= 1000 {
				t.Fatalf("the store returned its own figures of %v", k)
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Load(ctx, -1); !errors.Is(err, stats.ErrInvalid) {
			t.Fatalf("loading partition -1: %v, want ErrInvalid", err)
		}
		if err := s.Save(ctx, &stats.State{Partition: -1}); !errors.Is(err, stats.ErrInvalid) {
			t.Fatalf("saving partition -1: %v, want ErrInvalid", err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		s := newStore(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Load(c, 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("load with a cancelled context: %v", err)
		}
		if err := s.Save(c, &stats.State{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("save with a cancelled context: %v", err)
		}
	})
}

// day is the day the suite's events happen on.
var day = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// folded returns the state of partition 2 after an agent logged in and a
// chat entered queue q.
func folded(t *testing.T) stats.State {
	a, err := stats.New(stats.Config{}, stats.State{Partition: 2})
	if err != nil {
		t.Fatal(err)
	}
	at := day.Add(9 * time.Hour)
	a.Apply(&routing.Event{Type: routing.AgentLoggedIn, Seq: 1, At: at, Agent: "ada", State: routing.Available,
		Queues: []switchboard.QueueID{"q"}, Capacity: []routing.Capacity{{Channel: "chat", Max: 1}}})
	a.Apply(&routing.Event{Type: routing.ChatQueued, Seq: 2, At: at, Chat: "c1", Queue: "q"})
	a.ApplyEntry(&session.FeedEntry{Seq: 5, Chat: "c1", Entry: session.Entry{Type: session.EntryOwnerChanged,
		Subject: session.AgentParticipant("ada"), At: at}})
	return a.State().Clone()
}
