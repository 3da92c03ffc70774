package routing

import (
	"context"
	"strconv"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Store is everything the [Router] needs from storage. It is split by
// concern into small interfaces; a host implements all of them over one
// database. [routingmem.Store] is the in-memory default, and the suite in
// package routingtest checks any implementation against this contract.
//
// The design lets a SQL database shared by several router processes
// implement it atomically: every change goes through [Committer.Commit] as a
// compare-and-set of versioned records, no method takes a callback, and
// every deadline (offer expiry, queue timeout, sticky fallback, wrap-up end,
// wrap-up hold end) is a field of a stored record, so any process can expire it after another
// one crashed.
//
// Every method must be safe for concurrent use, must honour ctx (returning an
// error wrapping ctx.Err() when it is done), and must return copies: a record
// returned by a read never changes when the caller or the store changes
// another one.
//
// The store is also the durable log of what the router did: [Committer.Commit]
// appends the events of a transition to the [EventLog] atomically with its
// writes (a transactional outbox), so a consumer that must act on every
// event reads them from the log, never from the best-effort [Transport]. And
// the [TxnLog] answers whether a commit whose outcome was lost applied.
type Store interface {
	AgentStore
	ChatStore
	OfferStore
	QueueStore
	DeadlineStore
	Committer
	EventLog
	TxnLog
}

// AgentStore reads agent records.
type AgentStore interface {
	// Agent returns the agent with the ID, or an error wrapping
	// [ErrAgentNotFound].
	Agent(ctx context.Context, id switchboard.AgentID) (Agent, error)
	// Candidates returns the IDs of the agents that may be offered a chat
	// of q.Queue now, in q.Order, at most q.Limit of them (all if Limit is
	// 0). An agent qualifies when [Eligible] holds for it. A SQL store
	// answers it from an index over (queue, state, order key).
	Candidates(ctx context.Context, q CandidateQuery) ([]switchboard.AgentID, error)
	// LoggedIn returns the agents of tenant that are not [LoggedOut],
	// ordered by ID. It serves agent directories.
	LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]Agent, error)
}

// CandidateQuery asks [AgentStore.Candidates] for agents.
type CandidateQuery struct {
	Queue   switchboard.QueueID
	Channel switchboard.Channel
	// Require lists skills every candidate must have.
	Require []SkillRequirement
	// Exclude lists agents never to return.
	Exclude []switchboard.AgentID
	// Order of the result.
	Order Order
	// After, with [ByID], returns only agents whose ID is greater.
	After switchboard.AgentID
	// Limit caps the result; 0 means no cap.
	Limit int
}

// Order is an order of candidate agents. [Compare] defines each one.
type Order uint8

const (
	// ByIdle: oldest IdleSince first, then by ID.
	ByIdle Order = iota
	// ByLoad: lowest load relative to capacity on the channel first, then
	// as ByIdle.
	ByLoad
	// ByID: ascending agent ID.
	ByID
)

// OrderOf returns the candidate order a strategy selects by.
func OrderOf(s Strategy) Order {
	switch s {
	case LeastBusy:
		return ByLoad
	case RoundRobin, Random:
		return ByID
	}
	return ByIdle
}

// AgentLoader is an optional interface of an [AgentStore] that reads an
// agent into a record the caller provides, reusing the capacity of its
// slices, so that a router's transitions read agents without allocating. The
// router checks for it with a type assertion; a store without it is read
// with [AgentStore.Agent].
type AgentLoader interface {
	// LoadAgent overwrites *dst with the agent with the ID, reusing the
	// backing arrays of dst's slices, or returns an error wrapping
	// [ErrAgentNotFound] and leaves *dst as it was. dst must not share its
	// slices with anything the caller still uses.
	LoadAgent(ctx context.Context, id switchboard.AgentID, dst *Agent) error
}

