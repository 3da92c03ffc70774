package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// SessionConfig holds the optional settings of a [SessionStore]. The zero
// SessionConfig is valid.
type SessionConfig struct {
	// Partitions is the number of partitions of the session feed. Every
	// process sharing the database must use the same number. Defaults to
	// 16 (values below 1 mean the default).
	Partitions int
}

// SessionStore is a [session.Store] over PostgreSQL, with the feed
// ([session.FeedStore]), retention ([session.RetentionStore]), due timers
// ([session.DeadlineStore]) and card-number fragments
// ([session.FragmentStore]). It is safe for concurrent use by
// several processes. Create it with [NewSessions] after [Migrate].
//
// Every write is one transaction that first locks the session row with a
// compare-and-set of its version, then the feed partition's counter row,
// so sequence numbers have no gaps and feed positions follow commit order.
type SessionStore struct {
	pool  *pgxpool.Pool
	parts int
	// faults, set only by this package's tests, is asked at each fault
	// point of a write (see fault.go).
	faults func(point faultPoint) error
}

var (
	_ session.Store          = (*SessionStore)(nil)
	_ session.FeedStore      = (*SessionStore)(nil)
	_ session.RetentionStore = (*SessionStore)(nil)
	_ session.FragmentStore  = (*SessionStore)(nil)
	_ session.DeadlineStore  = (*SessionStore)(nil)
	_ session.FeedTipStore   = (*SessionStore)(nil)
)

// NewSessions returns a session store over the tables [Migrate] created in
// the schema of pool's connections. The host owns pool and closes it.
func NewSessions(pool *pgxpool.Pool, cfg SessionConfig) *SessionStore {
	if cfg.Partitions < 1 {
		cfg.Partitions = 16
	}
	return &SessionStore{pool: pool, parts: cfg.Partitions}
}

// sessErr wraps an error of the database with the session sentinels: ctx's
// error when it is done, ErrConflict for a lost race.
func sessErr(ctx context.Context, op string, err error) error {
	return dbErr(ctx, op, err, session.ErrConflict)
}

// present returns the IDs of the participants present in open session s.
func present(s *session.Session) []string {
	out := []string{}
	if s.Status == session.StatusClosed {
		return out
	}
	for i := range s.Participants {
		if s.Participants[i].Present() {
			out = append(out, string(s.Participants[i].ID))
		}
	}
	return out
}

func closedAt(s *session.Session) *int64 {
	if s.Status != session.StatusClosed {
		return nil
	}
	n := nanos(s.ClosedAt)
	return &n
}

// checkEntryIDs returns ErrDuplicate if two entries carry one non-empty ID.
func checkEntryIDs(entries []session.Entry) error {
	seen := map[string]bool{}
	for _, e := range entries {
		if e.ID == "" {
			continue
		}
		if seen[e.ID] {
			return fmt.Errorf("pgstore: %w: %s twice in one write", session.ErrDuplicate, e.ID)
		}
		seen[e.ID] = true
	}
	return nil
}

// write runs one session write: first (a statement that locks the session
// row and returns its last Seq after adding len(entries)) then the
// entries' insertion, in a transaction of one round trip plus COMMIT. miss
// is called when first matches no row, to tell why.
func (s *SessionStore) write(ctx context.Context, chat switchboard.ChatID, version uint64, entries []session.Entry,
	first string, args []any, miss func(ctx context.Context) error) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkEntryIDs(entries); err != nil {
		return nil, err
	}
	if err := s.fault(beforeWrite); err != nil {
		return nil, fmt.Errorf("pgstore: write: %w", err)
	}
	part := session.PartitionOf(chat, s.parts)
	n := len(entries)
	out := make([]session.Entry, n)
	bodies := make([]string, n)
	ids := make([]*string, n)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, sessErr(ctx, "write: begin", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var last int64
	if err := tx.QueryRow(ctx, first, args...).Scan(&last); err != nil {
		if notFound(err) {
			return nil, miss(ctx)
		}
		return nil, sessErr(ctx, "write", err)
	}
	if n > 0 {
		for i, e := range entries {
			e = e.Clone()
			e.Seq = uint64(last) - uint64(n) + uint64(i) + 1
			e.Version = version
			b, err := json.Marshal(e)
			if err != nil {
				return nil, fmt.Errorf("pgstore: write: %w", err)
			}
			bodies[i] = string(b)
			if e.ID != "" {
				id := e.ID
				ids[i] = &id
			}
			out[i] = e
		}
		b := &pgx.Batch{}
		b.Queue(`INSERT INTO ss_partitions (part, pos) VALUES ($1, $2) ON CONFLICT (part)
			DO UPDATE SET pos = ss_partitions.pos + EXCLUDED.pos`, part, n)
		b.Queue(`INSERT INTO ss_entries (chat, seq, entry_id, part, pos, body)
			SELECT $1, $2::bigint + e.ord, e.id, $3, p.pos - $4 + e.ord, e.body
			FROM ss_partitions p, unnest($5::text[], $6::jsonb[]) WITH ORDINALITY AS e(id, body, ord)
			WHERE p.part = $3`, string(chat), last-int64(n), part, n, ids, bodies)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return nil, fmt.Errorf("pgstore: %w: in %s: %w", session.ErrDuplicate, chat, err)
			}
			return nil, sessErr(ctx, "write entries", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, sessCommitErr(ctx, err)
	}
	if err := s.fault(afterWrite); err != nil {
		return nil, sessCommitErr(ctx, err)
	}
	return out, nil
}

