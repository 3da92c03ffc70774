package routing

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// work is one attempt at one transition: the records it read, the changes it
// made to them, and the events and follow-up routing they cause. Nothing is
// written until the router commits w.txn() as one compare-and-set. Works are
// pooled: a transition allocates little beyond what the store keeps.
type work struct {
	r       *Router
	ctx     context.Context
	now     time.Time
	attempt int

	agents arena[Agent]
	chats  arena[Chat]
	offers arena[Offer]
	queues arena[Queue]
	states arena[QueueState]
	// lics holds the licence shards, indexed by shard, sized by the
	// Shards of shard 0 once read; licOut is scratch for Txn.Licences.
	lics   []licSlot
	licOut []Licence

	dirtyLicence bool
	checkLicence bool // the work depends on licence shard 0 it read, unwritten
	countLicence bool // the store is to count the units of the shards written
	checks       []Check

	// seqOf, when set, names the chat whose store-assigned Seq the
	// operation returns, in *seq.
	seqOf switchboard.ChatID
	seq   *uint64

	events   []Event
	route    []switchboard.QueueID
	routeAll bool
	picked   []*Agent // scratch for pickAgents
	// woken are the agents that may take chats they could not before; see
	// [work.wake]. parkedIn are the queue states a parked chat was parked
	// against without writing them, read-checked at commit.
	woken    []*Agent
	parkedIn []*QueueState

	ids txnIDs // kept across attempts and uses
}

// txnIDs hands out transaction IDs of 16 random hexadecimal digits (64 bits
// from math/rand/v2's generator, randomly seeded per process, so IDs do not
// collide across processes in practice). They are cut from one string per
// batch, so that a transition does not allocate one.
type txnIDs struct {
	batch string
	used  int
}

const (
	txnIDLen   = 16
	txnIDBatch = 64
)

func (t *txnIDs) next() string {
	if t.used+txnIDLen > len(t.batch) {
		const digits = "0123456789abcdef"
		var buf [txnIDLen * txnIDBatch]byte
		for i := 0; i < len(buf); i += txnIDLen {
			v := rand.Uint64()
			for j := txnIDLen - 1; j >= 0; j-- {
				buf[i+j] = digits[v&15]
				v >>= 4
			}
		}
		t.batch, t.used = string(buf[:]), 0
	}
	id := t.batch[t.used : t.used+txnIDLen]
	t.used += txnIDLen
	return id
}

var workPool = sync.Pool{New: func() any { return newWork() }}

func newWork() *work {
	w := new(work)
	w.agents.key = func(a *Agent) string { return string(a.ID) }
	w.chats.key = func(c *Chat) string { return string(c.ID) }
	w.offers.key = func(o *Offer) string { return string(o.ID) }
	w.queues.key = func(q *Queue) string { return string(q.ID) }
	w.states.key = func(st *QueueState) string { return string(st.Queue) }
	return w
}

// reset empties w for the next attempt, keeping its buffers.
func (w *work) reset() {
	w.agents.reset()
	w.chats.reset()
	w.offers.reset()
	w.queues.reset()
	w.states.reset()
	clear(w.lics)
	w.lics = w.lics[:0]
	w.licOut = w.licOut[:0]
	w.dirtyLicence = false
	w.checkLicence, w.countLicence = false, false
	w.checks = w.checks[:0]
	clear(w.events)
	w.events = w.events[:0]
	w.route = w.route[:0]
	w.routeAll = false
	clear(w.picked)
	w.picked = w.picked[:0]
	clear(w.woken)
	w.woken = w.woken[:0]
	clear(w.parkedIn)
	w.parkedIn = w.parkedIn[:0]
	w.ctx, w.attempt, w.seqOf, w.seq = nil, 0, "", nil
}

// arena holds the records of one kind a work has read or created, and which
// of them it changed. Up to arenaScan records it finds them by a linear
// scan; beyond, by maps built as records are looked up, so that a work
// touching thousands of records (a ring-all round) stays linear.
type arena[T any] struct {
	live  []*T
	free  []*T
	dirty []int
	out   []T
	flags []bool // flags[i]: live[i] is dirty

	key     func(*T) string
	byKey   map[string]*T
	at      map[*T]int
	indexed int // live[:indexed] are in byKey and at
}

