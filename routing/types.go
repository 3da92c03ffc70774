package routing

import (
	"slices"
	"strconv"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// State is an agent's presence state. Only an [Available] agent is offered
// new chats; chats already assigned continue in every state.
type State uint8

const (
	// LoggedOut: the agent is not logged in and holds no chats or offers.
	LoggedOut State = iota
	// Available: the agent may be offered chats up to its capacity.
	Available
	// NotReady: the agent paused itself with a reason code. It gets no new
	// offers; chats in progress continue.
	NotReady
	// RONA (Redirection On No Answer): an offer to the agent timed out. It
	// gets no new offers on any channel until it sets itself Available.
	RONA
	// WrapUp: one of the agent's chats ended and is in wrap-up. It gets no new
	// offers until every wrap-up is complete, then returns to Available.
	WrapUp
)

var stateNames = [...]string{"LoggedOut", "Available", "NotReady", "RONA", "WrapUp"}

// String returns the state's name, such as "Available".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Skill is a named skill of an agent with its proficiency level.
type Skill struct {
	Name  string `json:"name,omitzero"`
	Level int    `json:"level,omitzero"`
}

// SkillRequirement asks for a skill at a minimum proficiency level.
type SkillRequirement struct {
	Skill string `json:"skill,omitzero"`
	Min   int    `json:"min,omitzero"`
}

// Capacity is the number of chats of one channel an agent handles at once.
type Capacity struct {
	Channel switchboard.Channel `json:"channel,omitzero"`
	Max     int                 `json:"max,omitzero"`

	// Cross-channel capacity (SPEC L1).

	// Weight is how many units of [Profile.Budget] one item of the
	// channel uses. Defaults to 1 (0 means the default). Refused without
	// a budget, and above the budget on a channel with a Max.
	Weight int `json:"weight,omitzero"`
}

// Profile is what an agent logs in with.
type Profile struct {
	// DisplayName is the name customers see. Defaults to the agent's ID.
	DisplayName string `json:"display_name,omitzero"`
	// Tenant the agent belongs to. Defaults to the empty tenant.
	Tenant switchboard.TenantID `json:"tenant,omitzero"`
	// Team (functional group) the agent belongs to. Defaults to none.
	Team string `json:"team,omitzero"`
	// Supervisor marks a supervisor, who may see and chat with agents of
	// every team of its tenant. Defaults to false.
	Supervisor bool `json:"supervisor,omitzero"`
	// Queues the agent serves. Only chats of these queues are offered to it
	// (SPEC R1). Every queue must exist. Defaults to none: the agent can
	// still take part in agent-to-agent chats.
	Queues []switchboard.QueueID `json:"queues,omitzero"`
	// Capacity per channel. A channel not listed has capacity 0. Defaults
	// to one chat on [switchboard.DefaultChannel].
	Capacity []Capacity `json:"capacity,omitzero"`
	// Skills with proficiency, matched against [SkillRequirement]s.
	// Defaults to none.
	Skills []Skill `json:"skills,omitzero"`
	// LoginState is the state the agent logs in with (SPEC H1): [Available]
	// or [NotReady]. Defaults to Available (the zero value, [LoggedOut],
	// means the default). An agent logging in NotReady is never offered a
	// chat until it sets itself Available.
	LoginState State `json:"login_state,omitzero"`
	// LoginReason is the reason code of a NotReady LoginState; required
	// with NotReady, refused with any other state.
	LoginReason string `json:"login_reason,omitzero"`

	// Cross-channel capacity (SPEC L1, L2, L3).

	// Budget is the agent's total of units shared by every channel: an
	// item of a channel uses its [Capacity.Weight] units, and the agent is
	// offered an item only if both the channel's Max and the budget have
	// room for it ([Agent.HasRoom]). Slots in use and host-reported work
	// ([Router.SetWork]) both count. Defaults to 0: no budget, each channel
	// limited by its Max alone.
	Budget int `json:"budget,omitzero"`
	// LimitInterrupts turns on interrupt rules: while the agent has work
	// on a channel (slots in use or host-reported work), it is offered an
	// item of another channel only if Interrupts lets that channel
	// interrupt this one. Defaults to false: channels are independent, as
	// if every channel could interrupt every other. Set with no
	// Interrupts, work on any channel keeps every other channel's items
	// away.
	LimitInterrupts bool `json:"limit_interrupts,omitzero"`
	// Interrupts are the rules LimitInterrupts applies: each lets one
	// channel interrupt work on another. Both channels must be listed in
	// Capacity. Refused without LimitInterrupts. Defaults to none.
	Interrupts []Interrupt `json:"interrupts,omitzero"`
}

// Agent is the stored record of one agent: its profile, presence state and
// the chat slots it uses. Records are values; the [Router] changes them only
// through [Store.Commit].
type Agent struct {
	ID      switchboard.AgentID `json:"id"`
	Profile Profile             `json:"profile,omitzero"`
	State   State               `json:"state"`
	// Reason is the reason code of a NotReady state, or why the system
	// changed the state ([ReasonRONA], [ReasonWrapUp]).
	Reason string `json:"reason,omitzero"`
	// StateSince is when State last changed.
	StateSince time.Time `json:"state_since,omitzero"`
	// IdleSince is the last time the agent became Available, was offered a
	// chat or finished one. The longest-idle strategy picks the oldest.
	IdleSince time.Time `json:"idle_since,omitzero"`
	// Used counts the slots in use per channel, in the order of
	// Profile.Capacity: pending offers of every kind, chats it owns
	// (assigned or in wrap-up, but not on hold: [Chat.OnHold]), chats it
	// is a consultant in, and its wrap-up holds of chats it handed over.
	Used []int `json:"used,omitzero"`
	// WrapUps counts the agent's wrap-ups: chats of its own in wrap-up
	// ([InWrapUp]) and [Hold]s of chats it handed over.
	WrapUps int `json:"wrap_ups,omitzero"`
	// DisconnectedAt is when the agent's connection was lost, while it is
	// in its disconnect grace (SPEC H2); zero when it is connected.
	DisconnectedAt time.Time `json:"disconnected_at,omitzero"`
	// GraceUntil is when a disconnected agent is logged out unless it
	// reconnects; zero when it is connected. Stores index agents by it
	// ([AgentDeadline]); see [Agent.NextDeadline].
	GraceUntil time.Time `json:"grace_until,omitzero"`

	// Cross-channel capacity (SPEC L5).

	// Work counts, in the order of Profile.Capacity, the items the host
	// reported the agent busy with on channels it routes itself
	// ([Router.SetWork]); empty when none. They count toward the budget
	// and the interrupt rules, not toward the slots of Used.
	Work []int `json:"work,omitzero"`
	// Version is the record's version for compare-and-set; see [Txn].
	Version uint64 `json:"version,omitzero"`
}

// Disconnected reports whether the agent lost its connection and is in its
// disconnect grace: logged in, with its state and chats, but offered
// nothing (SPEC H2).
func (a *Agent) Disconnected() bool { return !a.GraceUntil.IsZero() }

// NextDeadline returns when the agent needs the sweeper: the end of its
// disconnect grace, or the zero time when it is connected. Stores index
// agents by it; see [DeadlineStore].
func (a *Agent) NextDeadline() time.Time {
	if a.State == LoggedOut {
		return time.Time{}
	}
	return a.GraceUntil
}

// Capacity returns the agent's capacity on channel ch.
func (a *Agent) Capacity(ch switchboard.Channel) int {
	for _, c := range a.Profile.Capacity {
		if c.Channel == ch {
			return c.Max
		}
	}
	return 0
}

// Load returns the number of slots the agent uses on channel ch.
func (a *Agent) Load(ch switchboard.Channel) int {
	for i, c := range a.Profile.Capacity {
		if c.Channel == ch && i < len(a.Used) {
			return a.Used[i]
		}
	}
	return 0
}

// AtCapacity reports whether every slot of channel ch is in use: the derived
// "at capacity" state. It looks at the channel alone; [Agent.HasRoom] adds
// the budget and the interrupt rules.
func (a *Agent) AtCapacity(ch switchboard.Channel) bool {
	return a.Load(ch) >= a.Capacity(ch)
}

// Serves reports whether the agent is logged in to queue q.
func (a *Agent) Serves(q switchboard.QueueID) bool {
	return a.State != LoggedOut && slices.Contains(a.Profile.Queues, q)
}

// SkillLevel returns the agent's level of skill name, and whether it has it.
func (a *Agent) SkillLevel(name string) (int, bool) {
	for _, s := range a.Profile.Skills {
		if s.Name == name {
			return s.Level, true
		}
	}
	return 0, false
}

// HasSkills reports whether the agent meets every requirement.
func (a *Agent) HasSkills(reqs []SkillRequirement) bool {
	for _, r := range reqs {
		if lvl, ok := a.SkillLevel(r.Skill); !ok || lvl < r.Min {
			return false
		}
	}
	return true
}

// addLoad changes the slots used on channel ch by delta.
func (a *Agent) addLoad(ch switchboard.Channel, delta int) {
	for i, c := range a.Profile.Capacity {
		if c.Channel == ch {
			if len(a.Used) != len(a.Profile.Capacity) {
				used := make([]int, len(a.Profile.Capacity))
				copy(used, a.Used)
				a.Used = used
			}
			a.Used[i] += delta
			if a.Used[i] < 0 {
				a.Used[i] = 0
			}
			return
		}
	}
}

// Strategy decides which Available agent of a queue is offered a chat.
type Strategy uint8

const (
	// LongestIdle offers the chat to the eligible agent idle the longest
	// (oldest [Agent.IdleSince]). It is the default.
	LongestIdle Strategy = iota
	// RingAll offers the chat to every eligible agent at once; the first
	// accept wins and the other offers are rescinded (SPEC R4).
	RingAll
	// LeastBusy offers the chat to the eligible agent with the fewest chats
	// relative to its capacity, the longest idle among equals.
	LeastBusy
	// RoundRobin offers chats to eligible agents in turn, in agent ID order,
	// remembering in the queue where the last offer went.
	RoundRobin
	// Random offers the chat to an eligible agent chosen uniformly at random.
	// It lists every eligible agent, so it costs O(n) in their number.
	Random
	// Manual offers the chat to nobody: it waits in its queue until an
	// eligible agent picks it ([Router.Pickable], [Router.Pick]).
	Manual
)

var strategyNames = [...]string{"LongestIdle", "RingAll", "LeastBusy", "RoundRobin", "Random", "Manual"}

// String returns the strategy's name.
func (s Strategy) String() string {
	if int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return "Strategy(" + strconv.Itoa(int(s)) + ")"
}

// Queue is the configuration of one queue, plus the round-robin memory the
// router keeps in it.
type Queue struct {
	ID switchboard.QueueID `json:"id"`
	// Tenant the queue belongs to. Defaults to the empty tenant.
	Tenant switchboard.TenantID `json:"tenant,omitzero"`
	// Name and Description are shown to agents choosing a queue.
	Name        string `json:"name,omitzero"`
	Description string `json:"description,omitzero"`
	// Channel of the queue's chats. Defaults to [switchboard.DefaultChannel].
	Channel switchboard.Channel `json:"channel,omitzero"`
	// Strategy picks the agent. Defaults to [LongestIdle].
	Strategy Strategy `json:"strategy,omitzero"`
	// Priority of the queue: when an agent serves several queues, chats of
	// higher effective priority (queue priority plus chat priority) are
	// served first. Defaults to 0.
	Priority int `json:"priority,omitzero"`
	// RequiredSkills every chat of the queue needs. Defaults to none.
	RequiredSkills []SkillRequirement `json:"required_skills,omitzero"`
	// AcceptTimeout is how long an offer waits for an accept before it
	// times out and the agent goes to RONA (SPEC R6). Defaults to 30s.
	AcceptTimeout time.Duration `json:"-"`
	// RingAllMax caps how many agents one [RingAll] round offers a chat to,
	// the longest idle first. Defaults to [DefaultRingAllMax] (0 means the
	// default). A negative value offers it to every eligible agent.
	RingAllMax int `json:"ring_all_max,omitzero"`
	// MaxUnanswered is how many offer rounds may end rejected or timed out
	// before the chat escalates to Overflow, or ends with [EndEscalated]
	// (SPEC R16). A ring-all round counts once. Defaults to 0: unlimited.
	MaxUnanswered int `json:"max_unanswered,omitzero"`
	// MaxWait is how long a chat may wait in this queue before it moves to
	// Overflow, or ends with [EndTimedOut] (SPEC R15). Defaults to 0: unlimited.
	MaxWait time.Duration `json:"-"`
	// Overflow is where chats go on MaxWait or MaxUnanswered. Defaults to
	// none: such chats end.
	Overflow switchboard.QueueID `json:"overflow,omitzero"`
	// PreferredWait is how long a chat naming a preferred agent waits for
	// that agent before any agent of the queue may take it (SPEC R13).
	// Defaults to 0: a preferred agent is tried once, when the chat is
	// routed, and then the queue's strategy applies.
	PreferredWait time.Duration `json:"-"`
	// WrapUp is how long an agent's wrap-up of a chat of this queue may
	// last; the agent's slot stays in use until it completes or this time
	// passes. It applies as well to an agent who hands a chat over to
	// another (a [Hold]). Defaults to 0: chats are done as soon as they
	// end, and an agent who hands a chat over is free at once.
	WrapUp time.Duration `json:"-"`
	// TransferFallback decides what happens to a chat of this queue whose
	// transfer to an agent was rejected or not accepted in time (SPEC T3).
	// Defaults to [TransferRequeue].
	TransferFallback TransferPolicy `json:"transfer_fallback,omitzero"`
	// Chat holds the queue's settings for the conversations themselves
	// (wrap-up reasons, predefined responses, history rule, after-close
	// policy, attachment policy), kept in this one record beside the
	// routing settings so that every process reads the same. Routing
	// stores them and does not act on them; the engine hands them to the
	// sessions. Defaults to the zero settings.
	Chat switchboard.ChatSettings `json:"chat,omitzero"`

	// Business hours.

	// Hours say when the queue is open. Chats of a closed queue are
	// offered to no agent; offers already out continue, and chats waiting
	// when it closes keep waiting for it to open. Defaults to none: the
	// queue is always open.
	Hours BusinessHours `json:"hours,omitzero"`
	// WhenClosed decides what happens to a chat arriving while Hours have
	// the queue closed. Defaults to [ClosedWait].
	WhenClosed ClosedPolicy `json:"when_closed,omitzero"`

	// Skill relaxation and priority aging (SPEC V1–V7).

	// Relax are the queue's relaxation steps (bullseye rings), earliest
	// first: each widens, once a chat has waited its After in the queue,
	// the skills the chat needs ([Requirements]). A change of the steps
	// reaches the chats entering the queue afterwards; a chat already
	// waiting takes the new steps from its next step's deadline. At most
	// [MaxRelaxSteps]. Defaults to none.
	Relax []RelaxStep `json:"relax,omitzero"`
	// AgingStep turns priority into waiting time (SPEC V5): each point of a
	// chat's Priority counts as AgingStep of earlier arrival, so a chat of
	// priority 2 is served before a priority 0 chat that arrived less than
	// 2×AgingStep earlier, and after one that arrived longer ago. The key
	// is fixed when the chat enters the queue ([Chat.VirtualStart]), so the
	// queue is never re-sorted. Aged keys order the chats of one queue:
	// between the queues an agent serves, the queue Priority decides which
	// queue is served first, as without aging. A change reaches the chats
	// entering the queue afterwards. At most [MaxAgingStep]. Defaults to 0:
	// no aging, higher priority first, then first come, first served.
	AgingStep time.Duration `json:"-"`

	// On hold (SPEC O3). MaxOnHold is how long a chat of this queue may
	// stay on hold; the deadline is stored in the chat when it is put on
	// hold ([Chat.OnHoldUntil]). Defaults to 0: no limit. OnHoldEnd
	// decides what happens when it passes. Defaults to [OnHoldResume].
	MaxOnHold time.Duration `json:"-"`
	OnHoldEnd OnHoldPolicy  `json:"on_hold_end,omitzero"`
	// Version is the record's version for compare-and-set; see [Txn].
	Version uint64 `json:"version,omitzero"`
}

// DefaultRingAllMax is the number of agents a [RingAll] round offers a chat
// to when its queue's RingAllMax is 0. Beyond a few dozen agents, ringing
// more does little for how soon someone answers, while every offer is a
// record written, a slot held and an alert on a desktop, all rescinded at
// the first accept: a round over 10,000 agents would write 10,000 offers
// for one chat.
const DefaultRingAllMax = 50

// ringAllLimit returns the candidate limit of a ring-all round of q: 0 for
// no cap.
func (q *Queue) ringAllLimit() int {
	switch {
	case q.RingAllMax == 0:
		return DefaultRingAllMax
	case q.RingAllMax < 0:
		return 0
	}
	return q.RingAllMax
}

// QueueState is what the router remembers about a queue between offers,
// kept apart from its configuration ([Queue]) so that offers never rewrite
// the configuration record: only a change of configuration writes a Queue.
type QueueState struct {
	// Queue is the ID of the queue the state is of.
	Queue switchboard.QueueID
	// Cursor is the round-robin memory: the agent most recently offered a
	// chat, or an invite, of this queue. The router maintains it.
	Cursor switchboard.AgentID
	// Epochs count, per skill, the times an agent of the queue holding the
	// skill became able to take a chat (logged in, became Available, freed
	// a slot); the entry of the empty skill counts every agent's. Only
	// skills a chat was parked on ([Chat.Parked]) have an entry. Every such
	// change of an agent writes the state of each of its queues, so that a
	// transaction parking a chat, which read the state before it looked
	// for agents, conflicts with it. The router maintains them.
	Epochs []SkillEpoch
	// Version is the record's version for compare-and-set; see [Txn].
	Version uint64
}

// SkillEpoch is one skill's entry in [QueueState.Epochs].
type SkillEpoch struct {
	// Skill is the skill's name; empty for the entry of every agent.
	Skill string
	// Epoch counts the changes of agents with the skill since the entry
	// was made; it only grows.
	Epoch uint64
}

// Epoch returns the epoch of skill in st, 0 if it has no entry.
func (st *QueueState) Epoch(skill string) uint64 {
	for _, e := range st.Epochs {
		if e.Skill == skill {
			return e.Epoch
		}
	}
	return 0
}

// ParkedNow reports whether chat c is parked in its queue whose state is st:
// it is [Queued], was parked, and the epoch it was parked at is still the
// current one of the skill it was parked on. A store leaves such a chat out
// of [ChatStore.Waiting].
func (st *QueueState) ParkedNow(c *Chat) bool {
	return c.State == Queued && c.Parked && c.Queue == st.Queue && st.Epoch(c.ParkedOn) == c.ParkedEpoch
}

// ChatKind is the kind of a chat routing holds.
//
// Agent-to-agent chats are not routed: they are never offered and take no
// slot (SPEC R10), so routing has nothing of them to hold, and their one
// home is the session (session.Manager.StartA2A, with its pending-reply
// marker).
type ChatKind uint8

const (
	// CustomerChat is a chat from a customer, routed through a queue.
	CustomerChat ChatKind = iota
)

// ChatState is where a chat is. A chat is always in exactly one state.
type ChatState uint8

const (
	// Queued: waiting in a queue for an offer.
	Queued ChatState = iota
	// Offered: offered to one agent, or to several in a ring-all round.
	Offered
	// Assigned: an agent accepted it; the conversation is going on.
	Assigned
	// InWrapUp: the conversation ended and the agent is wrapping it up.
	InWrapUp
	// Done: wrapped up. Final.
	Done
	// Ended: ended without being done, with an [EndReason]. Final.
	Ended
)

var chatStateNames = [...]string{"Queued", "Offered", "Assigned", "WrapUp", "Done", "Ended"}

// String returns the state's name.
func (s ChatState) String() string {
	if int(s) < len(chatStateNames) {
		return chatStateNames[s]
	}
	return "ChatState(" + strconv.Itoa(int(s)) + ")"
}

// Final reports whether the state is Done or Ended.
func (s ChatState) Final() bool { return s == Done || s == Ended }

// EndReason says why a chat [Ended].
type EndReason uint8

const (
	// NotEnded is the reason of a chat that has not ended.
	NotEnded EndReason = iota
	// EndAbandoned: the customer left before an agent accepted.
	EndAbandoned
	// EndTimedOut: the chat waited longer than the queue's MaxWait and the
	// queue has no overflow.
	EndTimedOut
	// EndEscalated: the chat reached the queue's MaxUnanswered and the queue
	// has no overflow, or it overflowed too many times.
	EndEscalated
	// EndWithdrawn: the host withdrew the chat from routing.
	EndWithdrawn
	// EndAgentLeft: a transfer of the chat to an agent failed and the
	// queue's TransferFallback is [TransferEnd]; the customer is told the
	// agent has left.
	EndAgentLeft
)

var endReasonNames = [...]string{"", "abandoned", "timed-out", "escalated", "withdrawn", "agent-left"}

// String returns the reason in words, such as "abandoned".
func (r EndReason) String() string {
	if int(r) < len(endReasonNames) {
		return endReasonNames[r]
	}
	return "EndReason(" + strconv.Itoa(int(r)) + ")"
}

// Customer is who a customer chat is with.
type Customer struct {
	// ID is the host's identifier of the customer, if any.
	ID string `json:"id"`
	// Name is shown to agents in offers (SPEC R3).
	Name string `json:"name,omitzero"`
}

// Turn is one message of the conversation a bot had with the customer before
// the chat was routed (SPEC R11).
type Turn struct {
	From string    `json:"from,omitzero"` // "bot" or "customer"
	Text string    `json:"text,omitzero"`
	At   time.Time `json:"at,omitzero"`
}

// Chat is the stored record of one chat.
type Chat struct {
	ID       switchboard.ChatID  `json:"id"`
	Kind     ChatKind            `json:"kind"`
	Queue    switchboard.QueueID `json:"queue,omitzero"`
	Channel  switchboard.Channel `json:"channel,omitzero"`
	Customer Customer            `json:"customer,omitzero"`
	// Priority raises (or lowers) the chat against others of its queue.
	Priority int `json:"priority,omitzero"`
	// Skills the chat needs beyond its queue's RequiredSkills.
	Skills []SkillRequirement `json:"skills,omitzero"`
	// Transcript is the bot conversation before routing (SPEC R11).
	Transcript []Turn `json:"transcript,omitzero"`
	// Preferred is the agent the chat waits for first (sticky routing).
	Preferred switchboard.AgentID `json:"preferred,omitzero"`
	// PreferredUntil is when the wait for Preferred ends.
	PreferredUntil time.Time `json:"preferred_until,omitzero"`
	State          ChatState `json:"state"`
	// EnqueuedAt is when the chat first entered a queue. It never changes:
	// a re-offered, re-queued or overflowed chat keeps its age and position.
	EnqueuedAt time.Time `json:"enqueued_at,omitzero"`
	// Seq orders chats enqueued at the same instant. The store assigns it
	// when it creates the chat (see [Committer.Commit]), so every router
	// over the store agrees on it; a re-queued chat keeps it.
	Seq uint64 `json:"seq"`
	// QueuedAt is when the chat entered its current queue.
	QueuedAt time.Time `json:"queued_at,omitzero"`
	// QueueDeadline is when the chat leaves its current queue (MaxWait).
	// Zero means never.
	QueueDeadline time.Time `json:"queue_deadline,omitzero"`
	// Agent is the chat's owner: the assigned agent (Assigned, InWrapUp,
	// Done) or, for a direct chat, the agent who started it.
	Agent      switchboard.AgentID `json:"agent,omitzero"`
	AssignedAt time.Time           `json:"assigned_at,omitzero"`
	// WrapUpUntil is when the wrap-up ends by itself.
	WrapUpUntil time.Time `json:"wrap_up_until,omitzero"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
	EndReason   EndReason `json:"end_reason,omitzero"`
	// Rejected lists the agents who rejected the chat. They are not offered
	// it again (SPEC R5).
	Rejected []switchboard.AgentID `json:"rejected,omitzero"`
	// Unanswered counts offer rounds that ended rejected or timed out.
	Unanswered int `json:"unanswered,omitzero"`
	// Pending counts the chat's pending offers.
	Pending int `json:"pending,omitzero"`
	// Offers counts every offer ever made for the chat; it numbers offer IDs.
	Offers int `json:"offers,omitzero"`
	// Hops counts overflows.
	Hops int `json:"hops,omitzero"`
	// Licensed reports whether the chat holds a unit of the licence limit.
	Licensed bool `json:"licensed,omitzero"`
	// LicenceShard is the licence shard the chat's unit was taken from (see
	// [Licence]); while [Licence.Shards] is N, the unit counts on shard
	// LicenceShard mod N. Meaningful only while Licensed.
	LicenceShard int `json:"licence_shard,omitzero"`
	// Consultants are the agents who joined the chat through an accepted
	// invite, longest present first. Each holds one slot of the chat's
	// channel while it is in the chat. Only an [Assigned] chat has them.
	Consultants []switchboard.AgentID `json:"consultants,omitzero"`
	// Invitation is the chat's pending invite or transfer, if any: a chat
	// has at most one at a time (SPEC C4).
	Invitation Invitation `json:"invitation,omitzero"`
	// Holds are the wrap-ups of agents who handed the chat over to another
	// agent while it continues. They outlive the chat if it ends first.
	Holds []Hold `json:"holds,omitzero"`
	// Parked marks a [Queued] chat the router found no agent for, so that
	// routing passes over it until an agent who could take it changes: it
	// is out of [ChatStore.Waiting] while the epoch of skill ParkedOn in
	// its queue's [QueueState] is ParkedEpoch, and waiting again once the
	// epoch has moved on (see [QueueState.ParkedNow]). ParkedOn is a skill
	// the chat needs beyond its queue's, or empty for a chat woken by any
	// agent of the queue. Any other write of the chat by the router clears
	// Parked, so a chat whose requirements change is looked at afresh.
	Parked      bool   `json:"parked,omitzero"`
	ParkedOn    string `json:"parked_on,omitzero"`
	ParkedEpoch uint64 `json:"parked_epoch,omitzero"`

	// Business hours.

	// OpensAt is when the closed queue the chat waits in opens, for a
	// chat that arrived while it was closed: a deadline, at which any
	// router's [Router.Sweep] routes the queue again. Zero otherwise.
	OpensAt time.Time `json:"opens_at,omitzero"`

	// Skill relaxation and priority aging (SPEC V1–V7).

	// RelaxStep is how many steps of its queue's [Queue.Relax] apply to
	// the chat now; RelaxAt is when the next one does, zero when none is
	// left. RelaxAt is a deadline of a Queued chat ([Chat.NextDeadline]),
	// so any router's Sweep applies the step, after a crash too.
	RelaxStep int       `json:"relax_step,omitzero"`
	RelaxAt   time.Time `json:"relax_at,omitzero"`
	// VirtualStart is the chat's key in the order of a queue that ages
	// priority: EnqueuedAt moved earlier by Priority×[Queue.AgingStep],
	// set when the chat enters the queue. Zero when its queue does not
	// age priority. See [Chat.QueueOrder].
	VirtualStart time.Time `json:"virtual_start,omitzero"`

	// On hold (SPEC O1–O5). OnHold marks an [Assigned] chat its owner put
	// on hold ([Router.PutOnHold]): it stays Assigned to its owner, who
	// keeps it but uses no slot for it, from OnHoldSince until it resumes
	// ([Router.Resume]) or OnHoldUntil (zero: no limit) passes and the
	// queue's OnHoldEnd applies. On an [InWrapUp] chat, OnHold marks one
	// ended while on hold, whose wrap-up uses no slot either. Every other
	// chat has them zero.
	OnHold      bool      `json:"on_hold,omitzero"`
	OnHoldSince time.Time `json:"on_hold_since,omitzero"`
	OnHoldUntil time.Time `json:"on_hold_until,omitzero"`

	// Reopening order.

	// Reopens is [ChatRequest.Reopens] of the request that last queued the
	// chat: how many reopenings of its session routing has heard of. A
	// host compares it with its session's count to tell whether routing
	// has heard of the latest reopening, which stamps from two processes'
	// clocks cannot tell.
	Reopens uint64 `json:"reopens,omitzero"`
	// Version is the record's version for compare-and-set; see [Txn].
	Version uint64 `json:"version,omitzero"`
}

// Owns reports whether agent owns the chat: it is the assigned agent of an
// [Assigned] chat.
func (c *Chat) Owns(agent switchboard.AgentID) bool {
	return c.State == Assigned && c.Agent == agent && agent != ""
}

// In reports whether agent is in the assigned chat now, as its owner or as
// a consultant.
func (c *Chat) In(agent switchboard.AgentID) bool {
	return c.Owns(agent) || (c.State == Assigned && slices.Contains(c.Consultants, agent))
}

// HoldIndex returns the index of agent's wrap-up hold in c.Holds, or -1.
func (c *Chat) HoldIndex(agent switchboard.AgentID) int {
	return slices.IndexFunc(c.Holds, func(h Hold) bool { return h.Agent == agent })
}

// NextDeadline returns the earliest instant at which the chat needs the
// sweeper, or the zero time if it needs none: the queue timeout, preferred
// agent's wait, next relaxation step or closed queue's opening
// ([Chat.OpensAt]) of a queued chat, the end of a chat's wrap-up, the end
// of the maximum on-hold time of a chat on hold (SPEC O3), and the end of
// every [Hold]. Stores index chats by it; see [DeadlineStore].
func (c *Chat) NextDeadline() time.Time {
	var d time.Time
	switch c.State {
	case Queued:
		d = c.QueueDeadline
		if !c.OpensAt.IsZero() && (d.IsZero() || c.OpensAt.Before(d)) {
			d = c.OpensAt
		}
		if c.Preferred != "" && !c.PreferredUntil.IsZero() && (d.IsZero() || c.PreferredUntil.Before(d)) {
			d = c.PreferredUntil
		}
		if !c.RelaxAt.IsZero() && (d.IsZero() || c.RelaxAt.Before(d)) {
			d = c.RelaxAt
		}
	case InWrapUp:
		d = c.WrapUpUntil
	case Assigned:
		if c.OnHold {
			d = c.OnHoldUntil
		}
	}
	for _, h := range c.Holds {
		if !h.Until.IsZero() && (d.IsZero() || h.Until.Before(d)) {
			d = h.Until
		}
	}
	return d
}

// Invitation is a chat's pending invite or transfer: which offer is out, who
// made it, which queue further agents are chosen from, and who declined it.
// The zero Invitation means none is pending.
type Invitation struct {
	// Offer is the pending offer; empty when none is.
	Offer OfferID `json:"offer,omitzero"`
	// Kind is [InviteOffer] or [TransferOffer].
	Kind OfferKind `json:"kind,omitzero"`
	// From is the agent who invited or transferred.
	From switchboard.AgentID `json:"from,omitzero"`
	// Queue is where another agent is chosen when an invitee declines or
	// does not answer: the queue named by the invite, or the chat's.
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// Declined lists the agents who rejected the invite or let it time
	// out; it is not offered to them again.
	Declined []switchboard.AgentID `json:"declined,omitzero"`
	// Comment is the transferring agent's note to the target.
	Comment string `json:"comment,omitzero"`
}

// Pending reports whether an invite or transfer offer is out.
func (i *Invitation) Pending() bool { return i.Offer != "" }

// Hold is the wrap-up of an agent who handed a chat over (a transfer or a
// hand-over) while the chat goes on with another agent. It keeps one slot
// of Channel until the agent completes it ([Router.CompleteWrapUp]) or
// Until passes.
type Hold struct {
	Agent   switchboard.AgentID `json:"agent,omitzero"`
	Channel switchboard.Channel `json:"channel,omitzero"`
	Until   time.Time           `json:"until,omitzero"`
}

// TransferPolicy decides what happens to a chat whose transfer to an agent
// was rejected or not accepted in time (SPEC T3).
type TransferPolicy uint8

const (
	// TransferRequeue puts the chat back in its queue, at its original
	// position, for any agent of the queue but the transferring one; the
	// transferring agent goes to wrap-up. It is the default: the customer
	// keeps waiting for an agent rather than being dropped.
	TransferRequeue TransferPolicy = iota
	// TransferEnd ends the chat with [EndAgentLeft], the customer being told
	// the agent has left; the transferring agent goes to wrap-up.
	TransferEnd
)

var transferPolicyNames = [...]string{"requeue", "end"}

// String returns the policy in words, such as "requeue".
func (p TransferPolicy) String() string {
	if int(p) < len(transferPolicyNames) {
		return transferPolicyNames[p]
	}
	return "TransferPolicy(" + strconv.Itoa(int(p)) + ")"
}

// OfferKind tells the offers of waiting chats from offers to join or take
// over a chat that is already assigned.
type OfferKind uint8

const (
	// RouteOffer offers a waiting chat (the zero value).
	RouteOffer OfferKind = iota
	// InviteOffer invites an agent into an assigned chat as a consultant
	// (SPEC C2).
	InviteOffer
	// TransferOffer offers an agent to take over an assigned chat (SPEC T2).
	TransferOffer
)

var offerKindNames = [...]string{"route", "invite", "transfer"}

// String returns the kind in words, such as "invite".
func (k OfferKind) String() string {
	if int(k) < len(offerKindNames) {
		return offerKindNames[k]
	}
	return "OfferKind(" + strconv.Itoa(int(k)) + ")"
}

// OfferID identifies an offer. The router derives it from the chat's ID and
// the number of offers made for it, so it is unique per store.
type OfferID string

// OfferOutcome is how an offer was resolved.
type OfferOutcome uint8

const (
	// Pending: not resolved yet.
	Pending OfferOutcome = iota
	// Accepted by the agent: the chat is assigned to it.
	Accepted
	// Rejected by the agent: it is kept out of the chat's next offers.
	Rejected
	// TimedOut: not accepted in time; the agent went to RONA.
	TimedOut
	// Rescinded: another agent won a ring-all, or the offer was withdrawn
	// (the agent logged out or paused). It costs the agent nothing.
	Rescinded
	// Cancelled: the customer left.
	Cancelled
)

var outcomeNames = [...]string{"pending", "accepted", "rejected", "timed-out", "rescinded", "cancelled"}

// String returns the outcome in words, such as "timed-out".
func (o OfferOutcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "OfferOutcome(" + strconv.Itoa(int(o)) + ")"
}

// Offer is the stored record of one offer of a chat to one agent. It is what
// an agent desktop shows as a separate item (SPEC R3).
type Offer struct {
	ID OfferID `json:"id"`
	// Kind says whether the offer routes a waiting chat, invites the agent
	// into an assigned one or transfers one to it.
	Kind  OfferKind           `json:"kind"`
	Chat  switchboard.ChatID  `json:"chat,omitzero"`
	Agent switchboard.AgentID `json:"agent,omitzero"`
	// Queue is the chat's queue; for an invite, the queue the invitee was
	// chosen from. Its AcceptTimeout applies.
	Queue   switchboard.QueueID `json:"queue,omitzero"`
	Channel switchboard.Channel `json:"channel,omitzero"`
	// From is the agent who invited or transferred; empty for a
	// [RouteOffer].
	From switchboard.AgentID `json:"from,omitzero"`
	// Comment is the transferring agent's note to the target.
	Comment string `json:"comment,omitzero"`
	// Customer is the customer's name.
	Customer string `json:"customer,omitzero"`
	// EnqueuedAt is when the chat entered the queue.
	EnqueuedAt time.Time `json:"enqueued_at,omitzero"`
	// CreatedAt is when the offer was made; ExpiresAt when it times out.
	CreatedAt time.Time    `json:"created_at,omitzero"`
	ExpiresAt time.Time    `json:"expires_at,omitzero"`
	Outcome   OfferOutcome `json:"outcome"`
	// Taken reports, for a rescinded offer, that another agent accepted the
	// chat.
	Taken      bool      `json:"taken,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// Version is the record's version for compare-and-set; see [Txn].
	Version uint64 `json:"version,omitzero"`
}

// Waiting returns how long the offer has been waiting for acceptance at now.
func (o *Offer) Waiting(now time.Time) time.Duration {
	end := now
	if o.Outcome != Pending {
		end = o.ResolvedAt
	}
	if end.Before(o.CreatedAt) {
		return 0
	}
	return end.Sub(o.CreatedAt)
}

// NextDeadline returns when a pending offer expires, or the zero time for a
// resolved one. Stores index offers by it; see [DeadlineStore].
func (o *Offer) NextDeadline() time.Time {
	if o.Outcome != Pending {
		return time.Time{}
	}
	return o.ExpiresAt
}

// Licence is one shard of the system-wide limit on concurrent chats (SPEC
// R7). A chat holds one unit from its first offer until it ends
// ([Chat.Licensed]); chats beyond the limit wait in their queue.
//
// Units are counted only while a limit is set: with none, no transition
// writes any licence record, so chats do not serialise on it. Setting a limit
// on a system that had none counts the chats holding a unit as it commits.
// With a limit, the limit is split over [Licence.Shards] records (see
// [Config.LicenceShards]): a chat takes its unit from shard FNV-1a(chat ID)
// mod Shards, or, if that shard is full, from the next shard with room, and
// frees it to the same shard, so concurrent chats mostly write different
// records while the sum over the shards never exceeds the limit.
type Licence struct {
	// Shard is the record's index, 0 to Shards-1 (or above, for a shard
	// left over from a larger Shards, which takes no units).
	Shard int
	// Shards is the number of shards the limit is split over, the same on
	// every record written together; 0 if never written.
	Shards int
	// Total is the system-wide limit. Zero means unlimited.
	Total int
	// Limit is this shard's share of Total: the shards' shares add up to
	// Total. Fitted to the units each shard held when the limit was set
	// (see Unbalanced): Total/Shards each when none was held, one more for
	// the first Total%Shards shards.
	Limit int
	// InUse is the number of units this shard holds while a limit is set; 0
	// without a limit.
	InUse int
	// Unbalanced marks shards written by [Router.SetLicenceLimit] whose
	// shares await the units the store counted: every Limit is 0 (no shard
	// takes a unit) until a transition fits them, in one transaction
	// writing every shard, to the counts: while the units in use are fewer
	// than Total, each shard's Limit becomes its InUse plus an even part of
	// the free units, and Unbalanced is cleared; otherwise the shards stay
	// as they are until enough chats end. So the units in use never exceed
	// Total once they are below it, however unevenly the chats that held
	// units before sat on the shards.
	Unbalanced bool
	// Version is the record's version for compare-and-set; see [Txn].
	Version uint64
}

// Full reports whether the shard has no free unit under a limit.
func (l *Licence) Full() bool { return l.Total > 0 && l.InUse >= l.Limit }
