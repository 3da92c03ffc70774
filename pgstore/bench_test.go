package pgstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// benchWorkers is how many goroutines drive chats, and the total number
// of connections, whatever the number of engines.
const benchWorkers = 12

// ceiling is PostgreSQL's own rate of minimal write transactions measured
// by the "ceiling" benchmark earlier in the same run; 0 before.
var ceiling atomic.Int64

// BenchmarkPostgreSQL measures, in one run: PostgreSQL's own rate of
// single-row UPDATE transactions at benchWorkers connections (the
// ceiling), then full chat life cycles (start, offer, accept, a message
// each way, end, close) through one engine and through three engines on
// the same total number of connections, and three engines with a licence
// limit. It reports committed write transactions per second, life cycles
// per second, transactions per life cycle, the offer latency (p50, p99),
// the share of the ceiling reached, and the rows and bytes each chat
// keeps before and after retention (SPEC G7).
func BenchmarkPostgreSQL(b *testing.B) {
	if raceEnabled {
		b.Skip("benchmarks run without the race detector")
	}
	b.Run("ceiling", benchCeiling)
	b.Run("engines=1", func(b *testing.B) { benchCycles(b, 1, 0) })
	b.Run("engines=3", func(b *testing.B) { benchCycles(b, 3, 0) })
	b.Run("engines=3/licence", func(b *testing.B) { benchCycles(b, 3, 1000) })
}

// benchCeiling runs single-row UPDATE transactions (autocommit), each
// worker on a row of its own, so they do not wait for one another.
func benchCeiling(b *testing.B) {
	schema := newSchema(b)
	pool := newPool(b, schema, benchWorkers)
	_, err := pool.Exec(ctx, `CREATE TABLE bench_rows (id int PRIMARY KEY, v bigint NOT NULL);
		INSERT INTO bench_rows SELECT g, 0 FROM generate_series(0, 63) g`)
	require.NoError(b, err)
	var syncCommit, fsync string
	require.NoError(b, pool.QueryRow(ctx, `SELECT current_setting('synchronous_commit'), current_setting('fsync')`).Scan(&syncCommit, &fsync))
	b.Logf("synchronous_commit=%s fsync=%s", syncCommit, fsync)
	var next atomic.Int64
	wall := clock.New()
	b.ReportAllocs()
	b.ResetTimer()
	begin := wall.Now()
	var wg sync.WaitGroup
	for w := range benchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := pool.Exec(ctx, `UPDATE bench_rows SET v = v + 1 WHERE id = $1`, w); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	rate := float64(b.N) / wall.Since(begin).Seconds()
	b.ReportMetric(rate, "txn/s")
	ceiling.Store(int64(rate))
}

