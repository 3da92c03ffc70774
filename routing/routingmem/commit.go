package routingmem

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/btree"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Commit implements [routing.Committer]: every write is checked before any
// is applied, so a conflict changes nothing. The transaction's events are
// appended to the event log and its ID remembered under the same lock. The
// in-memory store always knows the outcome: it never returns
// [routing.ErrOutcomeUnknown].
func (s *Store) Commit(ctx context.Context, txn routing.Txn) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(&txn); err != nil {
		return err
	}
	// Queues first: agent pools and chat indexes depend on them.
	for i := range txn.Queues {
		s.putQueue(&txn.Queues[i])
	}
	if len(txn.Queues) > 0 {
		s.queueList.Store(nil) // listed again when next read
	}
	for i := range txn.Agents {
		s.putAgent(&txn.Agents[i], s.found.agents[i])
	}
	// Queue states before chats: a chat is parked against its queue's
	// epochs as the transaction leaves them.
	for i := range txn.QueueStates {
		s.putState(&txn.QueueStates[i])
	}
	for i := range txn.Chats {
		s.putChat(&txn.Chats[i], s.found.chats[i])
	}
	for i := range txn.Offers {
		s.putOffer(&txn.Offers[i], s.found.offers[i])
	}
	// Chats that became final are listed with their offers, this
	// transaction's included.
	for _, id := range s.retiring {
		n := len(s.chatOffers[id])
		s.finished = append(s.finished, finishedChat{id: id, offers: n})
		s.finishedOffers += n
	}
	clear(s.retiring)
	s.retiring = s.retiring[:0]
	for _, l := range txn.Licences {
		l.Version = s.licences[l.Shard].Version + 1
		if txn.CountLicence {
			l.InUse = s.countLicence(l.Shard, l.Shards)
		}
		s.licences[l.Shard] = l
	}
	s.logEvents(&txn)
	s.recordTxn(txn.ID)
	s.forget()
	return nil
}

// finishedChat is a chat that became final, and how many offers it held
// then.
type finishedChat struct {
	id     switchboard.ChatID
	offers int
}

// forget drops the oldest final chats and their offers beyond
// KeepFinished, and the offers of the oldest beyond KeepFinishedOffers.
func (s *Store) forget() {
	s.forgetOffers()
	keep := s.cfg.KeepFinished
	// Forget in batches, so the cost per commit stays constant.
	if keep < 0 || len(s.finished) <= keep+max(keep/8, 64) {
		return
	}
	drop := s.finished[:len(s.finished)-keep]
	for i, f := range drop {
		if i >= s.lean {
			s.finishedOffers -= f.offers
		}
		c, ok := s.chats[f.id]
		if !ok || !retired(c) {
			continue
		}
		s.dropOffers(f.id)
		delete(s.chats, f.id)
		if c.Licensed {
			s.unlicense(c.LicenceShard)
		}
		s.free.chats = append(s.free.chats, c)
	}
	s.finished = slices.Delete(s.finished, 0, len(drop))
	s.lean = max(s.lean-len(drop), 0)
}

// forgetOffers drops the offers of the oldest final chats while the final
// chats hold more than KeepFinishedOffers, in batches as forget does. A
// chat reopened since it was listed keeps its offers: it is listed again
// when it is final again.
func (s *Store) forgetOffers() {
	keep := s.cfg.KeepFinishedOffers
	if keep < 0 || s.finishedOffers <= keep+max(keep/8, 64) {
		return
	}
	for s.finishedOffers > keep && s.lean < len(s.finished) {
		f := s.finished[s.lean]
		s.lean++
		s.finishedOffers -= f.offers
		if c, ok := s.chats[f.id]; ok && retired(c) {
			s.dropOffers(f.id)
		}
	}
}

// dropOffers forgets every offer of final chat id, keeping the records for
// new ones.
func (s *Store) dropOffers(id switchboard.ChatID) {
	ids, ok := s.chatOffers[id]
	if !ok {
		return
	}
	for _, oid := range ids {
		if o := s.offers[oid]; o != nil {
			s.free.offers = append(s.free.offers, o)
		}
		delete(s.offers, oid) // final chats have no pending offer
	}
	if cap(ids) > 0 {
		s.free.ids = append(s.free.ids, ids[:0])
	}
	delete(s.chatOffers, id)
}

