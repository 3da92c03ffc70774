package sessionmem_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// activeByScan is what ActiveSessions must return for p: every session of
// ids, not closed, that p is present in.
func activeByScan(t *testing.T, s *sessionmem.Store, ids []switchboard.ChatID, p session.ParticipantID) []switchboard.ChatID {
	t.Helper()
	var out []switchboard.ChatID
	for _, id := range ids {
		st, err := s.GetSession(context.Background(), id)
		if err != nil {
			require.ErrorIs(t, err, session.ErrNotFound)
			continue
		}
		if q := st.Participant(p); q != nil && q.Present() && st.Status != session.StatusClosed {
			out = append(out, id)
		}
	}
	return out
}

func TestActiveSessionsAgreeWithEverySession(t *testing.T) {
	t.Parallel()
	// SPEC X7: the store finds an agent's sessions from an index of who is
	// present where, not by reading every session it keeps; after any
	// sequence of joins, leaves, invitations, closes, reopenings and
	// forgetting, the index says what reading every session would.
	ctx := context.Background()
	s := sessionmem.NewStore()
	rnd := rand.New(rand.NewPCG(7, 11))
	people := []session.ParticipantID{session.AgentParticipant("ann"), session.AgentParticipant("bob"),
		session.AgentParticipant("cy"), session.CustomerParticipant("u1"), session.CustomerParticipant("u2")}
	var ids []switchboard.ChatID
	for step := range 3000 {
		if len(ids) == 0 || rnd.IntN(8) == 0 {
			id := switchboard.ChatID(fmt.Sprint("c", step))
			st := session.Session{ID: id, Status: session.StatusActive}
			for _, p := range people {
				if rnd.IntN(3) == 0 {
					st.Participants = append(st.Participants, session.Participant{ID: p, Stints: []session.Stint{{Invited: 1, Joined: uint64(rnd.IntN(2))}}})
				}
			}
			_, err := s.CreateSession(ctx, st, nil)
			require.NoError(t, err)
			ids = append(ids, id)
		} else {
			id := ids[rnd.IntN(len(ids))]
			st, err := s.GetSession(ctx, id)
			if err != nil {
				require.ErrorIs(t, err, session.ErrNotFound)
				continue
			}
			switch x := rnd.IntN(10); {
			case x == 0 && st.Status == session.StatusClosed:
				require.NoError(t, s.Forget(ctx, id, st.Version))
				continue
			case x < 2:
				st.Status = session.StatusClosed
			case x < 3:
				st.Status = session.StatusActive // reopened
			case x < 4:
				st.Status = session.StatusEnded
			default:
				p := people[rnd.IntN(len(people))]
				q := st.Participant(p)
				if q == nil {
					st.Participants = append(st.Participants, session.Participant{ID: p})
					q = &st.Participants[len(st.Participants)-1]
				}
				v := st.Version + 1
				switch {
				case len(q.Stints) == 0 || q.Stints[len(q.Stints)-1].Left != 0:
					q.Stints = append(q.Stints, session.Stint{Invited: v, Joined: v * uint64(rnd.IntN(2))})
				case q.Stints[len(q.Stints)-1].Joined == 0:
					q.Stints[len(q.Stints)-1].Joined = v
				default:
					q.Stints[len(q.Stints)-1].Left = v
				}
			}
			_, err = s.UpdateSession(ctx, st, nil)
			require.NoError(t, err)
		}
		if step%50 == 0 {
			for _, p := range people {
				got, err := s.ActiveSessions(ctx, p)
				require.NoError(t, err)
				require.ElementsMatch(t, activeByScan(t, s, ids, p), got, "step %d, %s", step, p)
			}
		}
	}
}

func TestActiveSessionsUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	// SPEC X7: sessions joined and closed from many goroutines at once
	// leave the index agreeing with the sessions (run it with -race).
	ctx := context.Background()
	s := sessionmem.NewStore()
	ann := session.AgentParticipant("ann")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := switchboard.ChatID(fmt.Sprintf("w%d-%d", w, i))
				st := session.Session{ID: id, Status: session.StatusActive,
					Participants: []session.Participant{{ID: ann, Stints: []session.Stint{{Invited: 1, Joined: 1}}}}}
				if _, err := s.CreateSession(ctx, st, nil); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.ActiveSessions(ctx, ann); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					continue
				}
				st.Version, st.Status = 1, session.StatusClosed
				if _, err := s.UpdateSession(ctx, st, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.ActiveSessions(ctx, ann)
	require.NoError(t, err)
	require.Len(t, got, 400, "the even sessions of each goroutine stay open")
}

// BenchmarkActiveSessions reads the three sessions an agent is in, among
// 1,000 and 100,000 sessions kept (1,000 agents with three sessions each,
// the rest closed and not yet forgotten): what a logout or a disconnect
// reads of every agent, and a desktop's count of active chats.
func BenchmarkActiveSessions(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			s := sessionmem.NewStore()
			for i := range n {
				agent := session.AgentParticipant(switchboard.AgentID(fmt.Sprint("a", i%1000)))
				st := session.Session{ID: switchboard.ChatID(fmt.Sprint("c", i)), Status: session.StatusActive,
					Participants: []session.Participant{
						{ID: session.CustomerParticipant(switchboard.CustomerID(fmt.Sprint("u", i))), Stints: []session.Stint{{Joined: 1}}},
						{ID: agent, Stints: []session.Stint{{Joined: 1}}}}}
				if i >= 3000 {
					st.Status = session.StatusClosed
				}
				if _, err := s.CreateSession(ctx, st, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				ids, err := s.ActiveSessions(ctx, "agent:a7")
				if err != nil || len(ids) != min(3, n/1000) {
					b.Fatal(err, len(ids))
				}
			}
		})
	}
}