// benchCycles runs b.N chat life cycles through n engines.
func benchCycles(b *testing.B, n, licence int) {
	schema := newSchema(b)
	wall := clock.New()
	var txns atomic.Int64
	count := func(p pgstore.FaultPoint) error {
		if p == pgstore.AfterCommit || p == pgstore.AfterWrite {
			txns.Add(1)
		}
		return nil
	}
	var engines []*engine.Engine
	var stores []*pgstore.RoutingStore
	var sessions []*pgstore.SessionStore
	run, stop := context.WithCancel(ctx)
	var running sync.WaitGroup
	for i := range n {
		pool := newPool(b, schema, int32(benchWorkers/n))
		rs := pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: wall})
		ss := pgstore.NewSessions(pool, pgstore.SessionConfig{})
		eng, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss,
			Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
			Clock: wall, Process: fmt.Sprintf("p%d", i), Poll: 20 * time.Millisecond,
			// Units of the licence are taken from several rows, so
			// concurrent chats seldom write the same one.
			Router: routing.Config{LicenceShards: 16}})
		require.NoError(b, err)
		running.Add(1)
		go func() { defer running.Done(); _ = eng.Run(run) }()
		engines, stores, sessions = append(engines, eng), append(stores, rs), append(sessions, ss)
	}
	defer func() { stop(); running.Wait() }()
	r := engines[0].Router()
	if licence > 0 {
		require.NoError(b, r.SetLicenceLimit(ctx, licence))
	}
	// A queue and an agent per worker, so each worker answers its own
	// offers.
	for w := range benchWorkers {
		q := switchboard.QueueID(fmt.Sprintf("q%02d", w))
		_, err := r.PutQueue(ctx, routing.Queue{ID: q, Tenant: "t1", AcceptTimeout: time.Minute})
		require.NoError(b, err)
		_, err = r.Login(ctx, switchboard.AgentID(fmt.Sprintf("a%02d", w)), routing.Profile{DisplayName: "Agent", Tenant: "t1",
			Queues: []switchboard.QueueID{q}, Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 1}}})
		require.NoError(b, err)
	}
	for i := range n {
		pgstore.SetRoutingFaults(stores[i], count)
		pgstore.SetSessionFaults(sessions[i], count)
	}
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	begin := wall.Now()
	var wg sync.WaitGroup
	for w := range benchWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eng := engines[w%n]
			agent := switchboard.AgentID(fmt.Sprintf("a%02d", w))
			for k := next.Add(1); k <= int64(b.N); k = next.Add(1) {
				lat, err := lifeCycle(eng, wall, switchboard.QueueID(fmt.Sprintf("q%02d", w)), agent, switchboard.ChatID(fmt.Sprintf("c%d", k)))
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				latencies = append(latencies, lat)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := wall.Since(begin).Seconds()
	b.StopTimer()
	slices.Sort(latencies)
	rate := float64(txns.Load()) / elapsed
	b.ReportMetric(rate, "txn/s")
	b.ReportMetric(float64(b.N)/elapsed, "cycles/s")
	b.ReportMetric(float64(txns.Load())/float64(b.N), "txn/cycle")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-offer-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-offer-ms")
	if c := ceiling.Load(); c > 0 {
		b.ReportMetric(100*rate/float64(c), "%ceiling")
	}
	pool := newPool(b, schema, 2)
	rows, bytes := footprint(b, pool)
	b.ReportMetric(float64(rows)/float64(b.N), "rows/chat")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/chat")
	// Retention: closed sessions and finished chats go.
	wall2 := clock.NewMock()
	wall2.Set(wall.Now().Add(time.Hour))
	pruner := pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: wall2})
	for {
		k, err := pruner.Prune(ctx, time.Minute, 0)
		require.NoError(b, err)
		if k == 0 {
			break
		}
	}
	m, err := session.NewManager(pgstore.NewSessions(pool, pgstore.SessionConfig{}), session.Config{})
	require.NoError(b, err)
	_, err = m.ForgetClosed(ctx, wall2.Now(), nil)
	require.NoError(b, err)
	after, _ := footprint(b, pool)
	if after > 0 {
		var left string
		require.NoError(b, pool.QueryRow(ctx, `SELECT format('chats %s offers %s agent_chats %s events %s txns %s sessions %s entries %s',
			(SELECT count(*) FROM rt_chats), (SELECT count(*) FROM rt_offers), (SELECT count(*) FROM rt_agent_chats),
			(SELECT count(*) FROM rt_events), (SELECT count(*) FROM rt_txns), (SELECT count(*) FROM ss_sessions),
			(SELECT count(*) FROM ss_entries))`).Scan(&left))
		b.Logf("kept after retention: %s", left)
	}
	b.ReportMetric(float64(after)/float64(b.N), "rows/chat-after-retention")
}