// sessCommitErr maps an error of COMMIT as commitErr does, with the
// session package's sentinels.
func sessCommitErr(ctx context.Context, err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrTxCommitRollback):
		return fmt.Errorf("pgstore: commit: %w: %w", session.ErrConflict, err)
	case errors.As(err, &pe):
		return sessErr(ctx, "commit", err)
	case pgconn.SafeToRetry(err):
		return sessErr(ctx, "commit", err)
	}
	return fmt.Errorf("pgstore: commit: %w: %w", session.ErrOutcomeUnknown, err)
}

// CreateSession implements [session.StateStore].
func (s *SessionStore) CreateSession(ctx context.Context, st session.Session, entries []session.Entry) ([]session.Entry, error) {
	st = st.Clone()
	st.Version = 1
	body, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("pgstore: create session: %w", err)
	}
	return s.write(ctx, st.ID, 1, entries,
		`INSERT INTO ss_sessions (id, version, last_seq, part, closed_at, present, body, deadline)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING last_seq`,
		[]any{string(st.ID), len(entries), session.PartitionOf(st.ID, s.parts), closedAt(&st), present(&st), body,
			deadline(st.NextDeadline())},
		func(context.Context) error { return fmt.Errorf("pgstore: %w: %s", session.ErrExists, st.ID) })
}

// GetSession implements [session.StateStore].
func (s *SessionStore) GetSession(ctx context.Context, id switchboard.ChatID) (session.Session, error) {
	if err := ctx.Err(); err != nil {
		return session.Session{}, err
	}
	var body []byte
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT body, version FROM ss_sessions WHERE id = $1`, string(id)).Scan(&body, &version)
	if notFound(err) {
		return session.Session{}, fmt.Errorf("pgstore: %w: %s", session.ErrNotFound, id)
	}
	if err != nil {
		return session.Session{}, sessErr(ctx, "get session", err)
	}
	var st session.Session
	if err := json.Unmarshal(body, &st); err != nil {
		return session.Session{}, fmt.Errorf("pgstore: get session: %w", err)
	}
	st.Version = uint64(version)
	return st, nil
}

// versionMiss tells why a fenced write of chat at version matched no row.
func (s *SessionStore) versionMiss(chat switchboard.ChatID, version uint64) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var stored int64
		err := s.pool.QueryRow(ctx, `SELECT version FROM ss_sessions WHERE id = $1`, string(chat)).Scan(&stored)
		switch {
		case notFound(err):
			return fmt.Errorf("pgstore: %w: %s", session.ErrNotFound, chat)
		case err != nil:
			return sessErr(ctx, "write", err)
		}
		return fmt.Errorf("pgstore: %w: %s is at version %d, not %d", session.ErrConflict, chat, stored, version)
	}
}

// UpdateSession implements [session.StateStore].
func (s *SessionStore) UpdateSession(ctx context.Context, st session.Session, entries []session.Entry) ([]session.Entry, error) {
	st = st.Clone()
	version := st.Version
	st.Version++
	body, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("pgstore: update session: %w", err)
	}
	return s.write(ctx, st.ID, version, entries,
		`UPDATE ss_sessions SET version = $2 + 1, last_seq = last_seq + $3, closed_at = $4, present = $5, body = $6,
		deadline = $7 WHERE id = $1 AND version = $2 RETURNING last_seq`,
		[]any{string(st.ID), int64(version), len(entries), closedAt(&st), present(&st), body, deadline(st.NextDeadline())},
		s.versionMiss(st.ID, version))
}

// ActiveSessions implements [session.StateStore] from a GIN index over the
// present participants of open sessions.
func (s *SessionStore) ActiveSessions(ctx context.Context, p session.ParticipantID) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM ss_sessions WHERE closed_at IS NULL AND present @> ARRAY[$1::text]`, string(p))
	if err != nil {
		return nil, sessErr(ctx, "active sessions", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[switchboard.ChatID])
	if err != nil {
		return nil, sessErr(ctx, "active sessions", err)
	}
	return ids, nil
}