// recycled keeps the records and lists of forgotten chats for new ones, so
// a long-running store allocates little once it has filled up. A forgotten
// record is referenced by nothing but this list: it is final, so it is in no
// index, and readers only ever got copies.
type recycled struct {
	chats  []*routing.Chat
	offers []*routing.Offer
	ids    [][]routing.OfferID
}

func take[T any](free *[]*T) *T {
	if n := len(*free); n > 0 {
		p := (*free)[n-1]
		*free = (*free)[:n-1]
		return p
	}
	return new(T)
}

func conflict(kind string, id any) error {
	return fmt.Errorf("routingmem: %s %v: %w", kind, id, routing.ErrConflict)
}

// found holds what check looked up, so that the writes after it need not
// look the records up again. It is scratch space guarded by the store's
// mutex.
type found struct {
	agents []*routing.Agent
	chats  []*routing.Chat
	offers []*routing.Offer
}

// checkVersion checks a write of record id at version against m and returns
// the stored record, nil for a creation.
func checkVersion[K comparable, V any](kind string, m map[K]*V, id K, version uint64, stored func(*V) uint64) (*V, error) {
	cur, ok := m[id]
	switch {
	case version == 0 && ok:
		return nil, conflict(kind+" exists", id)
	case version != 0 && !ok:
		return nil, conflict(kind+" missing", id)
	case ok && stored(cur) != version:
		return nil, conflict(kind, id)
	}
	return cur, nil
}

func (s *Store) check(txn *routing.Txn) error {
	s.found.agents, s.found.chats, s.found.offers = s.found.agents[:0], s.found.chats[:0], s.found.offers[:0]
	if id, ok := twice(s, txn.Agents, func(a *routing.Agent) string { return string(a.ID) }); ok {
		return fmt.Errorf("routingmem: agent %s written twice: %w", id, routing.ErrInvalid)
	}
	if id, ok := twice(s, txn.Chats, func(c *routing.Chat) string { return string(c.ID) }); ok {
		return fmt.Errorf("routingmem: chat %s written twice: %w", id, routing.ErrInvalid)
	}
	if id, ok := twice(s, txn.Offers, func(o *routing.Offer) string { return string(o.ID) }); ok {
		return fmt.Errorf("routingmem: offer %s written twice: %w", id, routing.ErrInvalid)
	}
	for i := range txn.Agents {
		a := &txn.Agents[i]
		cur, err := checkVersion("agent", s.agents, a.ID, a.Version, func(v *routing.Agent) uint64 { return v.Version })
		if err != nil {
			return err
		}
		s.found.agents = append(s.found.agents, cur)
	}
	for i := range txn.Chats {
		c := &txn.Chats[i]
		cur, err := checkVersion("chat", s.chats, c.ID, c.Version, func(v *routing.Chat) uint64 { return v.Version })
		if err != nil {
			return err
		}
		s.found.chats = append(s.found.chats, cur)
	}
	for i := range txn.Offers {
		o := &txn.Offers[i]
		cur, err := checkVersion("offer", s.offers, o.ID, o.Version, func(v *routing.Offer) uint64 { return v.Version })
		if err != nil {
			return err
		}
		s.found.offers = append(s.found.offers, cur)
	}
	for i, q := range txn.Queues {
		if slices.ContainsFunc(txn.Queues[:i], func(p routing.Queue) bool { return p.ID == q.ID }) {
			return fmt.Errorf("routingmem: queue %s written twice: %w", q.ID, routing.ErrInvalid)
		}
		if _, err := checkVersion("queue", s.queues, q.ID, q.Version, func(v *routing.Queue) uint64 { return v.Version }); err != nil {
			return err
		}
	}
	for i, st := range txn.QueueStates {
		if slices.ContainsFunc(txn.QueueStates[:i], func(p routing.QueueState) bool { return p.Queue == st.Queue }) {
			return fmt.Errorf("routingmem: state of queue %s written twice: %w", st.Queue, routing.ErrInvalid)
		}
		if _, err := checkVersion("queue state", s.states, st.Queue, st.Version, func(v *routing.QueueState) uint64 { return v.Version }); err != nil {
			return err
		}
	}
	for i, l := range txn.Licences {
		if l.Shard < 0 {
			return fmt.Errorf("routingmem: licence shard %d: %w", l.Shard, routing.ErrInvalid)
		}
		if slices.ContainsFunc(txn.Licences[:i], func(p routing.Licence) bool { return p.Shard == l.Shard }) {
			return fmt.Errorf("routingmem: licence shard %d written twice: %w", l.Shard, routing.ErrInvalid)
		}
		if l.Version != s.licences[l.Shard].Version {
			return conflict("licence shard", l.Shard)
		}
	}
	if txn.CountLicence && len(txn.Licences) == 0 {
		return fmt.Errorf("routingmem: licence count without a licence write: %w", routing.ErrInvalid)
	}
	for _, c := range txn.Checks {
		if err := s.checkRead(txn, c); err != nil {
			return err
		}
	}
	return nil
}

