package routing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"pgregory.net/rapid"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
)

// routingModel drives a router with random operations and checks the
// invariants after every step.
type routingModel struct {
	ctx    context.Context
	r      *routing.Router
	store  *routingmem.Store
	events *routingmem.Subscription
	clock  *clock.Mock
	agents []switchboard.AgentID
	queues []routing.Queue
	chats  []switchboard.ChatID
	queued map[switchboard.ChatID]switchboard.QueueID // chats Queued after the last step
}

var modelQueues = []routing.Queue{
	{ID: "idle", AcceptTimeout: 20 * time.Second, MaxWait: 2 * time.Minute, Overflow: "ring", WrapUp: 15 * time.Second},
	{ID: "ring", Strategy: routing.RingAll, AcceptTimeout: 15 * time.Second, MaxUnanswered: 3},
	{ID: "busy", Strategy: routing.LeastBusy, PreferredWait: 30 * time.Second, Priority: 2,
		RequiredSkills: []routing.SkillRequirement{{Skill: "english", Min: 1}}},
	{ID: "turn", Strategy: routing.RoundRobin, MaxUnanswered: 2, Overflow: "idle"},
	{ID: "dice", Strategy: routing.Random, WrapUp: time.Minute, TransferFallback: routing.TransferEnd},
}

func newModel(t *rapid.T) *routingModel {
	m := &routingModel{ctx: context.Background(), store: routingmem.New(routingmem.Config{}), clock: clock.NewMock(),
		queued: map[switchboard.ChatID]switchboard.QueueID{}}
	m.clock.Set(start)
	bus := routingmem.NewBus()
	m.events = bus.Subscribe(nil)
	var err error
	shards := rapid.IntRange(1, 4).Draw(t, "licence shards")
	if m.r, err = routing.New(m.store, bus, routing.Config{Clock: m.clock, LicenceShards: shards}); err != nil {
		t.Fatal(err)
	}
	for _, q := range modelQueues {
		if _, err := m.r.PutQueue(m.ctx, q); err != nil {
			t.Fatal(err)
		}
		m.queues = append(m.queues, q)
	}
	for i := range 6 {
		m.agents = append(m.agents, switchboard.AgentID(fmt.Sprintf("a%d", i)))
	}
	return m
}

func (m *routingModel) queueIDs() []switchboard.QueueID {
	ids := make([]switchboard.QueueID, len(m.queues))
	for i, q := range m.queues {
		ids[i] = q.ID
	}
	return ids
}

// allowed fails the test unless err is nil or one of the expected errors.
func allowed(t *rapid.T, op string, err error, expected ...error) {
	if err == nil {
		return
	}
	for _, e := range expected {
		if errors.Is(err, e) {
			return
		}
	}
	var se *routing.StateError
	if errors.As(err, &se) && slices.Contains(expected, error(nil)) {
		return
	}
	t.Fatalf("%s: unexpected error: %v", op, err)
}

// pickOffer draws one of the pending offers of any agent.
func (m *routingModel) pickOffer(t *rapid.T) (switchboard.AgentID, routing.Offer) {
	var all []routing.Offer
	for _, agent := range m.agents {
		os, err := m.r.Offers(m.ctx, agent)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, os...)
	}
	if len(all) == 0 {
		t.Skip("no offer")
	}
	o := rapid.SampledFrom(all).Draw(t, "offer")
	return o.Agent, o
}