const arenaScan = 16

// alloc returns a record for the work to fill. Its content is garbage from
// an earlier use: the caller overwrites all of it.
func (a *arena[T]) alloc() *T {
	var p *T
	if n := len(a.free); n > 0 {
		p, a.free = a.free[n-1], a.free[:n-1]
	} else {
		p = new(T)
	}
	a.live = append(a.live, p)
	a.flags = append(a.flags, false)
	return p
}

// reset returns every record to the free list. Records are not cleared:
// every use overwrites one whole (see alloc).
func (a *arena[T]) reset() {
	a.free = append(a.free, a.live...)
	clear(a.live)
	a.live, a.dirty, a.out, a.flags = a.live[:0], a.dirty[:0], a.out[:0], a.flags[:0]
	if a.indexed > 0 {
		clear(a.byKey)
		clear(a.at)
		a.indexed = 0
	}
}

// drop forgets the most recently allocated record, which failed to load.
// It was never looked up, so it is in no map.
func (a *arena[T]) drop() {
	n := len(a.live) - 1
	a.free = append(a.free, a.live[n])
	a.live, a.flags = a.live[:n], a.flags[:n]
	a.indexed = min(a.indexed, n)
}

// index brings the maps up to date with live, once there are enough
// records to need them. A record's key is its ID, which never changes.
func (a *arena[T]) index() bool {
	if len(a.live) <= arenaScan {
		return false
	}
	if a.byKey == nil {
		a.byKey, a.at = make(map[string]*T), make(map[*T]int)
	}
	for ; a.indexed < len(a.live); a.indexed++ {
		p := a.live[a.indexed]
		a.byKey[a.key(p)] = p
		a.at[p] = a.indexed
	}
	return true
}

// find returns the record with key k, or nil.
func (a *arena[T]) find(k string) *T {
	if a.index() {
		return a.byKey[k]
	}
	for _, p := range a.live {
		if a.key(p) == k {
			return p
		}
	}
	return nil
}

// pos returns the index of p in live, or -1.
func (a *arena[T]) pos(p *T) int {
	if a.index() {
		if i, ok := a.at[p]; ok {
			return i
		}
		return -1
	}
	for i, q := range a.live {
		if q == p {
			return i
		}
	}
	return -1
}

func (a *arena[T]) touch(p *T) {
	i := a.pos(p)
	if i < 0 {
		panic("routing: internal error: marking a record the work did not load")
	}
	if !a.flags[i] {
		a.flags[i] = true
		a.dirty = append(a.dirty, i)
	}
}

// isDirty reports whether the work changed p.
func (a *arena[T]) isDirty(p *T) bool {
	i := a.pos(p)
	return i >= 0 && a.flags[i]
}

// written returns copies of the changed records, or nil.
func (a *arena[T]) written() []T {
	if len(a.dirty) == 0 {
		return nil
	}
	for _, i := range a.dirty {
		a.out = append(a.out, *a.live[i])
	}
	return a.out
}

func (w *work) agent(id switchboard.AgentID) (*Agent, error) {
	if a := w.agents.find(string(id)); a != nil {
		return a, nil
	}
	a := w.agents.alloc()
	var err error
	if w.r.loader != nil {
		err = w.r.loader.LoadAgent(w.ctx, id, a)
	} else {
		*a, err = w.r.store.Agent(w.ctx, id)
	}
	if err != nil {
		w.agents.drop()
		return nil, err
	}
	return a, nil
}

func (w *work) chat(id switchboard.ChatID) (*Chat, error) {
	if c := w.chats.find(string(id)); c != nil {
		return c, nil
	}
	c := w.chats.alloc()
	var err error
	if *c, err = w.r.store.Chat(w.ctx, id); err != nil {
		w.chats.drop()
		return nil, err
	}
	return c, nil
}

