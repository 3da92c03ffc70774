package routing

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/switchboard-cc/switchboard"
)

// This file holds cross-channel capacity: an agent's budget of weighted
// units shared by its channels ([Profile.Budget], [Capacity.Weight]), the
// rules of which channels may interrupt work on another
// ([Profile.LimitInterrupts], [Profile.Interrupts]), and the work a host
// reports on channels it routes itself ([Router.SetWork]).

// Interrupt is one interrupt rule of a [Profile] with LimitInterrupts set:
// while the agent has work on Channel, it may be offered items of By.
type Interrupt struct {
	// Channel is the channel whose work may be interrupted.
	Channel switchboard.Channel `json:"channel,omitzero"`
	// By is the channel whose items may interrupt it.
	By switchboard.Channel `json:"by,omitzero"`
}

// weight returns the units of the budget one item of the channel of
// capacity entry c uses: its Weight, 1 when Weight is 0.
func (c *Capacity) weight() int {
	if c.Weight == 0 {
		return 1
	}
	return c.Weight
}

// Working returns how many items of channel ch the host reported the agent
// busy with ([Router.SetWork]).
func (a *Agent) Working(ch switchboard.Channel) int {
	for i, c := range a.Profile.Capacity {
		if c.Channel == ch && i < len(a.Work) {
			return a.Work[i]
		}
	}
	return 0
}

// busy returns the items of capacity entry i the agent is busy with: its
// slots in use and the work the host reported.
func (a *Agent) busy(i int) int {
	n := 0
	if i < len(a.Used) {
		n += a.Used[i]
	}
	if i < len(a.Work) {
		n += a.Work[i]
	}
	return n
}

// Units returns the units of [Profile.Budget] the agent uses: over every
// channel of its capacity, the slots in use and the host-reported work,
// each times the channel's weight. It is 0 for an agent without a budget.
func (a *Agent) Units() int {
	if a.Profile.Budget == 0 {
		return 0
	}
	n := 0
	for i := range a.Profile.Capacity {
		n += a.busy(i) * a.Profile.Capacity[i].weight()
	}
	return n
}

// OverBudget reports whether one more item of channel ch would take the
// agent past its [Profile.Budget]; always false without a budget.
func (a *Agent) OverBudget(ch switchboard.Channel) bool {
	if a.Profile.Budget == 0 {
		return false
	}
	w := 1
	for i := range a.Profile.Capacity {
		if a.Profile.Capacity[i].Channel == ch {
			w = a.Profile.Capacity[i].weight()
		}
	}
	return a.Units()+w > a.Profile.Budget
}

// InterruptedBy returns the channel whose work keeps the agent from being
// offered an item of channel ch under its interrupt rules, and whether there
// is one: a channel other than ch the agent has work on (slots in use or
// host-reported work) that ch may not interrupt. Always false unless
// [Profile.LimitInterrupts] is set.
func (a *Agent) InterruptedBy(ch switchboard.Channel) (switchboard.Channel, bool) {
	if !a.Profile.LimitInterrupts {
		return "", false
	}
	for i := range a.Profile.Capacity {
		x := a.Profile.Capacity[i].Channel
		if x == ch || a.busy(i) == 0 {
			continue
		}
		if !slices.Contains(a.Profile.Interrupts, Interrupt{Channel: x, By: ch}) {
			return x, true
		}
	}
	return "", false
}

// HasRoom reports whether the agent has room for one more item of channel
// ch: a free slot on the channel ([Agent.AtCapacity]), room in its budget
// ([Agent.OverBudget]) and no work that ch may not interrupt
// ([Agent.InterruptedBy]). It is the capacity part of [Eligible], used by
// every decision, by stores' candidate queries and by [Judge].
func (a *Agent) HasRoom(ch switchboard.Channel) bool {
	if a.AtCapacity(ch) {
		return false
	}
	if a.Profile.Budget == 0 && !a.Profile.LimitInterrupts {
		return true
	}
	if a.OverBudget(ch) {
		return false
	}
	_, blocked := a.InterruptedBy(ch)
	return !blocked
}