// lifeCycle runs one chat from start to close and returns how long the
// offer took to reach the agent.
func lifeCycle(eng *engine.Engine, wall clock.Clock, q switchboard.QueueID, agent switchboard.AgentID, id switchboard.ChatID) (time.Duration, error) {
	start := wall.Now()
	if _, err := eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: q, Customer: switchboard.CustomerID("u" + id), CustomerName: "C"}); err != nil {
		return 0, err
	}
	var offer routing.OfferID
	for offer == "" {
		os, err := eng.Router().Offers(ctx, agent)
		if err != nil {
			return 0, err
		}
		for _, o := range os {
			if o.Chat == id {
				offer = o.ID
			}
		}
	}
	lat := wall.Since(start)
	if _, _, err := eng.Accept(ctx, agent, offer); err != nil {
		return 0, err
	}
	if _, err := eng.Send(ctx, id, session.Message{ID: "m1", From: session.CustomerParticipant(switchboard.CustomerID("u" + id)), Text: "hello"}); err != nil {
		return 0, err
	}
	if _, err := eng.Send(ctx, id, session.Message{ID: "m2", From: session.AgentParticipant(agent), Text: "hi"}); err != nil {
		s, _ := eng.Sessions().Session(ctx, id)
		c, _ := eng.Router().Chat(ctx, id)
		log, _ := eng.Sessions().OrganisationLog(ctx, id)
		var b strings.Builder
		for _, l := range log {
			fmt.Fprintf(&b, "%s %s %s %q %q\n", l.Type, l.From, l.SubjectName, l.Text, l.Reason)
		}
		return 0, fmt.Errorf("%w: session %+v chat %+v log %s", err, s, c, b.String())
	}
	if _, err := eng.Close(ctx, id, agent, session.EndOptions{Confirm: true}); err != nil {
		return 0, err
	}
	return lat, nil
}

// footprint returns the rows and bytes of the stores' record tables.
func footprint(b *testing.B, pool *pgxpool.Pool) (rows, bytes int64) {
	require.NoError(b, pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM rt_chats) + (SELECT count(*) FROM rt_offers) + (SELECT count(*) FROM rt_agent_chats) +
		(SELECT count(*) FROM rt_events) + (SELECT count(*) FROM rt_txns) + (SELECT count(*) FROM ss_sessions) +
		(SELECT count(*) FROM ss_entries),
		pg_total_relation_size('rt_chats') + pg_total_relation_size('rt_offers') + pg_total_relation_size('rt_agent_chats') +
		pg_total_relation_size('rt_events') + pg_total_relation_size('rt_txns') + pg_total_relation_size('ss_sessions') +
		pg_total_relation_size('ss_entries')`).Scan(&rows, &bytes))
	return rows, bytes
}

// BenchmarkIdlePass measures a pass of an engine over PostgreSQL that
// finds nothing to do, the pass Run makes every Poll while the centre is
// quiet, with the stores answering every partition's tip in one query
// (tips=one-query) and, as the baseline in the same run, with stores that
// do not (tips=none), so that every partition of routing's log and of
// the sessions' feed is read.
func BenchmarkIdlePass(b *testing.B) {
	if raceEnabled {
		b.Skip("benchmarks run without the race detector")
	}
	for _, tips := range []bool{true, false} {
		name := "tips=one-query"
		if !tips {
			name = "tips=none"
		}
		b.Run(name, func(b *testing.B) {
			schema := newSchema(b)
			pool := newPool(b, schema, 4)
			var rs routing.Store = pgstore.NewRouting(pool, pgstore.RoutingConfig{})
			var ss session.Store = pgstore.NewSessions(pool, pgstore.SessionConfig{})
			if !tips {
				// Only the interfaces every store has: no tips.
				rs = struct{ routing.Store }{rs}
				ss = struct {
					session.Store
					session.FeedStore
					session.RetentionStore
					session.DeadlineStore
				}{ss, ss.(session.FeedStore), ss.(session.RetentionStore), ss.(session.DeadlineStore)}
			}
			eng, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss,
				Desktops: routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }), Participants: session.Discard{},
				Clock: clock.NewMock(), Manual: true})
			require.NoError(b, err)
			setUp(b, eng, 2)
			require.NoError(b, eng.Settle(ctx))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := eng.Settle(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