// twice returns a key that two of xs have, if any: by comparing every pair
// for a few records, by a set for many, so that a large transaction (a
// ring-all round) is checked in linear time.
func twice[T any](s *Store, xs []T, key func(*T) string) (string, bool) {
	if len(xs) <= 16 {
		for i := range xs {
			for j := range i {
				if k := key(&xs[i]); k == key(&xs[j]) {
					return k, true
				}
			}
		}
		return "", false
	}
	if s.seen == nil {
		s.seen = make(map[string]struct{}, len(xs))
	}
	defer clear(s.seen)
	for i := range xs {
		k := key(&xs[i])
		if _, ok := s.seen[k]; ok {
			return k, true
		}
		s.seen[k] = struct{}{}
	}
	return "", false
}

// checkRead checks one read-check of txn.
func (s *Store) checkRead(txn *routing.Txn, c routing.Check) error {
	var written bool
	var stored uint64
	switch c.Kind {
	case routing.LicenceRecord:
		shard, err := strconv.Atoi(c.ID)
		if err != nil || shard < 0 || strconv.Itoa(shard) != c.ID {
			return fmt.Errorf("routingmem: check of the licence names %q: %w", c.ID, routing.ErrInvalid)
		}
		written = slices.ContainsFunc(txn.Licences, func(l routing.Licence) bool { return l.Shard == shard })
		stored = s.licences[shard].Version
	case routing.AgentRecord:
		id := switchboard.AgentID(c.ID)
		written = slices.ContainsFunc(txn.Agents, func(a routing.Agent) bool { return a.ID == id })
		stored = storedVersion(s.agents, id, func(a *routing.Agent) uint64 { return a.Version })
	case routing.ChatRecord:
		id := switchboard.ChatID(c.ID)
		written = slices.ContainsFunc(txn.Chats, func(d routing.Chat) bool { return d.ID == id })
		stored = storedVersion(s.chats, id, func(d *routing.Chat) uint64 { return d.Version })
	case routing.OfferRecord:
		id := routing.OfferID(c.ID)
		written = slices.ContainsFunc(txn.Offers, func(o routing.Offer) bool { return o.ID == id })
		stored = storedVersion(s.offers, id, func(o *routing.Offer) uint64 { return o.Version })
	case routing.QueueRecord:
		id := switchboard.QueueID(c.ID)
		written = slices.ContainsFunc(txn.Queues, func(q routing.Queue) bool { return q.ID == id })
		stored = storedVersion(s.queues, id, func(q *routing.Queue) uint64 { return q.Version })
	case routing.QueueStateRecord:
		id := switchboard.QueueID(c.ID)
		written = slices.ContainsFunc(txn.QueueStates, func(st routing.QueueState) bool { return st.Queue == id })
		stored = storedVersion(s.states, id, func(st *routing.QueueState) uint64 { return st.Version })
	default:
		return fmt.Errorf("routingmem: check of record kind %d: %w", c.Kind, routing.ErrInvalid)
	}
	if written {
		return fmt.Errorf("routingmem: record %q of kind %d both checked and written: %w", c.ID, c.Kind, routing.ErrInvalid)
	}
	if stored != c.Version {
		return conflict("checked record", fmt.Sprintf("%d/%q", c.Kind, c.ID))
	}
	return nil
}

// storedVersion returns the version of record id of m, 0 if it is not stored.
func storedVersion[K comparable, V any](m map[K]*V, id K, version func(*V) uint64) uint64 {
	if v, ok := m[id]; ok {
		return version(v)
	}
	return 0
}

// --- queues ---