// AppendEntries implements [session.LogStore].
func (s *SessionStore) AppendEntries(ctx context.Context, chat switchboard.ChatID, version uint64, entries []session.Entry) ([]session.Entry, error) {
	return s.write(ctx, chat, version, entries,
		`UPDATE ss_sessions SET last_seq = last_seq + $3 WHERE id = $1 AND version = $2 RETURNING last_seq`,
		[]any{string(chat), int64(version), len(entries)}, s.versionMiss(chat, version))
}

// exists returns ErrNotFound unless session chat exists.
func (s *SessionStore) exists(ctx context.Context, chat switchboard.ChatID) error {
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ss_sessions WHERE id = $1)`, string(chat)).Scan(&ok); err != nil {
		return sessErr(ctx, "read", err)
	}
	if !ok {
		return fmt.Errorf("pgstore: %w: %s", session.ErrNotFound, chat)
	}
	return nil
}

// scanEntries decodes rows of entry bodies.
func scanEntries(rows pgx.Rows) ([]session.Entry, error) {
	defer rows.Close()
	var out []session.Entry
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e session.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReadEntries implements [session.LogStore].
func (s *SessionStore) ReadEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) ([]session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT body FROM ss_entries WHERE chat = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		string(chat), int64(min(after, 1<<62)), lim)
	if err != nil {
		return nil, sessErr(ctx, "read entries", err)
	}
	out, err := scanEntries(rows)
	if err != nil {
		return nil, sessErr(ctx, "read entries", err)
	}
	if len(out) == 0 {
		if err := s.exists(ctx, chat); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AmendEntry implements [session.LogStore]. It writes only the text it is
// given into the entry's body.
func (s *SessionStore) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ct, err := s.pool.Exec(ctx, `UPDATE ss_entries SET body = jsonb_set(body, '{text}', to_jsonb($3::text))
		WHERE chat = $1 AND seq = $2`, string(chat), int64(min(seq, 1<<62)), text)
	if err != nil {
		return sessErr(ctx, "amend entry", err)
	}
	if ct.RowsAffected() == 0 {
		if err := s.exists(ctx, chat); err != nil {
			return err
		}
		return fmt.Errorf("pgstore: %w: %s has no entry %d", session.ErrNotFound, chat, seq)
	}
	return nil
}

// EntryByID implements [session.LogStore] from the unique index on (chat,
// entry ID).
func (s *SessionStore) EntryByID(ctx context.Context, chat switchboard.ChatID, id string) (session.Entry, error) {
	if err := ctx.Err(); err != nil {
		return session.Entry{}, err
	}
	if id == "" {
		return session.Entry{}, fmt.Errorf("pgstore: %w: empty entry ID", session.ErrInvalid)
	}
	rows, err := s.pool.Query(ctx, `SELECT body FROM ss_entries WHERE chat = $1 AND entry_id = $2`, string(chat), id)
	if err != nil {
		return session.Entry{}, sessErr(ctx, "entry by ID", err)
	}
	out, err := scanEntries(rows)
	if err != nil {
		return session.Entry{}, sessErr(ctx, "entry by ID", err)
	}
	if len(out) == 0 {
		if err := s.exists(ctx, chat); err != nil {
			return session.Entry{}, err
		}
		return session.Entry{}, fmt.Errorf("pgstore: %w: %s has no entry %s", session.ErrNotFound, chat, id)
	}
	return out[0], nil
}

// LastSeq implements [session.LogStore].
func (s *SessionStore) LastSeq(ctx context.Context, chat switchboard.ChatID) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var last int64
	err := s.pool.QueryRow(ctx, `SELECT last_seq FROM ss_sessions WHERE id = $1`, string(chat)).Scan(&last)
	if notFound(err) {
		return 0, fmt.Errorf("pgstore: %w: %s", session.ErrNotFound, chat)
	}
	if err != nil {
		return 0, sessErr(ctx, "last seq", err)
	}
	return uint64(last), nil
}

// Partitions implements [session.FeedStore].
func (s *SessionStore) Partitions() int { return s.parts }

func (s *SessionStore) checkPartition(p int) error {
	if p < 0 || p >= s.parts {
		return fmt.Errorf("pgstore: %w: partition %d of %d", session.ErrInvalid, p, s.parts)
	}
	return nil
}

// FeedTips implements [session.FeedTipStore] with one query over the
// partitions' counter rows, which each write moves in the transaction
// that adds its entries: a poll of a quiet feed costs that one query,
// where reading every partition would cost one each.
func (s *SessionStore) FeedTips(ctx context.Context, tips []uint64) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return tips, err
	}
	tips, err := appendTips(ctx, s.pool, `SELECT part, pos FROM ss_partitions WHERE part >= 0 AND part < $1`, s.parts, tips)
	if err != nil {
		return tips, sessErr(ctx, "feed tips", err)
	}
	return tips, nil
}

// Feed implements [session.FeedStore] from the unique index on the
// entries' (partition, position).
func (s *SessionStore) Feed(ctx context.Context, partition int, after uint64, limit int) ([]session.FeedEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.checkPartition(partition); err != nil {
		return nil, err
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT pos, chat, body FROM ss_entries WHERE part = $1 AND pos > $2 ORDER BY pos LIMIT $3`,
		partition, int64(min(after, 1<<62)), lim)
	if err != nil {
		return nil, sessErr(ctx, "feed", err)
	}
	defer rows.Close()
	var out []session.FeedEntry
	for rows.Next() {
		var pos int64
		var chat string
		var body []byte
		if err := rows.Scan(&pos, &chat, &body); err != nil {
			return nil, sessErr(ctx, "feed", err)
		}
		fe := session.FeedEntry{Seq: uint64(pos), Chat: switchboard.ChatID(chat)}
		if err := json.Unmarshal(body, &fe.Entry); err != nil {
			return nil, fmt.Errorf("pgstore: feed: %w", err)
		}
		out = append(out, fe)
	}
	if err := rows.Err(); err != nil {
		return nil, sessErr(ctx, "feed", err)
	}
	return out, nil
}

