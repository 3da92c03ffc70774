package session_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// TestPropertyReceiptsNeverRevealHiddenEntries runs random sequences of
// messages, whispers, customer notices and read marks by the customer,
// the owner, a consulted agent and a silent supervisor. After every step:
// a refused mark changed nothing and an accepted one moved the position
// to the greater of the old and the new; every receipt the customer can
// obtain, caught up or delivered live, stands on an entry of its own
// transcript and is exactly the last entry for everyone at or before the
// reader's position; the customer never hears of the supervisor; and
// agents see every position as it is.
// SPEC I1 SPEC I2 SPEC I3 SPEC I4
func TestPropertyReceiptsNeverRevealHiddenEntries(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		rule := rapid.SampledFrom([]switchboard.HistoryRule{switchboard.HistoryAll, switchboard.HistoryFromInvitation, switchboard.HistoryFromJoin}).Draw(t, "history")
		m, b := setup(t, func(c *session.Config) { c.History = rule })
		chat := switchboard.ChatID("c1")
		_, err := m.Create(ctx, session.CustomerSession{ID: chat, Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		_, err = m.AssignOwner(ctx, chat, ann)
		require.NoError(t, err)
		require.NoError(t, m.Invite(ctx, chat, "ann", bob))
		require.NoError(t, m.Join(ctx, chat, "bob"))
		require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorMonitor))
		readers := []session.ParticipantID{customer, annP, bobP, sueP}
		n := 0
		last := func() uint64 {
			s, err := b.store.LastSeq(ctx, chat)
			require.NoError(t, err)
			return s
		}
		state := func() session.Session {
			s, err := m.Session(ctx, chat)
			require.NoError(t, err)
			return s
		}
		whole := func() snapshot {
			log, err := b.store.ReadEntries(ctx, chat, 0, 0)
			require.NoError(t, err)
			return snapshot{state(), log}
		}
		sendAs := func(from session.ParticipantID, mode session.Mode) {
			n++
			_, err := m.Send(ctx, chat, session.Message{From: from, Mode: mode, Text: fmt.Sprintf("m%d", n)})
			require.NoError(t, err)
		}
		t.Repeat(map[string]func(*rapid.T){
			"customer message": func(t *rapid.T) { sendAs(customer, session.ModeNormal) },
			"agent message": func(t *rapid.T) {
				sendAs(rapid.SampledFrom([]session.ParticipantID{annP, bobP}).Draw(t, "from"), session.ModeNormal)
			},
			"whisper": func(t *rapid.T) {
				sendAs(rapid.SampledFrom([]session.ParticipantID{annP, bobP}).Draw(t, "from"), session.ModeWhisper)
			},
			"notice": func(t *rapid.T) {
				n++
				require.NoError(t, m.Notify(ctx, chat, fmt.Sprintf("n%d", n),
					session.Notice{Kind: session.NoticePosition, Position: 1}, "You are next."))
			},
			"mark": func(t *rapid.T) {
				who := rapid.SampledFrom(readers).Draw(t, "reader")
				upTo := rapid.Uint64Range(0, last()+2).Draw(t, "up to")
				before := whole()
				was := before.state.Participant(who).Read.Seq
				err := m.MarkRead(ctx, chat, who, upTo)
				after := whole()
				now := after.state.Participant(who).Read.Seq
				if err != nil {
					require.ErrorIs(t, err, session.ErrInvalid)
					if !reflect.DeepEqual(before, after) {
						t.Fatalf("refused mark of %s at %d changed the session", who, upTo)
					}
					return
				}
				if want := max(was, upTo); now != want {
					t.Fatalf("%s marked %d from %d: position %d, want %d", who, upTo, was, now, want)
				}
			},
			"": func(t *rapid.T) {
				s := state()
				log, err := b.store.ReadEntries(ctx, chat, 0, 0)
				require.NoError(t, err)
				c := s.Participant(customer)
				// shown[seq] says the customer may see entry seq; public
				// entries are those for everyone.
				shown := map[uint64]bool{}
				var public []uint64
				for i := range log {
					if session.Visible(s.History, c, &log[i]) {
						shown[log[i].Seq] = true
					}
					if log[i].Audience.Kind == session.AudienceEveryone && shown[log[i].Seq] {
						public = append(public, log[i].Seq)
					}
				}
				wantFor := func(r *session.Participant) uint64 {
					if r.ID == customer {
						return r.Read.Seq
					}
					var w uint64
					for _, q := range public {
						if q <= r.Read.Seq {
							w = q
						}
					}
					return w
				}
				rs, err := m.Receipts(ctx, chat, customer)
				require.NoError(t, err)
				got := map[string]uint64{}
				for _, r := range rs {
					if r.Participant != "" || !shown[r.Seq] {
						t.Fatalf("customer receipt %+v names an agent or an entry it cannot see", r)
					}
					got[r.Name] = r.Seq
				}
				for i := range s.Participants {
					r := &s.Participants[i]
					want := wantFor(r)
					if r.ID == sueP {
						want = 0
					}
					if got[r.Name] != want {
						t.Fatalf("customer is told %s read up to %d, want %d", r.Name, got[r.Name], want)
					}
				}
				for _, d := range b.transport.Received(customer) {
					if d.Item.Type != session.EntryRead {
						continue
					}
					if _, err := session.CustomerDeliveryOf(d); err != nil || !shown[d.Item.Ref] || d.Item.FromName == "Sue" {
						t.Fatalf("customer got receipt %+v (%v): not on an entry it can see", d.Item, err)
					}
				}
				// Agents see every position as it is.
				rs, err = m.Receipts(ctx, chat, bobP)
				require.NoError(t, err)
				var ids []session.ParticipantID
				for _, r := range rs {
					ids = append(ids, r.Participant)
					if p := s.Participant(r.Participant); p == nil || p.Read.Seq != r.Seq {
						t.Fatalf("agent receipt %+v differs from the position", r)
					}
				}
				for _, p := range s.Participants {
					if (p.Read.Seq != 0) != slices.Contains(ids, p.ID) {
						t.Fatalf("agent receipts %v miss or invent %s", ids, p.ID)
					}
				}
			},
		})
	})
}
