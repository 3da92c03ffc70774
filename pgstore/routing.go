package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// RoutingConfig holds the optional settings of a [RoutingStore]. The zero
// RoutingConfig is valid.
type RoutingConfig struct {
	// Partitions is the number of partitions of the event log. Every
	// process sharing the database must use the same number. Defaults to 4
	// (values below 1 mean the default).
	Partitions int
	// Clock times the commits recorded for [RoutingStore.Applied], which
	// are kept [routing.TxnRetention] and then deleted. Defaults to the
	// system clock.
	Clock clock.Clock
}

// RoutingStore is a [routing.Store] over PostgreSQL. It is safe for
// concurrent use, and any number of processes may share its tables: every
// write is a compare-and-set in one database transaction. Create it with
// [NewRouting] after [Migrate].
type RoutingStore struct {
	pool *pgxpool.Pool
	cfg  RoutingConfig
	// faults, set only by this package's tests, is asked at each fault
	// point of a commit (see fault.go).
	faults func(point faultPoint) error
}

var (
	_ routing.Store       = (*RoutingStore)(nil)
	_ routing.AgentLoader = (*RoutingStore)(nil)
)

// NewRouting returns a routing store over the tables [Migrate] created in
// the schema of pool's connections. The host owns pool and closes it.
func NewRouting(pool *pgxpool.Pool, cfg RoutingConfig) *RoutingStore {
	if cfg.Partitions < 1 {
		cfg.Partitions = 4
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	return &RoutingStore{pool: pool, cfg: cfg}
}

// Pool returns the pool the store runs on.
func (s *RoutingStore) Pool() *pgxpool.Pool { return s.pool }

// getRecord reads the body and version of one row into dst and sets its
// version with setVersion; it reports whether the row exists.
func getRecord[T any](ctx context.Context, q querier, sql string, id any, dst *T, setVersion func(*T, uint64)) (bool, error) {
	var body []byte
	var version int64
	err := q.QueryRow(ctx, sql, id).Scan(&body, &version)
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return false, err
	}
	setVersion(dst, uint64(version))
	return true, nil
}

// querier is what reads need of a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func setAgentVersion(a *routing.Agent, v uint64)      { a.Version = v }
func setOfferVersion(o *routing.Offer, v uint64)      { o.Version = v }
func setQueueVersion(q *routing.Queue, v uint64)      { q.Version = v }
func setStateVersion(q *routing.QueueState, v uint64) { q.Version = v }
func setLicenceVersion(l *routing.Licence, v uint64)  { l.Version = v }

// Agent implements [routing.AgentStore].
func (s *RoutingStore) Agent(ctx context.Context, id switchboard.AgentID) (routing.Agent, error) {
	var a routing.Agent
	ok, err := getRecord(ctx, s.pool, `SELECT body, version FROM rt_agents WHERE id = $1`, string(id), &a, setAgentVersion)
	if err != nil {
		return routing.Agent{}, dbErr(ctx, "agent", err, nil)
	}
	if !ok {
		return routing.Agent{}, fmt.Errorf("pgstore: agent %q: %w", id, routing.ErrAgentNotFound)
	}
	return a, nil
}

// LoadAgent implements [routing.AgentLoader]. It decodes into a fresh
// record and copies it into dst's slices, so a failed load leaves dst as it
// was.
func (s *RoutingStore) LoadAgent(ctx context.Context, id switchboard.AgentID, dst *routing.Agent) error {
	a, err := s.Agent(ctx, id)
	if err != nil {
		return err
	}
	queues, capacity, skills, used := dst.Profile.Queues[:0], dst.Profile.Capacity[:0], dst.Profile.Skills[:0], dst.Used[:0]
	*dst = a
	dst.Profile.Queues = nilIfEmpty(append(queues, a.Profile.Queues...))
	dst.Profile.Capacity = nilIfEmpty(append(capacity, a.Profile.Capacity...))
	dst.Profile.Skills = nilIfEmpty(append(skills, a.Profile.Skills...))
	dst.Used = nilIfEmpty(append(used, a.Used...))
	return nil
}

