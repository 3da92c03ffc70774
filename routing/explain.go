package routing

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// PassReason is one reason a waiting chat is not offered to an agent now, or
// is not offered to anyone now. [PassReason.String] gives it as snake_case
// text a host can key its own wording on.
type PassReason uint8

const (
	// LoggedOutReason: the agent is logged out.
	LoggedOutReason PassReason = iota + 1
	// NotReadyReason: the agent is NotReady; [AgentVerdict.StateReason]
	// holds its reason code.
	NotReadyReason
	// RONAReason: the agent is in RONA after an offer it let time out.
	RONAReason
	// WrapUpReason: the agent is wrapping up a chat.
	WrapUpReason
	// NotServingQueueReason: the agent does not serve the chat's queue
	// (another team's queue, or not in its profile).
	NotServingQueueReason
	// NoFreeSlotReason: every slot of the agent on the queue's channel is
	// in use; [AgentVerdict.Load] and [AgentVerdict.Capacity] say how many.
	NoFreeSlotReason
	// MissingSkillReason: the agent lacks a skill the queue or the chat
	// requires, or has it below the level required; [AgentVerdict.Missing]
	// says which.
	MissingSkillReason
	// RejectedReason: the agent rejected this chat and is not offered it
	// again (SPEC R5).
	RejectedReason
	// OfferPendingReason: for an agent, it holds a pending offer of the
	// chat now; for the chat, it is offered and waits for an answer.
	OfferPendingReason
	// PreferredWaitReason (chat-level): the chat waits for its preferred
	// agent until [Explanation.PreferredUntil]; no other agent is offered
	// it before then (SPEC R13).
	PreferredWaitReason
	// LicenceLimitReason (chat-level): every unit of the licence limit is
	// in use, so no chat that holds none is offered.
	LicenceLimitReason
	// ParkedReason (chat-level): routing found no agent for the chat and
	// passes over it until an agent who could take it logs in, becomes
	// Available or frees a slot.
	ParkedReason
	// BudgetFullReason: an item of the queue's channel would take the agent
	// past its [Profile.Budget] (SPEC L2); [AgentVerdict.Units] and
	// [AgentVerdict.Budget] say how much it uses of how much.
	BudgetFullReason
	// InterruptBlockedReason: the agent has work on a channel the queue's
	// channel may not interrupt under its interrupt rules (SPEC L3);
	// [AgentVerdict.BlockedBy] names that channel.
	InterruptBlockedReason
	// ManualPickReason (chat-level): the chat's queue is a [Manual] one,
	// so no agent is offered the chat: it waits until an eligible agent
	// picks it ([Router.Pick]).
	ManualPickReason
)

var passReasonNames = [...]string{"", "logged_out", "not_ready", "rona", "wrap_up", "not_serving_queue",
	"no_free_slot", "missing_skill", "rejected", "offer_pending", "preferred_wait", "licence_limit", "parked",
	"budget_full", "interrupt_blocked", "manual_pick"}

// String returns the reason as snake_case text, such as "no_free_slot".
func (p PassReason) String() string {
	if p > 0 && int(p) < len(passReasonNames) {
		return passReasonNames[p]
	}
	return "PassReason(" + strconv.Itoa(int(p)) + ")"
}

// MarshalText returns the reason's wire text, such as "no_free_slot", or an
// error wrapping [ErrInvalid] for a value that has none.
func (p PassReason) MarshalText() ([]byte, error) {
	return marshalEnum(p, passReasonNames[:], "pass reason")
}

// UnmarshalText parses a wire text of [PassReason.MarshalText].
func (p *PassReason) UnmarshalText(text []byte) error {
	return unmarshalEnum(p, text, passReasonNames[:], "pass reason")
}

// SkillShortfall is a skill requirement an agent does not meet.
type SkillShortfall struct {
	// Skill and Min are the requirement.
	Skill string `json:"skill,omitzero"`
	Min   int    `json:"min,omitzero"`
	// Has reports whether the agent has the skill at all; Level is its
	// level when it has.
	Has   bool `json:"has,omitzero"`
	Level int  `json:"level,omitzero"`
}

