package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/stats"
)

//go:embed web
var webFiles embed.FS

// options are what run is started with.
type options struct {
	// Addr is the address to listen on; ":0" picks a free port.
	Addr string
	// AcceptTimeout is how long an offer rings. Defaults to 20s.
	AcceptTimeout time.Duration
	// WrapUp is how long an agent may wrap a chat up. Defaults to 30s.
	WrapUp time.Duration
	// Ready is called with the server's URL once it listens.
	Ready func(url string)
	// Logger receives the engine's repairs. Defaults to discarding them.
	Logger *slog.Logger
	// PG is the URL of a PostgreSQL database: the stores, files and
	// statistics live there, shared with every process given the same
	// URL. Empty keeps everything in this process's memory.
	PG string
	// wrapRouting, when set, stands between the engine and the routing
	// store (a test's store that estimates positions, say).
	wrapRouting func(routing.Store) routing.Store
}

// Queues and agents the demo is seeded with.
var (
	demoQueues = []routing.Queue{
		{ID: "support", Name: "Customer support", Description: "Questions about an order"},
		{ID: "billing", Name: "Billing", Description: "Invoices and payments"},
	}
	demoAgents = []routing.Profile{
		{DisplayName: "Ada Lovelace", Team: "care", Queues: []switchboard.QueueID{"support", "billing"}},
		{DisplayName: "Bob Kahn", Team: "care", Queues: []switchboard.QueueID{"support", "billing"}},
		{DisplayName: "Cy Young", Team: "care", Queues: []switchboard.QueueID{"billing"}},
		{DisplayName: "Sam Super", Team: "care", Supervisor: true},
	}
	demoAgentIDs  = []switchboard.AgentID{"ada", "bob", "cy", "sam"}
	wrapUpReasons = []string{"resolved", "follow-up", "no-answer"}
	responses     = []switchboard.Response{
		{ID: "hello", Title: "Greeting", Text: "Hello {customer}, I am {agent}. How can I help?"},
		{ID: "wait", Title: "One moment", Text: "One moment please, I am looking into it."},
		{ID: "bye", Title: "Goodbye", Text: "Thank you for contacting {queue}. Goodbye!"},
	}
)

// run serves the demo on opts.Addr until ctx ends, then stops the server
// and the engine and returns.
func run(ctx context.Context, opts options) error {
	if opts.AcceptTimeout <= 0 {
		opts.AcceptTimeout = 20 * time.Second
	}
	if opts.WrapUp <= 0 {
		opts.WrapUp = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	redactor, err := compliance.New(compliance.Config{})
	if err != nil {
		return err
	}
	policy := attachment.TextPDFImages()
	policy.Scanner = redactor
	policy.MaxFileSize = 1 << 20
	h := newHub()
	var be *backend
	if opts.PG == "" {
		be = memoryBackend(h)
	} else if be, err = pgBackend(ctx, opts.PG, h, opts.Logger); err != nil {
		return err
	}
	defer be.close()
	h.be = be
	routes := be.routes
	if opts.wrapRouting != nil {
		routes = opts.wrapRouting(routes)
	}
	// Statistics fold routing's event log as the engine runs: the
	// wallboard's figures and the wait estimates the engine's notices
	// give waiting customers.
	estimates := stats.NewEstimator(15 * time.Minute)
	h.partitions = routes.Partitions()
	figures, err := stats.NewConsumer(stats.Config{}, be.figures, estimates)
	if err != nil {
		return err
	}
	eng, err := engine.New(ctx, engine.Config{
		Routing: routes, Sessions: be.sessions, Consumers: []engine.EventConsumer{figures},
		Desktops: be.desktops, Participants: be.participants, Logger: opts.Logger,
		Router:             routing.Config{SweepInterval: 100 * time.Millisecond},
		Poll:               50 * time.Millisecond,
		Files:              be.files,
		AttachmentPolicies: map[string]attachment.Policy{"documents": policy},
		Session: session.Config{Filter: engine.RedactingFilter(redactor),
			Fragments: be.fragments},
		// A waiting customer is told its new place within 2s of a move.
		PositionEvery: 2 * time.Second,
		Wait:          estimates,
	})
	if err != nil {
		return err
	}
	h.eng = eng
	running := make(chan error, 1)
	go func() { running <- eng.Run(ctx) }()
	listening, background := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(background)
		be.background(ctx, listening)
	}()
	stop := func() {
		cancel()
		<-running
		<-background
	}
	if err := seed(ctx, eng.Router(), opts); err != nil {
		stop()
		return err
	}
	select {
	case <-listening:
	case <-ctx.Done():
	}
	go h.tick(ctx)

	mux := http.NewServeMux()
	static, err := fs.Sub(webFiles, "web")
	if err != nil {
		return err
	}
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.ServeFileFS(w, r, static, name)
		}
	}
	mux.HandleFunc("GET /{$}", page("customer.html"))
	mux.HandleFunc("GET /agent", page("agent.html"))
	mux.HandleFunc("GET /supervisor", page("supervisor.html"))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ws", h.serveWS)
	mux.HandleFunc("POST /signin", h.signIn)
	mux.HandleFunc("GET /files/{ref}", h.serveFile)
	mux.HandleFunc("GET /transcript", h.serveTranscript)

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		stop()
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if opts.Ready != nil {
		opts.Ready("http://" + ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err = <-served:
	}
	shutdown, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	_ = srv.Shutdown(shutdown)
	h.closeAll()
	cancel()
	if rerr := <-running; rerr != nil && !errors.Is(rerr, context.Canceled) && err == nil {
		err = rerr
	}
	<-background
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// seed puts the demo's queues in place. Agents log in from their desktops.
func seed(ctx context.Context, r *routing.Router, opts options) error {
	for _, q := range demoQueues {
		q.Strategy = routing.LongestIdle
		q.AcceptTimeout = opts.AcceptTimeout
		q.WrapUp = opts.WrapUp
		q.Chat = switchboard.ChatSettings{WrapUpReasons: wrapUpReasons, Responses: responses, Attachments: "documents"}
		if _, err := r.PutQueue(ctx, q); err != nil {
			return fmt.Errorf("seeding queue %s: %w", q.ID, err)
		}
	}
	return nil
}

// profileOf returns the seeded profile of a demo agent.
func profileOf(id switchboard.AgentID) (routing.Profile, bool) {
	for i, a := range demoAgentIDs {
		if a == id {
			p := demoAgents[i]
			p.Capacity = []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: 3}}
			return p, true
		}
	}
	return routing.Profile{}, false
}
