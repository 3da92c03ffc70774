package conference_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

var propAgents = []switchboard.AgentID{"ann", "bob", "sue", "carl"}

// propModel drives one chat through random conference and transfer
// operations, feeding routing's events to the engine after every step, and
// checks the invariants after every step.
type propModel struct {
	b *bundle
	n int
	// gone holds, for each agent out of the session, what it could see
	// when it left: its history and how many deliveries it had received,
	// leaving out entries about itself (an invitation or transfer naming
	// it is news for it).
	gone map[switchboard.AgentID]goneView
}

type goneView struct {
	history []session.View
	live    int
}

func (pm *propModel) text(kind string) string {
	pm.n++
	return fmt.Sprintf("%s-%d", kind, pm.n)
}

func (pm *propModel) agent(t *rapid.T, label string) switchboard.AgentID {
	return rapid.SampledFrom(propAgents).Draw(t, label)
}

func (pm *propModel) actions() map[string]func(*rapid.T) {
	b, conf := pm.b, pm.b.Engine
	return map[string]func(*rapid.T){
		"invite agent": func(t *rapid.T) {
			_, _ = conf.Invite(ctx, conference.Request{Chat: "c1", From: pm.agent(t, "from"), Agent: pm.agent(t, "to")})
		},
		"invite queue": func(t *rapid.T) {
			_, _ = conf.Invite(ctx, conference.Request{Chat: "c1", From: pm.agent(t, "from"), Queue: "sales"})
		},
		"accept": func(t *rapid.T) {
			a := pm.agent(t, "agent")
			os, err := b.Router.Offers(ctx, a)
			require.NoError(t, err)
			if len(os) == 0 {
				t.Skip("no offer")
			}
			_, _, _ = b.Engine.Accept(ctx, a, os[0].ID)
		},
		"reject": func(t *rapid.T) {
			a := pm.agent(t, "agent")
			os, err := b.Router.Offers(ctx, a)
			require.NoError(t, err)
			if len(os) == 0 {
				t.Skip("no offer")
			}
			_ = b.Engine.Reject(ctx, a, os[0].ID)
		},
		"time passes": func(t *rapid.T) {
			b.Clock.Add(time.Duration(rapid.IntRange(1, 25).Draw(t, "seconds")) * time.Second)
			_, err := b.Router.Sweep(ctx)
			require.NoError(t, err)
		},
		"available": func(t *rapid.T) {
			_ = b.Router.SetState(ctx, pm.agent(t, "agent"), routing.Available, "")
		},
		"complete wrap-ups": func(t *rapid.T) {
			c := b.Chat()
			for _, h := range c.Holds {
				_ = b.Engine.CompleteWrapUp(ctx, "c1", h.Agent)
			}
		},
		"leave": func(t *rapid.T) {
			_ = conf.Leave(ctx, "c1", pm.agent(t, "agent"))
		},
		"end conference": func(t *rapid.T) {
			_ = conf.EndConference(ctx, "c1", pm.agent(t, "agent"), session.EndOptions{Reason: "sold", Confirm: rapid.Bool().Draw(t, "confirm")})
		},
		"hand over": func(t *rapid.T) {
			_ = conf.HandOver(ctx, "c1", pm.agent(t, "from"), pm.agent(t, "to"))
		},
		"transfer to agent": func(t *rapid.T) {
			_, _ = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: pm.agent(t, "from"), Agent: pm.agent(t, "to"), Comment: pm.text("PRIVATE-comment")})
		},
		"transfer to queue": func(t *rapid.T) {
			q := rapid.SampledFrom([]switchboard.QueueID{"sales", "support"}).Draw(t, "queue")
			_, _ = b.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: pm.agent(t, "from"), Queue: q, Comment: pm.text("PRIVATE-comment")})
		},
		"cancel transfer": func(t *rapid.T) {
			_ = b.Engine.CancelTransfer(ctx, "c1", pm.agent(t, "agent"))
		},
		"whisper": func(t *rapid.T) {
			_, _ = b.Engine.Send(ctx, "c1", session.Message{From: session.AgentParticipant(pm.agent(t, "from")),
				Mode: session.ModeWhisper, Text: pm.text("PRIVATE")})
		},
		"agent message": func(t *rapid.T) {
			_, _ = b.Engine.Send(ctx, "c1", session.Message{From: session.AgentParticipant(pm.agent(t, "from")), Text: pm.text("public")})
		},
		"customer message": func(t *rapid.T) {
			_, _ = b.Engine.Send(ctx, "c1", session.Message{From: customer, Text: pm.text("public")})
		},
		"customer leaves": func(t *rapid.T) {
			_ = b.Engine.CustomerLeft(ctx, "c1", "u1")
		},
		"end chat": func(t *rapid.T) {
			_, _ = b.Engine.End(ctx, "c1", pm.agent(t, "agent"), session.EndOptions{Reason: "sold", Confirm: true})
		},
		"": func(t *rapid.T) { pm.check(t) },
	}
}