// AgentVerdict is what [Router.Explain] says of one agent.
type AgentVerdict struct {
	Agent switchboard.AgentID `json:"agent,omitzero"`
	// Eligible reports whether the agent qualifies for the chat now, by
	// [Eligible]: exactly the agents [AgentStore.Candidates] returns for
	// the chat. An eligible agent may still not be offered the chat, for
	// the chat-level reasons in [Explanation.Held].
	Eligible bool `json:"eligible"`
	// Reasons say why the agent is not offered the chat now, in the order
	// of the constants; empty for an eligible agent without a pending
	// offer. [OfferPendingReason] is the one reason an eligible agent can
	// have.
	Reasons []PassReason `json:"reasons,omitzero"`
	// State is the agent's presence state, StateReason its reason code.
	State       State  `json:"state,omitzero"`
	StateReason string `json:"state_reason,omitzero"`
	// Load and Capacity are the agent's slots in use and its slots on the
	// queue's channel.
	Load     int `json:"load"`
	Capacity int `json:"capacity"`
	// Missing lists the skill requirements the agent does not meet.
	Missing []SkillShortfall `json:"missing,omitzero"`
	// Offer is the agent's pending offer of the chat, if any.
	Offer OfferID `json:"offer,omitzero"`

	// Cross-channel capacity (SPEC L2, L3).

	// Units and Budget are the units of its budget the agent uses and its
	// [Profile.Budget]; both 0 for an agent without a budget.
	Units  int `json:"units,omitzero"`
	Budget int `json:"budget,omitzero"`
	// BlockedBy is the channel whose work the queue's channel may not
	// interrupt, with [InterruptBlockedReason].
	BlockedBy switchboard.Channel `json:"blocked_by,omitzero"`
}

// Explanation is why a waiting chat is, or is not, offered to each agent:
// what a supervisor is shown on asking why a chat waits.
type Explanation struct {
	Chat  switchboard.ChatID  `json:"chat,omitzero"`
	Queue switchboard.QueueID `json:"queue,omitzero"`
	State ChatState           `json:"state,omitzero"`
	// At is when the explanation was made, on the router's clock.
	At time.Time `json:"at,omitzero"`
	// Held lists the reasons that hold the chat back from every agent,
	// eligible or not: [OfferPendingReason], [PreferredWaitReason],
	// [LicenceLimitReason], [ParkedReason], [ManualPickReason].
	Held []PassReason `json:"held,omitzero"`
	// Preferred is the agent the chat waits for, and PreferredUntil when
	// the wait ends; set with [PreferredWaitReason].
	Preferred      switchboard.AgentID `json:"preferred,omitzero"`
	PreferredUntil time.Time           `json:"preferred_until,omitzero"`
	// Agents are the logged-in agents of the queue's tenant, plus the
	// chat's preferred agent and the agents who rejected it if they are
	// logged out, ordered by ID.
	Agents []AgentVerdict `json:"agents,omitzero"`

	// Skill relaxation (SPEC V4).

	// Require are the skills the chat needs of an agent now, its queue's
	// and its own widened by the relaxation steps it reached
	// ([Requirements]): what every verdict's Missing is judged against.
	Require []SkillRequirement `json:"require,omitzero"`
	// RelaxStep is how many of its queue's relaxation steps apply to the
	// chat; NextRelaxAt is when the next one does, zero when none is left.
	// A step that comes while the chat is offered applies if it is queued
	// again.
	RelaxStep   int       `json:"relax_step,omitzero"`
	NextRelaxAt time.Time `json:"next_relax_at,omitzero"`
}

// Eligible returns the verdicts of the eligible agents.
func (e *Explanation) Eligible() []AgentVerdict {
	var out []AgentVerdict
	for _, v := range e.Agents {
		if v.Eligible {
			out = append(out, v)
		}
	}
	return out
}

