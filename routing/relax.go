package routing

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// This file holds skill relaxation (a queue's bullseye steps, SPEC V1–V4)
// and priority aging (SPEC V5–V7): the rules as plain functions over
// values, and the few transitions that store what they decide.

// RelaxStep widens who may take the waiting chats of a queue once they have
// waited After in it (a ring of a bullseye): from then on a chat no longer
// needs the skills named in Drop, and needs each remaining skill at Lower
// levels less than before (never below 0, which still asks for the skill).
// Steps add up: a chat at its third step has had the first three applied,
// in order. A step applies to the queue's RequiredSkills and to the chat's
// own Skills alike.
type RelaxStep struct {
	// After is how long after it entered the queue ([Chat.QueuedAt]) the
	// step applies to a chat. Each step's After is greater than the one
	// before, and the first is positive.
	After time.Duration `json:"-"`
	// Drop names the skills a chat no longer needs from this step on.
	Drop []string `json:"drop,omitzero"`
	// Lower is how many levels every skill still required is lowered by.
	Lower int `json:"lower,omitzero"`
}

// MaxRelaxSteps is the most steps a queue's [Queue.Relax] may have.
const MaxRelaxSteps = 16

// MaxAgingStep is the largest [Queue.AgingStep]: one point of priority
// counts as at most a day of waiting.
const MaxAgingStep = 24 * time.Hour

// maxAgingShift bounds how far priority moves a chat's [Chat.VirtualStart]
// from its EnqueuedAt, so that a huge priority cannot overflow the key.
const maxAgingShift = 100 * 365 * 24 * time.Hour

// validateRelax checks a queue's relaxation steps and aging step.
func validateRelax(q *Queue) error {
	if len(q.Relax) > MaxRelaxSteps {
		return invalid("relax", "more than "+strconv.Itoa(MaxRelaxSteps)+" steps")
	}
	var prev time.Duration
	for i, s := range q.Relax {
		step := "step " + strconv.Itoa(i+1)
		if s.After <= prev {
			if i == 0 {
				return invalid("relax", step+": After must be positive")
			}
			return invalid("relax", step+": After must be later than the step before")
		}
		prev = s.After
		if s.Lower < 0 {
			return invalid("relax", step+": negative Lower")
		}
		if len(s.Drop) == 0 && s.Lower == 0 {
			return invalid("relax", step+": drops no skill and lowers no level")
		}
		for j, name := range s.Drop {
			if name == "" {
				return invalid("relax", step+": empty skill name in Drop")
			}
			if slices.Contains(s.Drop[:j], name) {
				return invalid("relax", step+": skill "+name+" dropped twice")
			}
		}
	}
	if q.AgingStep < 0 || q.AgingStep > MaxAgingStep {
		return invalid("aging step", "must be between 0 and 24h")
	}
	return nil
}

// cloneRelax returns a copy of steps sharing nothing with it.
func cloneRelax(steps []RelaxStep) []RelaxStep {
	if steps == nil {
		return nil
	}
	out := make([]RelaxStep, len(steps))
	for i, s := range steps {
		out[i] = s
		out[i].Drop = slices.Clone(s.Drop)
	}
	return out
}