func (w *work) offer(id OfferID) (*Offer, error) {
	if o := w.offers.find(string(id)); o != nil {
		return o, nil
	}
	o := w.offers.alloc()
	var err error
	if *o, err = w.r.store.Offer(w.ctx, id); err != nil {
		w.offers.drop()
		return nil, err
	}
	return o, nil
}

func (w *work) queue(id switchboard.QueueID) (*Queue, error) {
	if q := w.queues.find(string(id)); q != nil {
		return q, nil
	}
	q := w.queues.alloc()
	var err error
	if *q, err = w.r.store.Queue(w.ctx, id); err != nil {
		w.queues.drop()
		return nil, err
	}
	return q, nil
}

// queueState reads the state record of queue id.
func (w *work) queueState(id switchboard.QueueID) (*QueueState, error) {
	if st := w.states.find(string(id)); st != nil {
		return st, nil
	}
	st := w.states.alloc()
	var err error
	if *st, err = w.r.store.QueueState(w.ctx, id); err != nil {
		w.states.drop()
		return nil, err
	}
	return st, nil
}

// licSlot is one licence shard a work read.
type licSlot struct {
	l             Licence
	loaded, dirty bool
}

// licenceBase reads licence shard 0, which every limit set writes, and sizes
// w.lics to the number of shards it names. Pointers from licenceShard taken
// before are invalid after growLicences.
func (w *work) licenceBase() (*Licence, error) {
	if len(w.lics) == 0 {
		w.growLicences(1)
	}
	l, err := w.licenceShard(0)
	if err != nil {
		return nil, err
	}
	if l.Shards > len(w.lics) {
		w.growLicences(l.Shards)
		l = &w.lics[0].l
	}
	return l, nil
}

// growLicences makes room for n shards in w.lics.
func (w *work) growLicences(n int) {
	if n > len(w.lics) {
		w.lics = append(w.lics, make([]licSlot, n-len(w.lics))...)
	}
}

// licenceShard returns shard i, reading it once per attempt; i must be
// below len(w.lics).
func (w *work) licenceShard(i int) (*Licence, error) {
	s := &w.lics[i]
	if !s.loaded {
		l, err := w.r.store.Licence(w.ctx, i)
		if err != nil {
			return nil, err
		}
		s.l, s.loaded = l, true
	}
	return &s.l, nil
}

// limitedShard returns shard i of the limit base (shard 0) describes. A
// shard written by another limit than base's was rewritten between the two
// reads: the attempt is stale and retried.
func (w *work) limitedShard(base *Licence, i int) (*Licence, error) {
	total, shards := base.Total, base.Shards
	l, err := w.licenceShard(i)
	if err != nil {
		return nil, err
	}
	if l.Total != total || l.Shards != shards || l.Unbalanced != base.Unbalanced {
		return nil, errStale
	}
	return l, nil
}

// limitedBase reads shard 0 and sizes w.lics to every shard of the limit.
// Shards a limit set left unbalanced are fitted to their counts first (see
// [Licence.Unbalanced]). It returns nil with no limit set.
func (w *work) limitedBase() (*Licence, error) {
	base, err := w.licenceBase()
	if err != nil || base.Total == 0 {
		return nil, err
	}
	n := max(base.Shards, 1)
	if n > len(w.lics) {
		w.growLicences(n)
		base = &w.lics[0].l
	}
	if !base.Unbalanced {
		return base, nil
	}
	inUse := 0
	for i := range n {
		l, err := w.limitedShard(base, i)
		if err != nil {
			return nil, err
		}
		inUse += l.InUse
	}
	if inUse >= base.Total {
		return base, nil // every shard stays full until enough chats end
	}
	free := base.Total - inUse
	for i := range n {
		l := &w.lics[i].l
		l.Limit, l.Unbalanced = l.InUse+free/n, false
		if i < free%n {
			l.Limit++
		}
		w.lics[i].dirty = true
	}
	w.dirtyLicence = true
	return base, nil
}

// licenceHash is 32-bit FNV-1a of the chat ID: the same in every process.
func licenceHash(id switchboard.ChatID) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return h
}

