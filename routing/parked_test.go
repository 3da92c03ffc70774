package routing_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

func TestUnroutableChatIsParkedUntilAnAgentCouldTakeIt(t *testing.T) {
	t.Parallel()
	// SPEC X2: a chat no agent can take is parked: routing passes over it
	// (it is out of the waiting list) until an agent with its skill logs
	// in, and an ordinary chat behind it is offered at once.
	r, b := setup(t, routing.Queue{ID: "q"})
	login(t, r, b, "plain", 2, "q")
	c, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "rare", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "rare", Min: 2}}})
	require.NoError(t, err)
	require.Equal(t, routing.Queued, c.State)
	parked := mustChat(t, r, b, "rare")
	require.True(t, parked.Parked, "no agent has the skill")
	require.Equal(t, "rare", parked.ParkedOn)
	waiting, err := b.store.Waiting(b.ctx, "q", 0, 0)
	require.NoError(t, err)
	require.Empty(t, waiting, "a parked chat is not listed")

	require.Equal(t, routing.Offered, enqueue(t, r, b, "plain-chat", "q").State)
	st, err := r.Status(b.ctx, "rare")
	require.NoError(t, err)
	require.Equal(t, 1, st.Position, "a parked chat keeps its place in the queue")

	// An agent with the skill at too low a level changes nothing.
	_, err = r.Login(b.ctx, "novice", routing.Profile{Queues: qids("q"), Skills: []routing.Skill{{Name: "rare", Level: 1}}})
	require.NoError(t, err)
	require.Equal(t, routing.Queued, chatState(t, r, b, "rare"))
	_, err = r.Login(b.ctx, "expert", routing.Profile{Queues: qids("q"), Skills: []routing.Skill{{Name: "rare", Level: 2}}})
	require.NoError(t, err)
	require.Equal(t, routing.Offered, chatState(t, r, b, "rare"))
	require.Len(t, offeredTo(t, r, b, "rare", "expert"), 1)
}

func TestParkedChatWakesWhenAnAgentFreesASlot(t *testing.T) {
	t.Parallel()
	// SPEC X2: the only agent with the skill is busy; the chat is parked,
	// and offered as soon as that agent's chat is done.
	r, b := setup(t, routing.Queue{ID: "q"})
	_, err := r.Login(b.ctx, "expert", routing.Profile{Queues: qids("q"), Skills: []routing.Skill{{Name: "rare", Level: 1}}})
	require.NoError(t, err)
	enqueue(t, r, b, "first", "q")
	_, err = r.Accept(b.ctx, "expert", onlyOffer(t, r, b, "expert").ID)
	require.NoError(t, err)
	login(t, r, b, "plain", 1, "q")
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "rare", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "rare", Min: 1}}})
	require.NoError(t, err)
	require.True(t, mustChat(t, r, b, "rare").Parked)
	advance(t, r, b, time.Second)
	require.Equal(t, routing.Queued, chatState(t, r, b, "rare"), "a sweep leaves it parked")

	require.NoError(t, r.End(b.ctx, "first"))
	require.Equal(t, routing.Offered, chatState(t, r, b, "rare"))
}

func TestQueueChangeWakesParkedChats(t *testing.T) {
	t.Parallel()
	// SPEC X2: a chat parked under the queue's old requirements is looked
	// at again when the queue's configuration changes.
	r, b := setup(t, routing.Queue{ID: "q", RequiredSkills: []routing.SkillRequirement{{Skill: "english", Min: 3}}})
	_, err := r.Login(b.ctx, "a", routing.Profile{Queues: qids("q"), Skills: []routing.Skill{{Name: "english", Level: 1}, {Name: "vip", Level: 1}}})
	require.NoError(t, err)
	_, err = r.Login(b.ctx, "fluent", routing.Profile{Queues: qids("q"), Skills: []routing.Skill{{Name: "english", Level: 3}}})
	require.NoError(t, err)
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "c", Queue: "q", Skills: []routing.SkillRequirement{{Skill: "vip", Min: 1}}})
	require.NoError(t, err)
	require.True(t, mustChat(t, r, b, "c").Parked)
	_, err = r.PutQueue(b.ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	require.Equal(t, routing.Offered, chatState(t, r, b, "c"))
	require.Len(t, offeredTo(t, r, b, "c", "a"), 1)
}

// parkModel drives a router with random agent and chat changes among
// several skills, some rare, to check that parking strands no chat.
type parkModel struct {
	ctx    context.Context
	r      *routing.Router
	store  *routingmem.Store
	clock  *clock.Mock
	agents []switchboard.AgentID
	chats  []switchboard.ChatID
	parked int // chats seen parked, so the run is known to park some
}

var parkSkills = []string{"english", "french", "billing", "rare"}

func (m *parkModel) skills(t *rapid.T, label string, upTo int) []routing.Skill {
	var out []routing.Skill
	for _, s := range parkSkills {
		if rapid.IntRange(0, 2).Draw(t, label+" has "+s) == 0 {
			out = append(out, routing.Skill{Name: s, Level: rapid.IntRange(0, upTo).Draw(t, label+" "+s)})
		}
	}
	return out
}

