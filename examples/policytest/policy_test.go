package policytest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/engine/enginetest"
	"github.com/switchboard-cc/switchboard/routing"
)

// A step is one point of a timeline: something happens, or something is
// checked.
type step func(t *testing.T, k *enginetest.Kit)

// at moves the clock to d after the start of the timeline.
func at(d time.Duration) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		if passed := k.Now().Sub(enginetest.Epoch); d > passed {
			k.Advance(d - passed)
		}
	}
}

func start(chat switchboard.ChatID, queue switchboard.QueueID) step {
	return func(t *testing.T, k *enginetest.Kit) { t.Helper(); k.StartChat(chat, queue) }
}

// startFor starts a chat that asks for a preferred agent, such as the
// customer's agent of last time.
func startFor(chat switchboard.ChatID, queue switchboard.QueueID, preferred switchboard.AgentID) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		k.Start(engine.StartRequest{ID: chat, Queue: queue, Preferred: preferred})
	}
}

func accept(agent switchboard.AgentID, chat switchboard.ChatID) step {
	return func(t *testing.T, k *enginetest.Kit) { t.Helper(); k.Accept(agent, chat) }
}

func end(chat switchboard.ChatID, agent switchboard.AgentID) step {
	return func(t *testing.T, k *enginetest.Kit) { t.Helper(); k.End(chat, agent, "") }
}

func logout(agent switchboard.AgentID) step {
	return func(t *testing.T, k *enginetest.Kit) { t.Helper(); k.Logout(agent) }
}

func available(agent switchboard.AgentID) step {
	return func(t *testing.T, k *enginetest.Kit) { t.Helper(); k.SetState(agent, routing.Available, "") }
}

// offered checks that chat is offered to agent.
func offered(agent switchboard.AgentID, chat switchboard.ChatID) step {
	return func(t *testing.T, k *enginetest.Kit) { t.Helper(); k.Offer(agent, chat) }
}

// notOffered checks that agent has no offer of chat.
func notOffered(agent switchboard.AgentID, chat switchboard.ChatID) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		if k.HasOffer(agent, chat) {
			t.Fatalf("at %s %s was offered chat %s", k.Now().Sub(enginetest.Epoch), agent, chat)
		}
	}
}

// agentIs checks an agent's state.
func agentIs(agent switchboard.AgentID, want routing.State) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		if got := k.Agent(agent).State; got != want {
			t.Fatalf("at %s %s is %s, want %s", k.Now().Sub(enginetest.Epoch), agent, got, want)
		}
	}
}

// chatIs checks where a chat is: its state and its queue.
func chatIs(chat switchboard.ChatID, want routing.ChatState, queue switchboard.QueueID) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		c := k.Chat(chat)
		if c.State != want || c.Queue != queue {
			t.Fatalf("at %s chat %s is %s in %s, want %s in %s", k.Now().Sub(enginetest.Epoch), chat, c.State, c.Queue, want, queue)
		}
	}
}

// desktopGot checks that agent's desktop received an event of each type,
// in this order.
func desktopGot(agent switchboard.AgentID, types ...string) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		got := k.DesktopTypes(agent)
		i := 0
		for _, g := range got {
			if i < len(types) && g == types[i] {
				i++
			}
		}
		if i < len(types) {
			t.Fatalf("%s's desktop received %v, which lacks %v in that order", agent, got, types)
		}
	}
}

// customerSaw checks that chat's customer saw a line containing text.
func customerSaw(chat switchboard.ChatID, text string) step {
	return func(t *testing.T, k *enginetest.Kit) {
		t.Helper()
		lines := k.CustomerSaw(chat)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, text) }) {
			t.Fatalf("the customer of %s saw\n  %s\nwith no line containing %q", chat, strings.Join(lines, "\n  "), text)
		}
	}
}

func agents(queue switchboard.QueueID, ids ...switchboard.AgentID) []enginetest.Agent {
	out := make([]enginetest.Agent, len(ids))
	for i, id := range ids {
		out[i] = enginetest.Agent{ID: id, Profile: routing.Profile{Queues: []switchboard.QueueID{queue}}}
	}
	return out
}

func TestRoutingPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		opts     enginetest.Options
		timeline []step
	}{{
		// SPEC R6: an offer not accepted in time puts the agent in RONA
		// and goes to the next agent.
		name: "accept timeout puts the agent in RONA and offers the next agent",
		opts: enginetest.Options{
			Queues: []routing.Queue{{ID: "support", AcceptTimeout: 20 * time.Second}},
			Agents: agents("support", "ada", "bob"),
		},
		timeline: []step{
			start("c1", "support"),
			offered("ada", "c1"),
			at(19 * time.Second), offered("ada", "c1"), notOffered("bob", "c1"),
			at(20 * time.Second), agentIs("ada", routing.RONA), offered("bob", "c1"),
			desktopGot("ada", "ChatOffered", "OfferResolved", "AgentStateChanged"),
			accept("bob", "c1"), chatIs("c1", routing.Assigned, "support"),
		},
	}, {
		// SPEC R6: an agent in RONA is offered nothing until it is
		// available again.
		name: "an agent in RONA gets no offers until it is available",
		opts: enginetest.Options{
			Queues: []routing.Queue{{ID: "support", AcceptTimeout: 20 * time.Second}},
			Agents: agents("support", "ada"),
		},
		timeline: []step{
			start("c1", "support"),
			at(20 * time.Second), agentIs("ada", routing.RONA), notOffered("ada", "c1"),
			chatIs("c1", routing.Queued, "support"),
			at(5 * time.Minute), notOffered("ada", "c1"),
			available("ada"), offered("ada", "c1"),
		},
	}, {
		// SPEC R15: a chat that waits longer than MaxWait moves to the
		// overflow queue.
		name: "overflow after max wait",
		opts: enginetest.Options{
			Queues: []routing.Queue{
				{ID: "tier2"},
				{ID: "tier1", MaxWait: 2 * time.Minute, Overflow: "tier2"},
			},
			Agents: []enginetest.Agent{
				{ID: "ada", Profile: routing.Profile{Queues: []switchboard.QueueID{"tier1"}}, State: routing.NotReady},
				{ID: "bob", Profile: routing.Profile{Queues: []switchboard.QueueID{"tier2"}}},
			},
		},
		timeline: []step{
			start("c1", "tier1"), chatIs("c1", routing.Queued, "tier1"),
			at(2*time.Minute - time.Second), chatIs("c1", routing.Queued, "tier1"), notOffered("bob", "c1"),
			at(2 * time.Minute), chatIs("c1", routing.Offered, "tier2"), offered("bob", "c1"),
			desktopGot("bob", "ChatOffered"),
		},
	}, {
		// SPEC R15: with no overflow queue, a chat that waits too long
		// ends, and the customer is told.
		name: "max wait with nowhere to overflow ends the chat",
		opts: enginetest.Options{
			Queues: []routing.Queue{{ID: "support", MaxWait: 5 * time.Minute}},
		},
		timeline: []step{
			start("c1", "support"),
			at(5 * time.Minute), chatIs("c1", routing.Ended, "support"),
			customerSaw("c1", "no agent could take your chat"),
		},
	}, {
		// SPEC R13: a chat waits PreferredWait for its preferred agent,
		// then goes to anyone.
		name: "preferred agent busy: the chat waits, then goes to anyone",
		opts: enginetest.Options{
			Queues: []routing.Queue{{ID: "support", PreferredWait: time.Minute}},
			Agents: []enginetest.Agent{
				{ID: "ada", Profile: routing.Profile{Queues: []switchboard.QueueID{"support"}}, State: routing.NotReady},
				{ID: "bob", Profile: routing.Profile{Queues: []switchboard.QueueID{"support"}}},
			},
		},
		timeline: []step{
			startFor("c1", "support", "ada"),
			notOffered("bob", "c1"), chatIs("c1", routing.Queued, "support"),
			at(59 * time.Second), notOffered("bob", "c1"),
			at(time.Minute), offered("bob", "c1"),
		},
	}, {
		// SPEC R13: the preferred agent who becomes free within
		// PreferredWait gets the chat.
		name: "preferred agent free in time gets the chat",
		opts: enginetest.Options{
			Queues: []routing.Queue{{ID: "support", PreferredWait: time.Minute}},
			Agents: []enginetest.Agent{
				{ID: "ada", Profile: routing.Profile{Queues: []switchboard.QueueID{"support"}}, State: routing.NotReady},
				{ID: "bob", Profile: routing.Profile{Queues: []switchboard.QueueID{"support"}}},
			},
		},
		timeline: []step{
			startFor("c1", "support", "ada"),
			at(30 * time.Second), available("ada"),
			offered("ada", "c1"), notOffered("bob", "c1"),
		},
	}, {
		// SPEC R13: a chat waiting for a preferred agent who logs out
		// moves on at once.
		name: "preferred agent logs out: the chat goes to anyone at once",
		opts: enginetest.Options{
			Queues: []routing.Queue{{ID: "support", PreferredWait: 10 * time.Minute}},
			Agents: []enginetest.Agent{
				{ID: "ada", Profile: routing.Profile{Queues: []switchboard.QueueID{"support"}}, State: routing.NotReady},
				{ID: "bob", Profile: routing.Profile{Queues: []switchboard.QueueID{"support"}}},
			},
		},
		timeline: []step{
			startFor("c1", "support", "ada"),
			at(time.Minute), notOffered("bob", "c1"),
			logout("ada"), offered("bob", "c1"),
		},
	}, {
		// SPEC R7: chats beyond the licence limit wait in their queue
		// until a chat in progress ends; the agent's wrap-up holds the
		// agent's slot, not the licence.
		name: "licence limit holds the next chat until one is done",
		opts: enginetest.Options{
			Queues:       []routing.Queue{{ID: "support", WrapUp: 30 * time.Second}},
			Agents:       agents("support", "ada", "bob"),
			LicenceLimit: 1,
		},
		timeline: []step{
			start("c1", "support"), accept("ada", "c1"),
			start("c2", "support"), chatIs("c2", routing.Queued, "support"), notOffered("bob", "c2"),
			at(time.Minute), notOffered("bob", "c2"),
			end("c1", "ada"), chatIs("c1", routing.InWrapUp, "support"),
			offered("bob", "c2"), notOffered("ada", "c2"),
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := enginetest.New(t, tc.opts)
			for _, s := range tc.timeline {
				s(t, k)
			}
		})
	}
}