// licenceRoom returns the shard chat c takes its unit from: shard
// FNV-1a(ID) mod Shards if it has room, else the next shard with room in
// turn. It returns nil, limited false with no limit set, and nil, limited
// true when every shard is full.
func (w *work) licenceRoom(c *Chat) (l *Licence, limited bool, err error) {
	base, err := w.limitedBase()
	if err != nil || base == nil {
		return nil, false, err
	}
	n := max(base.Shards, 1)
	start := int(licenceHash(c.ID) % uint32(n))
	for k := range n {
		l, err := w.limitedShard(base, (start+k)%n)
		if err != nil {
			return nil, true, err
		}
		if !l.Full() {
			return l, true, nil
		}
	}
	return nil, true, nil
}

// licenceFree reports whether chat c holds or can take a licence unit.
func (w *work) licenceFree(c *Chat) (bool, error) {
	if c.Licensed {
		return true, nil
	}
	l, limited, err := w.licenceRoom(c)
	return l != nil || !limited, err
}

func (w *work) touchAgent(a *Agent) { w.agents.touch(a) }
func (w *work) touchChat(c *Chat)   { c.Parked = false; w.chats.touch(c) }
func (w *work) touchOffer(o *Offer) { w.offers.touch(o) }
func (w *work) touchQueue(q *Queue) { w.queues.touch(q) }

func (w *work) touchQueueState(st *QueueState) { w.states.touch(st) }

// checkNew returns ErrChatExists if a chat with the ID exists. Creating a
// record is itself a compare-and-set that fails if it exists, so only a retry
// after a conflict needs to look.
func (w *work) checkNew(id switchboard.ChatID) error {
	if w.attempt == 0 {
		return nil
	}
	_, err := w.r.store.Chat(w.ctx, id)
	if err == nil {
		return ErrChatExists
	}
	if isNotFound(err) {
		return nil
	}
	return err
}

// newChat adds a chat record to create.
func (w *work) newChat(c Chat) *Chat {
	p := w.chats.alloc()
	*p = c
	p.Version = 0
	w.chats.touch(p)
	return p
}

// newOffer adds an offer record to create.
func (w *work) newOffer(o Offer) *Offer {
	p := w.offers.alloc()
	*p = o
	w.offers.touch(p)
	return p
}

func (w *work) emit(e Event) {
	e.At = w.now
	w.describe(&e)
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
	w.woken = append(w.woken, a) // repeats only move an epoch twice
}

// wake moves on, in the state of each of their queues, the epochs of the
// skills of the agents the work made able to take chats (see
// [QueueState.Epochs]), so that the chats parked on those skills are
// looked at again. It runs once the operation is done, on the agents'
// final records; an agent that is not Available, or is disconnected,
// takes no chat and wakes none.
func (w *work) wake() error {
	for _, a := range w.woken {
		if a.State != Available || a.Disconnected() {
			continue
		}
		for _, q := range a.Profile.Queues {
			st, err := w.queueState(q)
			if err != nil {
				return err
			}
			for i := range st.Epochs {
				e := &st.Epochs[i]
				if _, ok := a.SkillLevel(e.Skill); ok || e.Skill == "" {
					e.Epoch++
				}
			}
			// Written even when no epoch moved: a transaction parking a
			// chat of q meanwhile then conflicts with this one.
			w.touchQueueState(st)
		}
	}
	return nil
}

// park marks chat c of queue q, for which no agent was found, as parked on
// a skill it needs now beyond q's ([Requirements]), or on the empty skill
// (any agent of q), at that skill's epoch in st, the state of q
// read before the agents were looked for. A skill with no epoch yet gets
// one, written with the chat; otherwise st is read-checked, so that an
// agent's change committed since st was read makes the commit conflict.
func (w *work) park(c *Chat, q *Queue, st *QueueState) {
	skill := ""
	for _, r := range Requirements(q, c) {
		if !slices.ContainsFunc(q.RequiredSkills, func(s SkillRequirement) bool { return s.Skill == r.Skill && s.Min >= r.Min }) {
			skill = r.Skill
			break
		}
	}
	w.touchChat(c)
	c.Parked, c.ParkedOn, c.ParkedEpoch = true, skill, st.Epoch(skill)
	if slices.ContainsFunc(st.Epochs, func(e SkillEpoch) bool { return e.Skill == skill }) {
		if !slices.Contains(w.parkedIn, st) {
			w.parkedIn = append(w.parkedIn, st)
		}
		return
	}
	st.Epochs = append(slices.Clip(st.Epochs), SkillEpoch{Skill: skill})
	w.touchQueueState(st)
}

