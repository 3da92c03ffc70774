package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard/routing"
)

// RoutingStore forgets final chats when an engine with a retention asks.
var _ routing.Pruner = (*RoutingStore)(nil)

// Prune deletes up to limit chats that became final (done or ended, with
// no wrap-up held) more than keep ago by the store's clock, with their
// offers, and the committed transaction IDs older than
// [routing.TxnRetention]; limit 0 means 1,000. It returns how many chats
// it deleted. Reading a deleted chat or offer then returns
// [routing.ErrChatNotFound] or [routing.ErrOfferNotFound], as
// routingmem's KeepFinished does. Several processes may prune at once:
// each claims its rows with FOR UPDATE SKIP LOCKED.
func (s *RoutingStore) Prune(ctx context.Context, keep time.Duration, limit int) (int, error) {
	if keep < 0 || limit < 0 {
		return 0, fmt.Errorf("pgstore: prune: keep %v, limit %d: %w", keep, limit, routing.ErrInvalid)
	}
	if limit == 0 {
		limit = 1000
	}
	now := s.cfg.Clock.Now()
	var n int
	err := s.pool.QueryRow(ctx, `WITH gone AS (
			DELETE FROM rt_chats WHERE id IN (SELECT id FROM rt_chats WHERE final_at < $1
				ORDER BY final_at LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING id),
		offers AS (DELETE FROM rt_offers WHERE chat IN (SELECT id FROM gone))
		SELECT count(*) FROM gone`, now.Add(-keep).UnixNano(), limit).Scan(&n)
	if err != nil {
		return 0, dbErr(ctx, "prune", err, nil)
	}
	_, err = s.pool.Exec(ctx, `DELETE FROM rt_txns WHERE id IN (SELECT id FROM rt_txns WHERE at < $1
		ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)`, now.Add(-routing.TxnRetention).UnixNano(), 10*limit)
	if err != nil {
		return n, dbErr(ctx, "prune", err, nil)
	}
	return n, nil
}
