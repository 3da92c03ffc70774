package pgstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Ranks of the lock order (see the package documentation).
const (
	rankLicence = iota
	rankQueue
	rankQueueState
	rankAgent
	rankChat
	rankOffer
	rankCount     // licence counts, on rows already locked
	rankPartition // event log partition counters
	rankTxn
)

// op is one statement of a commit, placed in lock order by rank, then num,
// then key.
type op struct {
	rank int
	num  int
	key  string
	sql  string
	args []any
	// exec handles an Exec result; row a QueryRow result. One is set.
	exec func(pgconn.CommandTag) error
	row  func(pgx.Row) error
}

// errCASFailed marks a statement that matched no row: another transaction
// changed the record first.
var errCASFailed = errors.New("compare-and-set failed")

// Commit implements [routing.Committer] in one database transaction: every
// write is a compare-and-set statement and every check a SELECT … FOR
// SHARE, sent in one round trip in lock order; the events go into the log
// under the partitions' counter rows, and the transaction ID into the
// table [RoutingStore.Applied] reads. A lost race is [routing.ErrConflict];
// a connection lost while COMMIT was on its way is
// [routing.ErrOutcomeUnknown].
func (s *RoutingStore) Commit(ctx context.Context, txn routing.Txn) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	if err := validate(&txn); err != nil {
		return err
	}
	if err := s.fault(beforeCommit); err != nil {
		return fmt.Errorf("pgstore: commit: %w", err)
	}
	var seqs []int64 // new Chat.Seq values, by chat index; 0 to keep the stored one
	need := 0
	for i := range txn.Chats {
		if txn.Chats[i].Version == 0 || txn.Chats[i].Seq == 0 {
			need++
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return dbErr(ctx, "commit: begin", err, nil)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if need > 0 {
		rows, err := tx.Query(ctx, `SELECT nextval('rt_chat_seq') FROM generate_series(1, $1)`, need)
		if err != nil {
			return dbErr(ctx, "commit: chat sequence", err, routing.ErrConflict)
		}
		next, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return dbErr(ctx, "commit: chat sequence", err, routing.ErrConflict)
		}
		slices.Sort(next)
		seqs = make([]int64, len(txn.Chats))
		for i := range txn.Chats {
			if txn.Chats[i].Version == 0 || txn.Chats[i].Seq == 0 {
				seqs[i], next = next[0], next[1:]
			}
		}
	}
	stored := make([]int64, len(txn.Chats))
	ops, err := s.plan(&txn, seqs, stored)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for i := range ops {
		o := &ops[i]
		q := b.Queue(o.sql, o.args...)
		if o.exec != nil {
			q.Exec(o.exec)
		} else {
			q.QueryRow(o.row)
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		if errors.Is(err, errCASFailed) {
			return fmt.Errorf("pgstore: commit: %w: %w", routing.ErrConflict, err)
		}
		return dbErr(ctx, "commit", err, routing.ErrConflict)
	}
	if err := tx.Commit(ctx); err != nil {
		return commitErr(ctx, err)
	}
	if err := s.fault(afterCommit); err != nil {
		return commitErr(ctx, err)
	}
	for i := range txn.Chats {
		txn.Chats[i].Seq = uint64(stored[i])
	}
	return nil
}

// commitErr maps an error of COMMIT: a refusal the server sent is a
// failure; an error before anything was sent changed nothing; anything
// else leaves the outcome unknown.
func commitErr(ctx context.Context, err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrTxCommitRollback):
		return fmt.Errorf("pgstore: commit: %w: %w", routing.ErrConflict, err)
	case errors.As(err, &pe):
		return dbErr(ctx, "commit", err, routing.ErrConflict)
	case pgconn.SafeToRetry(err):
		return dbErr(ctx, "commit", err, nil)
	}
	return fmt.Errorf("pgstore: commit: %w: %w", routing.ErrOutcomeUnknown, err)
}