// dirty reports whether the work changed any record.
func (w *work) dirty() bool {
	return len(w.agents.dirty)+len(w.chats.dirty)+len(w.offers.dirty)+len(w.queues.dirty)+len(w.states.dirty) > 0 ||
		w.dirtyLicence
}

func (w *work) txn() Txn {
	t := Txn{Agents: w.agents.written(), Chats: w.chats.written(), Offers: w.offers.written(), Queues: w.queues.written(),
		QueueStates: w.states.written()}
	switch {
	case w.dirtyLicence:
		for i := range w.lics {
			if w.lics[i].dirty {
				w.licOut = append(w.licOut, w.lics[i].l)
			}
		}
		t.Licences, t.CountLicence = w.licOut, w.countLicence
	case w.checkLicence:
		w.checks = append(w.checks[:0], Check{Kind: LicenceRecord, ID: "0", Version: w.lics[0].l.Version})
		t.Checks = w.checks
	}
	for _, st := range w.parkedIn {
		if !w.states.isDirty(st) {
			w.checks = append(w.checks, Check{Kind: QueueStateRecord, ID: string(st.Queue), Version: st.Version})
			t.Checks = w.checks
		}
	}
	return t
}

// returnSeq asks for the Seq the store assigns chat id on commit in *seq.
func (w *work) returnSeq(id switchboard.ChatID, seq *uint64) { w.seqOf, w.seq = id, seq }

