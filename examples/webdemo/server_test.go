package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// server is a demo server started on a free port for one test.
type server struct {
	url string
}

// startServer runs the demo until the test ends, and waits for it to stop.
func startServer(t *testing.T, opts options) *server {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	ready := make(chan string, 1)
	opts.Ready = func(u string) { ready <- u }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the server did not stop")
		}
	})
	select {
	case u := <-ready:
		return &server{url: u}
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start")
	}
	return nil
}

// page is a Go websocket client standing in for one browser page.
type page struct {
	t    *testing.T
	conn *websocket.Conn
	mu   sync.Mutex
	seen []map[string]any
	next int
	more chan struct{}
}

func (s *server) open(t *testing.T, role string) *page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, strings.Replace(s.url, "http", "ws", 1)+"/ws?role="+role, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", role, err)
	}
	conn.SetReadLimit(4 << 20)
	p := &page{t: t, conn: conn, more: make(chan struct{}, 1)}
	go func() {
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(b, &f) != nil {
				continue
			}
			p.mu.Lock()
			p.seen = append(p.seen, f)
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() { _ = conn.CloseNow() })
	return p
}

// wait returns the first frame since the start that matches, or fails
// the test after a while.
func (p *page) wait(what string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	return p.waitFrom(0, what, match)
}

// mark is where the frames received so far end.
func (p *page) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.seen)
}

// waitFrom is wait for frames received after mark.
func (p *page) waitFrom(mark int, what string, match func(map[string]any) bool) map[string]any {
	p.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		p.mu.Lock()
		for _, f := range p.seen[mark:] {
			if match(f) {
				p.mu.Unlock()
				return f
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-deadline:
			p.t.Fatalf("no %s among %d frames: %s", what, len(p.seen), p.dump())
		}
	}
}

func (p *page) dump() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, _ := json.Marshal(p.seen)
	return string(b)
}

// do sends a request and returns its result, or its error text.
func (p *page) do(op string, fields map[string]any) (any, error) {
	p.t.Helper()
	p.mu.Lock()
	p.next++
	id := p.next
	p.mu.Unlock()
	req := map[string]any{"id": id, "op": op}
	for k, v := range fields {
		req[k] = v
	}
	b, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.conn.Write(ctx, websocket.MessageText, b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
	r := p.wait("reply to "+op, func(f map[string]any) bool {
		return f["type"] == "reply" && f["id"] == float64(id)
	})
	if r["ok"] != true {
		return r["result"], errors.New(fmt.Sprint(r["error"]))
	}
	return r["result"], nil
}

func (p *page) must(op string, fields map[string]any) map[string]any {
	p.t.Helper()
	r, err := p.do(op, fields)
	if err != nil {
		p.t.Fatalf("%s: %v", op, err)
	}
	m, _ := r.(map[string]any)
	return m
}

// texts returns the text of every entry the page received.
func (p *page) texts() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, f := range p.seen {
		if f["type"] == "entry" {
			item, _ := f["item"].(map[string]any)
			fmt.Fprintln(&b, item["text"])
		}
	}
	return b.String()
}

func isEntry(typ, text string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		item, _ := f["item"].(map[string]any)
		return f["type"] == "entry" && item["type"] == typ && strings.Contains(fmt.Sprint(item["text"]), text)
	}
}

func isEvent(typ string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		e, _ := f["event"].(map[string]any)
		return f["type"] == "routing" && e["type"] == typ
	}
}