// Verdict returns the verdict on agent, and whether the explanation has one.
func (e *Explanation) Verdict(agent switchboard.AgentID) (AgentVerdict, bool) {
	i, ok := slices.BinarySearchFunc(e.Agents, agent, func(v AgentVerdict, id switchboard.AgentID) int {
		return strings.Compare(string(v.Agent), string(id))
	})
	if !ok {
		return AgentVerdict{}, false
	}
	return e.Agents[i], true
}

// Judge returns the verdict on agent a for chat c of queue q, given the
// agent's pending offer of c (empty if none). It is a plain function over
// the records; [Router.Explain] applies it to every agent.
func Judge(a *Agent, q *Queue, c *Chat, offer OfferID) AgentVerdict {
	cq := candidateQuery(q, c)
	v := AgentVerdict{
		Agent: a.ID, Eligible: Eligible(a, q, c), State: a.State, StateReason: a.Reason,
		Load: a.Load(q.Channel), Capacity: a.Capacity(q.Channel), Offer: offer,
		Units: a.Units(), Budget: a.Profile.Budget,
	}
	switch a.State {
	case LoggedOut:
		v.Reasons = append(v.Reasons, LoggedOutReason)
	case NotReady:
		v.Reasons = append(v.Reasons, NotReadyReason)
	case RONA:
		v.Reasons = append(v.Reasons, RONAReason)
	case WrapUp:
		v.Reasons = append(v.Reasons, WrapUpReason)
	}
	if !slices.Contains(a.Profile.Queues, q.ID) {
		v.Reasons = append(v.Reasons, NotServingQueueReason)
	}
	if a.AtCapacity(q.Channel) {
		v.Reasons = append(v.Reasons, NoFreeSlotReason)
	}
	for _, r := range cq.Require {
		lvl, ok := a.SkillLevel(r.Skill)
		if ok && lvl >= r.Min {
			continue
		}
		if !slices.ContainsFunc(v.Missing, func(s SkillShortfall) bool { return s.Skill == r.Skill && s.Min == r.Min }) {
			v.Missing = append(v.Missing, SkillShortfall{Skill: r.Skill, Min: r.Min, Has: ok, Level: lvl})
		}
	}
	if len(v.Missing) > 0 {
		v.Reasons = append(v.Reasons, MissingSkillReason)
	}
	if slices.Contains(cq.Exclude, a.ID) {
		v.Reasons = append(v.Reasons, RejectedReason)
	}
	if offer != "" {
		v.Reasons = append(v.Reasons, OfferPendingReason)
	}
	if a.OverBudget(q.Channel) {
		v.Reasons = append(v.Reasons, BudgetFullReason)
	}
	if x, blocked := a.InterruptedBy(q.Channel); blocked {
		v.Reasons = append(v.Reasons, InterruptBlockedReason)
		v.BlockedBy = x
	}
	return v
}