// nilIfEmpty returns nil for an empty slice, as JSON decodes an absent
// list, so that a loaded record equals a read one.
func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

// Candidates implements [routing.AgentStore]. The available agents serving
// the queue come from a partial GIN index over the agents' queues; the
// skills, exclusions, capacity and order are applied to them here.
func (s *RoutingStore) Candidates(ctx context.Context, q routing.CandidateQuery) ([]switchboard.AgentID, error) {
	sql := `SELECT body, version FROM rt_agents WHERE state = $1 AND queues @> ARRAY[$2::text]`
	args := []any{int16(routing.Available), string(q.Queue)}
	if q.Order == routing.ByID && q.After != "" {
		sql += ` AND id > $3`
		args = append(args, string(q.After))
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, dbErr(ctx, "candidates", err, nil)
	}
	var all []routing.Agent
	for rows.Next() {
		var body []byte
		var version int64
		if err := rows.Scan(&body, &version); err != nil {
			rows.Close()
			return nil, dbErr(ctx, "candidates", err, nil)
		}
		var a routing.Agent
		if err := json.Unmarshal(body, &a); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pgstore: candidates: %w", err)
		}
		if q.Matches(&a) {
			all = append(all, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(ctx, "candidates", err, nil)
	}
	slices.SortFunc(all, func(a, b routing.Agent) int { return routing.Compare(q.Order, q.Channel, &a, &b) })
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	var out []switchboard.AgentID
	for i := range all {
		out = append(out, all[i].ID)
	}
	return out, nil
}

// LoggedIn implements [routing.AgentStore] from an index over (tenant, ID)
// of the logged-in agents.
func (s *RoutingStore) LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]routing.Agent, error) {
	rows, err := s.pool.Query(ctx, `SELECT body, version FROM rt_agents WHERE tenant = $1 AND state <> 0 ORDER BY id`, string(tenant))
	if err != nil {
		return nil, dbErr(ctx, "logged in", err, nil)
	}
	out, err := collectRecords(rows, setAgentVersion)
	if err != nil {
		return nil, dbErr(ctx, "logged in", err, nil)
	}
	return out, nil
}

// collectRecords decodes rows of (body, version).
func collectRecords[T any](rows pgx.Rows, setVersion func(*T, uint64)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var body []byte
		var version int64
		if err := rows.Scan(&body, &version); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		setVersion(&v, uint64(version))
		out = append(out, v)
	}
	return out, rows.Err()
}

const chatColumns = `body, version, seq`

// scanChat decodes a row of chatColumns.
func scanChat(row pgx.Row, c *routing.Chat) error {
	var body []byte
	var version, seq int64
	if err := row.Scan(&body, &version, &seq); err != nil {
		return err
	}
	if err := json.Unmarshal(body, c); err != nil {
		return err
	}
	c.Version, c.Seq = uint64(version), uint64(seq)
	return nil
}

// Chat implements [routing.ChatStore].
func (s *RoutingStore) Chat(ctx context.Context, id switchboard.ChatID) (routing.Chat, error) {
	var c routing.Chat
	err := scanChat(s.pool.QueryRow(ctx, `SELECT `+chatColumns+` FROM rt_chats WHERE id = $1`, string(id)), &c)
	if notFound(err) {
		return routing.Chat{}, fmt.Errorf("pgstore: chat %q: %w", id, routing.ErrChatNotFound)
	}
	if err != nil {
		return routing.Chat{}, dbErr(ctx, "chat", err, nil)
	}
	return c, nil
}