// ChatStore reads chat records.
type ChatStore interface {
	// Chat returns the chat with the ID, or an error wrapping
	// [ErrChatNotFound].
	Chat(ctx context.Context, id switchboard.ChatID) (Chat, error)
	// Waiting returns the IDs of the [Queued] chats of queue q in queue
	// order (see [CompareChats]), skipping the first offset, at most limit
	// of them (all if limit is 0). It leaves out the chats parked now
	// ([QueueState.ParkedNow]): a chat parked at an epoch its queue's
	// state has since moved past is waiting again.
	Waiting(ctx context.Context, q switchboard.QueueID, offset, limit int) ([]switchboard.ChatID, error)
	// Position returns how many chats of the chat's queue are [Queued] or
	// [Offered] ahead of it in queue order, or an error wrapping
	// [ErrChatNotFound]. It is meaningful only for a waiting chat. Where an
	// exact rank is costly a store may answer with an estimate (such as
	// the waiting chats of the queue enqueued before the chat, whatever
	// their priority, read from an index or from the queue's statistics)
	// and says so with exact false; [Router.Status] passes it on in
	// [QueueStatus.Exact].
	Position(ctx context.Context, id switchboard.ChatID) (ahead int, exact bool, err error)
	// AgentChats returns the chats the agent is in: assigned to it or in
	// wrap-up with it, assigned chats it is a consultant of, and direct
	// chats it started or receives, that are not final; and chats of any
	// state of which it holds a wrap-up ([Hold]). Each chat appears once.
	AgentChats(ctx context.Context, agent switchboard.AgentID) ([]Chat, error)
}

// OfferStore reads offer records.
type OfferStore interface {
	// Offer returns the offer with the ID, or an error wrapping
	// [ErrOfferNotFound]. Resolved offers stay readable.
	Offer(ctx context.Context, id OfferID) (Offer, error)
	// PendingOffers returns the [Pending] offers of a chat (when f.Chat is
	// set) or of an agent (when f.Agent is set), oldest first.
	PendingOffers(ctx context.Context, f OfferFilter) ([]Offer, error)
}

// OfferFilter selects offers by chat or by agent. Exactly one is set.
type OfferFilter struct {
	Chat  switchboard.ChatID
	Agent switchboard.AgentID
}

// QueueStore reads queue records, queue states and the licence.
type QueueStore interface {
	// Queue returns the queue with the ID, or an error wrapping
	// [ErrQueueNotFound].
	Queue(ctx context.Context, id switchboard.QueueID) (Queue, error)
	// Queues returns every queue, ordered by ID.
	Queues(ctx context.Context) ([]Queue, error)
	// QueueState returns the state record of the queue with the ID; the
	// zero QueueState of that queue (version 0) if none was stored. It does
	// not check that the queue exists.
	QueueState(ctx context.Context, id switchboard.QueueID) (QueueState, error)
	// Licence returns the licence shard with the index; the zero Licence
	// with Shard set (version 0) if none was stored. A negative shard is
	// [ErrInvalid].
	Licence(ctx context.Context, shard int) (Licence, error)
}

// DeadlineStore finds records whose deadline has passed.
type DeadlineStore interface {
	// Due returns up to limit references to records whose deadline is not
	// zero and not after now, earliest first (ties by Kind, then Key): today
	// chats by [Chat.NextDeadline] ([ChatDeadline]) and offers by
	// [Offer.NextDeadline] ([OfferDeadline]). A SQL store answers it from
	// an index on each kind's deadline column.
	Due(ctx context.Context, now time.Time, limit int) ([]Due, error)
}

// DeadlineKind names the kind of record a [Due] refers to. The deadline
// contract is general: a later kind of deadline (an agent's disconnect
// grace, a queue's opening hours) adds a kind, not a method.
type DeadlineKind uint8

const (
	// ChatDeadline: Key is a chat ID; the deadline is [Chat.NextDeadline].
	ChatDeadline DeadlineKind = iota + 1
	// OfferDeadline: Key is an offer ID; the deadline is
	// [Offer.NextDeadline].
	OfferDeadline
)

// String returns the kind's name, such as "chat".
func (k DeadlineKind) String() string {
	switch k {
	case ChatDeadline:
		return "chat"
	case OfferDeadline:
		return "offer"
	}
	return "DeadlineKind(" + strconv.Itoa(int(k)) + ")"
}

// Due names a record whose deadline has passed: the record of kind Kind
// with the ID Key.
type Due struct {
	At   time.Time
	Kind DeadlineKind
	Key  string
}

