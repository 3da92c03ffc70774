package routing

import (
	"cmp"
	"slices"
	"strings"

	"github.com/switchboard-cc/switchboard"
)

// This file holds the routing decisions as plain functions over values: no
// I/O, no clock, no goroutines. Stores use them too, so an index and the
// router agree on what "eligible" and "first" mean.

// Matches reports whether agent a qualifies for the query: it is
// [Available] and connected (not in a disconnect grace), logged in to the
// queue, has room for an item of the channel ([Agent.HasRoom]: a free slot,
// room in its budget, no work the channel may not interrupt), has every
// required skill and is not excluded.
func (q *CandidateQuery) Matches(a *Agent) bool {
	if a.State != Available || a.Disconnected() || !a.Serves(q.Queue) || !a.HasRoom(q.Channel) {
		return false
	}
	if !a.HasSkills(q.Require) || slices.Contains(q.Exclude, a.ID) {
		return false
	}
	return q.Order != ByID || q.After == "" || a.ID > q.After
}

// Compare orders two candidate agents by o on channel ch: negative when a
// comes first. It is a total order (ties fall back to the agent ID).
func Compare(o Order, ch switchboard.Channel, a, b *Agent) int {
	switch o {
	case ByLoad:
		// a.load/a.cap against b.load/b.cap without division.
		if c := cmp.Compare(a.Load(ch)*b.Capacity(ch), b.Load(ch)*a.Capacity(ch)); c != 0 {
			return c
		}
		fallthrough
	case ByIdle:
		if c := a.IdleSince.Compare(b.IdleSince); c != 0 {
			return c
		}
	}
	return strings.Compare(string(a.ID), string(b.ID))
}

// CompareChats orders two chats of one queue: higher priority first, then
// first enqueued (SPEC R14: FIFO within a priority), then by sequence and ID.
// A re-queued chat keeps its EnqueuedAt and Seq, so it keeps its position.
// In a queue that ages priority, the key a chat got on entering it stands
// for both priority and arrival (SPEC V5, [Chat.QueueOrder]).
func CompareChats(a, b *Chat) int {
	ap, ak := a.QueueOrder()
	bp, bk := b.QueueOrder()
	if c := cmp.Compare(bp, ap); c != 0 {
		return c
	}
	if c := ak.Compare(bk); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Seq, b.Seq); c != 0 {
		return c
	}
	return strings.Compare(string(a.ID), string(b.ID))
}

// candidateQuery is the query that finds agents for chat c of queue q.
func candidateQuery(q *Queue, c *Chat) CandidateQuery {
	return CandidateQuery{
		Queue:   q.ID,
		Channel: q.Channel,
		Require: Requirements(q, c),
		Exclude: c.Rejected,
		Order:   OrderOf(q.Strategy),
	}
}

// Eligible reports whether chat c of queue q may be offered to agent a now:
// a is Available, logged in to q, has room for an item of q's channel
// ([Agent.HasRoom]) and the skills c needs now ([Requirements]), and has not
// rejected c.
func Eligible(a *Agent, q *Queue, c *Chat) bool {
	cq := candidateQuery(q, c)
	cq.Order = ByIdle
	return cq.Matches(a)
}

// constrained reports whether c asks more of an agent than its queue does,
// or asks otherwise than the chats behind it as their relaxation steps
// come, so that an agent unfit for c may still fit a chat behind it.
func constrained(c *Chat) bool {
	return len(c.Skills) > 0 || len(c.Rejected) > 0 || c.Preferred != "" || relaxing(c)
}

func validateID[T ~string](field string, id T) error {
	if id == "" {
		return invalid(field, "empty")
	}
	if len(id) > 256 {
		return invalid(field, "longer than 256 bytes")
	}
	return nil
}

func validateSkills(field string, reqs []SkillRequirement) error {
	for _, r := range reqs {
		if r.Skill == "" {
			return invalid(field, "empty skill name")
		}
		if r.Min < 0 {
			return invalid(field, "negative minimum level for "+r.Skill)
		}
	}
	return nil
}