// TestChatOverWebsockets follows one chat through the server with Go
// clients: a customer waiting with a position, an offer to an agent, a
// whisper the customer never receives (SPEC S2), a card number masked
// before the agent reads it (SPEC P1), the wallboard's waiting count, the
// end with a wrap-up reason and the customer's transcript.
func TestChatOverWebsockets(t *testing.T) {
	s := startServer(t, options{})
	sup := s.open(t, "supervisor")
	sup.must("login", map[string]any{"agent": "sam"})
	customer := s.open(t, "customer")
	started := customer.must("start", map[string]any{"name": "Jane"})
	chat := started["chat"].(string)

	// Waiting with no agent logged in: first in the queue (SPEC R12), and
	// counted on the wallboard.
	// The engine's notice tells the customer its place (SPEC H5).
	customer.wait("position 1", func(f map[string]any) bool {
		n, _ := f["notice"].(map[string]any)
		return isEntry("notice", "")(f) && n["position"] == float64(1)
	})
	sup.wait("one waiting", waitingIs("support", 1))

	ada := s.open(t, "agent")
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
	if strings.Contains(ada.texts(), "4111 1111") {
		t.Errorf("the agent received the card number: %s", ada.texts())
	}
	if strings.Contains(customer.texts(), "repeat caller") {
		t.Errorf("the customer received the whisper: %s", customer.texts())
	}

	// Ending needs confirmation while the customer is there (SPEC S10).
	if r, err := ada.do("end", map[string]any{"chat": chat, "reason": "resolved"}); err == nil || r.(map[string]any)["confirm"] != true {
		t.Fatalf("end without confirmation: %v %v, want a request to confirm", r, err)
	}
	ada.must("end", map[string]any{"chat": chat, "reason": "resolved", "confirm": true})
	ada.wait("wrap-up", func(f map[string]any) bool {
		e, _ := f["event"].(map[string]any)
		return isEvent("agent_state_changed")(f) && e["state"] == "wrap_up"
	})

	res, err := http.Get(s.url + "/transcript?" + url.Values{"chat": {chat}, "customer": {started["customer"].(string)}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if !strings.Contains(string(body), "Ada Lovelace: Hello Jane") || strings.Contains(string(body), "repeat caller") ||
		!strings.Contains(string(body), "**** **** **** 1111") {
		t.Errorf("transcript:\n%s", body)
	}
	res, err = http.Get(s.url + "/transcript?" + url.Values{"chat": {chat}, "customer": {"someone-else"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("another customer's transcript: status %d, want 404", res.StatusCode)
	}
}

func waitingIs(queue string, n int) func(map[string]any) bool {
	return func(f map[string]any) bool {
		b, _ := f["board"].(map[string]any)
		qs, _ := b["queues"].([]any)
		for _, q := range qs {
			q := q.(map[string]any)
			if q["id"] == queue && q["waiting"] == float64(n) {
				return true
			}
		}
		return false
	}
}

// TestOfferTurnsIntoRONA: an offer nobody answers rings for the queue's
// accept timeout, then the agent is in RONA (SPEC R6) and gets no offer
// until it sets itself Available again.
func TestOfferTurnsIntoRONA(t *testing.T) {
	s := startServer(t, options{AcceptTimeout: 600 * time.Millisecond})
	bob := s.open(t, "agent")
	bob.must("login", map[string]any{"agent": "bob"})
	s.open(t, "customer").must("start", map[string]any{"name": "Ray"})
	bob.wait("offer", isEvent("chat_offered"))
	bob.wait("RONA", func(f map[string]any) bool {
		e, _ := f["event"].(map[string]any)
		return isEvent("agent_state_changed")(f) && e["state"] == "rona"
	})
	mark := bob.mark()
	bob.must("state", map[string]any{"state": "available"})
	bob.waitFrom(mark, "offer again", isEvent("chat_offered"))
}

// TestRefusals: what a page may not do is refused with a reason and
// changes nothing.
func TestRefusals(t *testing.T) {
	s := startServer(t, options{})
	res, err := http.Get(s.url + "/ws?role=boss")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown role: status %d, want 400", res.StatusCode)
	}

	customer := s.open(t, "customer")
	for _, tc := range []struct {
		op     string
		fields map[string]any
		want   string
	}{
		{"send", map[string]any{"text": "hi"}, "start a chat first"},
		{"start", map[string]any{"name": "  "}, "a name is required"},
		{"start", map[string]any{"name": "Kim", "queue": "nowhere"}, "queue not found"},
	} {
		if _, err := customer.do(tc.op, tc.fields); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: %v, want %q", tc.op, tc.fields, err, tc.want)
		}
	}
	started := customer.must("start", map[string]any{"name": "Kim"})
	if _, err := customer.do("start", map[string]any{"name": "Kim"}); err == nil {
		t.Error("a second chat from one page was started")
	}
	// A file the attachment policy refuses (SPEC A1) is refused with its
	// reason, and nothing reaches the chat.
	exe := base64.StdEncoding.EncodeToString([]byte("MZ\x90\x00\x03\x00\x00\x00 not a document"))
	if _, err := customer.do("file", map[string]any{"file": map[string]any{"name": "tool.exe", "type": "application/octet-stream", "data": exe}}); err == nil ||
		!strings.Contains(err.Error(), "tool.exe: .exe files are not allowed") {
		t.Errorf("an executable: %v, want the attachment policy's refusal", err)
	}
	if _, err := customer.do("send", map[string]any{"text": ""}); err == nil {
		t.Error("an empty message was sent")
	}

	agent := s.open(t, "agent")
	if _, err := agent.do("send", map[string]any{"chat": started["chat"], "text": "hi"}); err == nil || !strings.Contains(err.Error(), "log in first") {
		t.Errorf("send before login: %v", err)
	}
	if _, err := agent.do("login", map[string]any{"agent": "mallory"}); err == nil {
		t.Error("an unknown agent logged in")
	}
	if _, err := agent.do("login", map[string]any{"agent": "bob", "state": "asleep"}); err == nil {
		t.Error("an unknown initial state was accepted")
	}
	if _, err := s.open(t, "supervisor").do("login", map[string]any{"agent": "ada"}); err == nil {
		t.Error("an agent logged in to the wallboard")
	}
	agent.must("login", map[string]any{"agent": "cy"})
	if _, err := agent.do("supervise", map[string]any{"chat": started["chat"], "mode": "monitor"}); err == nil {
		t.Error("an agent desktop supervised a chat")
	}
}

// TestDesktopTools: what a desktop offers beside talking. Predefined
// responses with their placeholders filled in (SPEC S12); a warm transfer:
// a colleague invited, joined, handed the chat and left as its owner
// (SPEC C11); the directory of colleagues and a chat between agents
// (SPEC S6).
func TestDesktopTools(t *testing.T) {
	s := startServer(t, options{})
	customer := s.open(t, "customer")
	chat := customer.must("start", map[string]any{"name": "Jane"})["chat"]
	ada := s.open(t, "agent")
	ada.must("login", map[string]any{"agent": "ada"})
	ada.must("accept", map[string]any{"offer": ada.wait("offer", isEvent("chat_offered"))["event"].(map[string]any)["offer"]})
	bob := s.open(t, "agent")
	bob.must("login", map[string]any{"agent": "bob"})

	rs, err := ada.do("responses", map[string]any{"chat": chat})
	if err != nil || len(rs.([]any)) != len(responses) {
		t.Fatalf("responses: %v %v", rs, err)
	}
	text, err := ada.do("insert_response", map[string]any{"chat": chat, "option": "hello"})
	if err != nil || text != "Hello Jane, I am Ada Lovelace. How can I help?" {
		t.Errorf("inserted response: %q %v", text, err)
	}

	// Warm transfer: invite Bob, who joins, then hand the chat over.
	ada.must("invite", map[string]any{"chat": chat, "agent": "bob"})
	bob.must("accept", map[string]any{"offer": bob.wait("invitation", isEvent("chat_offered"))["event"].(map[string]any)["offer"]})
	customer.wait("Bob joins", isEntry("joined", ""))
	ada.must("handover", map[string]any{"chat": chat, "agent": "bob"})
	info := bob.must("info", map[string]any{"chat": chat})
	owner := ""
	for _, p := range info["participants"].([]any) {
		p := p.(map[string]any)
		if p["role"] == "owner" && p["present"] == true {
			owner = fmt.Sprint(p["name"])
		}
	}
	if owner != "Bob Kahn" {
		t.Errorf("owner after the hand-over: %q, want Bob Kahn (%v)", owner, info)
	}
	bob.must("send", map[string]any{"chat": chat, "text": "Bob here, I will take it from now."})
	customer.wait("Bob's message", isEntry("message", "Bob here"))

	dir, err := ada.do("directory", map[string]any{"text": "bo"})
	if err != nil || len(dir.([]any)) != 1 || dir.([]any)[0].(map[string]any)["id"] != "bob" {
		t.Fatalf("directory search: %v %v", dir, err)
	}
	a2a := ada.must("a2a", map[string]any{"agent": "bob", "text": "Thanks for taking it!"})
	got := bob.wait("the colleague's message", isEntry("message", "Thanks for taking it!"))
	if got["chat"] != a2a["chat"] || got["chat"] == chat {
		t.Errorf("agent-to-agent message in chat %v, want the new chat %v", got["chat"], a2a["chat"])
	}
	if strings.Contains(customer.texts(), "Thanks for taking it") {
		t.Error("the customer saw a chat between agents")
	}
}