// Committer applies a [Txn].
type Committer interface {
	// Commit applies every write of the transaction, or none. A write of a
	// record with Version 0 creates it and fails if it exists; a write with
	// Version n > 0 replaces the stored record only if the stored version
	// is n. Either failure returns an error wrapping [ErrConflict] and
	// changes nothing. On success every written record is stored with its
	// Version plus one. The same record must not appear twice in a Txn
	// ([ErrInvalid]). Commit must not keep txn's slices or records after it
	// returns (the router reuses them): it stores copies.
	//
	// In the same atomic step Commit appends txn.Events to the [EventLog],
	// each in its partition ([PartitionOf]) with the next Seq of that
	// partition and Txn set to txn.ID, and records txn.ID for
	// [TxnLog.Applied] (an empty ID is not recorded). A commit that fails
	// appends and records nothing.
	//
	// When the store cannot know whether the commit applied, such as when
	// the connection to the database was lost during COMMIT, Commit returns
	// an error wrapping [ErrOutcomeUnknown]; the caller asks
	// [TxnLog.Applied] to find out.
	//
	// Each of txn.Checks is a read-check: Commit fails with [ErrConflict]
	// unless the record is stored at the check's version, and writes nothing
	// for it. A record both checked and written, or a check of an unknown
	// kind, is [ErrInvalid]. With txn.CountLicence, Commit stores every
	// written licence shard with InUse set to the number of chats with
	// [Chat.Licensed] and [Chat.LicenceShard] mod [Licence.Shards] equal
	// to the shard (Shards below 1 counting as 1), once the transaction's
	// own writes are applied, counted atomically with the commit;
	// CountLicence without a licence write is [ErrInvalid], and so is a
	// shard written twice or a negative shard.
	//
	// Commit assigns [Chat.Seq], the tie-break of chats enqueued at the same
	// instant: a chat it creates, or one written with Seq 0, gets the next
	// value of a sequence of the store's (like a SQL bigserial: unique and
	// increasing, gaps allowed); an updated chat written with any other Seq
	// keeps its stored one. Commit writes the Seq it stored into the chat's
	// element of txn.Chats, as INSERT … RETURNING does.
	Commit(ctx context.Context, txn Txn) error
}

// Txn is a set of record writes applied atomically by [Committer.Commit],
// with the events they cause.
type Txn struct {
	// ID identifies the transaction. The router sets a fresh unique one on
	// every attempt (16 random hexadecimal digits); the store keeps it for
	// [TxnLog.Applied].
	ID     string
	Agents []Agent
	Chats  []Chat
	Offers []Offer
	Queues []Queue
	// Licences are the licence shards written, each keyed by
	// [Licence.Shard].
	Licences []Licence
	// Events are appended to the [EventLog] atomically with the writes:
	// all of them if the commit applies, none if it fails. A transaction
	// may carry events and no writes; its events are then logged alone.
	Events []Event
	// QueueStates are versioned like the other records, keyed by
	// [QueueState.Queue].
	QueueStates []QueueState
	// CountLicence asks Commit to count the units of every licence shard it
	// writes: see [Committer.Commit]. The router sets it whenever it sets a
	// limit, since nothing counted units without one and the chats of a
	// shard dropped are counted on the shards that remain.
	CountLicence bool
	// Checks are read-checks of records the transaction depends on but does
	// not write; see [Check].
	Checks []Check
}

// Empty reports whether the transaction writes no record and logs no
// event.
func (t *Txn) Empty() bool {
	return len(t.Agents) == 0 && len(t.Chats) == 0 && len(t.Offers) == 0 && len(t.Queues) == 0 &&
		len(t.Licences) == 0 && len(t.Events) == 0 && len(t.QueueStates) == 0
}