func (m *routingModel) chat(t *rapid.T, id switchboard.ChatID) routing.Chat {
	c, err := m.r.Chat(m.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// free lists the agents (of team, if set) who could be invited into chat c
// or take it over now.
func (m *routingModel) free(t *rapid.T, c *routing.Chat, team string) []switchboard.AgentID {
	var out []switchboard.AgentID
	for _, id := range m.agents {
		a, err := m.r.Agent(m.ctx, id)
		if errors.Is(err, routing.ErrAgentNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if a.State == routing.Available && a.HasRoom(c.Channel) && !c.In(id) && (team == "" || a.Profile.Team == team) {
			out = append(out, id)
		}
	}
	return out
}

func (m *routingModel) pickChat(t *rapid.T, states ...routing.ChatState) switchboard.ChatID {
	var ids []switchboard.ChatID
	for _, id := range m.chats {
		c, err := m.r.Chat(m.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(states, c.State) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		t.Skip("no chat in that state")
	}
	return rapid.SampledFrom(ids).Draw(t, "chat")
}

func (m *routingModel) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"enqueue": func(t *rapid.T) {
			req := routing.ChatRequest{
				ID:       switchboard.ChatID(fmt.Sprintf("c%d", len(m.chats))),
				Queue:    rapid.SampledFrom(m.queueIDs()).Draw(t, "queue"),
				Priority: rapid.IntRange(0, 2).Draw(t, "priority"),
			}
			if rapid.IntRange(0, 3).Draw(t, "skilled") == 0 {
				req.Skills = []routing.SkillRequirement{{Skill: "billing", Min: rapid.IntRange(1, 3).Draw(t, "min")}}
			}
			if rapid.IntRange(0, 3).Draw(t, "sticky") == 0 {
				req.Preferred = rapid.SampledFrom(m.agents).Draw(t, "preferred")
			}
			if _, err := m.r.Enqueue(m.ctx, req); err != nil {
				t.Fatalf("enqueue: %v", err)
			}
			m.chats = append(m.chats, req.ID)
		},
		"login": func(t *rapid.T) {
			id := rapid.SampledFrom(m.agents).Draw(t, "agent")
			var qs []switchboard.QueueID
			for _, q := range m.queueIDs() {
				if rapid.Bool().Draw(t, "serves "+string(q)) {
					qs = append(qs, q)
				}
			}
			p := routing.Profile{Queues: qs, Capacity: chatCap(rapid.IntRange(0, 3).Draw(t, "capacity")),
				Team: rapid.SampledFrom([]string{"red", "blue"}).Draw(t, "team"),
				Skills: []routing.Skill{
					{Name: "english", Level: rapid.IntRange(0, 2).Draw(t, "english")},
					{Name: "billing", Level: rapid.IntRange(0, 3).Draw(t, "billing")},
				}}
			if rapid.Bool().Draw(t, "cross-channel") {
				crossChannel(t, &p)
			}
			_, err := m.r.Login(m.ctx, id, p)
			allowed(t, "login", err, routing.ErrAlreadyLoggedIn)
		},
		"setWork": func(t *rapid.T) {
			// SPEC L5: calls the host routes itself come and go.
			err := m.r.SetWork(m.ctx, rapid.SampledFrom(m.agents).Draw(t, "agent"), voice, rapid.IntRange(0, 2).Draw(t, "calls"))
			allowed(t, "set work", err, routing.ErrLoggedOut, routing.ErrAgentNotFound, routing.ErrInvalid)
		},
		"logout": func(t *rapid.T) {
			err := m.r.Logout(m.ctx, rapid.SampledFrom(m.agents).Draw(t, "agent"))
			allowed(t, "logout", err, routing.ErrLoggedOut, routing.ErrAgentNotFound)
		},
		"available": func(t *rapid.T) {
			err := m.r.SetState(m.ctx, rapid.SampledFrom(m.agents).Draw(t, "agent"), routing.Available, "")
			allowed(t, "available", err, routing.ErrLoggedOut, routing.ErrAgentNotFound)
		},
		"notReady": func(t *rapid.T) {
			err := m.r.SetState(m.ctx, rapid.SampledFrom(m.agents).Draw(t, "agent"), routing.NotReady, "break")
			allowed(t, "not ready", err, routing.ErrLoggedOut, routing.ErrAgentNotFound)
		},
		"accept": func(t *rapid.T) {
			agent, o := m.pickOffer(t)
			_, err := m.r.Accept(m.ctx, agent, o.ID)
			allowed(t, "accept", err, routing.ErrOfferExpired)
		},
		"acceptInvitation": func(t *rapid.T) {
			var all []routing.Offer
			for _, agent := range m.agents {
				os, err := m.r.Offers(m.ctx, agent)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range os {
					if o.Kind != routing.RouteOffer {
						all = append(all, o)
					}
				}
			}
			if len(all) == 0 {
				t.Skip("no invite or transfer")
			}
			o := rapid.SampledFrom(all).Draw(t, "invitation")
			_, err := m.r.Accept(m.ctx, o.Agent, o.ID)
			allowed(t, "accept invitation", err, routing.ErrOfferExpired)
		},
		"acceptOthers": func(t *rapid.T) {
			_, o := m.pickOffer(t)
			other := rapid.SampledFrom(m.agents).Draw(t, "other")
			if other == o.Agent {
				t.Skip("same agent")
			}
			_, err := m.r.Accept(m.ctx, other, o.ID)
			if !errors.Is(err, routing.ErrNotYourOffer) {
				t.Fatalf("accepting another agent's offer: %v", err)
			}
		},
		"reject": func(t *rapid.T) {
			agent, o := m.pickOffer(t)
			err := m.r.Reject(m.ctx, agent, o.ID)
			allowed(t, "reject", err, routing.ErrOfferExpired)
		},
		"advance": func(t *rapid.T) {
			m.clock.Add(time.Duration(rapid.IntRange(1, 40).Draw(t, "seconds")) * time.Second)
			if _, err := m.r.Sweep(m.ctx); err != nil {
				t.Fatalf("sweep: %v", err)
			}
		},
		"end": func(t *rapid.T) {
			if err := m.r.End(m.ctx, m.pickChat(t, routing.Assigned)); err != nil {
				t.Fatalf("end: %v", err)
			}
		},
		"wrapUp": func(t *rapid.T) {
			type wrap struct {
				chat  switchboard.ChatID
				agent switchboard.AgentID
			}
			var wraps []wrap
			for _, id := range m.chats {
				c := m.chat(t, id)
				if c.State == routing.InWrapUp {
					wraps = append(wraps, wrap{id, c.Agent})
				}
				for _, h := range c.Holds {
					wraps = append(wraps, wrap{id, h.Agent})
				}
			}
			if len(wraps) == 0 {
				t.Skip("nothing to wrap up")
			}
			w := rapid.SampledFrom(wraps).Draw(t, "wrap-up")
			if err := m.r.CompleteWrapUp(m.ctx, w.chat, w.agent); err != nil {
				t.Fatalf("wrap-up: %v", err)
			}
		},
		"invite": func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			req := routing.InviteRequest{Chat: c.ID, From: rapid.SampledFrom(append([]switchboard.AgentID{c.Agent}, c.Consultants...)).Draw(t, "from")}
			switch free := m.free(t, &c, ""); {
			case rapid.Bool().Draw(t, "to queue"):
				req.Queue = rapid.SampledFrom(m.queueIDs()).Draw(t, "queue")
			case len(free) > 0 && rapid.Bool().Draw(t, "to a free agent"):
				req.Agent = rapid.SampledFrom(free).Draw(t, "invitee")
			default:
				req.Agent = rapid.SampledFrom(m.agents).Draw(t, "invitee")
			}
			_, err := m.r.Invite(m.ctx, req)
			allowed(t, "invite", err, routing.ErrInvitePending, routing.ErrTransferPending, routing.ErrAlreadyInChat,
				routing.ErrAgentUnavailable, routing.ErrNoAgentAvailable, routing.ErrAgentNotFound)
		},
		"exit": func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			if len(c.Consultants) == 0 {
				t.Skip("no consultant")
			}
			if err := m.r.Exit(m.ctx, c.ID, rapid.SampledFrom(c.Consultants).Draw(t, "consultant")); err != nil {
				t.Fatalf("exit: %v", err)
			}
		},
		"drop": func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			if err := m.r.DropConsultants(m.ctx, c.ID, c.Agent); err != nil {
				t.Fatalf("drop consultants: %v", err)
			}
		},
		"transfer": func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			req := routing.TransferRequest{Chat: c.ID, From: c.Agent}
			owner, err := m.r.Agent(m.ctx, c.Agent)
			if err != nil {
				t.Fatal(err)
			}
			switch free := m.free(t, &c, owner.Profile.Team); {
			case rapid.IntRange(0, 3).Draw(t, "to queue") == 0:
				req.Queue = rapid.SampledFrom(m.queueIDs()).Draw(t, "queue")
			case len(free) > 0 && rapid.Bool().Draw(t, "to a free agent"):
				req.Agent = rapid.SampledFrom(free).Draw(t, "target")
			default:
				req.Agent = rapid.SampledFrom(m.agents).Draw(t, "target")
			}
			_, err = m.r.Transfer(m.ctx, req)
			allowed(t, "transfer", err, routing.ErrInvitePending, routing.ErrTransferPending, routing.ErrAlreadyInChat,
				routing.ErrAgentUnavailable, routing.ErrSameAgent, routing.ErrNotInTeam, routing.ErrAgentNotFound)
		},
		"handOver": func(t *rapid.T) {
			c := m.chat(t, m.pickChat(t, routing.Assigned))
			if len(c.Consultants) == 0 {
				t.Skip("no consultant")
			}
			err := m.r.HandOver(m.ctx, c.ID, c.Agent, rapid.SampledFrom(c.Consultants).Draw(t, "to"))
			allowed(t, "hand over", err, routing.ErrTransferPending)
		},
		"abandon": func(t *rapid.T) {
			if err := m.r.Abandon(m.ctx, m.pickChat(t, routing.Queued, routing.Offered)); err != nil {
				t.Fatalf("abandon: %v", err)
			}
		},
		"licence": func(t *rapid.T) {
			// Without a limit the licence counts nothing: count the chats.
			held := 0
			for _, id := range m.chats {
				if m.chat(t, id).Licensed {
					held++
				}
			}
			limit := rapid.IntRange(0, 6).Draw(t, "limit")
			if limit != 0 && limit < held {
				limit = held
			}
			if err := m.r.SetLicenceLimit(m.ctx, limit); err != nil {
				t.Fatal(err)
			}
		},
		"": m.check,
	}
}