// Explain says, for a waiting (queued or offered) chat, why each agent of
// its queue's tenant is or is not offered it now, and what holds the chat
// back from every agent. It changes nothing and is not on the routing path:
// it reads every logged-in agent of the tenant, so it costs O(agents) and
// suits a supervisor's question, not a decision. The reads are not one
// snapshot: a record may change between two of them. A chat that is not
// waiting gets a [*StateError].
func (r *Router) Explain(ctx context.Context, id switchboard.ChatID) (Explanation, error) {
	c, err := r.store.Chat(ctx, id)
	if err != nil {
		return Explanation{}, fmt.Errorf("routing: explain %s: %w", id, err)
	}
	if c.State != Queued && c.State != Offered {
		return Explanation{}, fmt.Errorf("routing: explain: %w", chatStateError(&c, "explain the routing of"))
	}
	q, err := r.store.Queue(ctx, c.Queue)
	if err != nil {
		return Explanation{}, fmt.Errorf("routing: explain %s: %w", id, err)
	}
	now := r.cfg.Clock.Now()
	e := Explanation{Chat: c.ID, Queue: c.Queue, State: c.State, At: now,
		Require: Requirements(&q, &c), RelaxStep: min(c.RelaxStep, len(q.Relax)), NextRelaxAt: c.RelaxAt}
	if err := r.held(ctx, &e, &c, &q, now); err != nil {
		return Explanation{}, fmt.Errorf("routing: explain %s: %w", id, err)
	}
	pending := map[switchboard.AgentID]OfferID{}
	if c.State == Offered {
		os, err := r.store.PendingOffers(ctx, OfferFilter{Chat: c.ID})
		if err != nil {
			return Explanation{}, fmt.Errorf("routing: explain %s: %w", id, err)
		}
		for _, o := range os {
			pending[o.Agent] = o.ID
		}
	}
	agents, err := r.store.LoggedIn(ctx, q.Tenant)
	if err != nil {
		return Explanation{}, fmt.Errorf("routing: explain %s: %w", id, err)
	}
	// The agents the chat names are explained even when logged out.
	named := append(slices.Clip(c.Rejected), c.Preferred)
	for aid := range pending {
		named = append(named, aid)
	}
	for _, aid := range named {
		if aid == "" || slices.ContainsFunc(agents, func(a Agent) bool { return a.ID == aid }) {
			continue
		}
		a, err := r.store.Agent(ctx, aid)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return Explanation{}, fmt.Errorf("routing: explain %s: %w", id, err)
		}
		agents = append(agents, a)
	}
	slices.SortFunc(agents, func(a, b Agent) int { return strings.Compare(string(a.ID), string(b.ID)) })
	agents = slices.CompactFunc(agents, func(a, b Agent) bool { return a.ID == b.ID })
	e.Agents = make([]AgentVerdict, len(agents))
	for i := range agents {
		e.Agents[i] = Judge(&agents[i], &q, &c, pending[agents[i].ID])
	}
	return e, nil
}

// held fills e's chat-level reasons for chat c of queue q at now.
func (r *Router) held(ctx context.Context, e *Explanation, c *Chat, q *Queue, now time.Time) error {
	if c.State == Offered {
		e.Held = append(e.Held, OfferPendingReason)
		return nil
	}
	manual := q.Strategy == Manual // picked by any eligible agent, preferred or not
	if manual {
		e.Held = append(e.Held, ManualPickReason)
	}
	if c.Preferred != "" && now.Before(c.PreferredUntil) && !manual {
		a, err := r.store.Agent(ctx, c.Preferred)
		if err != nil && !isNotFound(err) {
			return err
		}
		// As the router decides: it waits for a preferred agent who serves
		// the queue and has not rejected the chat, until its time is up.
		if err == nil && a.Serves(q.ID) && !slices.Contains(c.Rejected, a.ID) && !Eligible(&a, q, c) {
			e.Held = append(e.Held, PreferredWaitReason)
			e.Preferred, e.PreferredUntil = c.Preferred, c.PreferredUntil
		}
	}
	if !c.Licensed {
		full, err := r.licenceFull(ctx)
		if err != nil {
			return err
		}
		if full {
			e.Held = append(e.Held, LicenceLimitReason)
		}
	}
	if c.Parked {
		st, err := r.store.QueueState(ctx, c.Queue)
		if err != nil {
			return err
		}
		if st.ParkedNow(c) {
			e.Held = append(e.Held, ParkedReason)
		}
	}
	return nil
}

// licenceFull reports whether a chat holding no licence unit finds none free
// now: the read-only twin of the router's choice of a licence shard.
func (r *Router) licenceFull(ctx context.Context) (bool, error) {
	base, err := r.store.Licence(ctx, 0)
	if err != nil || base.Total == 0 {
		return false, err
	}
	inUse, room := 0, false
	for i := range max(base.Shards, 1) {
		l := base
		if i > 0 {
			if l, err = r.store.Licence(ctx, i); err != nil {
				return false, err
			}
		}
		inUse += l.InUse
		room = room || !l.Full()
	}
	if base.Unbalanced {
		// The shares are fitted to the counts before the next unit is taken.
		return inUse >= base.Total, nil
	}
	return !room, nil
}
