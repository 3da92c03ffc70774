package stats

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// ErrConfig is wrapped by the error of [Config.Validate] and [New] for a
// config they refuse.
var ErrConfig = switchboard.NewError(switchboard.ErrInvalid, "stats: invalid config")

// Config says how events are folded into figures. Every process folding
// the same log must use the same Config, or their figures do not merge.
type Config struct {
	// Interval is the length of the intervals figures are kept by; a
	// window is a merge of whole intervals. It must divide 24 hours.
	// Defaults to 15 minutes.
	Interval time.Duration
	// ServiceLevels are the thresholds of [Figures.ServiceLevel], at most
	// [MaxThresholds], each positive. Defaults to 20s and 60s.
	ServiceLevels []time.Duration
	// ShortAbandon is the wait under which an abandoned chat is
	// short-abandoned and left out of service level. Defaults to 5s; a
	// negative value counts none as short.
	ShortAbandon time.Duration
	// Keep is how long a state keeps an interval's figures: once it has
	// folded an event Keep after an interval's start, the interval's rows
	// are dropped ([Aggregates.Prune]) and no longer written. A host that
	// keeps figures for longer copies them out first. Defaults to 0: for
	// ever.
	Keep time.Duration
}

func (c *Config) defaults() {
	if c.Interval == 0 {
		c.Interval = 15 * time.Minute
	}
	if c.ServiceLevels == nil {
		c.ServiceLevels = []time.Duration{20 * time.Second, time.Minute}
	}
	if c.ShortAbandon == 0 {
		c.ShortAbandon = 5 * time.Second
	}
}

// Validate reports what is wrong with c once defaults are applied, as an
// error wrapping [ErrConfig].
func (c Config) Validate() error {
	c.defaults()
	var errs []error
	if c.Interval < time.Second || (24*time.Hour)%c.Interval != 0 {
		errs = append(errs, fmt.Errorf("%w: Interval %v must be at least a second and divide 24h", ErrConfig, c.Interval))
	}
	if c.Keep < 0 {
		errs = append(errs, fmt.Errorf("%w: negative Keep", ErrConfig))
	}
	if len(c.ServiceLevels) > MaxThresholds {
		errs = append(errs, fmt.Errorf("%w: %d ServiceLevels, at most %d", ErrConfig, len(c.ServiceLevels), MaxThresholds))
	}
	for _, t := range c.ServiceLevels {
		if t <= 0 {
			errs = append(errs, fmt.Errorf("%w: ServiceLevels threshold %v is not positive", ErrConfig, t))
		}
	}
	return errors.Join(errs...)
}

// Phase is where a chat [Live] in a [State] is.
type Phase uint8

const (
	// Waiting in a queue with no offer pending.
	Waiting Phase = iota
	// Offered to one or more agents.
	OfferPending
	// Talking: assigned to its owner.
	Talking
	// WrappingUp: the conversation ended; its owner is wrapping it up.
	WrappingUp
	// Finished: done or ended; kept only while a handed-over wrap-up of it
	// is held.
	Finished
)

// Visit is a queue a chat entered during the current contact, with when.
type Visit struct {
	Queue    switchboard.QueueID
	Since    time.Time
	Offered  bool
	Answered bool
}

// Hold is a wrap-up an agent holds of a chat it handed over.
type Hold struct {
	Agent switchboard.AgentID
	Team  string
	Since time.Time
}

// AgentTeam is an agent's team, as an event of the chat told it.
type AgentTeam struct {
	Agent switchboard.AgentID
	Team  string
}

// Live is what a [State] keeps of a chat while it is routed: enough to
// time what its next events close.
type Live struct {
	Queue    switchboard.QueueID
	Tenant   switchboard.TenantID
	Priority int
	Channel  switchboard.Channel
	Phase    Phase
	// EnqueuedAt is when the contact began (the chat entered its first
	// queue, or was reopened).
	EnqueuedAt time.Time
	// QueuedSince is when the contact first entered Queue.
	QueuedSince time.Time
	// Agent owns the chat since OwnerSince; Team is its team.
	Agent      switchboard.AgentID
	Team       string
	OwnerSince time.Time
	AnsweredAt time.Time
	WrapAt     time.Time
	Pending    int
	// Offered are the agents with a pending offer of the chat to route
	// it: each holds a slot for it.
	Offered []switchboard.AgentID
	// Conferenced is set once a consultant joined during the contact.
	Conferenced bool
	Visits      []Visit
	Holds       []Hold
	Teams       []AgentTeam

	// OnHold marks a chat its owner put on hold (routing's ChatOnHold
	// until ChatResumed or its requeue): it uses none of the owner's
	// slots, nor does its wrap-up when it ended on hold.
	OnHold bool
}