// check pumps routing's events to the engine, then checks the invariants.
func (pm *propModel) check(t *rapid.T) {
	b := pm.b
	b.Pump()
	s := b.Session()
	c := b.Chat()

	// The customer never sees a private item, in any output.
	up, err := b.Sessions.CatchUp(ctx, "c1", customer, 0, 0)
	require.NoError(t, err)
	tr, err := b.Sessions.Transcript(ctx, "c1")
	require.NoError(t, err)
	var live []session.View
	for _, d := range b.Transport.Received(customer) {
		live = append(live, d.Item)
	}
	for name, out := range map[string][]session.View{"history": b.History(customer), "catch-up": up, "transcript": tr, "live": live} {
		for _, v := range out {
			if v.Private || strings.Contains(v.Text, "PRIVATE") || v.Type == session.EntryTransfer || v.From != "" {
				t.Fatalf("the customer's %s shows a private item: %+v", name, v)
			}
		}
	}

	// An agent out of the session sees nothing created after it left.
	for _, a := range propAgents {
		p := s.Participant(session.AgentParticipant(a))
		if p != nil && p.Present() {
			delete(pm.gone, a)
			continue
		}
		if p == nil {
			continue
		}
		now := goneView{history: notAbout(a, b.History(p.ID)), live: countNotAbout(a, b.Transport.Received(p.ID))}
		was, ok := pm.gone[a]
		if !ok {
			pm.gone[a] = now
			continue
		}
		if !slices.EqualFunc(was.history, now.history, func(x, y session.View) bool { return x.Seq == y.Seq }) || was.live != now.live {
			t.Fatalf("%s left but sees new entries: was %d views/%d deliveries, now %d/%d",
				a, len(was.history), was.live, len(now.history), now.live)
		}
	}

	// Routing and the session agree: an assigned chat has its owner in the
	// session and exactly its consultants present; a waiting chat has no
	// owner; an ended chat's session is over.
	switch c.State {
	case routing.Assigned:
		o := s.Owner()
		require.NotNil(t, o, "an assigned chat has an owner in its session")
		require.Equal(t, session.AgentParticipant(c.Agent), o.ID)
		var present []switchboard.AgentID
		for _, p := range s.Present() {
			if p.Role == session.RoleConsulted {
				a, _ := p.ID.Agent()
				present = append(present, a)
			}
		}
		require.ElementsMatch(t, c.Consultants, present)
	case routing.Queued, routing.Offered:
		require.Nil(t, s.Owner(), "a waiting chat has no owner")
		require.Empty(t, c.Consultants)
	case routing.Ended:
		if c.EndReason == routing.EndAbandoned {
			// The customer left while the chat waited: the engine closes
			// the session, since no agent will ever end it.
			require.Equal(t, session.StatusClosed, s.Status)
			require.Nil(t, s.Owner())
			require.Empty(t, agentsPresent(s))
			break
		}
		require.Contains(t, []session.Status{session.StatusEnded, session.StatusClosed}, s.Status)
	default:
		require.Contains(t, []session.Status{session.StatusEnded, session.StatusClosed}, s.Status)
	}
	if s.Status == session.StatusEnded {
		o := s.Owner()
		for _, p := range agentsPresent(s) {
			require.True(t, o != nil && p == o.ID, "only the owner stays in an ended session, not %s", p)
		}
	}
	for _, p := range s.Participants {
		if p.Invited() {
			a, _ := p.ID.Agent()
			require.True(t, c.Invitation.Pending() && c.Invitation.Kind == routing.InviteOffer, "%s is invited with no pending invite", a)
		}
	}
}

func agentsPresent(s session.Session) []session.ParticipantID {
	var out []session.ParticipantID
	for _, p := range s.Participants {
		if _, ok := p.ID.Agent(); ok && (p.Present() || p.Invited()) {
			out = append(out, p.ID)
		}
	}
	return out
}

func notAbout(a switchboard.AgentID, vs []session.View) []session.View {
	me := session.AgentParticipant(a)
	out := vs[:0:0]
	for _, v := range vs {
		if v.Subject != me {
			out = append(out, v)
		}
	}
	return out
}

func countNotAbout(a switchboard.AgentID, ds []session.Delivery) int {
	me := session.AgentParticipant(a)
	n := 0
	for _, d := range ds {
		if d.Item.Subject != me {
			n++
		}
	}
	return n
}

func TestPropertyConferencesAndTransfers(t *testing.T) {
	t.Parallel()
	// SPEC C1-C11, T1-T5 as properties: whatever the sequence of invites,
	// accepts, rejects, timeouts, exits, conference ends, hand-overs and
	// transfers, the customer never sees a private item, an agent who left
	// sees nothing newer, and routing and the session agree on who has the
	// chat.
	rapid.Check(t, func(t *rapid.T) {
		cfg := conference.Config{EndPolicy: rapid.SampledFrom([]conference.EndPolicy{conference.ChatContinues, conference.EndEverything}).Draw(t, "end policy")}
		fallback := rapid.SampledFrom([]routing.TransferPolicy{routing.TransferRequeue, routing.TransferEnd}).Draw(t, "transfer fallback")
		b := setup(t, cfg, func(q *routing.Queue) { q.TransferFallback = fallback })
		b.conference()
		b.login("carl", "Carl")
		pm := &propModel{b: b, gone: map[switchboard.AgentID]goneView{}}
		pm.check(t)
		t.Repeat(pm.actions())
	})
}
