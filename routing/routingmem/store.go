package routingmem

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/google/btree"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Config holds the optional settings of a [Store]. The zero Config is valid.
type Config struct {
	// KeepFinished is how many final (done or ended) chats the store keeps,
	// with their offers, so they can still be read. Older ones are
	// forgotten: reading them returns [routing.ErrChatNotFound] or
	// [routing.ErrOfferNotFound]. This bounds the memory of a long-running
	// process. Defaults to 10,000; a negative value keeps every chat.
	KeepFinished int
	// KeepFinishedOffers is how many offers of final chats the store
	// keeps. A ring-all round makes an offer to every agent it rings
	// (routing.Queue.RingAllMax), so KeepFinished chats alone do not
	// bound the memory: at 1,000 agents rung, each final chat holds about
	// 350 KB of offers. When the final chats hold more offers than this,
	// the offers of the oldest are forgotten first: reading one returns
	// [routing.ErrOfferNotFound], while the chat itself stays readable
	// until KeepFinished forgets it. Defaults to 100,000 (about 40 MB,
	// with the records kept for reuse); a negative value keeps the offers
	// of every final chat kept.
	KeepFinishedOffers int
	// Partitions is the number of partitions of the event log
	// ([routing.EventLog]). Defaults to 4 (values below 1 mean the
	// default).
	Partitions int
	// Clock, when set, times how long the store remembers committed
	// transaction IDs for [Store.Applied]: [routing.TxnRetention] after
	// their commit. Without it the store remembers the last KeepTxns IDs,
	// which covers the retention window only while fewer than KeepTxns
	// transactions commit in it. Defaults to nil: no clock.
	Clock clock.Clock
	// KeepTxns is how many committed transaction IDs a store without a
	// Clock remembers. Defaults to 65,536 (values below 1 mean the
	// default).
	KeepTxns int
}

// Store is an in-memory [routing.Store], with its event log and the IDs of
// committed transactions. The zero value is not usable; call [New]. A Store is
// safe for concurrent use: one read-write mutex guards it, so reads proceed
// side by side and wait only for writes ([Store.Commit],
// [Store.SaveCursor]), and no method calls out while holding it.
type Store struct {
	cfg    Config
	mu     sync.RWMutex
	agents map[switchboard.AgentID]*routing.Agent
	chats  map[switchboard.ChatID]*routing.Chat
	offers map[routing.OfferID]*routing.Offer
	queues map[switchboard.QueueID]*routing.Queue
	// queueList holds every stored queue ordered by ID, or nil once a
	// queue is stored: the next read lists them again, so that storing
	// many queues in a row costs no listing each. A list is replaced,
	// never modified, so it can be lent. listMu lets one reader list the
	// queues while others wait for its list.
	queueList atomic.Pointer[[]routing.Queue]
	listMu    sync.Mutex
	states    map[switchboard.QueueID]*routing.QueueState
	licences  map[int]routing.Licence // by shard
	seq       uint64                  // the last Chat.Seq assigned
	// licensed counts the stored chats with Licensed set by their
	// LicenceShard, for Txn.CountLicence.
	licensed map[int]int

	pools       map[switchboard.QueueID]*pool                        // candidates per queue
	queued      map[switchboard.QueueID]*btree.BTreeG[*routing.Chat] // Queued chats, but those parked now
	parked      map[parkKey]map[*routing.Chat]struct{}               // Queued chats parked now, by skill
	lined       map[switchboard.QueueID]*ostree                      // Queued and Offered chats, ranked
	deadlines   *btree.BTreeG[routing.Due]
	agentOffers map[switchboard.AgentID][]routing.OfferID // pending offers, oldest first
	chatOffers  map[switchboard.ChatID][]routing.OfferID  // every offer, oldest first
	agentChats  map[switchboard.AgentID][]switchboard.ChatID
	finished    []finishedChat // final chats, oldest first
	// lean is how many of finished, from the oldest, have had their
	// offers forgotten; finishedOffers counts the offers of the others.
	lean           int
	finishedOffers int
	retiring       []switchboard.ChatID // scratch: the chats a commit makes final
	found          found
	seen           map[string]struct{} // scratch for Commit's check of records written twice
	free           recycled

	parts   []partition // the event log
	cursors map[cursorKey]routing.Cursor
	// Committed transaction IDs: with a clock, txns from txnHead, oldest
	// first; without, txnRing, whose oldest entry is at txnNext once full.
	txns    []appliedTxn
	txnHead int
	txnRing []string
	txnNext int
}