// LiveAgent is what a [State] keeps of a logged-in agent.
type LiveAgent struct {
	Tenant   switchboard.TenantID
	Team     string
	State    routing.State
	Reason   string
	Since    time.Time
	Slots    int
	Queues   []switchboard.QueueID
	Capacity []routing.Capacity
}

// State is the folded state of one partition of routing's event log: the
// figures by interval, and what is live (chats being routed, agents logged
// in). It is plain data, so a [Store] keeps it (as JSON, say) and any
// process carries on from it.
type State struct {
	// Partition of the log the state folds.
	Partition int
	// Position is the Seq of the last event folded: an event at or before
	// it is a replay and is ignored.
	Position uint64
	// Version is the stored version, for compare-and-set ([Store]).
	Version uint64
	Figures map[Key]*Figures
	Chats   map[switchboard.ChatID]*Live
	Agents  map[switchboard.AgentID]*LiveAgent
	// FeedPosition is the feed position of the last session entry folded
	// from partition Partition of the sessions' feed ([Aggregates.ApplyEntry]),
	// and Awaiting the chats whose owner has not written yet.
	FeedPosition uint64
	Awaiting     map[switchboard.ChatID]Awaiting
	// Horizon is the start (Unix nanoseconds) of the oldest interval kept
	// under Config.Keep; 0 when everything is kept.
	Horizon int64
}

// Awaiting is an owner who has not written in its chat yet, since when.
type Awaiting struct {
	Agent switchboard.AgentID
	Since time.Time
}

// Clone returns a deep copy of s.
func (s *State) Clone() State {
	out := State{Partition: s.Partition, Position: s.Position, Version: s.Version,
		Figures: make(map[Key]*Figures, len(s.Figures)),
		Chats:   make(map[switchboard.ChatID]*Live, len(s.Chats)),
		Agents:  make(map[switchboard.AgentID]*LiveAgent, len(s.Agents))}
	for k, f := range s.Figures {
		out.Figures[k] = f.clone()
	}
	for k, c := range s.Chats {
		out.Chats[k] = c.clone()
	}
	for k, a := range s.Agents {
		out.Agents[k] = a.clone()
	}
	out.FeedPosition, out.Horizon = s.FeedPosition, s.Horizon
	if s.Awaiting != nil {
		out.Awaiting = maps.Clone(s.Awaiting)
	}
	return out
}

// CopyChanges makes s what from is, where s is what from was folded from
// and ch names what folding changed since: each
// entry ch names becomes a deep copy of from's, or is deleted where from
// has none, and the positions and the horizon are from's. Partition and
// Version are left as they are. It costs what changed, not what s holds.
func (s *State) CopyChanges(from *State, ch *Changes) {
	if s.Figures == nil {
		s.Figures = map[Key]*Figures{}
	}
	if s.Chats == nil {
		s.Chats = map[switchboard.ChatID]*Live{}
	}
	if s.Agents == nil {
		s.Agents = map[switchboard.AgentID]*LiveAgent{}
	}
	for _, k := range ch.Figures {
		if f := from.Figures[k]; f != nil {
			s.Figures[k] = f.clone()
		} else {
			delete(s.Figures, k)
		}
	}
	for _, id := range ch.Chats {
		if c := from.Chats[id]; c != nil {
			s.Chats[id] = c.clone()
		} else {
			delete(s.Chats, id)
		}
	}
	for _, id := range ch.Agents {
		if a := from.Agents[id]; a != nil {
			s.Agents[id] = a.clone()
		} else {
			delete(s.Agents, id)
		}
	}
	for _, id := range ch.Awaiting {
		if w, ok := from.Awaiting[id]; ok {
			if s.Awaiting == nil {
				s.Awaiting = map[switchboard.ChatID]Awaiting{}
			}
			s.Awaiting[id] = w
		} else {
			delete(s.Awaiting, id)
		}
	}
	s.Position, s.FeedPosition, s.Horizon = from.Position, from.FeedPosition, from.Horizon
}

