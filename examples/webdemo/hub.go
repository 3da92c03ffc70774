package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/stats"
)

// client is one browser page connected over a websocket. Everything the
// server sends it goes through out, which a writer drains; a page that
// cannot keep up loses frames rather than slowing the engine down.
type client struct {
	conn *websocket.Conn
	out  chan []byte
	role string
	// who is the participant the page speaks for, once it said.
	who session.ParticipantID
	// customer and chat of a customer page.
	customer switchboard.CustomerID
	chat     switchboard.ChatID
	agent    switchboard.AgentID
}

func (c *client) send(f frame) {
	select {
	case c.out <- encode(f):
	default:
	}
}

// hub connects this process's pages to the engine: it delivers session
// entries to the pages of their participant, forwards routing events to
// agent desktops and pushes the wallboard. What it keeps is which page is
// whose; everything else it reads from the backend's stores, which every
// process serving the demo shares.
type hub struct {
	eng *engine.Engine
	be  *backend
	// partitions is how many partitions routing's log has: the
	// statistics keep one state each.
	partitions int

	mu      sync.Mutex
	clients map[*client]struct{}
	signIns map[string]string // token -> verified e-mail address
}

func newHub() *hub {
	return &hub{clients: map[*client]struct{}{}, signIns: map[string]string{}}
}

// claim makes c the page of participant who, and has that participant's
// entries delivered to this process from any process.
func (h *hub) claim(c *client, who session.ParticipantID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.who = who
	h.be.attach(who)
}

// release makes c the page of nobody; the participant's entries stop
// coming to this process when it was its last page here. Both run under
// h.mu, so a page claiming the participant meanwhile keeps it attached.
func (h *hub) release(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	who := c.who
	c.who = ""
	if who == "" {
		return
	}
	for o := range h.clients {
		if o != c && o.who == who {
			return
		}
	}
	h.be.detach(who)
}

// Deliver forwards one participant's delivery to that participant's pages
// only: the engine has already applied the session's visibility rule.
func (h *hub) Deliver(ctx context.Context, to session.ParticipantID, d session.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := entryFrame(to, d)
	if err != nil {
		return err
	}
	for _, c := range h.pages(func(c *client) bool { return c.who == to }) {
		c.send(f)
	}
	return nil
}

func (h *hub) pages(keep func(*client) bool) []*client {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*client
	for c := range h.clients {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func (h *hub) closeAll() {
	for _, c := range h.pages(func(*client) bool { return true }) {
		_ = c.conn.Close(websocket.StatusGoingAway, "server stopping")
	}
}

// toDesktop sends a routing event to the desktops of the agent it
// concerns connected to this process.
func (h *hub) toDesktop(e routing.Event) {
	if e.Agent == "" {
		return
	}
	f := frame{"type": "routing", "event": e}
	for _, c := range h.pages(func(c *client) bool { return c.agent == e.Agent }) {
		c.send(f)
	}
}

// tick pushes the wallboard to supervisors, twice a second, on the
// engine's clock. Waiting customers are told their place by the engine's
// own notices.
func (h *hub) tick(ctx context.Context) {
	t := h.eng.Clock().Ticker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if sups := h.pages(func(c *client) bool { return c.role == "supervisor" }); len(sups) > 0 {
			b, err := h.wallboard(ctx)
			if err != nil {
				continue
			}
			for _, c := range sups {
				c.send(frame{"type": "wallboard", "board": b})
			}
		}
	}
}

// board is the supervisor's wallboard.
type board struct {
	Queues []boardQueue `json:"queues"`
	Agents []boardAgent `json:"agents"`
	Chats  []boardChat  `json:"chats"`
}

type boardQueue struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Waiting       int    `json:"waiting"`
	LongestWaitMS int64  `json:"longest_wait_ms"`
	Talking       int    `json:"talking"`
	// Agents serving the queue by state, and Eligible of them free now.
	Agents   map[routing.State]int `json:"agents"`
	Eligible int                   `json:"eligible"`
}

type boardAgent struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	State  routing.State `json:"state"`
	Reason string        `json:"reason,omitempty"`
	Chats  int           `json:"chats"`
}

type boardChat struct {
	ID       string            `json:"id"`
	Queue    string            `json:"queue"`
	Customer string            `json:"customer"`
	Agent    string            `json:"agent,omitempty"`
	State    routing.ChatState `json:"state"`
}

