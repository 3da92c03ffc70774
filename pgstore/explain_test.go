package pgstore_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestHotQueriesUseIndexes checks with EXPLAIN that every query a routing
// decision or a session write makes is answered from an index (SPEC G6).
// The tables are small, so sequential scans are switched off, as they
// would lose to the indexes on tables of production size; what the test
// shows is that an index serves each query.
func TestHotQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	pool := newPool(t, newSchema(t), 2)
	queries := []struct{ name, sql, index string }{
		{"Candidates", `SELECT body, version FROM rt_agents WHERE state = 1 AND queues @> ARRAY['q'::text]`, "rt_agents_available"},
		{"LoggedIn", `SELECT body, version FROM rt_agents WHERE tenant = 't' AND state <> 0 ORDER BY id`, "rt_agents_logged_in"},
		{"Agent", `SELECT body, version FROM rt_agents WHERE id = 'a'`, "rt_agents_pkey"},
		{"Waiting", `SELECT id FROM rt_chats WHERE queue = 'q' AND state = 0 ORDER BY neg_priority, order_key, seq, id OFFSET 0 LIMIT 10`, "rt_chats_queued"},
		{"Position", `SELECT (SELECT count(*) FROM rt_chats o WHERE o.queue = c.queue AND o.state IN (0, 1)
			AND (o.neg_priority, o.order_key, o.seq, o.id) < (c.neg_priority, c.order_key, c.seq, c.id)) FROM rt_chats c WHERE c.id = 'c'`, "rt_chats_lined"},
		{"DueChats", `SELECT deadline, 1, id FROM rt_chats WHERE deadline <= 5 ORDER BY deadline, id LIMIT 10`, "rt_chats_deadline"},
		{"DueOffers", `SELECT deadline, 2, id FROM rt_offers WHERE deadline <= 5 ORDER BY deadline, id LIMIT 10`, "rt_offers_deadline"},
		{"PendingOffersOfAgent", `SELECT body, version FROM rt_offers WHERE agent = 'a' AND pending ORDER BY created`, "rt_offers_agent_pending"},
		{"PendingOffersOfChat", `SELECT body, version FROM rt_offers WHERE chat = 'c' AND pending ORDER BY created`, "rt_offers_chat"},
		{"AgentChats", `SELECT c.body FROM rt_agent_chats a JOIN rt_chats c ON c.id = a.chat WHERE a.agent = 'a'`, "rt_agent_chats_pkey"},
		{"CountLicence", `SELECT count(*) FROM rt_chats WHERE licensed AND ((licence_shard % 4) + 4) % 4 = 1`, "rt_chats_licensed"},
		{"Events", `SELECT seq, txn, body FROM rt_events WHERE part = 1 AND seq > 10 ORDER BY seq LIMIT 100`, "rt_events_pkey"},
		{"Applied", `SELECT EXISTS (SELECT 1 FROM rt_txns WHERE id = 't')`, "rt_txns_pkey"},
		{"ActiveSessions", `SELECT id FROM ss_sessions WHERE closed_at IS NULL AND present @> ARRAY['agent:a'::text]`, "ss_sessions_present"},
		{"Closed", `SELECT id FROM ss_sessions WHERE closed_at IS NOT NULL AND closed_at < 5 ORDER BY closed_at, id LIMIT 100`, "ss_sessions_closed"},
		{"ReadEntries", `SELECT body FROM ss_entries WHERE chat = 'c' AND seq > 3 ORDER BY seq`, "ss_entries_pkey"},
		{"EntryByID", `SELECT body FROM ss_entries WHERE chat = 'c' AND entry_id = 'm1'`, "ss_entries_id"},
		{"Feed", `SELECT pos, chat, body FROM ss_entries WHERE part = 1 AND pos > 10 ORDER BY pos LIMIT 100`, "ss_entries_feed"},
		{"Fragments", `SELECT text FROM ss_fragments WHERE chat = 'c' AND sender = 's' ORDER BY at, message`, "ss_fragments_sender"},
		{"ExpiredFragments", `SELECT text FROM ss_fragments WHERE until < 5 ORDER BY until, chat, message LIMIT 10`, "ss_fragments_until"},
	}
	require.NoError(t, pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		for _, q := range queries {
			rows, err := tx.Query(ctx, "EXPLAIN "+q.sql)
			require.NoError(t, err, q.name)
			plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err, q.name)
			text := strings.Join(plan, "\n")
			require.Contains(t, text, "Index", "%s: no index scan:\n%s", q.name, text)
			require.Contains(t, text, q.index, "%s: not from %s:\n%s", q.name, q.index, text)
		}
		return nil
	}))
}