// clone returns a copy of f sharing no memory with it.
func (f *Figures) clone() *Figures {
	g := *f
	if f.AnswerSketch != nil {
		sk := *f.AnswerSketch
		g.AnswerSketch = &sk
	}
	return &g
}

// clone returns a copy of c sharing no memory with it.
func (c *Live) clone() *Live {
	d := *c
	d.Visits, d.Holds, d.Teams = slices.Clone(c.Visits), slices.Clone(c.Holds), slices.Clone(c.Teams)
	d.Offered = slices.Clone(c.Offered)
	return &d
}

// clone returns a copy of a sharing no memory with it.
func (a *LiveAgent) clone() *LiveAgent {
	b := *a
	b.Queues, b.Capacity = slices.Clone(a.Queues), slices.Clone(a.Capacity)
	return &b
}

// Changes names what folding changed in a [State]: the keys of the rows,
// live chats, live agents and awaited first responses it wrote or deleted.
// A key may be named more than once, or name an entry that ends as it
// began; every entry that changed is named.
type Changes struct {
	Figures  []Key
	Chats    []switchboard.ChatID
	Agents   []switchboard.AgentID
	Awaiting []switchboard.ChatID
}

// Aggregates folds routing events into a [State]. It is a pure function of
// the events: no clock, no I/O. Not safe for concurrent use.
type Aggregates struct {
	cfg      Config
	interval int64
	st       State
	free     []*Live
	rows     [4]*Figures
	// past takes what is written to intervals before the horizon.
	past Figures
	// track has changed name what folding writes until saved resets it,
	// for a Consumer over a ChangeStore; pruned is the horizon Prune
	// last pruned to.
	track   bool
	changed Changes
	pruned  int64
}

// New returns Aggregates that carry on folding from st (the zero State to
// start afresh), or an error wrapping [ErrConfig].
func New(cfg Config, st State) (*Aggregates, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	cfg.ServiceLevels = slices.Clone(cfg.ServiceLevels)
	if st.Figures == nil {
		st.Figures = map[Key]*Figures{}
	}
	if st.Chats == nil {
		st.Chats = map[switchboard.ChatID]*Live{}
	}
	if st.Agents == nil {
		st.Agents = map[switchboard.AgentID]*LiveAgent{}
	}
	if st.Awaiting == nil {
		st.Awaiting = map[switchboard.ChatID]Awaiting{}
	}
	return &Aggregates{cfg: cfg, interval: int64(cfg.Interval), st: st, pruned: math.MinInt64}, nil
}

// Config returns the config, with defaults applied.
func (a *Aggregates) Config() Config { return a.cfg }

// State returns the folded state. It shares memory with a: Clone it to
// keep it while folding on.
func (a *Aggregates) State() *State { return &a.st }

// Start returns the start of the interval t falls in.
func (a *Aggregates) Start(t time.Time) time.Time {
	return time.Unix(0, a.start(t)).UTC()
}

func (a *Aggregates) start(t time.Time) int64 {
	n := t.UnixNano()
	s := n - n%a.interval
	if n%a.interval < 0 {
		s -= a.interval
	}
	return s
}

// row returns the figures of (interval of t, dim, id), creating them.
func (a *Aggregates) row(t time.Time, dim Dim, id string) *Figures {
	k := Key{Start: a.start(t), Dim: dim, ID: id}
	if k.Start < a.st.Horizon {
		a.past = Figures{}
		return &a.past
	}
	f := a.st.Figures[k]
	if f == nil {
		f = new(Figures)
		a.st.Figures[k] = f
	}
	a.markFigures(k)
	return f
}

// who names the rows an event adds to. An empty queue, agent or team adds
// to no row of its kind; the tenant row is added to when tenant is set.
type who struct {
	queue  switchboard.QueueID
	agent  switchboard.AgentID
	team   string
	tenant bool
	tid    switchboard.TenantID
}

