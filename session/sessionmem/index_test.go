package sessionmem_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

var indexEpoch = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)

// indexedSession returns a customer session owned by a1; with a first
// response time it has a deadline that long after assigned.
func indexedSession(id switchboard.ChatID, firstResponse time.Duration, assigned time.Time) session.Session {
	return session.Session{
		ID: id, Kind: session.KindCustomer, Queue: "q", Status: session.StatusActive,
		InitiatedBy: session.CustomerParticipant("c1"), CreatedAt: indexEpoch,
		Participants: []session.Participant{
			{ID: session.CustomerParticipant("c1"), Role: session.RoleCustomer, Name: "Carol", Stints: []session.Stint{{Invited: 1, Joined: 1}}},
			{ID: session.AgentParticipant("a1"), Role: session.RoleOwner, Name: "Ann", Stints: []session.Stint{{Invited: 1, Joined: 1}}},
		},
		Timers: session.TimerState{Settings: switchboard.Timers{FirstResponse: firstResponse}, Owner: "a1", AssignedAt: assigned},
	}
}

// TestIndexesFollowEveryWrite checks Closed and DueSessions against a
// scan of every session kept, after random creations, writes that move,
// clear or set a deadline, closings, reopenings (a closed session made
// active again) and forgettings.
func TestIndexesFollowEveryWrite(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		st := sessionmem.NewStore()
		var ids []switchboard.ChatID
		minute := func(label string) time.Time {
			return indexEpoch.Add(time.Duration(rapid.IntRange(0, 20).Draw(rt, label)) * time.Minute)
		}
		for step := range rapid.IntRange(1, 60).Draw(rt, "steps") {
			op := rapid.IntRange(0, 4).Draw(rt, "op")
			if len(ids) == 0 {
				op = 0
			}
			switch op {
			case 0: // create, timed or not
				id := switchboard.ChatID("s" + strconv.Itoa(step))
				fr := time.Duration(rapid.IntRange(0, 5).Draw(rt, "fr")) * time.Minute
				if _, err := st.CreateSession(ctx, indexedSession(id, fr, minute("assigned")), nil); err != nil {
					rt.Fatal(err)
				}
				ids = append(ids, id)
			case 1, 2, 3: // move the deadline, close or reopen
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				cur, err := st.GetSession(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				next := cur.Clone()
				switch op {
				case 1:
					next.Timers.AssignedAt = minute("assigned")
					next.Timers.Answered = rapid.Bool().Draw(rt, "answered")
				case 2:
					next.Status, next.ClosedAt = session.StatusClosed, minute("closed")
				case 3:
					next.Status, next.ClosedAt = session.StatusActive, time.Time{}
				}
				if _, err := st.UpdateSession(ctx, next, nil); err != nil {
					rt.Fatal(err)
				}
			case 4: // forget a closed one
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				cur, err := st.GetSession(ctx, id)
				if err != nil {
					rt.Fatal(err)
				}
				if cur.Status == session.StatusClosed {
					if err := st.Forget(ctx, id, cur.Version); err != nil {
						rt.Fatal(err)
					}
					ids = slices.DeleteFunc(ids, func(x switchboard.ChatID) bool { return x == id })
				}
			}
			at := minute("at")
			limit := rapid.IntRange(0, 4).Draw(rt, "limit")
			wantDue, wantClosed := scan(ctx, rt, st, ids, at, limit)
			due, err := st.DueSessions(ctx, at, limit)
			if err != nil {
				rt.Fatal(err)
			}
			closed, err := st.Closed(ctx, at, limit)
			if err != nil {
				rt.Fatal(err)
			}
			if fmt.Sprint(due) != fmt.Sprint(wantDue) {
				rt.Fatalf("DueSessions(%s, %d) = %v, a scan finds %v", at.Format(time.Kitchen), limit, due, wantDue)
			}
			if fmt.Sprint(closed) != fmt.Sprint(wantClosed) {
				rt.Fatalf("Closed(%s, %d) = %v, a scan finds %v", at.Format(time.Kitchen), limit, closed, wantClosed)
			}
		}
	})
}

// scan answers DueSessions and Closed by reading every session.
func scan(ctx context.Context, rt *rapid.T, st *sessionmem.Store, ids []switchboard.ChatID, at time.Time, limit int) (due, closed []switchboard.ChatID) {
	type keyed struct {
		id switchboard.ChatID
		at time.Time
	}
	var ds, cs []keyed
	for _, id := range ids {
		s, err := st.GetSession(ctx, id)
		if err != nil {
			rt.Fatal(err)
		}
		if d := s.NextDeadline(); !d.IsZero() && !d.After(at) {
			ds = append(ds, keyed{id, d})
		}
		if s.Status == session.StatusClosed && s.ClosedAt.Before(at) {
			cs = append(cs, keyed{id, s.ClosedAt})
		}
	}
	order := func(ks []keyed) []switchboard.ChatID {
		slices.SortFunc(ks, func(a, b keyed) int {
			if c := a.at.Compare(b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		if limit > 0 && len(ks) > limit {
			ks = ks[:limit]
		}
		var out []switchboard.ChatID
		for _, k := range ks {
			out = append(out, k.id)
		}
		return out
	}
	return order(ds), order(cs)
}

// BenchmarkDueSessions polls for due sessions among many kept that are
// not due (the poll Run makes every few seconds), beside the same poll
// with none kept: the indexes make it cost what it returns, not what the
// store holds. Closed, which retention polls, is measured the same way.
func BenchmarkDueSessions(b *testing.B) {
	ctx := context.Background()
	for _, kept := range []int{0, 100_000} {
		st := sessionmem.NewStore()
		for i := range kept {
			id := switchboard.ChatID("s" + strconv.Itoa(i))
			if _, err := st.CreateSession(ctx, indexedSession(id, time.Hour, indexEpoch), nil); err != nil {
				b.Fatal(err)
			}
			if i%2 == 1 {
				cur, _ := st.GetSession(ctx, id)
				next := cur.Clone()
				next.Status, next.ClosedAt, next.Timers = session.StatusClosed, indexEpoch.Add(time.Hour), session.TimerState{}
				if _, err := st.UpdateSession(ctx, next, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.Run(fmt.Sprintf("query=due/kept=%d/due=none", kept), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ids, err := st.DueSessions(ctx, indexEpoch.Add(time.Minute), 100); err != nil || len(ids) != 0 {
					b.Fatal(err, len(ids))
				}
			}
		})
		b.Run(fmt.Sprintf("query=closed/kept=%d/due=none", kept), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ids, err := st.Closed(ctx, indexEpoch.Add(time.Minute), 100); err != nil || len(ids) != 0 {
					b.Fatal(err, len(ids))
				}
			}
		})
	}
}