// Waiting implements [routing.ChatStore] from a partial index of the
// Queued chats in queue order. A chat parked now (its parking epoch is
// still the one of its skill in the queue's state) is left out; the state
// is read in the same statement, so the answer is one snapshot.
func (s *RoutingStore) Waiting(ctx context.Context, q switchboard.QueueID, offset, limit int) ([]switchboard.ChatID, error) {
	if offset < 0 || limit < 0 {
		return nil, fmt.Errorf("pgstore: waiting: offset %d, limit %d: %w", offset, limit, routing.ErrInvalid)
	}
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM rt_chats c WHERE queue = $1 AND state = 0
		AND NOT (parked AND parked_epoch = coalesce((SELECT (e->>'Epoch')::bigint FROM rt_queue_states st,
			jsonb_array_elements(CASE WHEN jsonb_typeof(st.body->'Epochs') = 'array' THEN st.body->'Epochs' ELSE '[]' END) AS e
			WHERE st.queue = $1 AND e->>'Skill' = c.parked_on), 0))
		ORDER BY neg_priority, order_key, seq, id OFFSET $2 LIMIT $3`, string(q), offset, lim)
	if err != nil {
		return nil, dbErr(ctx, "waiting", err, nil)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[switchboard.ChatID])
	if err != nil {
		return nil, dbErr(ctx, "waiting", err, nil)
	}
	return ids, nil
}

// Position implements [routing.ChatStore]: an exact count over the partial
// index of Queued and Offered chats up to the chat's key.
func (s *RoutingStore) Position(ctx context.Context, id switchboard.ChatID) (int, bool, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM rt_chats o
			WHERE o.queue = c.queue AND o.state IN (0, 1)
			AND (o.neg_priority, o.order_key, o.seq, o.id) < (c.neg_priority, c.order_key, c.seq, c.id))
		FROM rt_chats c WHERE c.id = $1`, string(id)).Scan(&n)
	if notFound(err) {
		return 0, false, fmt.Errorf("pgstore: chat %q: %w", id, routing.ErrChatNotFound)
	}
	if err != nil {
		return 0, false, dbErr(ctx, "position", err, nil)
	}
	return n, true, nil
}