func (a *Aggregates) rowsOf(t time.Time, w who) []*Figures {
	rows := a.rows[:0]
	if w.queue != "" {
		rows = append(rows, a.row(t, ByQueue, string(w.queue)))
	}
	if w.agent != "" {
		rows = append(rows, a.row(t, ByAgent, string(w.agent)))
	}
	if w.team != "" {
		rows = append(rows, a.row(t, ByTeam, w.team))
	}
	if w.tenant {
		rows = append(rows, a.row(t, ByTenant, string(w.tid)))
	}
	return rows
}

// span adds the time from..to, cut at interval boundaries, to each row of
// w in the interval it falls in: to StateTime[state] and SlotTime (times
// slots) for an agent's state, or to ChatTime when state is negative.
func (a *Aggregates) span(from, to time.Time, w who, state int, slots int) {
	if !to.After(from) || from.IsZero() {
		return
	}
	for t := from; t.Before(to); {
		next := time.Unix(0, a.start(t)+a.interval)
		end := to
		if next.Before(to) {
			end = next
		}
		d := end.Sub(t)
		for _, f := range a.rowsOf(t, w) {
			if state < 0 {
				f.ChatTime += d
			} else {
				f.StateTime[state] += d
				f.SlotTime += d * time.Duration(slots)
			}
		}
		t = end
	}
}

// Apply folds one event and reports whether it changed anything: an event
// with a Seq at or before the state's Position was folded already (the
// log delivers at least once) and is ignored. Events of one partition must
// be applied in Seq order.
func (a *Aggregates) Apply(e *routing.Event) bool {
	if e.Seq != 0 {
		if e.Seq <= a.st.Position {
			return false
		}
		a.st.Position = e.Seq
	}
	a.advance(e.At)
	switch e.Type {
	case routing.AgentLoggedIn, routing.AgentStateChanged, routing.AgentLoggedOut:
		a.agentEvent(e)
	case routing.ChatQueued:
		a.queued(e)
	default:
		if e.Chat == "" {
			// An agent's event the statistics keep nothing of (its
			// disconnect grace, work the host reported): no contact.
			return true
		}
		a.chatEvent(e)
	}
	return true
}

func (a *Aggregates) agentEvent(e *routing.Event) {
	a.markAgent(e.Agent)
	ag := a.st.Agents[e.Agent]
	if ag != nil {
		a.span(ag.Since, e.At, who{agent: e.Agent, team: ag.Team, tenant: true, tid: ag.Tenant}, int(ag.State), ag.Slots)
	}
	switch e.Type {
	case routing.AgentLoggedOut:
		delete(a.st.Agents, e.Agent)
		return
	case routing.AgentLoggedIn:
		if ag == nil {
			ag = new(LiveAgent)
			a.st.Agents[e.Agent] = ag
		}
		slots := 0
		for _, c := range e.Capacity {
			slots += max(c.Max, 0)
		}
		*ag = LiveAgent{Tenant: e.Tenant, Team: e.Team, State: e.State, Since: e.At, Slots: slots,
			Queues: append(ag.Queues[:0], e.Queues...), Capacity: append(ag.Capacity[:0], e.Capacity...)}
		return
	}
	if ag == nil { // logged in before the statistics began
		ag = &LiveAgent{Tenant: e.Tenant, Team: e.Team}
		a.st.Agents[e.Agent] = ag
	}
	ag.State, ag.Reason, ag.Since = e.State, e.Reason, e.At
}

// contact begins a new contact of chat id, reusing a record.
func (a *Aggregates) contact(id switchboard.ChatID) *Live {
	c := a.st.Chats[id]
	if c == nil {
		if n := len(a.free); n > 0 {
			c, a.free = a.free[n-1], a.free[:n-1]
		} else {
			c = new(Live)
		}
		a.st.Chats[id] = c
		*c = Live{Visits: c.Visits[:0], Holds: c.Holds[:0], Teams: c.Teams[:0], Offered: c.Offered[:0]}
		return c
	}
	holds := c.Holds // wrap-ups of earlier owners outlive the contact
	*c = Live{Visits: c.Visits[:0], Holds: holds, Teams: c.Teams[:0], Offered: c.Offered[:0]}
	return c
}

// finish forgets chat id once nothing of it is held.
func (a *Aggregates) finish(id switchboard.ChatID, c *Live) {
	if len(c.Holds) > 0 {
		c.Phase = Finished
		return
	}
	delete(a.st.Chats, id)
	a.free = append(a.free, c)
}