var (
	_ routing.Store         = (*Store)(nil)
	_ routing.AgentLoader   = (*Store)(nil)
	_ routing.EventAppender = (*Store)(nil)
	_ routing.QueueLender   = (*Store)(nil)
	_ routing.EventTipStore = (*Store)(nil)
)

const degree = 16

// New returns an empty Store.
func New(cfg Config) *Store {
	if cfg.KeepFinished == 0 {
		cfg.KeepFinished = 10_000
	}
	if cfg.KeepFinishedOffers == 0 {
		cfg.KeepFinishedOffers = 100_000
	}
	if cfg.Partitions < 1 {
		cfg.Partitions = 4
	}
	if cfg.KeepTxns < 1 {
		cfg.KeepTxns = 1 << 16
	}
	return &Store{
		cfg:         cfg,
		agents:      make(map[switchboard.AgentID]*routing.Agent),
		chats:       make(map[switchboard.ChatID]*routing.Chat),
		offers:      make(map[routing.OfferID]*routing.Offer),
		queues:      make(map[switchboard.QueueID]*routing.Queue),
		states:      make(map[switchboard.QueueID]*routing.QueueState),
		licences:    make(map[int]routing.Licence),
		licensed:    make(map[int]int),
		pools:       make(map[switchboard.QueueID]*pool),
		queued:      make(map[switchboard.QueueID]*btree.BTreeG[*routing.Chat]),
		parked:      make(map[parkKey]map[*routing.Chat]struct{}),
		lined:       make(map[switchboard.QueueID]*ostree),
		deadlines:   btree.NewG(degree, lessDue),
		agentOffers: make(map[switchboard.AgentID][]routing.OfferID),
		chatOffers:  make(map[switchboard.ChatID][]routing.OfferID),
		agentChats:  make(map[switchboard.AgentID][]switchboard.ChatID),
		parts:       make([]partition, cfg.Partitions),
		cursors:     make(map[cursorKey]routing.Cursor),
	}
}

func lessDue(a, b routing.Due) bool {
	if c := a.At.Compare(b.At); c != 0 {
		return c < 0
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return a.Key < b.Key
}

func lessChat(a, b *routing.Chat) bool { return routing.CompareChats(a, b) < 0 }

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("routingmem: %w", err)
	}
	return nil
}

// Agent implements [routing.AgentStore].
func (s *Store) Agent(ctx context.Context, id switchboard.AgentID) (routing.Agent, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.Agent{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.agents[id]
	if !ok {
		return routing.Agent{}, fmt.Errorf("agent %q: %w", id, routing.ErrAgentNotFound)
	}
	return cloneAgent(a), nil
}

// LoadAgent implements [routing.AgentLoader]: it copies the agent into dst
// without allocating when dst's slices are large enough.
func (s *Store) LoadAgent(ctx context.Context, id switchboard.AgentID, dst *routing.Agent) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.agents[id]
	if !ok {
		return fmt.Errorf("agent %q: %w", id, routing.ErrAgentNotFound)
	}
	queues, capacity, skills, used := dst.Profile.Queues[:0], dst.Profile.Capacity[:0], dst.Profile.Skills[:0], dst.Used[:0]
	interrupts, work := dst.Profile.Interrupts[:0], dst.Work[:0]
	*dst = *a
	dst.Profile.Queues = append(queues, a.Profile.Queues...)
	dst.Profile.Capacity = append(capacity, a.Profile.Capacity...)
	dst.Profile.Skills = append(skills, a.Profile.Skills...)
	dst.Used = append(used, a.Used...)
	dst.Profile.Interrupts = append(interrupts, a.Profile.Interrupts...)
	dst.Work = append(work, a.Work...)
	return nil
}