// Cursor implements [session.FeedStore].
func (s *SessionStore) Cursor(ctx context.Context, consumer string, partition int) (session.Cursor, error) {
	if err := ctx.Err(); err != nil {
		return session.Cursor{}, err
	}
	if consumer == "" {
		return session.Cursor{}, fmt.Errorf("pgstore: %w: empty consumer", session.ErrInvalid)
	}
	if err := s.checkPartition(partition); err != nil {
		return session.Cursor{}, err
	}
	var body []byte
	var version, position int64
	err := s.pool.QueryRow(ctx, `SELECT body, version, position FROM ss_cursors WHERE consumer = $1 AND part = $2`,
		consumer, partition).Scan(&body, &version, &position)
	if notFound(err) {
		return session.Cursor{Consumer: consumer, Partition: partition}, nil
	}
	if err != nil {
		return session.Cursor{}, sessErr(ctx, "cursor", err)
	}
	var c session.Cursor
	if err := json.Unmarshal(body, &c); err != nil {
		return session.Cursor{}, fmt.Errorf("pgstore: cursor: %w", err)
	}
	c.Consumer, c.Partition, c.Position, c.Version = consumer, partition, uint64(position), uint64(version)
	return c, nil
}

// SaveCursor implements [session.FeedStore] as a compare-and-set of the
// cursor row.
func (s *SessionStore) SaveCursor(ctx context.Context, c session.Cursor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.Consumer == "" {
		return fmt.Errorf("pgstore: %w: empty consumer", session.ErrInvalid)
	}
	if err := s.checkPartition(c.Partition); err != nil {
		return err
	}
	body, err := json.Marshal(session.Cursor{Owner: c.Owner, LeaseUntil: c.LeaseUntil})
	if err != nil {
		return fmt.Errorf("pgstore: save cursor: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var last int64
		if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT pos FROM ss_partitions WHERE part = $1), 0)`, c.Partition).Scan(&last); err != nil {
			return err
		}
		var version, position int64
		err := tx.QueryRow(ctx, `SELECT version, position FROM ss_cursors WHERE consumer = $1 AND part = $2 FOR UPDATE`,
			c.Consumer, c.Partition).Scan(&version, &position)
		if err != nil && !notFound(err) {
			return err
		}
		switch {
		case uint64(version) != c.Version:
			return fmt.Errorf("pgstore: %w: cursor %s/%d is at version %d, not %d", session.ErrConflict, c.Consumer, c.Partition, version, c.Version)
		case c.Position < uint64(position):
			return fmt.Errorf("pgstore: %w: cursor %s/%d cannot move back from %d to %d", session.ErrInvalid, c.Consumer, c.Partition, position, c.Position)
		case c.Position > uint64(last):
			return fmt.Errorf("pgstore: %w: cursor %s/%d position %d is past the last position %d", session.ErrInvalid, c.Consumer, c.Partition, c.Position, last)
		}
		var ct pgconn.CommandTag
		if c.Version == 0 {
			ct, err = tx.Exec(ctx, `INSERT INTO ss_cursors (consumer, part, position, version, body) VALUES ($1, $2, $3, 1, $4)
				ON CONFLICT DO NOTHING`, c.Consumer, c.Partition, int64(c.Position), body)
		} else {
			ct, err = tx.Exec(ctx, `UPDATE ss_cursors SET position = $3, version = version + 1, body = $4
				WHERE consumer = $1 AND part = $2 AND version = $5`, c.Consumer, c.Partition, int64(c.Position), body, int64(c.Version))
		}
		if err != nil {
			return err
		}
		if ct.RowsAffected() != 1 {
			return fmt.Errorf("pgstore: %w: cursor %s/%d changed", session.ErrConflict, c.Consumer, c.Partition)
		}
		return nil
	})
	if err != nil {
		return sessErr(ctx, "save cursor", err)
	}
	return nil
}

// Closed implements [session.RetentionStore] from the index on (closed_at,
// id).
func (s *SessionStore) Closed(ctx context.Context, before time.Time, limit int) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM ss_sessions WHERE closed_at IS NOT NULL AND closed_at < $1
		ORDER BY closed_at, id LIMIT $2`, nanos(before), lim)
	if err != nil {
		return nil, sessErr(ctx, "closed", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[switchboard.ChatID])
	if err != nil {
		return nil, sessErr(ctx, "closed", err)
	}
	return ids, nil
}