func (c *Live) visit(q switchboard.QueueID) *Visit {
	for i := range c.Visits {
		if c.Visits[i].Queue == q {
			return &c.Visits[i]
		}
	}
	return nil
}

func (c *Live) teamOf(agent switchboard.AgentID) string {
	for _, t := range c.Teams {
		if t.Agent == agent {
			return t.Team
		}
	}
	return ""
}

func (c *Live) learn(e *routing.Event) {
	if e.Agent == "" || e.Team == "" || c.teamOf(e.Agent) != "" {
		return
	}
	if len(c.Teams) == 8 {
		c.Teams = c.Teams[:copy(c.Teams, c.Teams[1:])]
	}
	c.Teams = append(c.Teams, AgentTeam{Agent: e.Agent, Team: e.Team})
}

// enter records that c entered queue q at t, and counts it once per
// contact and queue; it reports whether the queue is new to the contact.
func (a *Aggregates) enter(c *Live, q switchboard.QueueID, t time.Time) bool {
	c.Queue = q
	if v := c.visit(q); v != nil {
		c.QueuedSince = v.Since
		return false
	}
	c.QueuedSince = t
	c.Visits = append(c.Visits, Visit{Queue: q, Since: t})
	a.row(t, ByQueue, string(q)).Entered++
	return true
}

func (a *Aggregates) queued(e *routing.Event) {
	a.markChat(e.Chat) // the only live chat written below
	c := a.st.Chats[e.Chat]
	if c == nil || c.Phase == Finished || e.Reason == "" || e.Reason == routing.ReasonReopened {
		c = a.contact(e.Chat)
		c.Tenant, c.Priority, c.Channel = e.Tenant, e.Priority, e.Channel
		c.EnqueuedAt = e.At
		a.enter(c, e.Queue, e.At)
		a.row(e.At, ByTenant, string(c.Tenant)).Entered++
		return
	}
	if e.Reason == routing.ReasonNoResponse {
		// A timer took the chat from its owner (SPEC D10).
		for _, f := range a.rowsOf(e.At, who{queue: e.Queue, agent: c.Agent, team: c.Team, tenant: true, tid: c.Tenant}) {
			f.Reassigned++
		}
	}
	if c.Agent != "" { // the owner lost it (logged out, transfer fell back)
		a.span(c.OwnerSince, e.At, who{agent: c.Agent, team: c.Team, tenant: true, tid: c.Tenant}, -1, 0)
		c.Agent, c.Team, c.OwnerSince = "", "", time.Time{}
	}
	if e.Priority != 0 {
		c.Priority = e.Priority
	}
	if e.Reason == routing.ReasonTransferred && a.enter(c, e.Queue, e.At) {
		a.row(e.At, ByQueue, string(e.Queue)).TransferredIn++
	}
	c.Queue, c.Phase, c.Pending, c.Offered, c.OnHold = e.Queue, Waiting, 0, c.Offered[:0], false
}

