package routing_test

import (
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard/routing"
)

func TestManualPickInvariants(t *testing.T) {
	t.Parallel()
	// SPEC U10: random sequences of picks, returns, logouts and the other
	// operations, with a Manual queue beside the offered ones, keep every
	// invariant of the routing model: a chat is in exactly one place, an
	// agent's load is exactly its offers, chats and holds, and the licence
	// counts exactly the chats holding a unit. A pick or return refused
	// changes nothing the checker can see.
	rapid.Check(t, func(t *rapid.T) {
		m := newModel(t)
		desk := routing.Queue{ID: "desk", Strategy: routing.Manual, MaxWait: 3 * time.Minute, WrapUp: 10 * time.Second}
		if _, err := m.r.PutQueue(m.ctx, desk); err != nil {
			t.Fatal(err)
		}
		m.queues = append(m.queues, desk)
		actions := m.actions()
		actions["pick"] = func(t *rapid.T) {
			agent := rapid.SampledFrom(m.agents).Draw(t, "picker")
			var chat = m.pickChat(t, routing.Queued, routing.Offered, routing.Assigned)
			if rapid.Bool().Draw(t, "from the list") {
				cs, err := m.r.Pickable(m.ctx, agent, rapid.IntRange(1, 5).Draw(t, "limit"))
				if errors.Is(err, routing.ErrLoggedOut) || errors.Is(err, routing.ErrAgentNotFound) {
					t.Skip("not logged in")
				}
				if err != nil {
					t.Fatalf("pickable: %v", err)
				}
				if len(cs) == 0 {
					t.Skip("nothing to pick")
				}
				for _, c := range cs {
					if c.Queue != "desk" || c.State != routing.Queued {
						t.Fatalf("pickable lists %s of %s in %s", c.ID, c.Queue, c.State)
					}
				}
				chat = rapid.SampledFrom(cs).Draw(t, "listed").ID
				_, err = m.r.Pick(m.ctx, agent, chat)
				allowed(t, "pick listed", err, routing.ErrLicenceFull)
				return
			}
			_, err := m.r.Pick(m.ctx, agent, chat)
			allowed(t, "pick", err, routing.ErrNotManual, routing.ErrChatTaken, routing.ErrNotEligible,
				routing.ErrAgentUnavailable, routing.ErrLoggedOut, routing.ErrAgentNotFound, routing.ErrLicenceFull, nil)
		}
		actions["return"] = func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			err := m.r.Return(m.ctx, c.Agent, c.ID, "wrong_team")
			if err != nil {
				t.Fatalf("return: %v", err)
			}
			if got := m.chat(t, c.ID); got.EnqueuedAt != c.EnqueuedAt || got.Seq != c.Seq || got.Agent == c.Agent {
				t.Fatalf("returned chat %s moved: %+v, was %+v", c.ID, got, c)
			}
		}
		actions["returnOthers"] = func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			other := rapid.SampledFrom(m.agents).Draw(t, "other")
			if other == c.Agent {
				t.Skip("same agent")
			}
			if err := m.r.Return(m.ctx, other, c.ID, "mine"); !errors.Is(err, routing.ErrNotOwner) {
				t.Fatalf("return by a non-owner: %v", err)
			}
		}
		for range rapid.IntRange(0, 4).Draw(t, "initial agents") {
			actions["login"](t)
		}
		for range rapid.IntRange(0, 4).Draw(t, "initial chats") {
			actions["enqueue"](t)
		}
		t.Repeat(actions)
	})
}
