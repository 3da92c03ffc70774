package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statstest"
)

// pgURL returns the database the PostgreSQL tests use, or skips the test.
func pgURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("SWITCHBOARD_PG_URL")
	if u == "" {
		t.Skip("SWITCHBOARD_PG_URL is not set: no PostgreSQL to test against. " +
			"`cd pgstore && source .ci/setup` (or examples/webdemo/.ci/setup) starts one and exports it.")
	}
	return u
}

// freshSchema creates a schema of its own for one test, dropped when the
// test ends, and returns the URL of the database with that schema as its
// search_path.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := pgURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "webdemo_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// freePort returns a local address nobody listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// buildDemo builds the demo's command once for the test.
func buildDemo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "webdemo")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs the demo's command as a process of its own over the
// database at dbURL, and stops it (with an interrupt, as a person would)
// when the test ends.
func startProcess(t *testing.T, bin, dbURL string, args ...string) *server {
	t.Helper()
	addr := freePort(t)
	cmd := exec.Command(bin, append([]string{"-pg", dbURL, "-addr", addr}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "switchboard web demo on "); ok {
				u, _, _ = strings.Cut(u, ",")
				ready <- u
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("demo process on %s: %v\n%s", addr, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("demo process on %s did not stop on an interrupt", addr)
		}
	})
	select {
	case u := <-ready:
		return &server{url: u}
	case err := <-exited:
		t.Fatalf("demo process on %s exited: %v\n%s", addr, err, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("demo process on %s did not start\n%s", addr, stderr.String())
	}
	return nil
}

// TestTwoProcessesOverPostgreSQL: two processes of the demo over one
// database (SPEC W9). A customer connected to one and an agent connected
// to the other talk both ways, live; the agent's whisper never reaches
// the customer; the card number reaches the agent masked; the wallboard
// of either process counts the chat; the transcript downloads from the
// process the customer never used; wrap-up expires and an ignored offer
// turns into RONA, whichever process sweeps.
func TestTwoProcessesOverPostgreSQL(t *testing.T) {
	db := freshSchema(t)
	if raceEnabled {
		t.Skip("the processes run without the race detector: TestTwoServersOverPostgreSQL covers this pass")
	}
	bin := buildDemo(t)
	args := []string{"-accept-timeout", "3s", "-wrap-up", "1s"}
	one := startProcess(t, bin, db, args...)
	two := startProcess(t, bin, db, args...)
	talkAcross(t, one, two)
}

// TestTwoServersOverPostgreSQL runs the scenario of
// TestTwoProcessesOverPostgreSQL with both servers in the test's own
// process, so that the race detector sees the PostgreSQL mode (SPEC W9).
func TestTwoServersOverPostgreSQL(t *testing.T) {
	db := freshSchema(t)
	opts := options{PG: db, AcceptTimeout: 3 * time.Second, WrapUp: time.Second}
	one := startServer(t, opts)
	two := startServer(t, opts)
	talkAcross(t, one, two)
}

// talkAcross drives one chat with its customer on one and its agent on
// two.
func talkAcross(t *testing.T, one, two *server) {
	t.Helper()
	sup := one.open(t, "supervisor")
	sup.must("login", map[string]any{"agent": "sam"})
	customer := one.open(t, "customer")
	started := customer.must("start", map[string]any{"name": "Jane"})
	chat := started["chat"].(string)
	customer.wait("position 1", noticeAt("queued", 1))
	sup.wait("one waiting", waitingIs("support", 1))

	ada := two.open(t, "agent")
	ada.must("login", map[string]any{"agent": "ada"})
	offer := ada.wait("offer", isEvent("chat_offered"))["event"].(map[string]any)
	if offer["chat"] != chat || offer["customer"] != "Jane" {
		t.Fatalf("offer %v, want chat %s for Jane", offer, chat)
	}
	ada.must("accept", map[string]any{"offer": offer["offer"]})
	customer.wait("the agent joins", isEntry("joined", ""))
	sup.wait("none waiting", waitingIs("support", 0))

	ada.must("send", map[string]any{"chat": chat, "text": "note: repeat caller", "mode": "whisper"})
	ada.must("send", map[string]any{"chat": chat, "text": "Hello Jane"})
	customer.wait("agent's greeting", isEntry("message", "Hello Jane"))
	customer.must("send", map[string]any{"text": "my card is 4111 1111 1111 1111"})
	ada.wait("masked card", isEntry("message", "**** **** **** 1111"))
	customer.must("send", map[string]any{"text": "Thanks!"})
	ada.wait("customer's thanks", isEntry("message", "Thanks!"))
	ada.must("send", map[string]any{"chat": chat, "text": "Goodbye Jane"})
	customer.wait("agent's goodbye", isEntry("message", "Goodbye Jane"))
	if strings.Contains(customer.texts(), "repeat caller") {
		t.Errorf("the customer received the whisper: %s", customer.texts())
	}
	if strings.Contains(ada.texts(), "4111 1111") {
		t.Errorf("the agent received the card number: %s", ada.texts())
	}

	ending := ada.mark()
	ada.must("end", map[string]any{"chat": chat, "reason": "resolved", "confirm": true})
	customer.wait("the agent leaves", isEntry("left", ""))
	ada.waitFrom(ending, "wrap-up", agentState("wrap_up"))
	ada.waitFrom(ending, "wrap-up expired", agentState("available"))

	res, err := http.Get(two.url + "/transcript?" + url.Values{"chat": {chat}, "customer": {started["customer"].(string)}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if !strings.Contains(string(body), "Ada Lovelace: Hello Jane") || !strings.Contains(string(body), "Jane: Thanks!") ||
		strings.Contains(string(body), "repeat caller") {
		t.Errorf("transcript from the other process:\n%s", body)
	}

	// An offer nobody answers turns into RONA, whichever process sweeps.
	mark := ada.mark()
	one.open(t, "customer").must("start", map[string]any{"name": "Ray"})
	ada.waitFrom(mark, "the second offer", isEvent("chat_offered"))
	ada.waitFrom(mark, "RONA", agentState("rona"))
}

// agentState matches a routing event moving the agent to state.
func agentState(state string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		e, _ := f["event"].(map[string]any)
		return isEvent("agent_state_changed")(f) && e["state"] == state
	}
}

// TestPGStatsStore: the demo's PostgreSQL store of the statistics keeps
// the stats.Store contract.
func TestPGStatsStore(t *testing.T) {
	db := freshSchema(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	statstest.RunStoreTests(t, func(t *testing.T) stats.Store {
		if _, err := pool.Exec(ctx, "TRUNCATE webdemo_stats"); err != nil {
			t.Fatal(err)
		}
		return pgStats{pool: pool}
	})
}

// syncBuffer collects a process's output for the test to read.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBrowserAcrossTwoProcesses: a customer's widget served by one demo
// process and an agent's desktop served by another, in the browser: the
// customer waits with its place, the agent accepts, they talk both ways,
// and the agent's whisper never reaches the customer's page (SPEC W9).
func TestBrowserAcrossTwoProcesses(t *testing.T) {
	db := freshSchema(t)
	b := startChromium(t)
	bin := buildDemo(t)
	one, two := startProcess(t, bin, db), startProcess(t, bin, db)
	const whisper = "note: repeat caller"

	customer := b.openURL("customer", one.url+"/")
	startChat(customer, "Jane", "support")
	customer.waitText("#status", "You are 1st in line")
	ada := b.openURL("ada", two.url+"/agent")
	loginAgent(ada, "ada", "available")
	accept(ada)
	customer.waitText("#status", "chatting with an agent")

	ada.choose(".chat select.mode", "whisper")
	ada.say(".chat input.text", whisper, ".chat button.send")
	ada.waitText(".chat li.private", whisper)
	ada.choose(".chat select.mode", "normal")
	ada.say(".chat input.text", "Hello Jane, how can I help?", ".chat button.send")
	customer.waitText("#messages", "Hello Jane, how can I help?")
	customer.say("#text", "Where is my order?", "#send")
	ada.waitText(".chat li.msg", "Where is my order?")
	customer.never(whisper)
}