func (a *Aggregates) chatEvent(e *routing.Event) {
	a.markChat(e.Chat) // the only live chat written below
	c := a.st.Chats[e.Chat]
	if c == nil {
		if e.Type == routing.WrapUpDone || e.Type == routing.ChatDone || e.Type == routing.ChatEnded {
			return // the chat began before the statistics did
		}
		c = a.contact(e.Chat) // began before the statistics: count what follows
		c.Tenant, c.Priority, c.Channel, c.EnqueuedAt = e.Tenant, e.Priority, e.Channel, e.EnqueuedAt
		c.Queue, c.QueuedSince = e.Queue, e.EnqueuedAt
		c.Visits = append(c.Visits, Visit{Queue: e.Queue, Since: e.EnqueuedAt})
	}
	c.learn(e)
	tenant := who{tenant: true, tid: c.Tenant}
	switch e.Type {
	case routing.ChatOffered:
		for _, f := range a.rowsOf(e.At, who{queue: e.Queue, agent: e.Agent, team: e.Team, tenant: true, tid: c.Tenant}) {
			f.Offers++
		}
		if e.Kind == routing.RouteOffer {
			c.Phase = OfferPending
			c.Pending++
			c.Offered = append(c.Offered, e.Agent)
			if v := c.visit(e.Queue); v != nil && !v.Offered {
				v.Offered = true
				a.row(e.At, ByQueue, string(e.Queue)).Offered++
				a.row(e.At, ByTenant, string(c.Tenant)).Offered++
			}
		}
	case routing.OfferResolved:
		for _, f := range a.rowsOf(e.At, who{queue: e.Queue, agent: e.Agent, team: c.teamOf(e.Agent), tenant: true, tid: c.Tenant}) {
			switch e.Outcome {
			case routing.Accepted:
				f.OffersAccepted++
			case routing.Rejected:
				f.OffersRejected++
			case routing.TimedOut:
				f.OffersTimedOut++
			case routing.Rescinded:
				f.OffersRescinded++
			case routing.Cancelled:
				f.OffersCancelled++
			}
		}
		if e.Kind == routing.RouteOffer && c.Pending > 0 {
			if i := slices.Index(c.Offered, e.Agent); i >= 0 {
				c.Offered = slices.Delete(c.Offered, i, i+1)
			}
			c.Pending--
			// A cancelled offer's chat ends next, abandoned while offered.
			if c.Pending == 0 && c.Phase == OfferPending && e.Outcome != routing.Cancelled {
				c.Phase = Waiting
			}
		}
	case routing.ChatAssigned:
		a.assigned(c, e)
	case routing.ChatOverflowed:
		a.row(e.At, ByQueue, string(e.FromQueue)).OverflowedOut++
		if a.enter(c, e.Queue, e.At) {
			a.row(e.At, ByQueue, string(e.Queue)).OverflowedIn++
		}
		c.Phase, c.Pending, c.Offered = Waiting, 0, c.Offered[:0]
	case routing.ChatWrapUp:
		if e.Reason == routing.ReasonHandedOver {
			c.Holds = append(c.Holds, Hold{Agent: e.Agent, Team: c.teamOf(e.Agent), Since: e.At})
			return
		}
		c.Phase, c.WrapAt = WrappingUp, e.At
	case routing.WrapUpDone:
		for i, h := range c.Holds {
			if h.Agent == e.Agent {
				a.span(h.Since, e.At, who{agent: h.Agent, team: h.Team, tenant: true, tid: c.Tenant}, -1, 0)
				c.Holds = slices.Delete(c.Holds, i, i+1)
				break
			}
		}
		if c.Phase == Finished && len(c.Holds) == 0 {
			a.finish(e.Chat, c)
		}
	case routing.ChatDone:
		a.done(c, e)
	case routing.ChatEnded:
		a.ended(c, e, tenant)
	case routing.ChatTransferred:
		owner := who{agent: e.From, team: c.teamOf(e.From), tenant: true, tid: c.Tenant}
		if c.Agent != "" {
			a.span(c.OwnerSince, e.At, owner, -1, 0)
		}
		owner.tenant = false
		for _, f := range a.rowsOf(e.At, owner) {
			f.TransferredOut++
		}
		if e.Reason == routing.ReasonQueue {
			a.row(e.At, ByQueue, string(e.FromQueue)).TransferredOut++
			c.Agent, c.Team, c.OwnerSince = "", "", time.Time{}
			return
		}
		c.Agent, c.Team, c.OwnerSince = e.Agent, c.teamOf(e.Agent), e.At
		for _, f := range a.rowsOf(e.At, who{agent: c.Agent, team: c.Team}) {
			f.TransferredIn++
		}
	case routing.ChatOnHold:
		c.OnHold = true
	case routing.ChatResumed, routing.ChatOnHoldRequeued:
		c.OnHold = false
	case routing.ConsultantJoined:
		a.row(e.At, ByAgent, string(e.Agent)).Conferenced++
		if !c.Conferenced {
			c.Conferenced = true
			a.row(e.At, ByQueue, string(c.Queue)).Conferenced++
			a.row(e.At, ByTenant, string(c.Tenant)).Conferenced++
		}
	}
}