// committed hands what the store assigned on committing t (a chat's Seq)
// to the operation.
func (w *work) committed(t *Txn) {
	if w.seq == nil {
		return
	}
	for i := range t.Chats {
		if t.Chats[i].ID == w.seqOf {
			*w.seq = t.Chats[i].Seq
		}
	}
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
	if (prev == Available || prev == WrapUp) && s != Available && s != WrapUp {
		// An agent in WrapUp keeps the offers it had when it went there.
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
//
// An invite or transfer offer settles the chat's [Invitation] instead; see
// [work.invitationAnswered].
func (w *work) resolveOffer(o *Offer, outcome OfferOutcome, taken bool) error {
	o.Outcome, o.Taken, o.ResolvedAt = outcome, taken, w.now
	w.touchOffer(o)
	w.emit(Event{Type: OfferResolved, Agent: o.Agent, Chat: o.Chat, Queue: o.Queue, Offer: o.ID, Kind: o.Kind, From: o.From, Outcome: outcome, Taken: taken})

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
	if o.Kind != RouteOffer {
		if outcome == TimedOut {
			if err := w.setAgentState(a, RONA, ReasonRONA); err != nil {
				return err
			}
		}
		return w.invitationAnswered(c, o, outcome)
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
		if err := w.setAgentState(a, RONA, ReasonRONA); err != nil {
			return err
		}
	}
	if c.Pending > 0 {
		return nil
	}
	unanswered := outcome == Rejected || outcome == TimedOut
	return w.requeue(c, outcome.reason(), unanswered)
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
	clearOnHold(c)
	if c.QueueDeadline.IsZero() {
		// Back in the queue after it was assigned (its agent logged out, a
		// transfer fell back): it waits at most MaxWait again (SPEC R15).
		c.QueueDeadline = deadline(w.now, q.MaxWait)
	}
	c.relaxTo(q, w.now) // the steps that came while it was away
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
			c.QueuedAt, c.QueueDeadline, c.OpensAt = w.now, deadline(w.now, ov.MaxWait), time.Time{}
			c.joinQueue(ov, w.now)
			w.touchChat(c)
			w.emit(Event{Type: ChatOverflowed, Chat: c.ID, Queue: ov.ID, FromQueue: q.ID, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt})
			if open, next := ov.Hours.openAt(w.now, false); !open {
				// Already in the system: it waits for the opening, whatever
				// the overflow queue does with chats arriving anew.
				w.waitOpening(c, ov, next)
				return nil
			}
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

// takeLicence takes a licence unit for chat c from the shard licenceRoom
// picks. Callers check licenceFree first; with every shard full the unit
// counts on the chat's own shard.
func (w *work) takeLicence(c *Chat) error {
	if c.Licensed {
		return nil
	}
	l, limited, err := w.licenceRoom(c)
	if err != nil {
		return err
	}
	c.Licensed, c.LicenceShard = true, 0
	if !limited {
		// Nothing counts units without a limit: check shard 0 instead, so
		// that a limit set meanwhile makes the commit conflict and the
		// retry counts.
		w.checkLicence = true
		return nil
	}
	if l == nil {
		n := max(w.lics[0].l.Shards, 1)
		if l, err = w.limitedShard(&w.lics[0].l, int(licenceHash(c.ID)%uint32(n))); err != nil {
			return err
		}
	}
	c.LicenceShard = l.Shard
	w.countUnit(l, 1)
	return nil
}

// releaseLicence frees chat c's licence unit to the shard it counts on.
func (w *work) releaseLicence(c *Chat) error {
	if !c.Licensed {
		return nil
	}
	base, err := w.limitedBase()
	if err != nil {
		return err
	}
	c.Licensed = false
	if base == nil {
		w.checkLicence = true // as in takeLicence
		return nil
	}
	n := max(base.Shards, 1)
	l, err := w.limitedShard(base, ((c.LicenceShard%n)+n)%n)
	if err != nil {
		return err
	}
	if l.Full() {
		w.routeAll = true // chats of any queue may have waited for this unit
	}
	w.countUnit(l, -1)
	return nil
}

// countUnit counts n units taken (negative: freed) on shard l.
func (w *work) countUnit(l *Licence, n int) {
	l.InUse = max(l.InUse+n, 0)
	w.lics[l.Shard].dirty = true
	w.dirtyLicence = true
}

// finishHold completes the wrap-up hold of agent in chat c, at index i of
// c.Holds.
func (w *work) finishHold(c *Chat, i int) error {
	h := c.Holds[i]
	c.Holds = slices.Delete(slices.Clone(c.Holds), i, i+1)
	if len(c.Holds) == 0 {
		c.Holds = nil
	}
	w.touchChat(c)
	w.emit(Event{Type: WrapUpDone, Chat: c.ID, Queue: c.Queue, Agent: h.Agent})
	a, err := w.agent(h.Agent)
	if err != nil {
		return err
	}
	return w.wrapUpDone(a, h.Channel, true)
}

// wrapUpDone frees the slot of channel ch that agent a held for a chat, and
// counts a wrap-up done if it was one. An agent in WrapUp with no other
// wrap-up returns to Available.
func (w *work) wrapUpDone(a *Agent, ch switchboard.Channel, wrapUp bool) error {
	return w.endWrapUp(a, ch, true, wrapUp)
}

// endWrapUp is wrapUpDone for a chat that may hold no slot: one ended
// while on hold (SPEC O4) frees none.
func (w *work) endWrapUp(a *Agent, ch switchboard.Channel, slot, wrapUp bool) error {
	if a.State == LoggedOut {
		return nil
	}
	if slot {
		a.addLoad(ch, -1)
	}
	if wrapUp && a.WrapUps > 0 {
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

// finishWrapUp completes the wrap-up of chat c by its agent, or, for an
// assigned chat with no wrap-up time, makes it done at once.
func (w *work) finishWrapUp(c *Chat) error {
	a, err := w.agent(c.Agent)
	if err != nil {
		return err
	}
	wrapUp, slot := c.State == InWrapUp, !c.OnHold
	c.State, c.WrapUpUntil = Done, time.Time{}
	clearOnHold(c)
	w.touchChat(c)
	w.emit(Event{Type: ChatDone, Chat: c.ID, Queue: c.Queue, Agent: c.Agent})
	return w.endWrapUp(a, c.Channel, slot, wrapUp)
}

func deadline(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}