// wallboard reads each queue's figures and the chats being routed or
// served from the statistics, and the logged-in agents from routing.
func (h *hub) wallboard(ctx context.Context) (board, error) {
	r := h.eng.Router()
	now := h.eng.Clock().Now()
	qs, err := r.Queues(ctx)
	if err != nil {
		return board{}, err
	}
	states, err := stats.LoadAll(ctx, h.be.figures, h.partitions)
	if err != nil {
		return board{}, err
	}
	figures := stats.Snapshot(now, states...)
	var b board
	for _, q := range qs {
		bq := boardQueue{ID: string(q.ID), Name: q.Name, Agents: map[routing.State]int{}}
		if f := figures.Queues[q.ID]; f != nil {
			bq.Waiting, bq.LongestWaitMS, bq.Talking = f.Waiting+f.Offered, f.Longest.Milliseconds(), f.Talking
			bq.Eligible = f.Eligible
			for st, n := range f.Agents.ByState {
				if n > 0 {
					bq.Agents[routing.State(st)] = n
				}
			}
		}
		b.Queues = append(b.Queues, bq)
	}
	var live []switchboard.ChatID
	for _, st := range states {
		for id := range st.Chats {
			live = append(live, id)
		}
	}
	slices.Sort(live)
	for _, id := range live {
		c, err := r.Chat(ctx, id)
		if err != nil || c.State.Final() || c.Customer.Name == "" {
			continue // gone, done, or between agents
		}
		b.Chats = append(b.Chats, boardChat{ID: string(c.ID), Queue: string(c.Queue), Customer: c.Customer.Name,
			Agent: string(c.Agent), State: c.State})
	}
	agents, err := r.LoggedIn(ctx, "")
	if err != nil {
		return board{}, err
	}
	for _, a := range agents {
		used := 0
		for _, u := range a.Used {
			used += u
		}
		b.Agents = append(b.Agents, boardAgent{ID: string(a.ID), Name: a.Profile.DisplayName,
			State: a.State, Reason: a.Reason, Chats: used})
	}
	return b, nil
}

// serveWS upgrades a page's connection and runs it: a writer draining the
// page's frames, and a reader carrying out its requests one by one.
func (h *hub) serveWS(w http.ResponseWriter, r *http.Request) {
	role := r.URL.Query().Get("role")
	if role != "customer" && role != "agent" && role != "supervisor" {
		http.Error(w, "role must be customer, agent or supervisor", http.StatusBadRequest)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	conn.SetReadLimit(4 << 20)
	c := &client{conn: conn, out: make(chan []byte, 256), role: role}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	ctx, cancel := context.WithCancel(r.Context())
	defer func() {
		cancel()
		h.release(c)
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
		_ = conn.CloseNow()
	}()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case b := <-c.out:
				if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var req request
		if err := json.Unmarshal(data, &req); err != nil {
			c.send(frame{"type": "reply", "error": "not a request: " + err.Error()})
			continue
		}
		res, err := h.handle(ctx, c, &req)
		reply := frame{"type": "reply", "id": req.ID, "op": req.Op, "ok": err == nil, "result": res}
		if err != nil {
			reply["error"] = errorText(err)
		}
		c.send(reply)
	}
}

// signIn stands in for the host's own authentication: it vouches for an
// e-mail address, which then reaches the agent as a verified attribute.
func (h *hub) signIn(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.FormValue("email"))
	if email == "" || !strings.Contains(email, "@") {
		http.Error(w, "an e-mail address is required", http.StatusBadRequest)
		return
	}
	token := randomID()
	h.mu.Lock()
	h.signIns[token] = email
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": token, "email": email})
}

// serveTranscript returns a chat's transcript as its customer sees it.
func (h *hub) serveTranscript(w http.ResponseWriter, r *http.Request) {
	chat := switchboard.ChatID(r.URL.Query().Get("chat"))
	customer := switchboard.CustomerID(r.URL.Query().Get("customer"))
	if !h.ownsChat(r.Context(), customer, chat) {
		http.Error(w, "no such chat for this customer", http.StatusNotFound)
		return
	}
	views, err := h.eng.Sessions().History(r.Context(), chat, session.CustomerParticipant(customer))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="transcript.txt"`)
	_, _ = w.Write([]byte(transcriptText(views)))
}

// ownsChat reports whether customer is the customer of chat, as the
// session records it, whichever process started it.
func (h *hub) ownsChat(ctx context.Context, customer switchboard.CustomerID, chat switchboard.ChatID) bool {
	if customer == "" {
		return false
	}
	s, err := h.eng.Sessions().Session(ctx, chat)
	if err != nil {
		return false
	}
	me := session.CustomerParticipant(customer)
	for _, p := range s.Participants {
		if p.ID == me {
			return true
		}
	}
	return false
}

// transcriptText renders a customer's view: messages under their writer's
// name, notices under nobody's.
func transcriptText(views []session.View) string {
	var b strings.Builder
	for _, v := range views {
		at := v.At.UTC().Format("15:04:05")
		switch {
		case v.Type == session.EntryMessage:
			fmt.Fprintf(&b, "%s  %s: %s\n", at, v.FromName, v.Text)
		case v.Text != "":
			fmt.Fprintf(&b, "%s  * %s\n", at, v.Text)
		}
	}
	return b.String()
}

// memFiles keeps accepted attachments in memory.
type memFiles struct {
	mu    sync.Mutex
	files map[string]attachment.Accepted
}

// PutFile stores a file that passed the attachment policy.
func (m *memFiles) PutFile(ctx context.Context, chat switchboard.ChatID, f attachment.Accepted) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ref := randomID()
	m.mu.Lock()
	m.files[ref] = f
	m.mu.Unlock()
	return ref, nil
}

func (h *hub) serveFile(w http.ResponseWriter, r *http.Request) {
	f, ok, err := h.be.files.file(r.Context(), r.PathValue("ref"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.MIME)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", f.Name))
	_, _ = w.Write(f.Content)
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
