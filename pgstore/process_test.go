package pgstore_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
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

// The test binary runs as a child engine process when SWITCHBOARD_PG_CHILD
// names it.
func TestMain(m *testing.M) {
	if name := os.Getenv("SWITCHBOARD_PG_CHILD"); name != "" {
		os.Exit(runChild(name))
	}
	os.Exit(m.Run())
}

// realQueues time out in seconds, for engines on the real clock.
var realQueues = []routing.Queue{
	{ID: "ring", Tenant: "t1", Strategy: routing.RingAll, AcceptTimeout: 2 * time.Second, MaxWait: 15 * time.Second, WrapUp: 2 * time.Second},
	{ID: "idle", Tenant: "t1", Strategy: routing.LongestIdle, AcceptTimeout: 2 * time.Second, MaxWait: 15 * time.Second, WrapUp: 2 * time.Second},
	{ID: "busy", Tenant: "t1", Strategy: routing.LeastBusy, AcceptTimeout: 2 * time.Second, MaxWait: 15 * time.Second, WrapUp: 2 * time.Second},
}

// openPool opens a pool of size connections on schema.
func openPool(schema string, size int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(os.Getenv("SWITCHBOARD_PG_URL"))
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = size
	return pgxpool.NewWithConfig(context.Background(), cfg)
}

// recorder is a session.Transport that records each delivery in the table
// test_deliveries, so that the test sees what every process delivered.
type recorder struct {
	pool *pgxpool.Pool
	proc string
}

func (r *recorder) Deliver(ctx context.Context, to session.ParticipantID, d session.Delivery) error {
	_, err := r.pool.Exec(ctx, `INSERT INTO test_deliveries (proc, participant, chat, seq, type) VALUES ($1, $2, $3, $4, $5)`,
		r.proc, string(to), string(d.Chat), int64(d.Item.Seq), int16(d.Item.Type))
	return err
}

// deliveries reads what test_deliveries recorded for p.
func deliveries(t *testing.T, pool *pgxpool.Pool) func(session.ParticipantID) []session.Delivery {
	return func(p session.ParticipantID) []session.Delivery {
		rows, err := pool.Query(ctx, `SELECT chat, seq, type FROM test_deliveries WHERE participant = $1`, string(p))
		require.NoError(t, err)
		defer rows.Close()
		var out []session.Delivery
		for rows.Next() {
			var chat string
			var seq int64
			var typ int16
			require.NoError(t, rows.Scan(&chat, &seq, &typ))
			out = append(out, session.Delivery{Chat: switchboard.ChatID(chat), Item: session.View{Seq: uint64(seq), Type: session.EntryType(typ)}})
		}
		require.NoError(t, rows.Err())
		return out
	}
}

// runChild is a child engine process: it runs an engine on the real
// clock, acts as customers (starting SWITCHBOARD_PG_CHILD_CHATS chats) and
// as every agent, prints "done" when its customers are, and keeps running
// the engine until its standard input closes.
func runChild(name string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, name+":", err); return 2 }
	schema := os.Getenv("SWITCHBOARD_PG_SCHEMA")
	chats, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_PG_CHILD_CHATS"))
	pool, err := openPool(schema, 8)
	if err != nil {
		return fail(err)
	}
	defer pool.Close()
	clk := clock.New()
	eng, err := engine.New(ctx, engine.Config{
		Routing:      pgstore.NewRouting(pool, pgstore.RoutingConfig{Clock: clk}),
		Sessions:     pgstore.NewSessions(pool, pgstore.SessionConfig{}),
		Desktops:     routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }),
		Participants: &recorder{pool: pool, proc: name},
		Clock:        clk, Process: name, Poll: 20 * time.Millisecond, Lease: 3 * time.Second})
	if err != nil {
		return fail(err)
	}
	run, stopRun := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- eng.Run(run) }()

	agents, prof := profiles(50)
	a := &actor{prefix: name + "-", procs: []*engine.Engine{eng}, agents: agents, prof: prof,
		chats: map[switchboard.ChatID]switchboard.CustomerID{}}
	a.onStart = func(id switchboard.ChatID, cust switchboard.CustomerID, q switchboard.QueueID) {
		for {
			_, err := pool.Exec(ctx, `INSERT INTO test_chats (proc, id, customer, queue) VALUES ($1, $2, $3, $4)`,
				name, string(id), string(cust), string(q))
			if err == nil {
				return
			}
			fmt.Fprintln(os.Stderr, name+": recording a chat:", err)
		}
	}
	a.chatBudget.Store(int64(chats))
	var stopped atomic.Bool
	var customers, agentsDone sync.WaitGroup
	for g := range 4 {
		rnd := rand.New(rand.NewPCG(uint64(g), uint64(len(name))))
		customers.Add(1)
		go func() { defer customers.Done(); a.customer(g, rnd, stopped.Load) }()
	}
	for g := range 8 {
		rnd := rand.New(rand.NewPCG(uint64(g), 7))
		agentsDone.Add(1)
		go func() {
			defer agentsDone.Done()
			for !stopped.Load() {
				for i := g; i < len(agents) && !stopped.Load(); i += 8 {
					a.agent(agents[i], rnd, func() bool { return stopped.Load() || rnd.IntN(3) == 0 })
				}
			}
		}()
	}
	customers.Wait()
	stopped.Store(true)
	agentsDone.Wait()
	fmt.Println("done")
	_, _ = io.Copy(io.Discard, os.Stdin)
	stopRun()
	if err := <-ran; err != nil {
		return fail(err)
	}
	return 0
}

