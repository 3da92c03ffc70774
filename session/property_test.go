package session_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"pgregory.net/rapid"
)

// propModel drives one session through random operations and checks the
// invariants after every step.
type propModel struct {
	m      *session.Manager
	b      *testBundle
	chat   switchboard.ChatID
	n      int
	agents []session.AgentRef
	// leftAt is the last sequence number a departed participant may see.
	leftAt map[session.ParticipantID]uint64
}

func (pm *propModel) state(t *rapid.T) session.Session {
	s, err := pm.m.Session(ctx, pm.chat)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (pm *propModel) lastSeq(t *rapid.T) uint64 {
	n, err := pm.b.store.LastSeq(ctx, pm.chat)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (pm *propModel) pickPresent(t *rapid.T, agentsOnly bool) (session.Participant, bool) {
	var ps []session.Participant
	s := pm.state(t)
	for _, p := range s.Present() {
		if !agentsOnly || p.Role.IsAgent() {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return session.Participant{}, false
	}
	return rapid.SampledFrom(ps).Draw(t, "participant"), true
}

// try runs op; if it fails, the session must be unchanged.
func (pm *propModel) try(t *rapid.T, name string, op func() error) {
	before := pm.snap(t)
	if err := op(); err != nil {
		if after := pm.snap(t); !equalSnap(before, after) {
			t.Fatalf("%s failed with %v but changed the session", name, err)
		}
		return
	}
}

func (pm *propModel) snap(t *rapid.T) snapshot {
	s, err := pm.b.store.GetSession(ctx, pm.chat)
	if err != nil {
		t.Fatal(err)
	}
	log, err := pm.b.store.ReadEntries(ctx, pm.chat, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{s, log}
}

func equalSnap(a, b snapshot) bool { return reflect.DeepEqual(a, b) }

func (pm *propModel) text(kind string) string {
	pm.n++
	return fmt.Sprintf("%s-%d", kind, pm.n)
}

func (pm *propModel) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"normal message": func(t *rapid.T) {
			p, ok := pm.pickPresent(t, false)
			if !ok {
				t.Skip("nobody present")
			}
			pm.try(t, "normal", func() error {
				_, err := pm.m.Send(ctx, pm.chat, session.Message{From: p.ID, Text: pm.text("public")})
				return err
			})
		},
		"whisper": func(t *rapid.T) {
			p, ok := pm.pickPresent(t, true)
			if !ok {
				t.Skip("no agent present")
			}
			pm.try(t, "whisper", func() error {
				_, err := pm.m.Send(ctx, pm.chat, session.Message{From: p.ID, Mode: session.ModeWhisper, Text: pm.text("PRIVATE")})
				return err
			})
		},
		"private attachment": func(t *rapid.T) {
			p, ok := pm.pickPresent(t, true)
			if !ok {
				t.Skip("no agent present")
			}
			name := pm.text("PRIVATE-file")
			pm.try(t, "attachment", func() error {
				_, err := pm.m.Send(ctx, pm.chat, session.Message{From: p.ID, Mode: session.ModeWhisper,
					Files: []session.File{{Name: name, MIMEType: "application/pdf", Size: 1, Ref: name}}})
				return err
			})
		},
		"coach": func(t *rapid.T) {
			to, ok := pm.pickPresent(t, true)
			if !ok {
				t.Skip("no agent present")
			}
			pm.try(t, "coach", func() error {
				_, err := pm.m.Send(ctx, pm.chat, session.Message{From: sueP, Mode: session.ModeCoach, To: to.ID, Text: pm.text("PRIVATE-coach")})
				return err
			})
		},
		"invite and late join": func(t *rapid.T) {
			a := rapid.SampledFrom(pm.agents).Draw(t, "agent")
			by, ok := pm.pickPresent(t, true)
			if !ok {
				t.Skip("no agent present")
			}
			pm.try(t, "invite", func() error { return pm.m.Invite(ctx, pm.chat, mustAgent(by.ID), a) })
			if rapid.Bool().Draw(t, "message before joining") {
				pm.try(t, "normal", func() error {
					_, err := pm.m.Send(ctx, pm.chat, session.Message{From: by.ID, Mode: session.ModeWhisper, Text: pm.text("PRIVATE")})
					return err
				})
			}
			pm.try(t, "join", func() error { return pm.m.Join(ctx, pm.chat, a.ID) })
			pm.rejoined(t, session.AgentParticipant(a.ID))
		},
		"supervise": func(t *rapid.T) {
			mode := rapid.SampledFrom([]session.SupervisorMode{session.SupervisorMonitor, session.SupervisorCoach, session.SupervisorBarge}).Draw(t, "mode")
			pm.try(t, "supervise", func() error { return pm.m.Supervise(ctx, pm.chat, sue, mode) })
			pm.rejoined(t, sueP)
		},
		"leave": func(t *rapid.T) {
			p, ok := pm.pickPresent(t, false)
			if !ok {
				t.Skip("nobody present")
			}
			pm.try(t, "leave", func() error { return pm.m.Leave(ctx, pm.chat, p.ID) })
			if s := pm.state(t); !s.Participant(p.ID).Present() {
				// The departure notice itself is the last thing it may see.
				pm.leftAt[p.ID] = pm.lastSeq(t)
			}
		},
		"owner change": func(t *rapid.T) {
			a := rapid.SampledFrom(pm.agents).Draw(t, "agent")
			pm.try(t, "assign", func() error {
				_, err := pm.m.AssignOwner(ctx, pm.chat, a)
				return err
			})
			pm.rejoined(t, session.AgentParticipant(a.ID))
		},
		"close": func(t *rapid.T) {
			s := pm.state(t)
			o := s.Owner()
			if o == nil {
				t.Skip("no owner")
			}
			present := s.Present()
			pm.try(t, "close", func() error {
				_, err := pm.m.Close(ctx, pm.chat, mustAgent(o.ID), session.EndOptions{Reason: "PRIVATE-sold", Confirm: true})
				return err
			})
			if pm.state(t).Status == session.StatusClosed {
				for _, p := range present {
					if _, ok := pm.leftAt[p.ID]; !ok {
						pm.leftAt[p.ID] = pm.lastSeq(t)
					}
				}
			}
		},
		"customer writes (reopen)": func(t *rapid.T) {
			pm.try(t, "customer", func() error {
				_, err := pm.m.Send(ctx, pm.chat, session.Message{From: customer, Text: pm.text("public")})
				return err
			})
			pm.rejoined(t, customer)
		},
		"": pm.check,
	}
}

func mustAgent(p session.ParticipantID) switchboard.AgentID {
	a, _ := p.Agent()
	return a
}

// rejoined forgets a departure once the participant is back.
func (pm *propModel) rejoined(t *rapid.T, id session.ParticipantID) {
	s := pm.state(t)
	if p := s.Participant(id); p != nil && p.Present() {
		delete(pm.leftAt, id)
	}
}

func leaks(v session.View) bool {
	if v.Private || v.From != "" || v.Subject != "" || strings.Contains(v.Text+v.Reason, "PRIVATE") {
		return true
	}
	for _, f := range v.Files {
		if strings.Contains(f.Name+f.Ref, "PRIVATE") {
			return true
		}
	}
	return false
}

// check runs after every step.
func (pm *propModel) check(t *rapid.T) {
	s := pm.state(t)
	log, err := pm.b.store.ReadEntries(ctx, pm.chat, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range log {
		if e.Seq != uint64(i+1) {
			t.Fatalf("sequence gap: entry %d has seq %d", i, e.Seq)
		}
	}

	// Nothing the customer can obtain holds a private item.
	var custViews []session.View
	custViews = append(custViews, itemsOf(pm.b.transport.Received(customer))...)
	h, err := pm.m.History(ctx, pm.chat, customer)
	if err != nil {
		t.Fatal(err)
	}
	custViews = append(custViews, h...)
	after := rapid.Uint64Range(0, uint64(len(log))).Draw(t, "catch-up after")
	c, err := pm.m.CatchUp(ctx, pm.chat, customer, after, 0)
	if err != nil {
		t.Fatal(err)
	}
	custViews = append(custViews, c...)
	tr, err := pm.m.Transcript(ctx, pm.chat)
	if err != nil {
		t.Fatal(err)
	}
	custViews = append(custViews, tr...)
	for _, v := range custViews {
		if leaks(v) {
			t.Fatalf("customer obtained a private item: %+v", v)
		}
	}

	for _, p := range s.Participants {
		hist, err := pm.m.History(ctx, pm.chat, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		// History equals the filtered log.
		var want, got []uint64
		for i := range log {
			if session.Visible(s.History, &p, &log[i]) {
				want = append(want, log[i].Seq)
			}
		}
		for _, v := range hist {
			got = append(got, v.Seq)
		}
		if !slices.Equal(want, got) {
			t.Fatalf("%s: history %v differs from its filtered log %v", p.ID, got, want)
		}
		k := rapid.Uint64Range(0, uint64(len(log))).Draw(t, "after")
		cu, err := pm.m.CatchUp(ctx, pm.chat, p.ID, k, 0)
		if err != nil {
			t.Fatal(err)
		}
		var suffix []session.View
		for _, v := range hist {
			if v.Seq > k {
				suffix = append(suffix, v)
			}
		}
		if !reflect.DeepEqual(suffix, cu) {
			t.Fatalf("%s: catch-up after %d is not the tail of its history", p.ID, k)
		}
		// Everything delivered live is in the history, in order, once.
		var seqs []uint64
		for _, d := range pm.b.transport.Received(p.ID) {
			seqs = append(seqs, d.Item.Seq)
		}
		if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) {
			t.Fatalf("%s: deliveries out of order or duplicated: %v", p.ID, seqs)
		}
		for _, q := range seqs {
			if _, found := slices.BinarySearch(got, q); !found {
				t.Fatalf("%s: seq %d was delivered live but is not in its history %v", p.ID, q, got)
			}
		}
		// A participant who left sees nothing created after it left.
		if last, ok := pm.leftAt[p.ID]; ok {
			for _, v := range hist {
				if v.Seq > last {
					t.Fatalf("%s left at seq %d but sees seq %d (%s)", p.ID, last, v.Seq, v.Type)
				}
			}
		}
	}
}

// TestPropertyCustomerNeverSeesPrivate runs random operation sequences:
// after every step nothing the customer can obtain from any output holds a
// private item, each participant's history and catch-up equal its
// filtered log, live deliveries are part of it, participants who left see
// nothing newer, and sequence numbers have no gaps.
// SPEC S2 SPEC S5 SPEC S19 SPEC A4
func TestPropertyCustomerNeverSeesPrivate(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		rule := rapid.SampledFrom([]switchboard.HistoryRule{switchboard.HistoryAll, switchboard.HistoryFromInvitation, switchboard.HistoryFromJoin}).Draw(t, "history")
		m, b := setup(t, func(c *session.Config) {
			c.History = rule
			// The wrap-up reason is internal: mark it so a leak shows.
			c.Queues = map[switchboard.QueueID]session.QueueConfig{"sales": {ChatSettings: switchboard.ChatSettings{WrapUpReasons: []string{"PRIVATE-sold"}}}}
		})
		pm := &propModel{m: m, b: b, chat: "c1", agents: []session.AgentRef{ann, bob, {ID: "cat", Name: "Cat"}},
			leftAt: map[session.ParticipantID]uint64{}}
		_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		_, err = m.AssignOwner(ctx, "c1", ann)
		require.NoError(t, err)
		t.Repeat(pm.actions())
	})
}
