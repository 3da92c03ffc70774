package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPagesGetTheLibraryWire: entries reach a desktop in the library's
// wire form of a delivery, with the writer's participant ID and the
// attachment's reference, and reach the customer's page in the customer's
// wire form, which has no field for an agent's ID or a whisper (SPEC S2).
func TestPagesGetTheLibraryWire(t *testing.T) {
	s := startServer(t, options{})
	customer := s.open(t, "customer")
	started := customer.must("start", map[string]any{"name": "Jane"})
	chat := started["chat"].(string)
	ada := s.open(t, "agent")
	ada.must("login", map[string]any{"agent": "ada"})
	offer := ada.wait("offer", isEvent("chat_offered"))["event"].(map[string]any)
	if offer["queue"] != "support" || offer["enqueued_at"] == nil || offer["expires_at"] == nil {
		t.Errorf("offer event %v, want the routing wire form: queue support, enqueued_at, expires_at", offer)
	}
	ada.must("accept", map[string]any{"offer": offer["offer"]})
	ada.must("send", map[string]any{"chat": chat, "text": "note: repeat caller", "mode": "whisper"})
	ada.must("send", map[string]any{"chat": chat, "text": "Hello Jane"})
	greeting := customer.wait("agent's greeting", isEntry("message", "Hello Jane"))
	if item := greeting["item"].(map[string]any); item["from_name"] != "Ada Lovelace" {
		t.Errorf("greeting %v, want from_name Ada Lovelace", item)
	}

	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	customer.must("file", map[string]any{"text": "my invoice", "file": map[string]any{"name": "invoice.pdf", "type": "application/pdf", "data": pdf}})
	got := ada.wait("the customer's file", func(f map[string]any) bool {
		item, _ := f["item"].(map[string]any)
		return f["type"] == "entry" && item["files"] != nil
	})
	item := got["item"].(map[string]any)
	if item["from"] != "customer:"+started["customer"].(string) || got["chat"] != chat {
		t.Errorf("file entry %v, want from the customer's participant ID in chat %s", got, chat)
	}
	file := item["files"].([]any)[0].(map[string]any)
	if file["name"] != "invoice.pdf" || file["mime_type"] != "application/pdf" || file["ref"] == nil {
		t.Fatalf("file %v, want invoice.pdf, application/pdf and a ref", file)
	}
	res, err := http.Get(s.url + "/files/" + file["ref"].(string))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "%PDF") {
		t.Errorf("download by ref: %d %q", res.StatusCode, body)
	}

	customer.mu.Lock()
	frames := append([]map[string]any(nil), customer.seen...)
	customer.mu.Unlock()
	var items []any
	for _, f := range frames {
		if f["type"] == "entry" {
			if _, ok := f["invitation"]; ok {
				t.Errorf("customer frame %v has an invitation", f)
			}
			items = append(items, f["item"])
		}
	}
	if len(items) == 0 {
		t.Fatal("the customer's page received no entries")
	}
	for _, it := range items {
		it := it.(map[string]any)
		for _, k := range []string{"from", "subject", "private", "reason", "tags"} {
			if _, ok := it[k]; ok {
				t.Errorf("customer entry %v has %q", it, k)
			}
		}
		if strings.Contains(fmt.Sprint(it["text"]), "repeat caller") {
			t.Errorf("customer received the whisper: %v", it)
		}
	}

	agentHist, err := ada.do("history", map[string]any{"chat": chat})
	if err != nil {
		t.Fatal(err)
	}
	whisper := false
	for _, it := range agentHist.([]any) {
		it := it.(map[string]any)
		whisper = whisper || it["private"] == true && it["from"] == "agent:ada" && it["text"] == "note: repeat caller"
	}
	if !whisper {
		t.Errorf("agent's history %v, want the whisper, private and from agent:ada", agentHist)
	}
}

// noticeAt matches an entry frame carrying the engine's notice of kind
// with position.
func noticeAt(kind string, position int) func(map[string]any) bool {
	return func(f map[string]any) bool {
		n, _ := f["notice"].(map[string]any)
		return isEntry("notice", "")(f) && n["kind"] == kind && n["position"] == float64(position)
	}
}

// TestCustomersToldTheirPlace: the engine's notices tell each waiting
// customer its place when queued and again when it moves (SPEC H5), in
// the notice's wire form, on the customer's page only.
func TestCustomersToldTheirPlace(t *testing.T) {
	s := startServer(t, options{})
	first, second := s.open(t, "customer"), s.open(t, "customer")
	first.must("start", map[string]any{"name": "Ann", "queue": "billing"})
	first.wait("queued first", noticeAt("queued", 1))
	second.must("start", map[string]any{"name": "Ben", "queue": "billing"})
	queued := second.wait("queued second", noticeAt("queued", 2))
	if item := queued["item"].(map[string]any); fmt.Sprint(item["text"]) == "" || item["from"] != nil {
		t.Errorf("notice entry %v, want its words and no writer", item)
	}
	mark := second.mark()
	first.must("leave", nil)
	second.waitFrom(mark, "moved to first", noticeAt("position", 1))

	cy := s.open(t, "agent")
	cy.must("login", map[string]any{"agent": "cy"})
	cy.wait("offer", isEvent("chat_offered"))
	cy.mu.Lock()
	defer cy.mu.Unlock()
	for _, f := range cy.seen {
		if _, ok := f["notice"]; ok || isEntry("notice", "")(f) {
			t.Errorf("the agent's page received a customer's notice: %v", f)
		}
	}
}
