package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-cc/switchboard/routing"
)

// Partitions implements [routing.EventLog].
func (s *RoutingStore) Partitions() int { return s.cfg.Partitions }

func (s *RoutingStore) checkPartition(p int) error {
	if p < 0 || p >= s.cfg.Partitions {
		return fmt.Errorf("pgstore: partition %d of %d: %w", p, s.cfg.Partitions, routing.ErrInvalid)
	}
	return nil
}

var (
	_ routing.EventTipStore = (*RoutingStore)(nil)
	_ routing.EventAppender = (*RoutingStore)(nil)
)

// EventTips implements [routing.EventTipStore] with one query over the
// partitions' counter rows, which each commit moves in the transaction
// that logs its events: a poll of a quiet log costs that one query, where
// reading every partition would cost one each.
func (s *RoutingStore) EventTips(ctx context.Context, tips []uint64) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return tips, fmt.Errorf("pgstore: event tips: %w", err)
	}
	tips, err := appendTips(ctx, s.pool, `SELECT part, seq FROM rt_partitions WHERE part >= 0 AND part < $1`, s.cfg.Partitions, tips)
	if err != nil {
		return tips, dbErr(ctx, "event tips", err, nil)
	}
	return tips, nil
}

// appendTips appends to tips the last position of each of n partitions,
// which query selects from their counter rows as (partition, position)
// given n; a partition without a row has given none (0). On an error it
// returns tips as it was.
func appendTips(ctx context.Context, q querier, query string, n int, tips []uint64) ([]uint64, error) {
	rows, err := q.Query(ctx, query, n)
	if err != nil {
		return tips, err
	}
	defer rows.Close()
	base := len(tips)
	tips = append(tips, make([]uint64, n)...)
	for rows.Next() {
		var part int32
		var pos int64
		if err := rows.Scan(&part, &pos); err != nil {
			return tips[:base], err
		}
		tips[base+int(part)] = uint64(pos)
	}
	if err := rows.Err(); err != nil {
		return tips[:base], err
	}
	return tips, nil
}