func (a *Aggregates) assigned(c *Live, e *routing.Event) {
	team := e.Team
	if team == "" {
		team = c.teamOf(e.Agent)
	}
	c.Phase, c.Pending, c.Offered, c.Agent, c.Team, c.OwnerSince = Talking, 0, c.Offered[:0], e.Agent, team, e.At
	c.OnHold = false
	first := c.AnsweredAt.IsZero()
	if first {
		c.AnsweredAt = e.At
	}
	for _, f := range a.rowsOf(e.At, who{agent: e.Agent, team: team}) {
		f.Answered++
	}
	since := c.EnqueuedAt
	v := c.visit(c.Queue)
	if v != nil {
		if v.Answered {
			return // answered again after a requeue: counted once per queue
		}
		v.Answered = true
		since = v.Since
	}
	q := a.row(e.At, ByQueue, string(c.Queue))
	q.Answered++
	a.answer(q, e.At.Sub(since))
	if team != "" {
		a.answer(a.row(e.At, ByTeam, team), e.At.Sub(since))
	}
	if first {
		t := a.row(e.At, ByTenant, string(c.Tenant))
		t.Answered++
		a.answer(t, e.At.Sub(c.EnqueuedAt))
	}
}

// answer adds one answer after wait to f's speed-of-answer figures (not
// to Answered).
func (a *Aggregates) answer(f *Figures, wait time.Duration) {
	wait = max(wait, 0)
	f.AnswerTime += wait
	f.AnswerMax = max(f.AnswerMax, wait)
	for i, t := range a.cfg.ServiceLevels {
		if wait <= t {
			f.AnsweredWithin[i]++
		}
	}
	if f.AnswerSketch == nil {
		f.AnswerSketch = new(Sketch)
	}
	f.AnswerSketch.Add(wait)
}

func (a *Aggregates) done(c *Live, e *routing.Event) {
	if c.Agent != "" {
		a.span(c.OwnerSince, e.At, who{agent: c.Agent, team: c.Team, tenant: true, tid: c.Tenant}, -1, 0)
	}
	if !c.AnsweredAt.IsZero() {
		talkEnd := e.At
		if !c.WrapAt.IsZero() {
			talkEnd = c.WrapAt
		}
		talk, wrap := talkEnd.Sub(c.AnsweredAt), e.At.Sub(talkEnd)
		for _, f := range a.rowsOf(e.At, who{queue: c.Queue, agent: c.Agent, team: c.Team, tenant: true, tid: c.Tenant}) {
			f.Handled++
			f.TalkTime += talk
			f.WrapUpTime += wrap
			f.HandleTime += talk + wrap
		}
	}
	a.finish(e.Chat, c)
}

func (a *Aggregates) ended(c *Live, e *routing.Event, tenant who) {
	if c.Agent != "" { // a failed transfer ended an assigned chat
		a.span(c.OwnerSince, e.At, who{agent: c.Agent, team: c.Team, tenant: true, tid: c.Tenant}, -1, 0)
	}
	if c.AnsweredAt.IsZero() {
		since := c.EnqueuedAt
		if v := c.visit(c.Queue); v != nil {
			since = v.Since
		}
		q, t := a.row(e.At, ByQueue, string(c.Queue)), a.row(e.At, ByTenant, string(c.Tenant))
		for i, f := range [2]*Figures{q, t} {
			wait := e.At.Sub(since)
			if i == 1 {
				wait = e.At.Sub(c.EnqueuedAt)
			}
			switch e.EndReason {
			case routing.EndAbandoned:
				f.Abandoned++
				f.AbandonTime += wait
				if wait < a.cfg.ShortAbandon {
					f.ShortAbandoned++
				}
				if c.Phase == OfferPending {
					f.AbandonedOffered++
				}
			case routing.EndTimedOut:
				f.TimedOut++
			case routing.EndEscalated:
				f.Escalated++
			case routing.EndWithdrawn:
				f.Withdrawn++
			}
		}
	}
	a.finish(e.Chat, c)
}

