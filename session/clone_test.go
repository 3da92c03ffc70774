package session_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"

	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// TestCloneIsIndependent changes every part of a clone, small and large
// sessions alike, and checks that the original and the other participants
// keep what they held.
func TestCloneIsIndependent(t *testing.T) {
	// One or two stints each: the usual pair of participants, small
	// conferences and large ones are each copied their own way.
	for _, n := range []int{1, 2, 3, 4, 5, 9} {
		for _, k := range []int{1, 2} {
			t.Run(fmt.Sprint(n, " participants, ", k, " stints"), func(t *testing.T) {
				orig := session.Session{ID: "c1", WrapUp: &session.WrapUp{Reason: "sold"}, Attributes: []session.Attribute{{Name: "e-mail", Value: "a@b"}}}
				stints := []session.Stint{{Invited: 1, Joined: 1, Left: 2}, {Invited: 3, Joined: 3}}[:k]
				for i := range n {
					orig.Participants = append(orig.Participants, session.Participant{
						ID: session.AgentParticipant(switchboard.AgentID(fmt.Sprint("a", i))), Name: fmt.Sprint("A", i),
						Stints: append([]session.Stint(nil), stints...)})
				}
				want := orig.Clone()
				c := orig.Clone()
				require.Equal(t, want, c)
				for i := range c.Participants {
					c.Participants[i].Stints[0].Left = 99
					c.Participants[i].Stints = append(c.Participants[i].Stints, session.Stint{Invited: 7})
					c.Participants[i].Name = "changed"
				}
				c.Participants = append(c.Participants, session.Participant{ID: "x"})
				c.WrapUp.Reason = "changed"
				c.Attributes[0].Value = "changed"
				require.Equal(t, want, orig, "the original changed with its clone")
				changed := append(append([]session.Stint{{Invited: 1, Joined: 1, Left: 99}}, stints[1:]...), session.Stint{Invited: 7})
				for i := range c.Participants[:n] {
					require.Equal(t, changed, c.Participants[i].Stints, "participant %d's stints were overwritten by another's", i)
				}
			})
		}
	}
}

// TestCloneOfEmptySession keeps an empty session empty.
func TestCloneOfEmptySession(t *testing.T) {
	c := session.Session{ID: "c1"}.Clone()
	require.Empty(t, c.Participants)
	require.Nil(t, c.WrapUp)
	require.Nil(t, c.Menu)
}

// TestPeekIsSession reads the same session through Peek and Session, from
// a store that lends it and from one that does not.
func TestPeekIsSession(t *testing.T) {
	m, _ := setup(t)
	chatWithOwner(t, m)
	want, err := m.Session(ctx, "c1")
	require.NoError(t, err)
	got, err := m.Peek(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = m.Peek(ctx, "nope")
	require.ErrorIs(t, err, session.ErrNotFound)

	plain, err := session.NewManager(struct{ session.Store }{sessionmem.NewStore()}, session.Config{Transport: session.Discard{}})
	require.NoError(t, err)
	_, err = plain.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	p, err := plain.Peek(ctx, "c1")
	require.NoError(t, err)
	s, err := plain.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, s, p)
}

// TestCloneOfAPairTakesOneAllocation copies the usual session, a customer
// and an agent with a wrap-up, in one allocation of its participants,
// stints and wrap-up: the copy itself is the caller's value. It is not
// parallel: testing.AllocsPerRun refuses to run beside other tests, and
// the bytes counted are the whole process's.
func TestCloneOfAPairTakesOneAllocation(t *testing.T) {
	s := session.Session{ID: "c1", WrapUp: &session.WrapUp{Reason: "sold"}, Participants: []session.Participant{
		{ID: session.CustomerParticipant("u1"), Stints: []session.Stint{{Joined: 1}}},
		{ID: session.AgentParticipant("ann"), Stints: []session.Stint{{Joined: 2}}},
	}}
	var c session.Session
	allocs := testing.AllocsPerRun(100, func() { c = s.Clone() })
	require.Equal(t, 1.0, allocs)
	require.Equal(t, s, c)

	// Its size: the participants, stints and wrap-up, not a second session
	// beside them (which took it from 512 to 1,152 bytes).
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 1000 {
		c = s.Clone()
	}
	runtime.ReadMemStats(&after)
	require.LessOrEqual(t, (after.TotalAlloc-before.TotalAlloc)/1000, uint64(600), "bytes per clone")
}