// Events implements [routing.EventLog]. Seq follows commit order within a
// partition because each commit appending to it holds the partition's
// counter row until it ends: a later Seq is never visible before an earlier
// one.
func (s *RoutingStore) Events(ctx context.Context, partition int, after uint64, limit int) ([]routing.Event, error) {
	out, err := s.AppendEvents(ctx, partition, after, limit, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AppendEvents implements [routing.EventAppender]: Events, read into the
// caller's buffer. On an error, buf is returned as it was given.
func (s *RoutingStore) AppendEvents(ctx context.Context, partition int, after uint64, limit int, buf []routing.Event) ([]routing.Event, error) {
	if err := ctx.Err(); err != nil {
		return buf, fmt.Errorf("pgstore: events: %w", err)
	}
	if limit < 0 {
		return buf, fmt.Errorf("pgstore: events: negative limit %d: %w", limit, routing.ErrInvalid)
	}
	if err := s.checkPartition(partition); err != nil {
		return buf, err
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, txn, body FROM rt_events WHERE part = $1 AND seq > $2
		ORDER BY seq LIMIT $3`, partition, int64(after), lim)
	if err != nil {
		return buf, dbErr(ctx, "events", err, nil)
	}
	defer rows.Close()
	out := buf
	for rows.Next() {
		var seq int64
		var txn string
		var body []byte
		if err := rows.Scan(&seq, &txn, &body); err != nil {
			return buf, dbErr(ctx, "events", err, nil)
		}
		var e routing.Event
		if err := json.Unmarshal(body, &e); err != nil {
			return buf, fmt.Errorf("pgstore: events: %w", err)
		}
		e.Seq, e.Txn = uint64(seq), txn
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return buf, dbErr(ctx, "events", err, nil)
	}
	return out, nil
}

// Cursor implements [routing.EventLog].
func (s *RoutingStore) Cursor(ctx context.Context, consumer string, partition int) (routing.Cursor, error) {
	if err := ctx.Err(); err != nil {
		return routing.Cursor{}, fmt.Errorf("pgstore: cursor: %w", err)
	}
	if consumer == "" {
		return routing.Cursor{}, fmt.Errorf("pgstore: cursor: empty consumer: %w", routing.ErrInvalid)
	}
	if err := s.checkPartition(partition); err != nil {
		return routing.Cursor{}, err
	}
	var c routing.Cursor
	var body []byte
	var version, position int64
	err := s.pool.QueryRow(ctx, `SELECT body, version, position FROM rt_cursors WHERE consumer = $1 AND part = $2`,
		consumer, partition).Scan(&body, &version, &position)
	if notFound(err) {
		return routing.Cursor{Consumer: consumer, Partition: partition}, nil
	}
	if err != nil {
		return routing.Cursor{}, dbErr(ctx, "cursor", err, nil)
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return routing.Cursor{}, fmt.Errorf("pgstore: cursor: %w", err)
	}
	c.Consumer, c.Partition, c.Version, c.Position = consumer, partition, uint64(version), uint64(position)
	return c, nil
}

// SaveCursor implements [routing.EventLog] in one transaction: the
// compare-and-set of the cursor row, the checks of its position, and the
// deletion of the events every cursor of the partition has passed. Creating
// a cursor locks the partition's counter row, so a commit appending to the
// partition either ends before (its events are not kept, and the cursor
// starts at or after them) or sees the cursor and keeps its events.
func (s *RoutingStore) SaveCursor(ctx context.Context, c routing.Cursor) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pgstore: save cursor: %w", err)
	}
	if c.Consumer == "" {
		return fmt.Errorf("pgstore: save cursor: empty consumer: %w", routing.ErrInvalid)
	}
	if err := s.checkPartition(c.Partition); err != nil {
		return err
	}
	body, err := json.Marshal(routing.Cursor{Owner: c.Owner, LeaseUntil: c.LeaseUntil})
	if err != nil {
		return fmt.Errorf("pgstore: save cursor: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var last int64
		lock := `SELECT coalesce((SELECT seq FROM rt_partitions WHERE part = $1), 0)`
		if c.Version == 0 {
			lock = `INSERT INTO rt_partitions (part, seq) VALUES ($1, 0) ON CONFLICT (part)
				DO UPDATE SET seq = rt_partitions.seq RETURNING seq`
		}
		if err := tx.QueryRow(ctx, lock, c.Partition).Scan(&last); err != nil {
			return err
		}
		var stored int64
		err := tx.QueryRow(ctx, `SELECT position FROM rt_cursors WHERE consumer = $1 AND part = $2 FOR UPDATE`,
			c.Consumer, c.Partition).Scan(&stored)
		exists := err == nil
		if err != nil && !notFound(err) {
			return err
		}
		switch {
		case c.Version == 0 && exists:
			return fmt.Errorf("pgstore: cursor %s/%d exists: %w", c.Consumer, c.Partition, routing.ErrConflict)
		case c.Version != 0 && !exists:
			return fmt.Errorf("pgstore: cursor %s/%d missing: %w", c.Consumer, c.Partition, routing.ErrConflict)
		case exists && int64(c.Position) < stored:
			return fmt.Errorf("pgstore: cursor %s/%d moves back from %d to %d: %w",
				c.Consumer, c.Partition, stored, c.Position, routing.ErrInvalid)
		case int64(c.Position) > last || c.Position > 1<<62:
			return fmt.Errorf("pgstore: cursor %s/%d at %d is past the last event %d: %w",
				c.Consumer, c.Partition, c.Position, last, routing.ErrInvalid)
		}
		if c.Version == 0 {
			_, err = tx.Exec(ctx, `INSERT INTO rt_cursors (consumer, part, position, version, body) VALUES ($1, $2, $3, 1, $4)`,
				c.Consumer, c.Partition, int64(c.Position), body)
			if err != nil {
				return err
			}
		} else {
			ct, err := tx.Exec(ctx, `UPDATE rt_cursors SET position = $3, version = version + 1, body = $4
				WHERE consumer = $1 AND part = $2 AND version = $5`,
				c.Consumer, c.Partition, int64(c.Position), body, int64(c.Version))
			if err != nil {
				return err
			}
			if ct.RowsAffected() != 1 {
				return fmt.Errorf("pgstore: cursor %s/%d at version %d: %w", c.Consumer, c.Partition, c.Version, routing.ErrConflict)
			}
		}
		if exists && int64(c.Position) == stored {
			return nil // nothing more passed: a lease renewal
		}
		_, err = tx.Exec(ctx, `DELETE FROM rt_events WHERE part = $1
			AND seq <= (SELECT min(position) FROM rt_cursors WHERE part = $1)`, c.Partition)
		return err
	})
	if err != nil {
		return dbErr(ctx, "save cursor", err, routing.ErrConflict)
	}
	return nil
}

// Applied implements [routing.TxnLog] from the table of committed
// transaction IDs that [RoutingStore.Commit] writes in the committing
// transaction.
func (s *RoutingStore) Applied(ctx context.Context, txn string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("pgstore: applied: %w", err)
	}
	if txn == "" {
		return false, nil
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rt_txns WHERE id = $1)`, txn).Scan(&ok); err != nil {
		return false, dbErr(ctx, "applied", err, nil)
	}
	return ok, nil
}