// validate checks what makes a transaction invalid whatever is stored.
func validate(txn *routing.Txn) error {
	dup := func(kind string, n int, id func(int) string) error {
		seen := make(map[string]bool, n)
		for i := range n {
			k := id(i)
			if seen[k] {
				return fmt.Errorf("pgstore: %s %s written twice: %w", kind, k, routing.ErrInvalid)
			}
			seen[k] = true
		}
		return nil
	}
	if err := dup("agent", len(txn.Agents), func(i int) string { return string(txn.Agents[i].ID) }); err != nil {
		return err
	}
	if err := dup("chat", len(txn.Chats), func(i int) string { return string(txn.Chats[i].ID) }); err != nil {
		return err
	}
	if err := dup("offer", len(txn.Offers), func(i int) string { return string(txn.Offers[i].ID) }); err != nil {
		return err
	}
	if err := dup("queue", len(txn.Queues), func(i int) string { return string(txn.Queues[i].ID) }); err != nil {
		return err
	}
	if err := dup("queue state", len(txn.QueueStates), func(i int) string { return string(txn.QueueStates[i].Queue) }); err != nil {
		return err
	}
	for _, l := range txn.Licences {
		if l.Shard < 0 {
			return fmt.Errorf("pgstore: licence shard %d: %w", l.Shard, routing.ErrInvalid)
		}
	}
	if err := dup("licence shard", len(txn.Licences), func(i int) string { return strconv.Itoa(txn.Licences[i].Shard) }); err != nil {
		return err
	}
	if txn.CountLicence && len(txn.Licences) == 0 {
		return fmt.Errorf("pgstore: licence count without a licence write: %w", routing.ErrInvalid)
	}
	for _, c := range txn.Checks {
		var written bool
		switch c.Kind {
		case routing.LicenceRecord:
			shard, err := strconv.Atoi(c.ID)
			if err != nil || shard < 0 || strconv.Itoa(shard) != c.ID {
				return fmt.Errorf("pgstore: check of the licence names %q: %w", c.ID, routing.ErrInvalid)
			}
			written = slices.ContainsFunc(txn.Licences, func(l routing.Licence) bool { return l.Shard == shard })
		case routing.AgentRecord:
			written = slices.ContainsFunc(txn.Agents, func(a routing.Agent) bool { return string(a.ID) == c.ID })
		case routing.ChatRecord:
			written = slices.ContainsFunc(txn.Chats, func(d routing.Chat) bool { return string(d.ID) == c.ID })
		case routing.OfferRecord:
			written = slices.ContainsFunc(txn.Offers, func(o routing.Offer) bool { return string(o.ID) == c.ID })
		case routing.QueueRecord:
			written = slices.ContainsFunc(txn.Queues, func(q routing.Queue) bool { return string(q.ID) == c.ID })
		case routing.QueueStateRecord:
			written = slices.ContainsFunc(txn.QueueStates, func(st routing.QueueState) bool { return string(st.Queue) == c.ID })
		default:
			return fmt.Errorf("pgstore: check of record kind %d: %w", c.Kind, routing.ErrInvalid)
		}
		if written {
			return fmt.Errorf("pgstore: record %q of kind %d both checked and written: %w", c.ID, c.Kind, routing.ErrInvalid)
		}
	}
	return nil
}

// affected returns an Exec handler that fails unless a row was written.
func affected(what string) func(pgconn.CommandTag) error {
	return func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() != 1 {
			return fmt.Errorf("%s: %w", what, errCASFailed)
		}
		return nil
	}
}

// versioned adds the compare-and-set write of one record: an INSERT that
// does nothing if the row exists for version 0, else an UPDATE of the row
// at that version. cols are the typed columns after id, version and body,
// vals their values.
func versioned(rank, num int, table, idCol, id string, version uint64, body []byte, cols []string, vals []any) op {
	what := fmt.Sprintf("%s %q at version %d", table, id, version)
	args := append([]any{id, int64(version), body}, vals...)
	var sql string
	if version == 0 {
		ph := make([]string, len(cols))
		for i := range cols {
			ph[i] = "$" + strconv.Itoa(i+4)
		}
		sql = fmt.Sprintf(`INSERT INTO %s (%s, version, body%s) VALUES ($1, $2::bigint + 1, $3%s) ON CONFLICT DO NOTHING`,
			table, idCol, prefixed(", ", cols), prefixed(", ", ph))
	} else {
		sets := make([]string, len(cols))
		for i, c := range cols {
			sets[i] = fmt.Sprintf("%s = $%d", c, i+4)
		}
		sql = fmt.Sprintf(`UPDATE %s SET version = $2 + 1, body = $3%s WHERE %s = $1 AND version = $2`,
			table, prefixed(", ", sets), idCol)
	}
	return op{rank: rank, num: num, key: id, sql: sql, args: args, exec: affected(what)}
}

func prefixed(sep string, s []string) string {
	if len(s) == 0 {
		return ""
	}
	return sep + strings.Join(s, sep)
}

// check adds a read-check: the row locked FOR SHARE at the version.
func check(rank, num int, table, idCol, id string, version uint64) op {
	return op{rank: rank, num: num, key: id,
		sql:  fmt.Sprintf(`SELECT coalesce((SELECT version FROM %s WHERE %s = $1 FOR SHARE), 0)`, table, idCol),
		args: []any{id},
		row: func(row pgx.Row) error {
			var v int64
			if err := row.Scan(&v); err != nil {
				return err
			}
			if uint64(v) != version {
				return fmt.Errorf("checked %s %q at version %d, stored %d: %w", table, id, version, v, errCASFailed)
			}
			return nil
		}}
}