// child is a running child process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{} // closed when it printed "done"
}

func startChild(t *testing.T, schema, name string, chats int) *child {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_PG_CHILD="+name, "SWITCHBOARD_PG_SCHEMA="+schema,
		"SWITCHBOARD_PG_CHILD_CHATS="+strconv.Itoa(chats))
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	c := &child{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "done" {
				close(c.done)
			}
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return c
}

// TestEnginesInSeparateProcessesSurviveAKill runs three engines as
// separate processes over one database, kills one with SIGKILL while it
// works, and checks that the survivors expire its deadlines, process its
// events and finish its work: every invariant holds once they are quiet
// (SPEC G3, G4).
func TestEnginesInSeparateProcessesSurviveAKill(t *testing.T) {
	if raceEnabled {
		t.Skip("several processes: run without the race detector")
	}
	if testing.Short() {
		t.Skip("several processes take a while: run without -short")
	}
	schema := newSchema(t)
	pool := newPool(t, schema, 4)
	_, err := pool.Exec(ctx, `CREATE TABLE test_chats (proc text, id text PRIMARY KEY, customer text, queue text);
		CREATE TABLE test_deliveries (proc text, participant text, chat text, seq bigint, type smallint)`)
	require.NoError(t, err)
	wall := clock.New()
	begin := wall.Now()
	setup := newEngine(t, schema, "setup", wall, session.Discard{}, true)
	agents, _ := setUpQueues(t, setup, 50, realQueues)

	per := max(workloadChats()/3, 10)
	var procs []*child
	for i := range 3 {
		procs = append(procs, startChild(t, schema, fmt.Sprintf("p%d", i+1), per))
	}
	// Kill p1 halfway through its chats.
	for {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM test_chats WHERE proc = 'p1'`).Scan(&n))
		if n >= per/2 {
			break
		}
		select {
		case <-procs[0].done:
			t.Fatal("p1 finished before it was killed")
		case <-wall.After(50 * time.Millisecond):
		}
	}
	require.NoError(t, procs[0].cmd.Process.Signal(syscall.SIGKILL))
	err = procs[0].cmd.Wait()
	require.Error(t, err, "p1 was killed")
	t.Logf("killed p1 after %v", wall.Since(begin).Round(time.Millisecond))
	for _, c := range procs[1:] {
		select {
		case <-c.done:
		case <-wall.After(4 * time.Minute):
			t.Fatal("a survivor never finished its work")
		}
	}
	// The chats p1 recorded and never started are started, as its host
	// would on a retry.
	rows, err := pool.Query(ctx, `SELECT id, customer, queue FROM test_chats ORDER BY id`)
	require.NoError(t, err)
	type rec struct{ id, customer, queue string }
	var recs []rec
	for rows.Next() {
		var r rec
		require.NoError(t, rows.Scan(&r.id, &r.customer, &r.queue))
		recs = append(recs, r)
	}
	require.NoError(t, rows.Err())
	var chats []switchboard.ChatID
	restarted := 0
	for _, r := range recs {
		id := switchboard.ChatID(r.id)
		chats = append(chats, id)
		if _, err := setup.Router().Chat(ctx, id); err == nil {
			continue
		}
		restarted++
		_, err := setup.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: switchboard.QueueID(r.queue),
			Customer: switchboard.CustomerID(r.customer), CustomerName: "Customer"})
		require.NoError(t, err, "starting %s again", id)
	}
	// Quiet: no chat waits or wraps up, and nothing changes for a while.
	last := ""
	for i := 0; ; i++ {
		require.Less(t, i, 120, "the survivors never settle")
		wall.Sleep(time.Second)
		busy := 0
		for _, id := range chats {
			c, err := setup.Router().Chat(ctx, id)
			require.NoError(t, err)
			if c.State == routing.Queued || c.State == routing.Offered || c.State == routing.InWrapUp {
				busy++
			}
		}
		fp := fingerprint(t, setup, chats, agents)
		if busy == 0 && fp == last {
			break
		}
		last = fp
	}
	for _, c := range procs[1:] {
		require.NoError(t, c.stdin.Close())
		require.NoError(t, c.cmd.Wait(), "a survivor exits cleanly")
	}
	sessions := pgstore.NewSessions(pool, pgstore.SessionConfig{})
	readLog := func(chat switchboard.ChatID) ([]session.Entry, error) { return sessions.ReadEntries(ctx, chat, 0, 0) }
	states := checkWorld(t, setup, chats, readLog, agents, deliveries(t, pool), "p1-")
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM test_deliveries`).Scan(&n))
	t.Logf("%d chats %v (%d started again after the kill), %d deliveries, in %v",
		len(chats), states, restarted, n, wall.Since(begin).Round(time.Millisecond))
	require.True(t, slices.ContainsFunc(chats, func(id switchboard.ChatID) bool { return len(id) > 3 && id[:3] == "p1-" }))
	require.NotZero(t, states[routing.Done], "some chats were handled to the end")
}
