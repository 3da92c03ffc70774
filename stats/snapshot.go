package stats

import (
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Agents are real-time figures of a group of agents (a team, a tenant, or
// those serving a queue).
type Agents struct {
	// LoggedIn counts the agents; ByState by routing.State; ByReason by the
	// reason of their current state ("" for none).
	LoggedIn int
	ByState  [5]int
	ByReason map[string]int
	// Slots is their capacity summed over channels; InUse the slots their
	// chats take (owned chats talking or in wrap-up, and held wrap-ups);
	// Reserved the slots pending offers hold; FreeSlots the slots free
	// (neither in use nor reserved) per channel of Available agents.
	Slots     int
	InUse     int
	Reserved  int
	FreeSlots map[switchboard.Channel]int
}

// Occupancy is InUse ÷ Slots now; false with no slots.
func (g *Agents) Occupancy() (float64, bool) {
	if g.Slots == 0 {
		return 0, false
	}
	return float64(g.InUse) / float64(g.Slots), true
}

// Chats are real-time figures of the chats of a queue, team or tenant.
type Chats struct {
	// Waiting counts chats in queue with no offer pending; Offered those
	// with one; both also by chat priority.
	Waiting, Offered                     int
	WaitingByPriority, OfferedByPriority map[int]int
	// Longest is the longest wait of a chat waiting or offered, measured
	// from when it entered the queue, and LongestChat the chat.
	Longest     time.Duration
	LongestChat switchboard.ChatID
	// Talking and WrappingUp count chats assigned and in wrap-up.
	Talking, WrappingUp int
	// OnHold counts the chats of Talking their owner put on hold (SPEC
	// O1).
	OnHold int
}

// QueueNow is the real-time view of one queue.
type QueueNow struct {
	Chats
	// Agents serving the queue; Eligible of them are Available with a
	// free slot on the queue's channel (skills are not checked).
	Agents   Agents
	Eligible int
}

// GroupNow is the real-time view of a team or a tenant.
type GroupNow struct {
	Chats
	Agents Agents
}

// Board is the real-time view of queues, teams and tenants at one
// instant, as [Snapshot] computes it from folded states.
type Board struct {
	At      time.Time
	Queues  map[switchboard.QueueID]*QueueNow
	Teams   map[string]*GroupNow
	Tenants map[switchboard.TenantID]*GroupNow
}

func (c *Chats) add(id switchboard.ChatID, l *Live, wait time.Duration) {
	switch l.Phase {
	case Waiting, OfferPending:
		if l.Phase == Waiting {
			c.Waiting++
			c.WaitingByPriority = inc(c.WaitingByPriority, l.Priority)
		} else {
			c.Offered++
			c.OfferedByPriority = inc(c.OfferedByPriority, l.Priority)
		}
		if wait > c.Longest || c.LongestChat == "" || (wait == c.Longest && id < c.LongestChat) {
			c.Longest, c.LongestChat = wait, id
		}
	case Talking:
		c.Talking++
		if l.OnHold {
			c.OnHold++
		}
	case WrappingUp:
		c.WrappingUp++
	}
}

func inc[K comparable](m map[K]int, k K) map[K]int {
	if m == nil {
		m = map[K]int{}
	}
	m[k]++
	return m
}

// Snapshot computes the real-time board at now from the folded states of
// every partition of the log. It reads only the states, in time
// proportional to the chats and agents they hold (and the queues each
// agent serves).
func Snapshot(now time.Time, states ...*State) *Board {
	b := &Board{At: now, Queues: map[switchboard.QueueID]*QueueNow{}, Teams: map[string]*GroupNow{},
		Tenants: map[switchboard.TenantID]*GroupNow{}}
	queue := func(id switchboard.QueueID) *QueueNow {
		q := b.Queues[id]
		if q == nil {
			q = &QueueNow{}
			b.Queues[id] = q
		}
		return q
	}
	group := func(m map[string]*GroupNow, id string) *GroupNow {
		g := m[id]
		if g == nil {
			g = &GroupNow{}
			m[id] = g
		}
		return g
	}
	tenant := func(id switchboard.TenantID) *GroupNow {
		g := b.Tenants[id]
		if g == nil {
			g = &GroupNow{}
			b.Tenants[id] = g
		}
		return g
	}
	type slot struct {
		agent switchboard.AgentID
		ch    switchboard.Channel
	}
	used, reserved := map[slot]int{}, map[slot]int{}
	queueChannel := map[switchboard.QueueID]switchboard.Channel{}
	// Chats of one queue and tenant come in runs often enough that the
	// last rows looked up are kept.
	var lastQ, lastT *Chats
	var lastQID switchboard.QueueID
	var lastTID switchboard.TenantID
	for _, st := range states {
		for id, l := range st.Chats {
			if l.Phase != Finished {
				since := l.QueuedSince
				if since.IsZero() {
					since = l.EnqueuedAt
				}
				wait := now.Sub(since)
				if lastQ == nil || l.Queue != lastQID {
					lastQ, lastQID = &queue(l.Queue).Chats, l.Queue
					if l.Channel != "" {
						queueChannel[l.Queue] = l.Channel
					}
				}
				if lastT == nil || l.Tenant != lastTID {
					lastT, lastTID = &tenant(l.Tenant).Chats, l.Tenant
				}
				lastQ.add(id, l, wait)
				lastT.add(id, l, wait)
				if l.Team != "" {
					group(b.Teams, l.Team).add(id, l, wait)
				}
				// A chat on hold, or ended on hold, uses no slot (SPEC O1).
				if l.Agent != "" && (l.Phase == Talking || l.Phase == WrappingUp) && !l.OnHold {
					used[slot{l.Agent, l.Channel}]++
				}
			}
			for _, h := range l.Holds {
				used[slot{h.Agent, l.Channel}]++
			}
			for _, a := range l.Offered {
				reserved[slot{a, l.Channel}]++
			}
		}
	}
	for _, st := range states {
		for id, ag := range st.Agents {
			inUse, held, free := 0, 0, map[switchboard.Channel]int(nil)
			for _, c := range ag.Capacity {
				n, r := used[slot{id, c.Channel}], reserved[slot{id, c.Channel}]
				inUse += n
				held += r
				if ag.State == routing.Available && c.Max > n+r {
					free = inc(free, c.Channel)
					free[c.Channel] += c.Max - n - r - 1
				}
			}
			add := func(g *Agents) {
				g.LoggedIn++
				if int(ag.State) < len(g.ByState) {
					g.ByState[ag.State]++
				}
				g.ByReason = inc(g.ByReason, ag.Reason)
				g.Slots += ag.Slots
				g.InUse += inUse
				g.Reserved += held
				for ch, n := range free {
					if g.FreeSlots == nil {
						g.FreeSlots = map[switchboard.Channel]int{}
					}
					g.FreeSlots[ch] += n
				}
			}
			add(&tenant(ag.Tenant).Agents)
			if ag.Team != "" {
				add(&group(b.Teams, ag.Team).Agents)
			}
			for _, qid := range ag.Queues {
				q := queue(qid)
				add(&q.Agents)
				ch, ok := queueChannel[qid]
				if !ok {
					ch = switchboard.DefaultChannel
				}
				if free[ch] > 0 {
					q.Eligible++
				}
			}
		}
	}
	return b
}