func (s *Store) putQueue(in *routing.Queue) {
	q := cloneQueue(in)
	q.Version++
	old := s.queues[q.ID]
	s.queues[q.ID] = &q
	order := routing.OrderOf(q.Strategy)
	if p := s.pools[q.ID]; p != nil && old != nil && p.order == order && p.channel == q.Channel {
		return
	}
	// New queue, or its order or channel changed: build its pool afresh.
	p := newPool(order, q.Channel)
	s.pools[q.ID] = p
	for _, a := range s.agents {
		if inPool(a, q.ID, p) {
			p.insert(a)
		}
	}
}

// --- queue states and parked chats ---

// parkKey names the chats of a queue parked on one skill.
type parkKey struct {
	queue switchboard.QueueID
	skill string
}

// putState stores a written queue state. The chats parked on a skill whose
// epoch moved are waiting again.
func (s *Store) putState(in *routing.QueueState) {
	cur := s.states[in.Queue]
	if cur == nil {
		cur = &routing.QueueState{Queue: in.Queue}
		s.states[in.Queue] = cur
	}
	for _, e := range in.Epochs {
		if cur.Epoch(e.Skill) != e.Epoch {
			s.unpark(parkKey{in.Queue, e.Skill})
		}
	}
	for _, e := range cur.Epochs {
		if in.Epoch(e.Skill) != e.Epoch {
			s.unpark(parkKey{in.Queue, e.Skill}) // an entry dropped
		}
	}
	epochs := keep(cur.Epochs, in.Epochs)
	*cur = *in
	cur.Epochs = epochs
	cur.Version++
}

// unpark makes the chats parked on k waiting again.
func (s *Store) unpark(k parkKey) {
	for c := range s.parked[k] {
		s.chatTree(s.queued, c.Queue).ReplaceOrInsert(c)
	}
	delete(s.parked, k)
}

// parkedNow reports whether stored chat c is parked now.
func (s *Store) parkedNow(c *routing.Chat) bool {
	if c.State != routing.Queued || !c.Parked {
		return false
	}
	if st := s.states[c.Queue]; st != nil {
		return st.ParkedNow(c)
	}
	return c.ParkedEpoch == 0
}

// enqueue puts stored chat c, Queued, in the index of parked chats or of
// waiting ones.
func (s *Store) enqueue(c *routing.Chat) {
	if !s.parkedNow(c) {
		s.chatTree(s.queued, c.Queue).ReplaceOrInsert(c)
		return
	}
	k := parkKey{c.Queue, c.ParkedOn}
	set := s.parked[k]
	if set == nil {
		set = make(map[*routing.Chat]struct{})
		s.parked[k] = set
	}
	set[c] = struct{}{}
}

// dequeue takes stored chat c, Queued, out of whichever index holds it.
func (s *Store) dequeue(c *routing.Chat) {
	if c.Parked {
		k := parkKey{c.Queue, c.ParkedOn}
		if set, ok := s.parked[k]; ok {
			if _, ok := set[c]; ok {
				delete(set, c)
				if len(set) == 0 {
					delete(s.parked, k)
				}
				return
			}
		}
	}
	if t := s.queued[c.Queue]; t != nil {
		t.Delete(c)
	}
}

// --- agents ---

func inPool(a *routing.Agent, q switchboard.QueueID, p *pool) bool {
	return a.State == routing.Available && !a.Disconnected() && a.Serves(q) && a.HasRoom(p.channel)
}

// putAgent stores a written agent. Records are updated in place: they are
// taken out of every index first, since their keys may change, and put back
// after. Slices equal to the stored ones are shared, never copied again: the
// store never mutates a slice it keeps.
func (s *Store) putAgent(in *routing.Agent, a *routing.Agent) {
	if a != nil {
		if d := a.NextDeadline(); !d.IsZero() {
			s.deadlines.Delete(routing.Due{At: d, Kind: routing.AgentDeadline, Key: string(a.ID)})
		}
		for _, q := range a.Profile.Queues {
			if p := s.pools[q]; p != nil {
				p.delete(a)
			}
		}
	} else {
		a = new(routing.Agent)
		s.agents[in.ID] = a
	}
	prev := a.Profile
	used, work := keep(a.Used, in.Used), keep(a.Work, in.Work)
	*a = *in
	a.Profile.Queues = keep(prev.Queues, in.Profile.Queues)
	a.Profile.Capacity = keep(prev.Capacity, in.Profile.Capacity)
	a.Profile.Skills = keep(prev.Skills, in.Profile.Skills)
	a.Profile.Interrupts = keep(prev.Interrupts, in.Profile.Interrupts)
	a.Used, a.Work = used, work
	a.Version++
	if d := a.NextDeadline(); !d.IsZero() {
		s.deadlines.ReplaceOrInsert(routing.Due{At: d, Kind: routing.AgentDeadline, Key: string(a.ID)})
	}
	for _, q := range a.Profile.Queues {
		if p := s.pools[q]; p != nil && inPool(a, q, p) {
			p.insert(a)
		}
	}
}

