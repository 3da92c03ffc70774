package routing

import (
	"context"
	"slices"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// work is one attempt at one transition: the records it read, the changes it
// made to them, and the events and follow-up routing they cause. Nothing is
// written until the router commits w.txn() as one compare-and-set.
type work struct {
	r   *Router
	ctx context.Context
	now time.Time

	agents  []*Agent
	chats   []*Chat
	offers  []*Offer
	queues  []*Queue
	licence *Licence

	dirtyAgents, dirtyChats, dirtyOffers, dirtyQueues []int
	dirtyLicence                                      bool

	events   []Event
	route    []switchboard.QueueID
	routeAll bool
}

func (w *work) agent(id switchboard.AgentID) (*Agent, error) {
	for _, a := range w.agents {
		if a.ID == id {
			return a, nil
		}
	}
	a, err := w.r.store.Agent(w.ctx, id)
	if err != nil {
		return nil, err
	}
	w.agents = append(w.agents, &a)
	return &a, nil
}

func (w *work) chat(id switchboard.ChatID) (*Chat, error) {
	for _, c := range w.chats {
		if c.ID == id {
			return c, nil
		}
	}
	c, err := w.r.store.Chat(w.ctx, id)
	if err != nil {
		return nil, err
	}
	w.chats = append(w.chats, &c)
	return &c, nil
}

func (w *work) offer(id OfferID) (*Offer, error) {
	for _, o := range w.offers {
		if o.ID == id {
			return o, nil
		}
	}
	o, err := w.r.store.Offer(w.ctx, id)
	if err != nil {
		return nil, err
	}
	w.offers = append(w.offers, &o)
	return &o, nil
}

func (w *work) queue(id switchboard.QueueID) (*Queue, error) {
	for _, q := range w.queues {
		if q.ID == id {
			return q, nil
		}
	}
	q, err := w.r.store.Queue(w.ctx, id)
	if err != nil {
		return nil, err
	}
	w.queues = append(w.queues, &q)
	return &q, nil
}

func (w *work) getLicence() (*Licence, error) {
	if w.licence == nil {
		l, err := w.r.store.Licence(w.ctx)
		if err != nil {
			return nil, err
		}
		w.licence = &l
	}
	return w.licence, nil
}

func markIndex[T any](recs []*T, dirty []int, rec *T) []int {
	for i, p := range recs {
		if p == rec {
			if !slices.Contains(dirty, i) {
				dirty = append(dirty, i)
			}
			return dirty
		}
	}
	panic("routing: internal error: marking a record the work did not load")
}

func (w *work) touchAgent(a *Agent) { w.dirtyAgents = markIndex(w.agents, w.dirtyAgents, a) }
func (w *work) touchChat(c *Chat)   { w.dirtyChats = markIndex(w.chats, w.dirtyChats, c) }
func (w *work) touchOffer(o *Offer) { w.dirtyOffers = markIndex(w.offers, w.dirtyOffers, o) }
func (w *work) touchQueue(q *Queue) { w.dirtyQueues = markIndex(w.queues, w.dirtyQueues, q) }

// newChat adds a chat record to create.
func (w *work) newChat(c Chat) *Chat {
	c.Version = 0
	w.chats = append(w.chats, &c)
	w.touchChat(&c)
	return &c
}

// newOffer adds an offer record to create.
func (w *work) newOffer(o Offer) *Offer {
	w.offers = append(w.offers, &o)
	w.touchOffer(&o)
	return &o
}

func (w *work) emit(e Event) {
	e.At = w.now
	w.events = append(w.events, e)
}

func (w *work) routeQueue(q switchboard.QueueID) {
	if q != "" && !slices.Contains(w.route, q) {
		w.route = append(w.route, q)
	}
}

func (w *work) routeAgent(a *Agent) {
	for _, q := range a.Profile.Queues {
		w.routeQueue(q)
	}
}

func (w *work) txn() Txn {
	var t Txn
	if len(w.dirtyAgents) > 0 {
		t.Agents = make([]Agent, 0, len(w.dirtyAgents))
		for _, i := range w.dirtyAgents {
			t.Agents = append(t.Agents, *w.agents[i])
		}
	}
	if len(w.dirtyChats) > 0 {
		t.Chats = make([]Chat, 0, len(w.dirtyChats))
		for _, i := range w.dirtyChats {
			t.Chats = append(t.Chats, *w.chats[i])
		}
	}
	if len(w.dirtyOffers) > 0 {
		t.Offers = make([]Offer, 0, len(w.dirtyOffers))
		for _, i := range w.dirtyOffers {
			t.Offers = append(t.Offers, *w.offers[i])
		}
	}
	if len(w.dirtyQueues) > 0 {
		t.Queues = make([]Queue, 0, len(w.dirtyQueues))
		for _, i := range w.dirtyQueues {
			t.Queues = append(t.Queues, *w.queues[i])
		}
	}
	if w.dirtyLicence {
		l := *w.licence
		t.Licence = &l
	}
	return t
}

// --- transitions shared by several operations ---

// setAgentState moves a to state s with reason. Leaving Available for
// anything but WrapUp withdraws the agent's pending offers.
func (w *work) setAgentState(a *Agent, s State, reason string) error {
	if a.State == s && a.Reason == reason {
		return nil
	}
	prev := a.State
	a.State, a.Reason, a.StateSince = s, reason, w.now
	if s == Available && prev != Available {
		a.IdleSince = w.now
		w.routeAgent(a)
	}
	w.touchAgent(a)
	w.emit(Event{Type: AgentStateChanged, Agent: a.ID, State: s, Reason: reason})
	if prev == Available && s != Available && s != WrapUp {
		return w.withdrawAgentOffers(a)
	}
	return nil
}

// withdrawAgentOffers rescinds every pending offer of a, at no cost to it.
func (w *work) withdrawAgentOffers(a *Agent) error {
	pending, err := w.r.store.PendingOffers(w.ctx, OfferFilter{Agent: a.ID})
	if err != nil {
		return err
	}
	for i := range pending {
		o, err := w.offer(pending[i].ID)
		if err != nil {
			return err
		}
		if o.Outcome != Pending {
			continue
		}
		if err := w.resolveOffer(o, Rescinded, false); err != nil {
			return err
		}
	}
	return nil
}

// resolveOffer settles a pending offer with outcome (not Accepted) and
// applies its consequence: the agent's slot is freed, a reject keeps the
// agent out of the chat's next offers, a timeout puts it in RONA, and a chat
// left with no pending offer goes back to its queue (or escalates).
func (w *work) resolveOffer(o *Offer, outcome OfferOutcome, taken bool) error {
	o.Outcome, o.Taken, o.ResolvedAt = outcome, taken, w.now
	w.touchOffer(o)
	w.emit(Event{Type: OfferResolved, Agent: o.Agent, Chat: o.Chat, Queue: o.Queue, Offer: o.ID, Outcome: outcome, Taken: taken})

	a, err := w.agent(o.Agent)
	if err != nil {
		return err
	}
	a.addLoad(o.Channel, -1)
	w.touchAgent(a)
	w.routeAgent(a)

	c, err := w.chat(o.Chat)
	if err != nil {
		return err
	}
	if c.State != Offered {
		return nil // the chat moved on (accepted, cancelled); only the offer settles
	}
	c.Pending--
	if outcome == Rejected && !slices.Contains(c.Rejected, a.ID) {
		c.Rejected = append(slices.Clip(c.Rejected), a.ID)
	}
	w.touchChat(c)
	if outcome == TimedOut {
		if err := w.setAgentState(a, RONA, "rona"); err != nil {
			return err
		}
	}
	if c.Pending > 0 {
		return nil
	}
	unanswered := outcome == Rejected || outcome == TimedOut
	return w.requeue(c, outcome.String(), unanswered)
}

// requeue puts chat c back in its queue at its original position. An
// unanswered round counts towards the queue's MaxUnanswered.
func (w *work) requeue(c *Chat, reason string, unanswered bool) error {
	q, err := w.queue(c.Queue)
	if err != nil {
		return err
	}
	if err := w.releaseLicence(c); err != nil {
		return err
	}
	c.State, c.Pending, c.Agent, c.AssignedAt = Queued, 0, "", time.Time{}
	w.touchChat(c)
	if unanswered {
		c.Unanswered++
		if q.MaxUnanswered > 0 && c.Unanswered >= q.MaxUnanswered {
			return w.escalate(c, q, EndEscalated)
		}
	}
	w.emit(Event{Type: ChatQueued, Chat: c.ID, Queue: c.Queue, Reason: reason, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt})
	w.routeQueue(c.Queue)
	return nil
}

// escalate moves a queued chat to its queue's overflow queue or ends it.
func (w *work) escalate(c *Chat, q *Queue, reason EndReason) error {
	if q.Overflow != "" && c.Hops < w.r.cfg.MaxOverflowHops {
		ov, err := w.queue(q.Overflow)
		if err == nil {
			c.Queue, c.Channel, c.Hops = ov.ID, ov.Channel, c.Hops+1
			c.Unanswered, c.Preferred, c.PreferredUntil = 0, "", time.Time{}
			c.QueuedAt, c.QueueDeadline = w.now, deadline(w.now, ov.MaxWait)
			w.touchChat(c)
			w.emit(Event{Type: ChatOverflowed, Chat: c.ID, Queue: ov.ID, FromQueue: q.ID, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt})
			w.routeQueue(ov.ID)
			return nil
		}
		if !isNotFound(err) {
			return err
		}
		// An overflow queue that was removed: end the chat instead.
	}
	return w.endUnassigned(c, reason)
}

// endUnassigned ends a queued or offered chat with reason, cancelling its
// pending offers.
func (w *work) endUnassigned(c *Chat, reason EndReason) error {
	if c.State == Offered {
		pending, err := w.r.store.PendingOffers(w.ctx, OfferFilter{Chat: c.ID})
		if err != nil {
			return err
		}
		c.State = Ended // so resolveOffer settles only the offers
		for i := range pending {
			o, err := w.offer(pending[i].ID)
			if err != nil {
				return err
			}
			if o.Outcome == Pending {
				if err := w.resolveOffer(o, Cancelled, false); err != nil {
					return err
				}
			}
		}
	}
	if err := w.releaseLicence(c); err != nil {
		return err
	}
	c.State, c.EndReason, c.EndedAt, c.Pending = Ended, reason, w.now, 0
	c.QueueDeadline, c.PreferredUntil = time.Time{}, time.Time{}
	w.touchChat(c)
	w.emit(Event{Type: ChatEnded, Chat: c.ID, Queue: c.Queue, EndReason: reason})
	return nil
}

func (w *work) takeLicence(c *Chat) error {
	if c.Licensed {
		return nil
	}
	l, err := w.getLicence()
	if err != nil {
		return err
	}
	l.InUse++
	c.Licensed = true
	w.dirtyLicence = true
	return nil
}

func (w *work) releaseLicence(c *Chat) error {
	if !c.Licensed {
		return nil
	}
	l, err := w.getLicence()
	if err != nil {
		return err
	}
	if l.Full() {
		w.routeAll = true // chats of any queue may have waited for this unit
	}
	if l.InUse > 0 {
		l.InUse--
	}
	c.Licensed = false
	w.dirtyLicence = true
	return nil
}

// finishWrapUp completes the wrap-up of chat c by its agent.
func (w *work) finishWrapUp(c *Chat) error {
	a, err := w.agent(c.Agent)
	if err != nil {
		return err
	}
	c.State, c.WrapUpUntil = Done, time.Time{}
	w.touchChat(c)
	w.emit(Event{Type: ChatDone, Chat: c.ID, Queue: c.Queue, Agent: c.Agent})
	if a.State == LoggedOut {
		return nil
	}
	a.addLoad(c.Channel, -1)
	if a.WrapUps > 0 {
		a.WrapUps--
	}
	a.IdleSince = w.now
	w.touchAgent(a)
	w.routeAgent(a)
	if a.WrapUps == 0 && a.State == WrapUp {
		return w.setAgentState(a, Available, "")
	}
	return nil
}

func deadline(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}