// DueSessions implements [session.DeadlineStore] from the partial index
// on (deadline, id), which every session write keeps up to date.
func (s *SessionStore) DueSessions(ctx context.Context, now time.Time, limit int) ([]switchboard.ChatID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM ss_sessions WHERE deadline IS NOT NULL AND deadline <= $1
		ORDER BY deadline, id LIMIT $2`, now.UnixNano(), lim)
	if err != nil {
		return nil, sessErr(ctx, "due sessions", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[switchboard.ChatID])
	if err != nil {
		return nil, sessErr(ctx, "due sessions", err)
	}
	return ids, nil
}

// Forget implements [session.RetentionStore]: one DELETE fenced on the
// version and the closed state; the log goes with it (ON DELETE CASCADE),
// and its feed positions with the log.
func (s *SessionStore) Forget(ctx context.Context, chat switchboard.ChatID, version uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ct, err := s.pool.Exec(ctx, `DELETE FROM ss_sessions WHERE id = $1 AND version = $2 AND closed_at IS NOT NULL`,
		string(chat), int64(version))
	if err != nil {
		return sessErr(ctx, "forget", err)
	}
	if ct.RowsAffected() == 1 {
		return nil
	}
	var stored int64
	var closed bool
	err = s.pool.QueryRow(ctx, `SELECT version, closed_at IS NOT NULL FROM ss_sessions WHERE id = $1`, string(chat)).Scan(&stored, &closed)
	switch {
	case notFound(err):
		return fmt.Errorf("pgstore: %w: %s", session.ErrNotFound, chat)
	case err != nil:
		return sessErr(ctx, "forget", err)
	case uint64(stored) != version:
		return fmt.Errorf("pgstore: %w: %s is at version %d, not %d", session.ErrConflict, chat, stored, version)
	}
	return fmt.Errorf("pgstore: %w: %s is not closed", session.ErrInvalidState, chat)
}