// AgentChats implements [routing.ChatStore] from the table of the chats
// each agent is in, kept on every chat write.
func (s *RoutingStore) AgentChats(ctx context.Context, agent switchboard.AgentID) ([]routing.Chat, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.body, c.version, c.seq FROM rt_agent_chats a
		JOIN rt_chats c ON c.id = a.chat WHERE a.agent = $1 ORDER BY c.seq`, string(agent))
	if err != nil {
		return nil, dbErr(ctx, "agent chats", err, nil)
	}
	defer rows.Close()
	out := []routing.Chat{}
	for rows.Next() {
		var c routing.Chat
		if err := scanChat(rows, &c); err != nil {
			return nil, dbErr(ctx, "agent chats", err, nil)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(ctx, "agent chats", err, nil)
	}
	return out, nil
}

// Offer implements [routing.OfferStore].
func (s *RoutingStore) Offer(ctx context.Context, id routing.OfferID) (routing.Offer, error) {
	var o routing.Offer
	ok, err := getRecord(ctx, s.pool, `SELECT body, version FROM rt_offers WHERE id = $1`, string(id), &o, setOfferVersion)
	if err != nil {
		return routing.Offer{}, dbErr(ctx, "offer", err, nil)
	}
	if !ok {
		return routing.Offer{}, fmt.Errorf("pgstore: offer %q: %w", id, routing.ErrOfferNotFound)
	}
	return o, nil
}

// PendingOffers implements [routing.OfferStore] from an index of each
// chat's offers and one of each agent's pending offers.
func (s *RoutingStore) PendingOffers(ctx context.Context, f routing.OfferFilter) ([]routing.Offer, error) {
	if (f.Chat == "") == (f.Agent == "") {
		return nil, fmt.Errorf("pgstore: pending offers: set exactly one of chat and agent: %w", routing.ErrInvalid)
	}
	var rows pgx.Rows
	var err error
	if f.Chat != "" {
		rows, err = s.pool.Query(ctx, `SELECT body, version FROM rt_offers WHERE chat = $1 AND pending ORDER BY created`, string(f.Chat))
	} else {
		rows, err = s.pool.Query(ctx, `SELECT body, version FROM rt_offers WHERE agent = $1 AND pending ORDER BY created`, string(f.Agent))
	}
	if err != nil {
		return nil, dbErr(ctx, "pending offers", err, nil)
	}
	out, err := collectRecords(rows, setOfferVersion)
	if err != nil {
		return nil, dbErr(ctx, "pending offers", err, nil)
	}
	return out, nil
}

// Queue implements [routing.QueueStore].
func (s *RoutingStore) Queue(ctx context.Context, id switchboard.QueueID) (routing.Queue, error) {
	var q routing.Queue
	ok, err := getRecord(ctx, s.pool, `SELECT body, version FROM rt_queues WHERE id = $1`, string(id), &q, setQueueVersion)
	if err != nil {
		return routing.Queue{}, dbErr(ctx, "queue", err, nil)
	}
	if !ok {
		return routing.Queue{}, fmt.Errorf("pgstore: queue %q: %w", id, routing.ErrQueueNotFound)
	}
	return q, nil
}

// Queues implements [routing.QueueStore].
func (s *RoutingStore) Queues(ctx context.Context) ([]routing.Queue, error) {
	rows, err := s.pool.Query(ctx, `SELECT body, version FROM rt_queues ORDER BY id`)
	if err != nil {
		return nil, dbErr(ctx, "queues", err, nil)
	}
	out, err := collectRecords(rows, setQueueVersion)
	if err != nil {
		return nil, dbErr(ctx, "queues", err, nil)
	}
	return out, nil
}

// QueueState implements [routing.QueueStore].
func (s *RoutingStore) QueueState(ctx context.Context, id switchboard.QueueID) (routing.QueueState, error) {
	var st routing.QueueState
	ok, err := getRecord(ctx, s.pool, `SELECT body, version FROM rt_queue_states WHERE queue = $1`, string(id), &st, setStateVersion)
	if err != nil {
		return routing.QueueState{}, dbErr(ctx, "queue state", err, nil)
	}
	if !ok {
		return routing.QueueState{Queue: id}, nil
	}
	return st, nil
}

// Licence implements [routing.QueueStore].
func (s *RoutingStore) Licence(ctx context.Context, shard int) (routing.Licence, error) {
	if shard < 0 {
		return routing.Licence{}, fmt.Errorf("pgstore: licence shard %d: %w", shard, routing.ErrInvalid)
	}
	var l routing.Licence
	ok, err := getRecord(ctx, s.pool, `SELECT body, version FROM rt_licences WHERE shard = $1`, shard, &l, setLicenceVersion)
	if err != nil {
		return routing.Licence{}, dbErr(ctx, "licence", err, nil)
	}
	if !ok {
		return routing.Licence{Shard: shard}, nil
	}
	return l, nil
}

// Due implements [routing.DeadlineStore] from the indexes on the chats',
// offers' and agents' deadline columns: each side reads at most limit rows
// in order, and the union is merged.
func (s *RoutingStore) Due(ctx context.Context, now time.Time, limit int) ([]routing.Due, error) {
	if limit < 0 {
		return nil, fmt.Errorf("pgstore: due: negative limit %d: %w", limit, routing.ErrInvalid)
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `
		(SELECT deadline, 1 AS kind, id FROM rt_chats WHERE deadline <= $1 ORDER BY deadline, id LIMIT $2)
		UNION ALL
		(SELECT deadline, 2 AS kind, id FROM rt_offers WHERE deadline <= $1 ORDER BY deadline, id LIMIT $2)
		UNION ALL
		(SELECT deadline, 3 AS kind, id FROM rt_agents WHERE deadline <= $1 ORDER BY deadline, id LIMIT $2)
		ORDER BY 1, 2, 3 LIMIT $2`, now.UnixNano(), lim)
	if err != nil {
		return nil, dbErr(ctx, "due", err, nil)
	}
	defer rows.Close()
	var out []routing.Due
	for rows.Next() {
		var at int64
		var kind int32
		var key string
		if err := rows.Scan(&at, &kind, &key); err != nil {
			return nil, dbErr(ctx, "due", err, nil)
		}
		out = append(out, routing.Due{At: fromNanos(at), Kind: routing.DeadlineKind(kind), Key: key})
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(ctx, "due", err, nil)
	}
	return out, nil
}