// eligibleIgnoringLoad reports whether chat c could go to agent a if a had a
// free slot: the constraints FIFO is measured against.
func (m *routingModel) eligibleIgnoringLoad(a *routing.Agent, c *routing.Chat) bool {
	q := m.queues[slices.IndexFunc(m.queues, func(q routing.Queue) bool { return q.ID == c.Queue })]
	if q.Strategy == routing.Manual {
		return false // offered to nobody: it waits to be picked
	}
	if !a.Serves(q.ID) || !a.HasSkills(q.RequiredSkills) || !a.HasSkills(c.Skills) || slices.Contains(c.Rejected, a.ID) {
		return false
	}
	if c.Preferred != "" && c.Preferred != a.ID && m.clock.Now().Before(c.PreferredUntil) {
		p, err := m.r.Agent(m.ctx, c.Preferred)
		if err == nil && p.Serves(q.ID) && !slices.Contains(c.Rejected, p.ID) {
			return false // the chat waits for its preferred agent
		}
	}
	return true
}

func (m *routingModel) check(t *rapid.T) {
	ctx := m.ctx
	chats := map[switchboard.ChatID]routing.Chat{}
	for _, id := range m.chats {
		c, err := m.r.Chat(ctx, id)
		if err != nil {
			t.Fatalf("chat %s lost: %v", id, err)
		}
		chats[id] = c
	}
	agents := map[switchboard.AgentID]routing.Agent{}
	for _, id := range m.agents {
		a, err := m.r.Agent(ctx, id)
		if errors.Is(err, routing.ErrAgentNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		agents[id] = a
	}
	limit, inUse, shards, err := licenceSum(ctx, m.store)
	if err != nil {
		t.Fatal(err)
	}
	full := limit > 0 && !slices.ContainsFunc(shards, func(l routing.Licence) bool { return !l.Full() })
	perShard := make([]int, len(shards))

	// Each chat is in exactly one consistent place.
	licensed := 0
	held := map[switchboard.AgentID]int{}
	wrapUps := map[switchboard.AgentID]int{}
	for id, c := range chats {
		pending, err := m.store.PendingOffers(ctx, routing.OfferFilter{Chat: id})
		if err != nil {
			t.Fatal(err)
		}
		routed, invites := 0, 0
		for _, o := range pending {
			if o.Kind == routing.RouteOffer {
				routed++
				continue
			}
			invites++
			if o.ID != c.Invitation.Offer || o.Kind != c.Invitation.Kind || o.From != c.Invitation.From {
				t.Fatalf("chat %s has invitation %+v, pending offer %+v", id, c.Invitation, o)
			}
		}
		if routed != c.Pending {
			t.Fatalf("chat %s (%s) counts %d pending offers, store has %d", id, c.State, c.Pending, routed)
		}
		if invites > 1 || (invites == 1) != c.Invitation.Pending() {
			t.Fatalf("chat %s has %d pending invites or transfers, invitation %+v", id, invites, c.Invitation)
		}
		if c.State != routing.Assigned && (c.Invitation.Pending() || c.Invitation.From != "" || len(c.Consultants) > 0) {
			t.Fatalf("chat %s is %s with invitation %+v and consultants %v", id, c.State, c.Invitation, c.Consultants)
		}
		for i, ag := range c.Consultants {
			if ag == c.Agent || slices.Contains(c.Consultants[:i], ag) {
				t.Fatalf("chat %s has owner %s and consultants %v", id, c.Agent, c.Consultants)
			}
			held[ag]++
		}
		for _, h := range c.Holds {
			if a, ok := agents[h.Agent]; !ok || a.State == routing.LoggedOut {
				t.Fatalf("chat %s has a wrap-up hold of logged-out agent %s", id, h.Agent)
			}
			held[h.Agent]++
			wrapUps[h.Agent]++
		}
		if (c.State == routing.Offered) != (c.Pending > 0) {
			t.Fatalf("chat %s is %s with %d pending offers", id, c.State, c.Pending)
		}
		switch c.State {
		case routing.Queued, routing.Offered:
			if c.Agent != "" {
				t.Fatalf("waiting chat %s has agent %s", id, c.Agent)
			}
		case routing.Assigned, routing.InWrapUp:
			if c.Agent == "" {
				t.Fatalf("chat %s is %s with no agent", id, c.State)
			}
			held[c.Agent]++
			if c.State == routing.InWrapUp {
				wrapUps[c.Agent]++
			}
		case routing.Ended:
			if c.EndReason == routing.NotEnded {
				t.Fatalf("chat %s ended with no reason", id)
			}
		}
		if c.Licensed != (c.State == routing.Offered || c.State == routing.Assigned) {
			t.Fatalf("chat %s is %s, licensed=%v", id, c.State, c.Licensed)
		}
		if c.Licensed {
			licensed++
			perShard[c.LicenceShard%len(shards)]++
		}
	}
	// SPEC R7: the shards together count exactly the chats holding a unit,
	// each the chats whose unit it holds, and never more than the limit.
	if limit > 0 && inUse != licensed {
		t.Fatalf("licence shards count %d units, %d chats hold one", inUse, licensed)
	}
	for i, l := range shards {
		if limit > 0 && l.InUse != perShard[i] {
			t.Fatalf("licence shard %d counts %d units, %d chats hold one of it", i, l.InUse, perShard[i])
		}
	}
	if limit == 0 && inUse != 0 {
		t.Fatalf("licence with no limit counts %d units", inUse)
	}
	if limit > 0 && inUse > limit {
		t.Fatalf("licence over its limit: %d > %d: %+v", inUse, limit, shards)
	}

	// No agent over capacity; its load is exactly its offers and chats.
	for id, a := range agents {
		pending, err := m.r.Offers(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		load := a.Load(switchboard.DefaultChannel)
		if want := len(pending) + held[id]; load != want {
			t.Fatalf("agent %s load %d, has %d offers and %d chats, consultancies and holds", id, load, len(pending), held[id])
		}
		if load > a.Capacity(switchboard.DefaultChannel) {
			t.Fatalf("agent %s over capacity: %d > %d", id, load, a.Capacity(switchboard.DefaultChannel))
		}
		if len(pending) > 0 && a.State != routing.Available && a.State != routing.WrapUp {
			t.Fatalf("agent %s in %s has pending offers", id, a.State)
		}
		if a.State != routing.LoggedOut && a.WrapUps != wrapUps[id] {
			t.Fatalf("agent %s counts %d wrap-ups, has %d", id, a.WrapUps, wrapUps[id])
		}
		if (a.State == routing.WrapUp) && a.WrapUps == 0 {
			t.Fatalf("agent %s in WrapUp with nothing to wrap up", id)
		}
	}

	// FIFO within a priority: when a chat was offered to an agent, no chat
	// ahead of it in its queue that the agent could take was waiting.
	queued := m.queued
	offered := map[switchboard.AgentID]bool{}
	for _, e := range m.events.Drain() {
		if e.Type == routing.ChatOffered {
			offered[e.Agent] = true
		}
		switch e.Type {
		case routing.ChatQueued, routing.ChatOverflowed:
			queued[e.Chat] = e.Queue
		case routing.ChatAssigned, routing.ChatEnded:
			delete(queued, e.Chat)
		case routing.ChatOffered:
			if e.Kind != routing.RouteOffer {
				continue // an invite or transfer of an assigned chat
			}
			delete(queued, e.Chat)
			a, c := agents[e.Agent], chats[e.Chat]
			for other, q := range queued {
				o := chats[other]
				if q == e.Queue && routing.CompareChats(&o, &c) < 0 && m.eligibleIgnoringLoad(&a, &o) {
					t.Fatalf("chat %s was offered to %s while %s, ahead of it, waited", c.ID, a.ID, o.ID)
				}
			}
		}
	}
	m.queued = map[switchboard.ChatID]switchboard.QueueID{}

	// SPEC L2, L3: an agent offered anything in the step is within its
	// budget after it, and had no work the channel may not interrupt.
	// Within a step the host's work does not change, and every offer was
	// made within the budget left by the work; chats freed after it only
	// lower the units. Only the host's own report takes an agent past its
	// budget, and no offer follows until it is back within.
	for id := range offered {
		a := agents[id]
		if a.Profile.Budget > 0 && a.Units() > a.Profile.Budget {
			t.Fatalf("agent %s was offered a chat and uses %d units of its budget of %d (slots %v, work %v)",
				id, a.Units(), a.Profile.Budget, a.Used, a.Work)
		}
		if a.Working(voice) > 0 && a.Profile.LimitInterrupts &&
			!slices.Contains(a.Profile.Interrupts, routing.Interrupt{Channel: voice, By: switchboard.DefaultChannel}) {
			t.Fatalf("agent %s on %d calls, which chats may not interrupt, was offered a chat", id, a.Working(voice))
		}
	}

	// Nothing waits that an Available agent with a free slot could take.
	for id, c := range chats {
		if c.State != routing.Queued {
			continue
		}
		m.queued[id] = c.Queue
		if !c.Licensed && full {
			continue
		}
		for _, a := range agents {
			if a.State == routing.Available && a.HasRoom(switchboard.DefaultChannel) && m.eligibleIgnoringLoad(&a, &c) {
				t.Fatalf("chat %s waits in %s while agent %s could take it", id, c.Queue, a.ID)
			}
		}
	}
}

// voice is the channel of the calls the model's host routes itself.
const voice switchboard.Channel = "voice"

// crossChannel draws cross-channel settings into p: a budget shared with
// calls the host reports, and interrupt rules between calls and chats.
func crossChannel(t *rapid.T, p *routing.Profile) {
	p.Budget = rapid.IntRange(0, 4).Draw(t, "budget")
	call := routing.Capacity{Channel: voice, Max: 1}
	if p.Budget > 0 {
		p.Capacity[0].Weight = rapid.IntRange(0, min(p.Budget, 2)).Draw(t, "chat weight")
		call.Weight = rapid.IntRange(0, p.Budget).Draw(t, "call weight")
	}
	p.Capacity = append(p.Capacity, call)
	p.LimitInterrupts = rapid.Bool().Draw(t, "limit interrupts")
	if p.LimitInterrupts {
		for _, r := range []routing.Interrupt{{Channel: voice, By: switchboard.DefaultChannel}, {Channel: switchboard.DefaultChannel, By: voice}} {
			if rapid.Bool().Draw(t, "interrupt "+string(r.Channel)+" by "+string(r.By)) {
				p.Interrupts = append(p.Interrupts, r)
			}
		}
	}
}

func TestRoutingInvariants(t *testing.T) {
	t.Parallel()
	// SPEC R2, R4, R5, R6, R7, R14, R17: after every step of random
	// operation sequences each chat is in exactly one place, no agent is over
	// capacity or offered a chat while not Available, FIFO holds within a
	// priority, and nothing is lost.
	// SPEC C2, C3, C4, C7, C8, C11, T1, T3: with invites, exits, dropped
	// conferences, transfers and hand-overs in the mix, every chat has an
	// owner or is waiting or over, a chat has at most one pending invite or
	// transfer, and every agent's load is exactly its offers, owned chats,
	// consultancies and wrap-up holds.
	// SPEC L2, L3, L5: with budgets, interrupt rules and host-reported
	// calls in the mix, no offer takes an agent past its budget or
	// interrupts what it may not, and a call that ends wakes what waited.
	rapid.Check(t, func(t *rapid.T) {
		m := newModel(t)
		actions := m.actions()
		// Start with a few agents logged in and chats waiting, so that
		// short runs reach assigned chats and their conferences.
		for range rapid.IntRange(0, 4).Draw(t, "initial agents") {
			actions["login"](t)
		}
		for range rapid.IntRange(0, 4).Draw(t, "initial chats") {
			actions["enqueue"](t)
		}
		t.Repeat(actions)
	})
}