// keep returns the slice to store for a record being updated in place from
// stored to written: stored itself when they are equal, else a copy of
// written, in stored's backing array when it fits. Nothing but the record
// holds stored (readers get copies), so reusing it is safe.
func keep[S ~[]E, E comparable](stored, written S) S {
	switch {
	case len(written) == 0:
		return nil
	case slices.Equal(stored, written):
		return stored
	case cap(stored) >= len(written):
		return append(stored[:0], written...)
	}
	return slices.Clone(written)
}

// --- chats ---

func (s *Store) chatTree(m map[switchboard.QueueID]*btree.BTreeG[*routing.Chat], q switchboard.QueueID) *btree.BTreeG[*routing.Chat] {
	t := m[q]
	if t == nil {
		t = btree.NewG(degree, lessChat)
		m[q] = t
	}
	return t
}

// eachHolder calls f for every agent a chat is counted for by AgentChats:
// its owner, its consultants and the agents holding a wrap-up of it, each
// once. It allocates nothing: it runs on every chat write.
func eachHolder(c *routing.Chat, f func(switchboard.AgentID)) {
	active := !c.State.Final()
	owner := active && (c.State == routing.Assigned || c.State == routing.InWrapUp) && c.Agent != ""
	consulting := active && c.State == routing.Assigned
	if owner {
		f(c.Agent)
	}
	if consulting {
		for _, m := range c.Consultants {
			f(m)
		}
	}
	for i, h := range c.Holds {
		seen := (owner && h.Agent == c.Agent) || (consulting && slices.Contains(c.Consultants, h.Agent)) ||
			slices.ContainsFunc(c.Holds[:i], func(g routing.Hold) bool { return g.Agent == h.Agent })
		if !seen {
			f(h.Agent)
		}
	}
}

// holders appends to dst the agents AgentChats lists chat c for (nil c: none).
func holders(c *routing.Chat, dst []switchboard.AgentID) []switchboard.AgentID {
	if c != nil {
		eachHolder(c, func(ag switchboard.AgentID) { dst = append(dst, ag) })
	}
	return dst
}

// retired reports whether a chat needs nothing more: it is final and no
// agent holds a wrap-up of it, so the store may forget it.
func retired(c *routing.Chat) bool { return c.State.Final() && len(c.Holds) == 0 }

func (s *Store) putChat(in *routing.Chat, old *routing.Chat) {
	wasRetired := old != nil && retired(old)
	wasLicensed := old != nil && old.Licensed
	var oldShard int
	if wasLicensed {
		oldShard = old.LicenceShard
	}
	if old != nil {
		if old.State == routing.Queued {
			s.dequeue(old)
		}
		if old.State == routing.Queued || old.State == routing.Offered {
			if t := s.lined[old.Queue]; t != nil {
				t.Delete(old)
			}
		}
		if d := old.NextDeadline(); !d.IsZero() {
			s.deadlines.Delete(routing.Due{At: d, Kind: routing.ChatDeadline, Key: string(old.ID)})
		}
	}
	var before, after [4]switchboard.AgentID
	held := holders(old, before[:0])
	c := old
	if c == nil {
		c = take(&s.free.chats)
		s.chats[in.ID] = c
	}
	prev := *c
	if old == nil || in.Seq == 0 {
		s.seq++
		in.Seq = s.seq // reported back to the committer
	} else {
		in.Seq = prev.Seq
	}
	*c = *in
	c.Skills = keep(prev.Skills, in.Skills)
	c.Transcript = keep(prev.Transcript, in.Transcript)
	c.Rejected = keep(prev.Rejected, in.Rejected)
	c.Consultants = keep(prev.Consultants, in.Consultants)
	c.Holds = keep(prev.Holds, in.Holds)
	c.Invitation.Declined = keep(prev.Invitation.Declined, in.Invitation.Declined)
	c.Version++
	if wasLicensed {
		s.unlicense(oldShard)
	}
	if c.Licensed {
		s.licensed[c.LicenceShard]++
	}
	if c.State == routing.Queued {
		s.enqueue(c)
	}
	if c.State == routing.Queued || c.State == routing.Offered {
		t := s.lined[c.Queue]
		if t == nil {
			t = newOSTree()
			s.lined[c.Queue] = t
		}
		t.Insert(c)
	}
	if d := c.NextDeadline(); !d.IsZero() {
		s.deadlines.ReplaceOrInsert(routing.Due{At: d, Kind: routing.ChatDeadline, Key: string(c.ID)})
	}
	if holds := holders(c, after[:0]); !slices.Equal(held, holds) {
		for _, ag := range held {
			s.agentChats[ag] = remove(s.agentChats[ag], c.ID)
		}
		for _, ag := range holds {
			s.agentChats[ag] = append(s.agentChats[ag], c.ID)
		}
	}
	if retired(c) && !wasRetired {
		s.retiring = append(s.retiring, c.ID)
	}
}