// normaliseProfile validates p and applies its defaults.
func normaliseProfile(id switchboard.AgentID, p Profile) (Profile, error) {
	if err := validateID("agent ID", id); err != nil {
		return p, err
	}
	if p.DisplayName == "" {
		p.DisplayName = string(id)
	}
	if p.Capacity == nil {
		p.Capacity = []Capacity{{Channel: switchboard.DefaultChannel, Max: 1}}
	}
	for i, c := range p.Capacity {
		if c.Channel == "" {
			return p, invalid("capacity", "empty channel")
		}
		if c.Max < 0 {
			return p, invalid("capacity", "negative capacity for channel "+string(c.Channel))
		}
		for _, d := range p.Capacity[:i] {
			if d.Channel == c.Channel {
				return p, invalid("capacity", "channel "+string(c.Channel)+" listed twice")
			}
		}
	}
	if err := validateCrossChannel(&p); err != nil {
		return p, err
	}
	for i, s := range p.Skills {
		if s.Name == "" {
			return p, invalid("skills", "empty skill name")
		}
		if s.Level < 0 {
			return p, invalid("skills", "negative level for "+s.Name)
		}
		for _, t := range p.Skills[:i] {
			if t.Name == s.Name {
				return p, invalid("skills", "skill "+s.Name+" listed twice")
			}
		}
	}
	for i, q := range p.Queues {
		if q == "" {
			return p, invalid("queues", "empty queue ID")
		}
		if slices.Contains(p.Queues[:i], q) {
			return p, invalid("queues", "queue "+string(q)+" listed twice")
		}
	}
	switch p.LoginState {
	case LoggedOut, Available:
		if p.LoginReason != "" {
			return p, invalid("login reason", "only a NotReady login state takes a reason")
		}
		p.LoginState = Available
	case NotReady:
		if p.LoginReason == "" {
			return p, invalid("login reason", "NotReady needs a reason code")
		}
	default:
		return p, invalid("login state", "an agent logs in Available or NotReady, not "+p.LoginState.String())
	}
	p.Queues = slices.Clone(p.Queues)
	p.Capacity = slices.Clone(p.Capacity)
	p.Skills = slices.Clone(p.Skills)
	return p, nil
}

// normaliseQueue validates q and applies its defaults.
func normaliseQueue(q Queue) (Queue, error) {
	q.Chat.WrapUpReasons = slices.Clone(q.Chat.WrapUpReasons)
	q.Chat.WrapUpTags = slices.Clone(q.Chat.WrapUpTags)
	q.Chat.Responses = slices.Clone(q.Chat.Responses)
	if err := validateID("queue ID", q.ID); err != nil {
		return q, err
	}
	if q.Channel == "" {
		q.Channel = switchboard.DefaultChannel
	}
	if q.Strategy > Manual {
		return q, invalid("strategy", q.Strategy.String())
	}
	if q.TransferFallback > TransferEnd {
		return q, invalid("transfer fallback", q.TransferFallback.String())
	}
	if q.AcceptTimeout < 0 || q.MaxWait < 0 || q.PreferredWait < 0 || q.WrapUp < 0 {
		return q, invalid("queue timeouts", "negative duration")
	}
	if q.AcceptTimeout == 0 {
		q.AcceptTimeout = defaultAcceptTimeout
	}
	if q.MaxUnanswered < 0 {
		return q, invalid("max unanswered", "negative")
	}
	if q.Overflow == q.ID {
		return q, invalid("overflow", "a queue cannot overflow to itself")
	}
	if q.Chat.History > switchboard.HistoryFromJoin || q.Chat.AfterClose > switchboard.PolicyReadOnly {
		return q, invalid("chat settings", "unknown history rule or after-close policy")
	}
	if err := validateSkills("required skills", q.RequiredSkills); err != nil {
		return q, err
	}
	if err := q.Chat.Timers.Validate(); err != nil {
		return q, invalid("chat timers", err.Error())
	}
	if slices.Contains(q.Chat.WrapUpTags, "") {
		return q, invalid("wrap-up tags", "empty tag")
	}
	if err := validateRelax(&q); err != nil {
		return q, err
	}
	q.RequiredSkills = slices.Clone(q.RequiredSkills)
	q.Relax = cloneRelax(q.Relax)
	return q, nil
}