// relaxSkills returns reqs with steps applied in order; reqs itself is left
// as it is.
func relaxSkills(reqs []SkillRequirement, steps []RelaxStep) []SkillRequirement {
	if len(steps) == 0 || len(reqs) == 0 {
		return reqs
	}
	out := make([]SkillRequirement, 0, len(reqs))
	for _, r := range reqs {
		keep := true
		for _, s := range steps {
			if slices.Contains(s.Drop, r.Skill) {
				keep = false
				break
			}
			r.Min = max(r.Min-s.Lower, 0)
		}
		if keep {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil // every skill dropped: any agent of the queue
	}
	return out
}

// Requirements returns the skills chat c of queue q needs of an agent now:
// q's RequiredSkills and c's own Skills, widened by the first
// [Chat.RelaxStep] steps of q's Relax (SPEC V1). The router's eligibility
// ([Eligible]), its candidate queries and [Router.Explain] all use it.
func Requirements(q *Queue, c *Chat) []SkillRequirement {
	req := q.RequiredSkills
	if len(c.Skills) > 0 {
		req = append(slices.Clip(req), c.Skills...)
	}
	return relaxSkills(req, q.Relax[:min(max(c.RelaxStep, 0), len(q.Relax))])
}

// widest returns the skills the chats of q need at the least, once every
// step of its Relax applied: no chat of q asks less of an agent.
func (q *Queue) widest() []SkillRequirement { return relaxSkills(q.RequiredSkills, q.Relax) }

// relaxing reports whether c's requirements have been or will be widened,
// so that an agent unfit for c may still fit a chat behind it that waited
// longer.
func relaxing(c *Chat) bool { return c.RelaxStep > 0 || !c.RelaxAt.IsZero() }

// joinQueue sets what c, entering queue q at now, needs from its steps and
// its ordering key: no step applied yet, the first due After from now, and
// its [Chat.VirtualStart] by q's aging (SPEC V5). c.EnqueuedAt and
// c.Priority must be set.
func (c *Chat) joinQueue(q *Queue, now time.Time) {
	c.RelaxStep, c.RelaxAt = 0, time.Time{}
	if len(q.Relax) > 0 {
		c.RelaxAt = now.Add(q.Relax[0].After)
	}
	c.VirtualStart = time.Time{}
	if q.AgingStep > 0 {
		c.VirtualStart = c.EnqueuedAt.Add(-agingShift(c.Priority, q.AgingStep))
	}
}

// agingShift returns priority×step, bounded by maxAgingShift either way.
func agingShift(priority int, step time.Duration) time.Duration {
	limit := int64(maxAgingShift / step)
	switch p := int64(priority); {
	case p > limit:
		return maxAgingShift
	case p < -limit:
		return -maxAgingShift
	default:
		return time.Duration(p) * step
	}
}

// relaxTo applies to queued chat c every step of q due at now, counted from
// c.QueuedAt, and sets when the next one comes (SPEC V2). It reports
// whether c's step changed. A step never goes back: a chat keeps the steps
// it reached if q's steps were changed meanwhile.
func (c *Chat) relaxTo(q *Queue, now time.Time) bool {
	step := c.RelaxStep
	for step < len(q.Relax) && !now.Before(c.QueuedAt.Add(q.Relax[step].After)) {
		step++
	}
	next := time.Time{}
	if step < len(q.Relax) {
		next = c.QueuedAt.Add(q.Relax[step].After)
	}
	changed := step != c.RelaxStep || !next.Equal(c.RelaxAt)
	c.RelaxStep, c.RelaxAt = step, next
	return changed
}

// relaxDue applies the steps of queued chat c that are due now, rewriting
// it (which clears Parked: it is looked at afresh against the wider pool)
// and routing its queue.
func (w *work) relaxDue(c *Chat) error {
	if c.RelaxAt.IsZero() || w.now.Before(c.RelaxAt) {
		return nil
	}
	q, err := w.queue(c.Queue)
	if err != nil {
		return err
	}
	if c.relaxTo(q, w.now) {
		w.touchChat(c)
		w.routeQueue(c.Queue)
	}
	return nil
}

// QueueOrder returns the chat's place in its queue's order (SPEC R14, V5):
// chats of higher priority come first, then those of earlier key, then by
// Seq and ID ([CompareChats]). Without aging the priority is the chat's
// Priority and the key its EnqueuedAt; a chat of a queue with an
// [Queue.AgingStep] has priority 0 and its [Chat.VirtualStart] as key, so
// that priority counts as earlier arrival. Stores that order chats in an
// index store both.
func (c *Chat) QueueOrder() (priority int, key time.Time) {
	if !c.VirtualStart.IsZero() {
		return 0, c.VirtualStart
	}
	return c.Priority, c.EnqueuedAt
}

// relaxStepJSON is the wire form of a [RelaxStep]: After in whole
// milliseconds.
type relaxStepJSON struct {
	relaxStepPlain
	AfterMS int64 `json:"after_ms,omitzero"`
}

// relaxStepPlain is a RelaxStep without its methods.
type relaxStepPlain RelaxStep

// MarshalJSON returns the step's wire form: snake_case fields, After in
// whole milliseconds (after_ms).
func (s RelaxStep) MarshalJSON() ([]byte, error) {
	return json.Marshal(relaxStepJSON{relaxStepPlain: relaxStepPlain(s), AfterMS: ms(s.After)})
}

// UnmarshalJSON parses the wire form of [RelaxStep.MarshalJSON].
func (s *RelaxStep) UnmarshalJSON(data []byte) error {
	var w relaxStepJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*s = RelaxStep(w.relaxStepPlain)
	s.After = fromMS(w.AfterMS)
	return nil
}