// --- offers ---

func (s *Store) putOffer(in *routing.Offer, old *routing.Offer) {
	if old == nil {
		ids, ok := s.chatOffers[in.Chat]
		if !ok {
			if n := len(s.free.ids); n > 0 {
				ids, s.free.ids = s.free.ids[n-1], s.free.ids[:n-1]
			}
		}
		s.chatOffers[in.Chat] = append(ids, in.ID)
	} else {
		if d := old.NextDeadline(); !d.IsZero() {
			s.deadlines.Delete(routing.Due{At: d, Kind: routing.OfferDeadline, Key: string(old.ID)})
		}
		if old.Outcome == routing.Pending {
			s.agentOffers[old.Agent] = remove(s.agentOffers[old.Agent], old.ID)
		}
	}
	o := old
	if o == nil {
		o = take(&s.free.offers)
		s.offers[in.ID] = o
	}
	*o = *in
	o.Version++
	if d := o.NextDeadline(); !d.IsZero() {
		s.deadlines.ReplaceOrInsert(routing.Due{At: d, Kind: routing.OfferDeadline, Key: string(o.ID)})
	}
	if o.Outcome == routing.Pending {
		s.agentOffers[o.Agent] = append(s.agentOffers[o.Agent], o.ID)
	}
}

func remove[T comparable](s []T, v T) []T {
	if i := slices.Index(s, v); i >= 0 {
		return slices.Delete(s, i, i+1)
	}
	return s
}

// --- copies across the boundary ---

func cloneAgent(a *routing.Agent) routing.Agent {
	c := *a
	c.Profile.Queues = slices.Clone(a.Profile.Queues)
	c.Profile.Capacity = slices.Clone(a.Profile.Capacity)
	c.Profile.Skills = slices.Clone(a.Profile.Skills)
	c.Used = slices.Clone(a.Used)
	c.Profile.Interrupts = slices.Clone(a.Profile.Interrupts)
	c.Work = slices.Clone(a.Work)
	return c
}

func cloneChat(c *routing.Chat) routing.Chat {
	d := *c
	d.Skills = slices.Clone(c.Skills)
	d.Transcript = slices.Clone(c.Transcript)
	d.Rejected = slices.Clone(c.Rejected)
	d.Consultants = slices.Clone(c.Consultants)
	d.Holds = slices.Clone(c.Holds)
	d.Invitation.Declined = slices.Clone(c.Invitation.Declined)
	return d
}

func cloneQueue(q *routing.Queue) routing.Queue {
	r := *q
	r.RequiredSkills = slices.Clone(q.RequiredSkills)
	r.Relax = slices.Clone(q.Relax)
	for i := range r.Relax {
		r.Relax[i].Drop = slices.Clone(q.Relax[i].Drop)
	}
	r.Chat.WrapUpReasons = slices.Clone(q.Chat.WrapUpReasons)
	r.Chat.Responses = slices.Clone(q.Chat.Responses)
	return r
}

// unlicense uncounts a stored chat that held a unit of shard.
func (s *Store) unlicense(shard int) {
	if s.licensed[shard]--; s.licensed[shard] <= 0 {
		delete(s.licensed, shard)
	}
}

// countLicence counts the stored chats holding a unit that counts on shard
// of shards: those whose LicenceShard mod shards is shard.
func (s *Store) countLicence(shard, shards int) int {
	shards = max(shards, 1)
	n := 0
	for k, v := range s.licensed {
		if ((k%shards)+shards)%shards == shard {
			n += v
		}
	}
	return n
}