// plan returns the statements of txn in lock order. seqs holds the new Seq
// of each chat (0: keep the stored one); stored receives the Seq each chat
// is stored with.
func (s *RoutingStore) plan(txn *routing.Txn, seqs, stored []int64) ([]op, error) {
	ops := make([]op, 0, len(txn.Agents)+2*len(txn.Chats)+len(txn.Offers)+len(txn.Checks)+8)
	marshal := func(v any) ([]byte, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("pgstore: commit: %w", err)
		}
		return b, nil
	}
	for _, l := range txn.Licences {
		body, err := marshal(l)
		if err != nil {
			return nil, err
		}
		o := versioned(rankLicence, l.Shard, "rt_licences", "shard", "", l.Version, body, nil, nil)
		o.args[0] = l.Shard
		o.key = ""
		ops = append(ops, o)
		if txn.CountLicence {
			shards := max(l.Shards, 1)
			ops = append(ops, op{rank: rankCount, num: l.Shard,
				sql: `UPDATE rt_licences SET body = jsonb_set(body, '{InUse}', to_jsonb((SELECT count(*) FROM rt_chats
					WHERE licensed AND ((licence_shard % $2) + $2) % $2 = $1))) WHERE shard = $1`,
				args: []any{l.Shard, shards}, exec: affected("licence count")})
		}
	}
	for _, q := range txn.Queues {
		body, err := marshal(q)
		if err != nil {
			return nil, err
		}
		ops = append(ops, versioned(rankQueue, 0, "rt_queues", "id", string(q.ID), q.Version, body, nil, nil))
	}
	for _, st := range txn.QueueStates {
		body, err := marshal(st)
		if err != nil {
			return nil, err
		}
		ops = append(ops, versioned(rankQueueState, 0, "rt_queue_states", "queue", string(st.Queue), st.Version, body, nil, nil))
	}
	for i := range txn.Agents {
		a := &txn.Agents[i]
		body, err := marshal(a)
		if err != nil {
			return nil, err
		}
		queues := make([]string, len(a.Profile.Queues))
		for j, q := range a.Profile.Queues {
			queues[j] = string(q)
		}
		ops = append(ops, versioned(rankAgent, 0, "rt_agents", "id", string(a.ID), a.Version, body,
			[]string{"tenant", "state", "queues", "deadline"},
			[]any{string(a.Profile.Tenant), int16(a.State), queues, deadline(a.NextDeadline())}))
	}
	now := nanos(s.cfg.Clock.Now())
	for i := range txn.Chats {
		c := &txn.Chats[i]
		body, err := marshal(c)
		if err != nil {
			return nil, err
		}
		var seq int64
		if seqs != nil {
			seq = seqs[i]
		}
		var finalAt *int64
		if c.State.Final() && len(c.Holds) == 0 {
			finalAt = &now
		}
		priority, key := c.QueueOrder()
		args := []any{string(c.ID), int64(c.Version), body, seq, string(c.Queue), int16(c.State), -priority,
			nanos(c.EnqueuedAt), deadline(c.NextDeadline()), c.Licensed, c.LicenceShard, finalAt,
			c.Parked, c.ParkedOn, int64(c.ParkedEpoch), nanos(key)}
		what := fmt.Sprintf("chat %q at version %d", c.ID, c.Version)
		into := &stored[i]
		scan := func(row pgx.Row) error {
			err := row.Scan(into)
			if notFound(err) {
				return fmt.Errorf("%s: %w", what, errCASFailed)
			}
			return err
		}
		var sql string
		if c.Version == 0 {
			sql = `INSERT INTO rt_chats (id, version, body, seq, queue, state, neg_priority, enqueued, deadline,
				licensed, licence_shard, final_at, parked, parked_on, parked_epoch, order_key)
				VALUES ($1, $2::bigint + 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
				ON CONFLICT DO NOTHING RETURNING seq`
		} else {
			sql = `UPDATE rt_chats SET version = $2 + 1, body = $3, seq = CASE WHEN $4::bigint > 0 THEN $4 ELSE seq END,
				queue = $5, state = $6, neg_priority = $7, enqueued = $8, deadline = $9, licensed = $10,
				licence_shard = $11, final_at = $12, parked = $13, parked_on = $14, parked_epoch = $15,
				order_key = $16
				WHERE id = $1 AND version = $2 RETURNING seq`
		}
		ops = append(ops, op{rank: rankChat, key: string(c.ID), sql: sql, args: args, row: scan})
		ops = append(ops, op{rank: rankChat, num: 1, key: string(c.ID),
			sql: `WITH gone AS (DELETE FROM rt_agent_chats WHERE chat = $1 AND agent <> ALL($2::text[]))
				INSERT INTO rt_agent_chats (agent, chat) SELECT a, $1 FROM unnest($2::text[]) AS a ON CONFLICT DO NOTHING`,
			args: []any{string(c.ID), holders(c)}, exec: func(pgconn.CommandTag) error { return nil }})
	}
	for i := range txn.Offers {
		o := &txn.Offers[i]
		body, err := marshal(o)
		if err != nil {
			return nil, err
		}
		ops = append(ops, versioned(rankOffer, 0, "rt_offers", "id", string(o.ID), o.Version, body,
			[]string{"chat", "agent", "pending", "deadline"},
			[]any{string(o.Chat), string(o.Agent), o.Outcome == routing.Pending, deadline(o.NextDeadline())}))
	}
	for _, c := range txn.Checks {
		switch c.Kind {
		case routing.LicenceRecord:
			shard, _ := strconv.Atoi(c.ID) // validated
			o := check(rankLicence, shard, "rt_licences", "shard", "", c.Version)
			o.args[0] = shard
			ops = append(ops, o)
		case routing.AgentRecord:
			ops = append(ops, check(rankAgent, 0, "rt_agents", "id", c.ID, c.Version))
		case routing.ChatRecord:
			ops = append(ops, check(rankChat, 0, "rt_chats", "id", c.ID, c.Version))
		case routing.OfferRecord:
			ops = append(ops, check(rankOffer, 0, "rt_offers", "id", c.ID, c.Version))
		case routing.QueueRecord:
			ops = append(ops, check(rankQueue, 0, "rt_queues", "id", c.ID, c.Version))
		case routing.QueueStateRecord:
			ops = append(ops, check(rankQueueState, 0, "rt_queue_states", "queue", c.ID, c.Version))
		}
	}
	ops, err := s.planEvents(txn, ops)
	if err != nil {
		return nil, err
	}
	if txn.ID != "" {
		ops = append(ops, op{rank: rankTxn, sql: `INSERT INTO rt_txns (id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			args: []any{txn.ID, now}, exec: func(pgconn.CommandTag) error { return nil }})
	}
	slices.SortStableFunc(ops, func(a, b op) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.num, b.num)
	})
	return ops, nil
}

// planEvents adds the statements that append txn's events: for each
// partition, in order, the counter row is advanced (and locked until the
// commit ends), then the events are inserted with the Seqs below the new
// count, if a cursor of the partition is stored.
func (s *RoutingStore) planEvents(txn *routing.Txn, ops []op) ([]op, error) {
	if len(txn.Events) == 0 {
		return ops, nil
	}
	n := s.cfg.Partitions
	byPart := make(map[int][]string)
	for i := range txn.Events {
		e := txn.Events[i]
		p := routing.PartitionOf(&e, n)
		e.Seq, e.Txn = 0, ""
		body, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("pgstore: commit: %w", err)
		}
		byPart[p] = append(byPart[p], string(body))
	}
	for p, bodies := range byPart {
		ops = append(ops,
			op{rank: rankPartition, num: 2 * p,
				sql: `INSERT INTO rt_partitions (part, seq) VALUES ($1, $2) ON CONFLICT (part)
					DO UPDATE SET seq = rt_partitions.seq + EXCLUDED.seq`,
				args: []any{p, len(bodies)}, exec: affected("partition counter")},
			op{rank: rankPartition, num: 2*p + 1,
				sql: `INSERT INTO rt_events (part, seq, txn, body)
					SELECT $1, p.seq - $2 + e.ord, $3, e.body FROM rt_partitions p,
					unnest($4::jsonb[]) WITH ORDINALITY AS e(body, ord)
					WHERE p.part = $1 AND EXISTS (SELECT 1 FROM rt_cursors c WHERE c.part = $1)`,
				args: []any{p, len(bodies), txn.ID, bodies}, exec: func(pgconn.CommandTag) error { return nil }})
	}
	return ops, nil
}

// holders returns the agents AgentChats lists chat c for: its owner while
// assigned or in wrap-up, its consultants while assigned, and the agents
// holding a wrap-up of it, each once.
func holders(c *routing.Chat) []string {
	var out []string
	add := func(a switchboard.AgentID) {
		if !slices.Contains(out, string(a)) {
			out = append(out, string(a))
		}
	}
	active := !c.State.Final()
	if active && (c.State == routing.Assigned || c.State == routing.InWrapUp) && c.Agent != "" {
		add(c.Agent)
	}
	if active && c.State == routing.Assigned {
		for _, m := range c.Consultants {
			add(m)
		}
	}
	for _, h := range c.Holds {
		add(h.Agent)
	}
	if out == nil {
		out = []string{}
	}
	return out
}