// Candidates implements [routing.AgentStore]. A query in the order of its
// queue's strategy is answered from the queue's indexes: without required
// skills in O(log n + k) for k agents skipped by exclusions; with them from
// the agents meeting the requirement fewest agents meet, in O(log n + m) for
// the m of them passed over, and at once when no agent meets one. Any other
// order scans every agent.
func (s *Store) Candidates(ctx context.Context, q routing.CandidateQuery) ([]switchboard.AgentID, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []switchboard.AgentID
	if p := s.pools[q.Queue]; p != nil && p.order == q.Order && p.channel == q.Channel {
		if q.Limit == 1 && q.After == "" {
			// The common question, "who is first?", usually answered by
			// the first agent of the pool.
			if a, ok := p.tree.Min(); ok && q.Matches(a) {
				return []switchboard.AgentID{a.ID}, nil
			}
		}
		return p.candidates(&q), nil
	}
	var all []*routing.Agent
	for _, a := range s.agents {
		if q.Matches(a) {
			all = append(all, a)
		}
	}
	slices.SortFunc(all, func(a, b *routing.Agent) int { return routing.Compare(q.Order, q.Channel, a, b) })
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	for _, a := range all {
		out = append(out, a.ID)
	}
	return out, nil
}

// Chat implements [routing.ChatStore].
func (s *Store) Chat(ctx context.Context, id switchboard.ChatID) (routing.Chat, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.Chat{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.chats[id]
	if !ok {
		return routing.Chat{}, fmt.Errorf("chat %q: %w", id, routing.ErrChatNotFound)
	}
	return cloneChat(c), nil
}

// Waiting implements [routing.ChatStore]. Parked chats are kept in an index
// of their own, so that chats no agent can take cost nothing here.
func (s *Store) Waiting(ctx context.Context, q switchboard.QueueID, offset, limit int) ([]switchboard.ChatID, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.queued[q]
	if t == nil {
		return nil, nil
	}
	n := t.Len() - offset
	if limit > 0 && n > limit {
		n = limit
	}
	if n <= 0 {
		return nil, nil
	}
	out := make([]switchboard.ChatID, 0, n)
	i := 0
	t.Ascend(func(c *routing.Chat) bool {
		if i >= offset {
			out = append(out, c.ID)
		}
		i++
		return len(out) < n
	})
	return out, nil
}

// Position implements [routing.ChatStore]. It is always exact, and takes
// O(log n) for a queue of n chats: each queue's waiting chats are kept in an
// order-statistic tree.
func (s *Store) Position(ctx context.Context, id switchboard.ChatID) (int, bool, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.chats[id]
	if !ok {
		return 0, false, fmt.Errorf("chat %q: %w", id, routing.ErrChatNotFound)
	}
	t := s.lined[c.Queue]
	if t == nil {
		return 0, true, nil
	}
	return t.Rank(c), true, nil
}

// AgentChats implements [routing.ChatStore].
func (s *Store) AgentChats(ctx context.Context, agent switchboard.AgentID) ([]routing.Chat, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.agentChats[agent]
	out := make([]routing.Chat, 0, len(ids))
	for _, id := range ids {
		out = append(out, cloneChat(s.chats[id]))
	}
	return out, nil
}

// Offer implements [routing.OfferStore].
func (s *Store) Offer(ctx context.Context, id routing.OfferID) (routing.Offer, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.Offer{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.offers[id]
	if !ok {
		return routing.Offer{}, fmt.Errorf("offer %q: %w", id, routing.ErrOfferNotFound)
	}
	return *o, nil
}

// PendingOffers implements [routing.OfferStore].
func (s *Store) PendingOffers(ctx context.Context, f routing.OfferFilter) ([]routing.Offer, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if (f.Chat == "") == (f.Agent == "") {
		return nil, fmt.Errorf("routingmem: pending offers: set exactly one of chat and agent: %w", routing.ErrInvalid)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []routing.OfferID
	if f.Chat != "" {
		ids = s.chatOffers[f.Chat]
	} else {
		ids = s.agentOffers[f.Agent]
	}
	var out []routing.Offer
	if len(ids) > 0 {
		// Sized once: a ring-all chat's offers are thousands.
		out = make([]routing.Offer, 0, len(ids))
	}
	for _, id := range ids {
		if o := s.offers[id]; o.Outcome == routing.Pending {
			out = append(out, *o)
		}
	}
	return out, nil
}

// Queue implements [routing.QueueStore].
func (s *Store) Queue(ctx context.Context, id switchboard.QueueID) (routing.Queue, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.Queue{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	q, ok := s.queues[id]
	if !ok {
		return routing.Queue{}, fmt.Errorf("queue %q: %w", id, routing.ErrQueueNotFound)
	}
	return cloneQueue(q), nil
}

// Queues implements [routing.QueueStore].
func (s *Store) Queues(ctx context.Context) ([]routing.Queue, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := slices.Clone(s.listedQueues())
	for i := range out {
		out[i] = cloneQueue(&out[i])
	}
	return out, nil
}

// LendQueues implements [routing.QueueLender]: a stored queue is replaced,
// never modified, and so is the list of them.
func (s *Store) LendQueues(ctx context.Context) ([]routing.Queue, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.listedQueues(), nil
}

// listedQueues returns every stored queue ordered by ID, listing them if a
// queue was stored since they last were. The caller holds s.mu, for
// reading or writing, so no queue is stored meanwhile.
func (s *Store) listedQueues() []routing.Queue {
	if l := s.queueList.Load(); l != nil {
		return *l
	}
	s.listMu.Lock()
	defer s.listMu.Unlock()
	if l := s.queueList.Load(); l != nil {
		return *l // listed by another reader meanwhile
	}
	// Sorted by pointer, so that sorting moves pointers rather than
	// queues, and copied once in order.
	qs := make([]*routing.Queue, 0, len(s.queues))
	for _, q := range s.queues {
		qs = append(qs, q)
	}
	slices.SortFunc(qs, func(a, b *routing.Queue) int { return strings.Compare(string(a.ID), string(b.ID)) })
	list := make([]routing.Queue, len(qs))
	for i, q := range qs {
		list[i] = *q
	}
	s.queueList.Store(&list)
	return list
}

// QueueState implements [routing.QueueStore].
func (s *Store) QueueState(ctx context.Context, id switchboard.QueueID) (routing.QueueState, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.QueueState{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if st, ok := s.states[id]; ok {
		out := *st
		out.Epochs = slices.Clone(st.Epochs)
		return out, nil
	}
	return routing.QueueState{Queue: id}, nil
}

// Licence implements [routing.QueueStore].
func (s *Store) Licence(ctx context.Context, shard int) (routing.Licence, error) {
	if err := ctxErr(ctx); err != nil {
		return routing.Licence{}, err
	}
	if shard < 0 {
		return routing.Licence{}, fmt.Errorf("routingmem: licence shard %d: %w", shard, routing.ErrInvalid)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l, ok := s.licences[shard]; ok {
		return l, nil
	}
	return routing.Licence{Shard: shard}, nil
}

// Due implements [routing.DeadlineStore].
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]routing.Due, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []routing.Due
	s.deadlines.Ascend(func(d routing.Due) bool {
		if d.At.After(now) || (limit > 0 && len(out) >= limit) {
			return false
		}
		out = append(out, d)
		return true
	})
	return out, nil
}

// LoggedIn implements [routing.AgentStore]. It scans every agent.
func (s *Store) LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]routing.Agent, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []routing.Agent
	for _, a := range s.agents {
		if a.State != routing.LoggedOut && a.Profile.Tenant == tenant {
			out = append(out, cloneAgent(a))
		}
	}
	slices.SortFunc(out, func(a, b routing.Agent) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out, nil
}