// validateCrossChannel checks the budget, weights and interrupt rules of p,
// whose capacity entries are already checked.
func validateCrossChannel(p *Profile) error {
	if p.Budget < 0 {
		return invalid("budget", "negative")
	}
	for _, c := range p.Capacity {
		switch {
		case c.Weight < 0:
			return invalid("capacity", "negative weight for channel "+string(c.Channel))
		case c.Weight > 0 && p.Budget == 0:
			return invalid("capacity", "weight for channel "+string(c.Channel)+" without a budget")
		case p.Budget > 0 && c.Max > 0 && c.weight() > p.Budget:
			return invalid("capacity", "weight "+strconv.Itoa(c.weight())+" of channel "+string(c.Channel)+
				" exceeds the budget "+strconv.Itoa(p.Budget))
		}
	}
	if len(p.Interrupts) > 0 && !p.LimitInterrupts {
		return invalid("interrupts", "rules listed without LimitInterrupts")
	}
	listed := func(ch switchboard.Channel) bool {
		return slices.ContainsFunc(p.Capacity, func(c Capacity) bool { return c.Channel == ch })
	}
	for i, r := range p.Interrupts {
		switch {
		case r.Channel == "" || r.By == "":
			return invalid("interrupts", "empty channel")
		case r.Channel == r.By:
			return invalid("interrupts", "channel "+string(r.Channel)+" interrupting itself")
		case !listed(r.Channel):
			return invalid("interrupts", "channel "+string(r.Channel)+" has no capacity entry")
		case !listed(r.By):
			return invalid("interrupts", "channel "+string(r.By)+" has no capacity entry")
		case slices.Contains(p.Interrupts[:i], r):
			return invalid("interrupts", "rule "+string(r.Channel)+" by "+string(r.By)+" listed twice")
		}
	}
	p.Interrupts = slices.Clone(p.Interrupts)
	return nil
}

// SetWork reports that the agent is busy with n items of channel ch that
// the host routes itself, such as calls or emails (SPEC L5). The count
// replaces the one reported before; it is stored in the agent's record
// ([Agent.Work]) in the same compare-and-set way as the slots the router
// takes, so every process sees it, and it counts, like slots in use,
// toward the agent's budget and its interrupt rules, never toward the
// slots of the channels the router offers. The channel must be one of the
// agent's [Profile.Capacity] (its Weight and interrupt rules apply); its
// Max does not cap n, since the host reports work that is already there.
// A count that falls makes the agent's queues route again and wakes the
// chats parked on them, as a freed slot does. An [AgentWorkChanged] event
// reports each change; setting the count it already has changes nothing.
// A logged-out agent gets [ErrLoggedOut]; it reports no work, and logging
// in starts from none.
func (r *Router) SetWork(ctx context.Context, agent switchboard.AgentID, ch switchboard.Channel, n int) error {
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	if ch == "" {
		return invalid("channel", "empty")
	}
	if n < 0 {
		return invalid("work", "negative count for channel "+string(ch))
	}
	err := r.do(ctx, func(w *work) error {
		a, err := w.agent(agent)
		if err != nil {
			return err
		}
		if a.State == LoggedOut {
			return ErrLoggedOut
		}
		i := slices.IndexFunc(a.Profile.Capacity, func(c Capacity) bool { return c.Channel == ch })
		if i < 0 {
			return invalid("channel", "agent "+string(agent)+" has no capacity entry for channel "+string(ch))
		}
		prev := a.Working(ch)
		if prev == n {
			return nil
		}
		if len(a.Work) != len(a.Profile.Capacity) {
			work := make([]int, len(a.Profile.Capacity))
			copy(work, a.Work)
			a.Work = work
		}
		a.Work[i] = n
		if !slices.ContainsFunc(a.Work, func(k int) bool { return k != 0 }) {
			a.Work = nil
		}
		w.touchAgent(a)
		if n < prev {
			w.routeAgent(a)
		}
		w.emit(Event{Type: AgentWorkChanged, Agent: agent, Channel: ch, State: a.State, Work: n})
		return nil
	})
	if err != nil {
		return fmt.Errorf("routing: set work of %s on %s: %w", agent, ch, err)
	}
	return nil
}
