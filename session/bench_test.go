package session_test

import (
	"fmt"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// fourParty returns a manager with session "c1": customer, owner Ann,
// consulted Bob and monitoring supervisor Sue; deliveries are discarded.
func fourParty(b *testing.B) *session.Manager {
	m, _ := setup(b, func(c *session.Config) { c.Transport = session.Discard{} })
	chat := chatWithOwner(b, m)
	if err := m.Invite(ctx, chat, "ann", bob); err != nil {
		b.Fatal(err)
	}
	if err := m.Join(ctx, chat, "bob"); err != nil {
		b.Fatal(err)
	}
	if err := m.Supervise(ctx, chat, sue, session.SupervisorMonitor); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkSend delivers one message to a four-participant session through
// visibility filtering. The baseline appends the same entry to the store
// directly, without validation, filtering or delivery.
func BenchmarkSend(b *testing.B) {
	b.Run("baseline-store-append", func(b *testing.B) {
		_, tb := setup(b)
		s := session.Session{ID: "c1", Status: session.StatusActive}
		if _, err := tb.store.CreateSession(ctx, s, nil); err != nil {
			b.Fatal(err)
		}
		e := session.Entry{Type: session.EntryMessage, Audience: session.Everyone(), From: customer, Text: "hello"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tb.store.AppendEntries(ctx, "c1", 1, []session.Entry{e}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mode := range []session.Mode{session.ModeNormal, session.ModeWhisper} {
		b.Run(fmt.Sprintf("4-participants/mode=%d", mode), func(b *testing.B) {
			m := fourParty(b)
			msg := session.Message{From: annP, Mode: mode, Text: "hello"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Send(ctx, "c1", msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCatchUp fetches 1,000 missed entries (a quarter of them
// whispers) for the customer and for an agent.
func BenchmarkCatchUp(b *testing.B) {
	m := fourParty(b)
	for i := range 1000 {
		mode := session.ModeNormal
		if i%4 == 0 {
			mode = session.ModeWhisper
		}
		if _, err := m.Send(ctx, "c1", session.Message{From: annP, Mode: mode, Text: fmt.Sprintf("message %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for _, viewer := range []session.ParticipantID{customer, bobP} {
		b.Run(string(viewer), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.CatchUp(ctx, "c1", viewer, 0, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVisible measures the visibility decision alone; it must not
// allocate.
func BenchmarkVisible(b *testing.B) {
	owner := &session.Participant{ID: annP, Role: session.RoleOwner,
		Stints: []session.Stint{{Invited: 1, Joined: 1, Left: 3}, {Invited: 5, Joined: 5}}}
	cust := &session.Participant{ID: customer, Role: session.RoleCustomer, Stints: []session.Stint{{Invited: 1, Joined: 1}}}
	cases := []struct {
		name   string
		viewer *session.Participant
		a      session.Audience
	}{
		{"everyone", cust, session.Everyone()},
		{"agents/customer", cust, session.Agents()},
		{"agents/owner", owner, session.Agents()},
		{"named/owner", owner, session.Audience{Kind: session.AudienceNamed, Members: []session.ParticipantID{sueP, bobP, annP}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := &session.Entry{Seq: 9, Version: 6, Type: session.EntryMessage, Audience: c.a}
			b.ReportAllocs()
			var n int
			for b.Loop() {
				if session.Visible(switchboard.HistoryFromJoin, c.viewer, e) {
					n++
				}
			}
			_ = n
		})
	}
}

// BenchmarkCatchUpSize catches an agent up on k entries of a 1,000-entry
// log, for k = 10 and k = 1,000 side by side: the k last entries
// (from=tail), and the first k with a limit (from=start). What a catch-up
// allocates grows with k, not with the log. store=lending is the in-memory
// store, which lends its entries (session.EntryLender); store=copying is
// the same store seen only as a session.Store, as a database would be.
func BenchmarkCatchUpSize(b *testing.B) {
	stores := []struct {
		name  string
		store session.Store
	}{
		{"lending", sessionmem.NewStore()},
		{"copying", struct{ session.Store }{sessionmem.NewStore()}},
	}
	for _, st := range stores {
		m, err := session.NewManager(st.store, session.Config{Transport: session.Discard{},
			Queues: map[switchboard.QueueID]session.QueueConfig{"sales": {}}})
		if err != nil {
			b.Fatal(err)
		}
		chat := chatWithOwner(b, m)
		if err := m.Invite(ctx, chat, "ann", bob); err != nil {
			b.Fatal(err)
		}
		if err := m.Join(ctx, chat, "bob"); err != nil {
			b.Fatal(err)
		}
		last := uint64(0)
		for i := range 1000 {
			mode := session.ModeNormal
			if i%4 == 0 {
				mode = session.ModeWhisper
			}
			sent, err := m.Send(ctx, chat, session.Message{From: annP, Mode: mode, Text: fmt.Sprintf("message %d", i)})
			if err != nil {
				b.Fatal(err)
			}
			last = sent.Seq
		}
		for _, k := range []int{10, 1000} {
			for _, from := range []string{"tail", "start"} {
				b.Run(fmt.Sprintf("store=%s/from=%s/k=%d", st.name, from, k), func(b *testing.B) {
					after, limit := last-uint64(k), 0
					if from == "start" {
						after, limit = 0, k
					}
					b.ReportAllocs()
					for b.Loop() {
						vs, err := m.CatchUp(ctx, chat, bobP, after, limit)
						if err != nil || len(vs) != k {
							b.Fatal(err, len(vs))
						}
					}
				})
			}
		}
	}
}