// EventLog is the durable log of committed routing events: an outbox that
// [Committer.Commit] appends to atomically with the writes that caused the
// events. Consumers that must act on every event (turning routing events into
// session consequences, keeping statistics) read it in order and keep their
// place in a stored [Cursor], so a crash loses nothing: a restarted consumer
// carries on after the last event it recorded as processed. It delivers at
// least once; a consumer that processes an event and crashes before saving
// its cursor sees the event again, and is idempotent for it.
//
// The log is split into a fixed number of partitions so that several
// processes can share the work; every event of one chat lands in one
// partition ([PartitionOf]), so a chat's events stay in order.
type EventLog interface {
	// Partitions returns the fixed number (at least 1) of partitions of the
	// log. Every event of one chat lands in one partition: [PartitionOf].
	Partitions() int
	// Events returns up to limit events of partition p with Seq greater
	// than after, in Seq order; limit 0 means no cap. Seq is assigned by
	// the store at commit and strictly increases within a partition in
	// commit order: once Events has returned an event with Seq s, no event
	// with a smaller Seq is ever returned later. (A SQL store serialises
	// sequence assignment per partition until commit, or reads only below
	// its snapshot horizon.) A partition out of range or a negative limit
	// returns an error wrapping [ErrInvalid].
	Events(ctx context.Context, partition int, after uint64, limit int) ([]Event, error)
	// Cursor returns consumer's cursor over partition p; the zero Cursor
	// with Version 0 and Consumer and Partition filled in when none is
	// stored.
	Cursor(ctx context.Context, consumer string, partition int) (Cursor, error)
	// SaveCursor stores c as a compare-and-set: Version 0 creates it
	// ([ErrConflict] if it exists), Version n replaces the stored cursor
	// only if its version is n ([ErrConflict] otherwise); it is stored with
	// Version+1. Position may not move backwards, nor past the last Seq
	// assigned in the partition ([ErrInvalid]); an empty Consumer or a
	// partition out of range is [ErrInvalid] too.
	//
	// Once every stored cursor of a partition has passed an event, the
	// store may drop it; a partition with no stored cursor keeps no events
	// at all (a host with no consumer grows no log). A consumer therefore
	// registers by saving its cursor before it relies on events: it sees
	// the events committed after that.
	SaveCursor(ctx context.Context, c Cursor) error
}

// Cursor is a consumer's position in one partition of the [EventLog], with a
// lease so that several processes share partitions without two of them
// processing one at once. A process takes or extends the lease by saving the
// cursor with its Owner and a later LeaseUntil; the compare-and-set makes
// one of two contenders win.
type Cursor struct {
	// Consumer names the consumer, such as "sessions"; each consumer has
	// its own cursors and sees every event.
	Consumer  string
	Partition int
	// Position is the Seq of the last event processed; 0 before any.
	Position uint64
	// Owner is the process holding the lease, "" when none.
	Owner string
	// LeaseUntil is when the lease ends; another process may take it after.
	LeaseUntil time.Time
	Version    uint64
}

// PartitionOf returns the partition of an event among n: by its Chat when
// set, else by its Agent, hashed with 32-bit FNV-1a, modulo n. It is
// deterministic across processes and releases. An event with neither, or n
// below 2, is in partition 0.
func PartitionOf(e *Event, n int) int {
	if n < 2 {
		return 0
	}
	key := string(e.Chat)
	if key == "" {
		key = string(e.Agent)
	}
	if key == "" {
		return 0
	}
	const offset32, prime32 = 2166136261, 16777619
	h := uint32(offset32)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= prime32
	}
	return int(h % uint32(n))
}

// TxnRetention is how long after a commit a store still knows its
// transaction ID ([TxnLog.Applied]).
const TxnRetention = 10 * time.Minute

// TxnLog remembers which transactions committed, so that a commit whose
// outcome was lost ([ErrOutcomeUnknown]) can be resolved.
type TxnLog interface {
	// Applied reports whether the transaction with the ID committed. A
	// store keeps the IDs of committed transactions for at least
	// [TxnRetention] after the commit; after that Applied may report
	// false for them.
	Applied(ctx context.Context, txn string) (bool, error)
}

// Check is a read-check of a [Txn]: the transaction read the record and
// depends on it, but does not write it. Commit fails with [ErrConflict]
// unless the record is still stored at Version. The router checks licence
// shard 0 in every transition that takes or frees a unit while no limit is
// set (every limit set writes shard 0), so that such a transition and the one that sets a limit cannot both
// commit on the same reading. A SQL store reads the record with SELECT …
// FOR SHARE and compares its version: transactions that only check a record
// do not serialise on one another, only with one that writes it.
type Check struct {
	// Kind is the kind of record checked.
	Kind RecordKind
	// ID is the record's ID: an agent, chat, offer or queue ID, or for a
	// queue state the ID of its queue; for a licence shard its index in
	// decimal (strconv.Itoa).
	ID string
	// Version is the version the record must still have; 0 means it must
	// not be stored (for a licence shard: never written).
	Version uint64
}

// RecordKind names a kind of stored record.
type RecordKind uint8

const (
	// LicenceRecord is a [Licence] shard.
	LicenceRecord RecordKind = iota + 1
	// AgentRecord is an [Agent].
	AgentRecord
	// ChatRecord is a [Chat].
	ChatRecord
	// OfferRecord is an [Offer].
	OfferRecord
	// QueueRecord is a [Queue].
	QueueRecord
	// QueueStateRecord is a [QueueState].
	QueueStateRecord
)