func (m *parkModel) actions() map[string]func(*rapid.T) {
	pickAgent := func(t *rapid.T) switchboard.AgentID { return rapid.SampledFrom(m.agents).Draw(t, "agent") }
	pickOffer := func(t *rapid.T) (switchboard.AgentID, routing.OfferID) {
		a := pickAgent(t)
		os, err := m.r.Offers(m.ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(os) == 0 {
			t.Skip("no offer")
		}
		return a, rapid.SampledFrom(os).Draw(t, "offer").ID
	}
	return map[string]func(*rapid.T){
		"enqueue": func(t *rapid.T) {
			req := routing.ChatRequest{ID: switchboard.ChatID(fmt.Sprintf("c%d", len(m.chats))),
				Queue: rapid.SampledFrom([]switchboard.QueueID{"q", "r"}).Draw(t, "queue")}
			for _, s := range m.skills(t, "chat", 2) {
				req.Skills = append(req.Skills, routing.SkillRequirement{Skill: s.Name, Min: s.Level})
			}
			if _, err := m.r.Enqueue(m.ctx, req); err != nil {
				t.Fatal(err)
			}
			m.chats = append(m.chats, req.ID)
		},
		"login": func(t *rapid.T) {
			// A login with new skills is how an agent's skills change.
			id := pickAgent(t)
			p := routing.Profile{Queues: []switchboard.QueueID{"q", "r"}[:rapid.IntRange(1, 2).Draw(t, "queues")],
				Capacity: chatCap(rapid.IntRange(1, 2).Draw(t, "capacity")), Skills: m.skills(t, "agent", 3)}
			_, err := m.r.Login(m.ctx, id, p)
			allowed(t, "login", err, routing.ErrAlreadyLoggedIn)
		},
		"logout": func(t *rapid.T) {
			allowed(t, "logout", m.r.Logout(m.ctx, pickAgent(t)), routing.ErrLoggedOut, routing.ErrAgentNotFound)
		},
		"available": func(t *rapid.T) {
			allowed(t, "available", m.r.SetState(m.ctx, pickAgent(t), routing.Available, ""), routing.ErrLoggedOut, routing.ErrAgentNotFound)
		},
		"notReady": func(t *rapid.T) {
			allowed(t, "not ready", m.r.SetState(m.ctx, pickAgent(t), routing.NotReady, "break"), routing.ErrLoggedOut, routing.ErrAgentNotFound)
		},
		"accept": func(t *rapid.T) {
			a, o := pickOffer(t)
			_, err := m.r.Accept(m.ctx, a, o)
			allowed(t, "accept", err, routing.ErrOfferExpired)
		},
		"reject": func(t *rapid.T) {
			a, o := pickOffer(t)
			allowed(t, "reject", m.r.Reject(m.ctx, a, o), routing.ErrOfferExpired)
		},
		"end": func(t *rapid.T) {
			id := rapid.SampledFrom(append(m.chats, "none")).Draw(t, "chat")
			err := m.r.End(m.ctx, id)
			var se *routing.StateError
			if err != nil && !errors.As(err, &se) && !errors.Is(err, routing.ErrChatNotFound) {
				t.Fatalf("end: %v", err)
			}
		},
		"queueChange": func(t *rapid.T) {
			q := routing.Queue{ID: "r", Strategy: routing.LeastBusy}
			if rapid.Bool().Draw(t, "english required") {
				q.RequiredSkills = []routing.SkillRequirement{{Skill: "english", Min: 1}}
			}
			if _, err := m.r.PutQueue(m.ctx, q); err != nil {
				t.Fatal(err)
			}
		},
		"sweep": func(t *rapid.T) {
			m.clock.Add(time.Duration(rapid.IntRange(1, 40).Draw(t, "seconds")) * time.Second)
			if _, err := m.r.Sweep(m.ctx); err != nil {
				t.Fatal(err)
			}
			m.check(t)
		},
	}
}

// check asserts that no waiting chat could go to an Available agent with a
// free slot: every such chat has been offered.
func (m *parkModel) check(t *rapid.T) {
	var agents []routing.Agent
	for _, id := range m.agents {
		a, err := m.r.Agent(m.ctx, id)
		if errors.Is(err, routing.ErrAgentNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a)
	}
	for _, id := range m.chats {
		c, err := m.r.Chat(m.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != routing.Queued {
			continue
		}
		if c.Parked {
			m.parked++
		}
		q, err := m.r.Queue(m.ctx, c.Queue)
		if err != nil {
			t.Fatal(err)
		}
		for i := range agents {
			if routing.Eligible(&agents[i], &q, &c) {
				t.Fatalf("chat %s (parked %v on %q) waits while agent %s could take it", id, c.Parked, c.ParkedOn, agents[i].ID)
			}
		}
	}
}

func TestParkingStrandsNoChat(t *testing.T) {
	t.Parallel()
	// SPEC X2: after random sequences of enqueues, logins with new skills,
	// logouts, state changes, answers, ends and queue changes, a sweep
	// leaves no waiting chat that an Available agent with a free slot
	// could take.
	total := 0
	rapid.Check(t, func(t *rapid.T) {
		m := &parkModel{ctx: context.Background(), store: routingmem.New(routingmem.Config{}), clock: clock.NewMock()}
		m.clock.Set(start)
		var err error
		if m.r, err = routing.New(m.store, routingmem.NewBus(), routing.Config{Clock: m.clock}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []routing.Queue{{ID: "q", AcceptTimeout: 20 * time.Second}, {ID: "r", Strategy: routing.LeastBusy}} {
			if _, err := m.r.PutQueue(m.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			m.agents = append(m.agents, switchboard.AgentID(fmt.Sprintf("a%d", i)))
		}
		t.Repeat(m.actions())
		m.actions()["sweep"](t)
		total += m.parked
	})
	require.Positive(t, total, "some runs parked chats")
}