// ApplyEntry folds one entry of the sessions' feed, for agents' first
// response times, and reports whether it changed anything: an entry at or
// before the state's FeedPosition was folded already and is ignored.
// Entries of one partition of the feed must be applied in feed order.
//
// An agent awaits its first response from when it becomes a chat's owner
// (EntryOwnerChanged: it accepted the chat, or a transfer or hand-over
// made it the owner) until its first message in the chat; the response
// counts in the agent's row in the interval of the message. A chat that
// ends or closes first counts no response.
func (a *Aggregates) ApplyEntry(e *session.FeedEntry) bool {
	if e.Seq != 0 {
		if e.Seq <= a.st.FeedPosition {
			return false
		}
		a.st.FeedPosition = e.Seq
	}
	a.advance(e.Entry.At)
	a.markAwaiting(e.Chat)
	switch e.Entry.Type {
	case session.EntryOwnerChanged:
		if agent, ok := e.Entry.Subject.Agent(); ok {
			a.st.Awaiting[e.Chat] = Awaiting{Agent: agent, Since: e.Entry.At}
		}
	case session.EntryMessage:
		w, ok := a.st.Awaiting[e.Chat]
		if agent, isAgent := e.Entry.From.Agent(); ok && isAgent && agent == w.Agent {
			f := a.row(e.Entry.At, ByAgent, string(agent))
			f.Responded++
			f.ResponseTime += max(e.Entry.At.Sub(w.Since), 0)
			delete(a.st.Awaiting, e.Chat)
		}
	case session.EntryEnded, session.EntryClosed:
		delete(a.st.Awaiting, e.Chat)
		if agent, ok := e.Entry.From.Agent(); ok && e.Entry.Type == session.EntryEnded && e.Entry.Reason == session.ReasonCustomerIdle {
			a.row(e.Entry.At, ByAgent, string(agent)).CustomerIdleCloses++
		}
	case session.EntryTimer:
		// SPEC D10: the owner a timer fired for is the entry's subject.
		agent, ok := e.Entry.Subject.Agent()
		if !ok {
			break
		}
		switch e.Entry.Reason {
		case session.TimerFirstResponse.String():
			a.row(e.Entry.At, ByAgent, string(agent)).FirstResponsesMissed++
		case session.TimerResponseSLA.String():
			a.row(e.Entry.At, ByAgent, string(agent)).ResponseSLABreaches++
		case session.TimerAgentIdle.String():
			a.row(e.Entry.At, ByAgent, string(agent)).AgentIdleAlerts++
		}
	}
	return true
}

// advance moves the horizon to the interval Config.Keep before t.
func (a *Aggregates) advance(t time.Time) {
	if a.cfg.Keep > 0 {
		if h := a.start(t.Add(-a.cfg.Keep)); h > a.st.Horizon {
			a.st.Horizon = h
		}
	}
}

// Prune drops the rows of intervals before the horizon (Config.Keep
// before the latest event folded), and returns how many it dropped. A
// [Consumer] prunes after each batch; the state after the same events is
// the same however they were batched.
func (a *Aggregates) Prune() int {
	if a.st.Horizon == a.pruned {
		// No row is made before the horizon (row sends them to past), so
		// nothing is to prune until it moves.
		return 0
	}
	n := 0
	for k := range a.st.Figures {
		if k.Start < a.st.Horizon {
			delete(a.st.Figures, k)
			a.markFigures(k)
			n++
		}
	}
	a.pruned = a.st.Horizon
	return n
}

// markFigures, markChat, markAgent and markAwaiting note that folding
// wrote the entry, when changes are tracked.
func (a *Aggregates) markFigures(k Key) {
	if a.track {
		a.changed.Figures = append(a.changed.Figures, k)
	}
}

func (a *Aggregates) markChat(id switchboard.ChatID) {
	if a.track {
		a.changed.Chats = append(a.changed.Chats, id)
	}
}

func (a *Aggregates) markAgent(id switchboard.AgentID) {
	if a.track {
		a.changed.Agents = append(a.changed.Agents, id)
	}
}

func (a *Aggregates) markAwaiting(id switchboard.ChatID) {
	if a.track {
		a.changed.Awaiting = append(a.changed.Awaiting, id)
	}
}

// saved records that the state as it is now is stored: the changes
// tracked start empty again.
func (a *Aggregates) saved() {
	clear(a.changed.Figures)
	clear(a.changed.Chats)
	clear(a.changed.Agents)
	clear(a.changed.Awaiting)
	a.changed = Changes{Figures: a.changed.Figures[:0], Chats: a.changed.Chats[:0], Agents: a.changed.Agents[:0],
		Awaiting: a.changed.Awaiting[:0]}
}
