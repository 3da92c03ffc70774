package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// ErrNotRunning is returned by every operation of an [Engine] whose [Engine.Run]
// has not started (and that is not in [Config].Manual mode): nothing would
// expire its offers and wrap-ups or carry routing's outcomes to sessions.
var ErrNotRunning = switchboard.NewError(switchboard.ErrUnavailable, "engine: not running: call Run")

// ErrInvalid is wrapped by the error an operation returns for input it
// refuses before changing anything (a tenant other than the queue's, say).
var ErrInvalid = switchboard.NewError(switchboard.ErrInvalid, "engine: invalid input")

// ErrConfig is wrapped by the error [New] returns for a missing or
// inconsistent part of a [Config].
var ErrConfig = switchboard.NewError(switchboard.ErrInvalid, "engine: invalid config")

// Consumer is the name under which an Engine registers its cursors over
// routing's event log and the sessions' feed.
const Consumer = "session"

// Config is everything an [Engine] is built from. The stores and
// transports are required: an engine never runs half-wired.
type Config struct {
	// Routing stores agents, queues, chats and offers, and routing's
	// durable event log. Required.
	Routing routing.Store
	// Sessions stores sessions and their logs, and must implement
	// [session.FeedStore]: the engine follows the feed to finish what an
	// operation interrupted between its session and routing steps began;
	// and [session.DeadlineStore]: the engine fires the sessions' timers
	// after assignment (SPEC D1–D9). Required.
	Sessions session.Store
	// Desktops carries routing's events live to agent desktops. It is
	// best-effort: nothing the engine guarantees depends on it. Required:
	// pass [routing.TransportFunc] that does nothing to opt out.
	Desktops routing.Transport
	// Participants delivers session entries live to the participants
	// entitled to see them. Required: pass [session.Discard] to opt out.
	Participants session.Transport
	// Clock is the time source of everything the engine does. Defaults to
	// the real clock; tests pass clock.NewMock().
	Clock clock.Clock
	// Logger receives what the engine repairs or cannot repair. Defaults to
	// discarding it.
	Logger *slog.Logger
	// Tracer sees every operation and every consumed event. Defaults to
	// none.
	Tracer Tracer
	// Router holds the routing settings; its Clock and Logger are the
	// engine's.
	Router routing.Config
	// Session holds the session settings; its Clock, Transport, Directory
	// and queue settings are the engine's: a queue's chat settings live in
	// its routing record (routing.Queue.Chat), so Session.Queues must be
	// empty.
	Session session.Config
	// Conference holds the conference settings: whether ending a
	// conference ends the chat too ([Engine.EndConference]).
	Conference conference.Config
	// AttachmentPolicies registers attachment policies by name; a queue
	// names the one its sessions use in routing.Queue.Chat.Attachments
	// (SPEC A1–A5). Files stores what a policy accepts. Both or neither.
	// Defaults to none: attachments are off.
	AttachmentPolicies map[string]attachment.Policy
	Files              FileStore
	// DisconnectReason is recorded when the engine ends a session itself
	// (its owner logged out after the customer left; a transfer nobody
	// accepted). Defaults to "agent disconnected".
	DisconnectReason string
	// NoAgentText is what a waiting customer is told when routing ends the
	// chat before any agent took it. Defaults to "Sorry, no agent could
	// take your chat. Please try again later."
	NoAgentText string
	// Process names this process in the leases it takes on partitions of
	// the event log. Defaults to 64 random bits in hex.
	Process string
	// Poll is how often Run looks for new events and due deadlines.
	// Defaults to 50ms.
	Poll time.Duration
	// Lease is how long a process holds a partition of the event log after
	// it last processed it. Defaults to 10s.
	Lease time.Duration
	// Manual runs the engine without [Engine.Run]: nothing happens in the
	// background, and the host (a test) calls [Engine.Settle] to expire
	// what is due and carry out routing's outcomes. Defaults to false.
	Manual bool
	// StartGrace is how long an operation waits for Run to start before it
	// reports [ErrNotRunning]. Defaults to 2s.
	StartGrace time.Duration
	// Retention is how long after it closed a session is kept: then the
	// engine hands it to Keep and forgets it, log and all (a customer
	// writing to it later gets [session.ErrNotFound], as for an ID never
	// used). The session store must implement [session.RetentionStore].
	// A routing store that implements [routing.Pruner] (a SQL store) is
	// asked to forget the chats that became final as long ago, on the same
	// schedule; routingmem forgets finished chats by its own bound
	// (routingmem.Config.KeepFinished). Defaults to 0: sessions are kept
	// for ever.
	Retention time.Duration
	// Keep receives each closed session and its whole log just before the
	// engine forgets it, so the host can keep what it must
	// ([session.CustomerTranscript] and [session.OrganisationLog] turn them
	// into the transcript and the organisation's log). An error keeps the
	// session for a later pass. Defaults to nil: nothing is handed over.
	Keep func(ctx context.Context, s session.Session, log []session.Entry) error
	// RetentionEvery is how often Run forgets what Retention allows.
	// Defaults to one minute.
	RetentionEvery time.Duration
	// PositionEvery is how often a waiting customer may be told its new
	// position (SPEC H5): positions are computed per queue once per
	// interval, and a customer whose position moved gets one notice for
	// all the moves of the interval. Defaults to 15s.
	PositionEvery time.Duration
	// Wait estimates a waiting customer's wait for its position notices.
	// Defaults to nil: notices carry no estimate.
	Wait WaitEstimator
	// Consumers are fed routing's event log besides the engine itself,
	// each under its own cursor and lease (statistics, say:
	// stats.Consumer); those that are FeedConsumers are fed the sessions'
	// feed too. Defaults to none.
	Consumers []EventConsumer
}

func (c *Config) check() error {
	var errs []error
	miss := func(what string) { errs = append(errs, fmt.Errorf("%w: %s is required", ErrConfig, what)) }
	if c.Routing == nil {
		miss("Routing (a routing.Store)")
	}
	if c.Sessions == nil {
		miss("Sessions (a session.Store)")
	} else if _, ok := c.Sessions.(session.FeedStore); !ok {
		errs = append(errs, fmt.Errorf("%w: Sessions must implement session.FeedStore: the engine follows the sessions' feed to finish what an interrupted operation began", ErrConfig))
	}
	if _, ok := c.Sessions.(session.DeadlineStore); c.Sessions != nil && !ok {
		errs = append(errs, fmt.Errorf("%w: Sessions must implement session.DeadlineStore (DueSessions): the engine fires the sessions' timers after assignment in any process, after a crash too", ErrConfig))
	}
	if c.Desktops == nil {
		miss("Desktops (a routing.Transport)")
	}
	if c.Participants == nil {
		miss("Participants (a session.Transport)")
	}
	if c.Retention < 0 {
		errs = append(errs, fmt.Errorf("%w: negative Retention", ErrConfig))
	}
	if c.PositionEvery < 0 {
		errs = append(errs, fmt.Errorf("%w: negative PositionEvery", ErrConfig))
	}
	if c.Router.DisconnectGrace < 0 {
		errs = append(errs, fmt.Errorf("%w: negative Router.DisconnectGrace", ErrConfig))
	}
	if _, ok := c.Sessions.(session.RetentionStore); c.Retention > 0 && c.Sessions != nil && !ok {
		errs = append(errs, fmt.Errorf("%w: Retention needs a session store that implements session.RetentionStore", ErrConfig))
	}
	if c.Keep != nil && c.Retention == 0 {
		errs = append(errs, fmt.Errorf("%w: Keep is set but Retention is 0, so nothing is ever forgotten", ErrConfig))
	}
	if err := checkConsumers(c.Consumers); err != nil {
		errs = append(errs, err)
	}
	if err := c.Conference.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%w: Conference: %w", ErrConfig, err))
	}
	if (len(c.AttachmentPolicies) == 0) != (c.Files == nil) {
		errs = append(errs, fmt.Errorf("%w: AttachmentPolicies and Files go together: set both or neither", ErrConfig))
	}
	if c.Router.Clock != nil || c.Session.Clock != nil {
		errs = append(errs, fmt.Errorf("%w: set Config.Clock, not Router.Clock or Session.Clock: every part runs on one clock", ErrConfig))
	}
	if len(c.Session.Queues) > 0 || c.Session.QueueSettings != nil {
		errs = append(errs, fmt.Errorf("%w: a queue's chat settings live in its routing record (routing.Queue.Chat, set with PutQueue), not in Session.Queues", ErrConfig))
	}
	if c.Session.Transport != nil || c.Session.Directory != nil {
		errs = append(errs, fmt.Errorf("%w: Session.Transport and Session.Directory are the engine's: set Config.Participants", ErrConfig))
	}
	return errors.Join(errs...)
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Tracer == nil {
		c.Tracer = nopTracer{}
	}
	if c.DisconnectReason == "" {
		c.DisconnectReason = "agent disconnected"
	}
	if c.NoAgentText == "" {
		c.NoAgentText = "Sorry, no agent could take your chat. Please try again later."
	}
	if c.Process == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		c.Process = hex.EncodeToString(b[:])
	}
	if c.Poll <= 0 {
		c.Poll = 50 * time.Millisecond
	}
	if c.Lease <= 0 {
		c.Lease = 10 * time.Second
	}
	if c.StartGrace <= 0 {
		c.StartGrace = 2 * time.Second
	}
	if c.RetentionEvery <= 0 {
		c.RetentionEvery = time.Minute
	}
	if c.PositionEvery <= 0 {
		c.PositionEvery = 15 * time.Second
	}
}

// Engine runs customer chats end to end. It is the only place that turns
// a user's action into transitions of routing and of sessions, and the only
// consumer that turns routing's committed events into their session
// consequences. See the package documentation for the model.
//
// An Engine is safe for concurrent use. Several engines, in one process or
// several, may share the same stores.
type Engine struct {
	cfg      Config
	store    routing.Store
	router   *routing.Router
	sessions *session.Manager
	logs     []durableLog
	// traced is false when Config.Tracer was left unset: the hot path then
	// builds no attributes.
	traced bool
	// held is, per log and partition, the cursor this process last read
	// or saved.
	held [][]heldCursor
	// consumers are the registered consumers' views of routing's log and,
	// for FeedConsumers, of the sessions' feed.
	consumers []fedLog
	// fedHeld is, per consumer's log and partition, the cursor this
	// process last read or saved.
	fedHeld [][]heldCursor

	running atomic.Int32
	started chan struct{}
	once    sync.Once

	positions positions
}

// New builds an Engine over cfg's stores and registers its cursors over
// routing's event log and the sessions' feed, so that nothing committed
// from now on is dropped before the engine has processed it. It returns an error wrapping
// [ErrConfig] naming every missing part.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cfg.defaults()
	rc := cfg.Router
	rc.Clock, rc.Logger = cfg.Clock, cfg.Logger
	router, err := routing.New(cfg.Routing, cfg.Desktops, rc)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	sc := cfg.Session
	sc.Clock, sc.Transport, sc.Directory = cfg.Clock, cfg.Participants, routerDirectory{router, cfg.Routing}
	sc.QueueSettings = func(ctx context.Context, q switchboard.QueueID) (switchboard.ChatSettings, error) {
		rq, err := router.Queue(ctx, q)
		return rq.Chat, err
	}
	sessions, err := session.NewManager(cfg.Sessions, sc)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	e := &Engine{cfg: cfg, store: cfg.Routing, router: router, sessions: sessions, started: make(chan struct{})}
	e.logs = []durableLog{routingLog{cfg.Routing}, sessionFeed{cfg.Sessions.(session.FeedStore)}}
	_, untraced := cfg.Tracer.(nopTracer)
	e.traced = !untraced
	e.held = make([][]heldCursor, len(e.logs))
	for i, log := range e.logs {
		e.held[i] = make([]heldCursor, log.partitions())
	}
	for _, c := range cfg.Consumers {
		e.consumers = append(e.consumers, consumerLog{s: cfg.Routing, c: c})
		if fc, ok := c.(FeedConsumer); ok {
			e.consumers = append(e.consumers, consumerFeed{s: cfg.Sessions.(session.FeedStore), c: fc})
		}
	}
	for _, log := range e.logs {
		if err := e.register(ctx, log); err != nil {
			return nil, err
		}
	}
	e.fedHeld = make([][]heldCursor, len(e.consumers))
	for i, log := range e.consumers {
		if err := e.register(ctx, log); err != nil {
			return nil, err
		}
		e.fedHeld[i] = make([]heldCursor, log.partitions())
	}
	return e, nil
}

// Router returns the engine's router, for reads and for the routing
// operations that have no session side (agent states, queue settings).
func (e *Engine) Router() *routing.Router { return e.router }

// Sessions returns the engine's session manager, for reads and for the
// session operations that have no routing side (catch-up, transcripts,
// supervisors, structured options).
func (e *Engine) Sessions() *session.Manager { return e.sessions }

// Clock returns the engine's clock.
func (e *Engine) Clock() clock.Clock { return e.cfg.Clock }

// Run expires deadlines (offers, queue timeouts, wrap-ups, held-back
// fragments of split card numbers, the sessions' timers after
// assignment), processes routing's events and the
// sessions' feed into their consequences, forgets what Retention allows,
// and returns when ctx is done, with every goroutine it started ended. It returns nil when ctx
// was cancelled, or the error that stopped it. Run may be called once at a
// time per Engine; start it before, or at once after, the first operation.
func (e *Engine) Run(ctx context.Context) error {
	if e.cfg.Manual {
		return fmt.Errorf("%w: a Manual engine is driven by Settle, not Run", ErrConfig)
	}
	if !e.running.CompareAndSwap(0, 1) {
		return ErrRunning
	}
	defer e.running.Store(0)
	e.once.Do(func() { close(e.started) })
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return e.router.Run(ctx) })
	g.Go(func() error {
		t := e.cfg.Clock.Ticker(e.cfg.PositionEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if _, err := e.notifyPositions(ctx); err != nil && ctx.Err() == nil {
					e.cfg.Logger.ErrorContext(ctx, "engine: telling waiting customers their positions failed; retrying", "err", err)
				}
			}
		}
	})
	if e.cfg.Retention > 0 {
		g.Go(func() error {
			t := e.cfg.Clock.Ticker(e.cfg.RetentionEvery)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
					if _, err := e.forget(ctx); err != nil && ctx.Err() == nil {
						e.cfg.Logger.ErrorContext(ctx, "engine: forgetting closed sessions failed; retrying", "err", err)
					}
				}
			}
		})
	}
	g.Go(func() error {
		t := e.cfg.Clock.Ticker(e.cfg.Poll)
		defer t.Stop()
		for {
			if _, err := e.consume(ctx); err != nil && ctx.Err() == nil {
				e.cfg.Logger.ErrorContext(ctx, "engine: processing routing events and the sessions' feed failed; retrying", "err", err)
			}
			if _, err := e.expireFragments(ctx); err != nil && ctx.Err() == nil {
				e.cfg.Logger.ErrorContext(ctx, "engine: revealing held-back fragments failed; retrying", "err", err)
			}
			if _, err := e.expireTimers(ctx); err != nil && ctx.Err() == nil {
				e.cfg.Logger.ErrorContext(ctx, "engine: firing timers after assignment failed; retrying", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	err := g.Wait()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil
	}
	return err
}

// Settle expires every deadline that is due on the engine's clock
// (held-back fragments of split card numbers and the sessions' timers
// after assignment included), processes every
// routing event and session entry committed so far, repeating until
// nothing is left, tells waiting customers their positions if
// PositionEvery has passed since it last did, and forgets the sessions
// Retention allows, then
// returns. Tests call it after moving a mock clock on; a
// running engine does the same in the background.
func (e *Engine) Settle(ctx context.Context) error {
	if err := e.settle(ctx); err != nil {
		return err
	}
	if e.positions.due(e.cfg.Clock.Now(), e.cfg.PositionEvery) {
		if _, err := e.notifyPositions(ctx); err != nil {
			return fmt.Errorf("engine: settle: %w", err)
		}
	}
	if e.cfg.Retention > 0 {
		if _, err := e.forget(ctx); err != nil {
			return fmt.Errorf("engine: settle: %w", err)
		}
	}
	return nil
}

// forget forgets the sessions that closed more than Retention ago,
// handing each to Keep first, and returns how many it forgot.
func (e *Engine) forget(ctx context.Context) (n int, err error) {
	ctx, end := e.cfg.Tracer.Start(ctx, "engine.forget")
	defer func() { end(err) }()
	n, err = e.sessions.ForgetClosed(ctx, e.cfg.Clock.Now().Add(-e.cfg.Retention), e.cfg.Keep)
	if err != nil {
		return n, err
	}
	// A routing store that forgets final chats only when asked is asked
	// with the same retention: the chat and its session go together.
	if p, ok := e.cfg.Routing.(routing.Pruner); ok {
		m, err := p.Prune(ctx, e.cfg.Retention, 0)
		if err != nil {
			return n, fmt.Errorf("engine: forget finished chats: %w", err)
		}
		n += m
	}
	return n, nil
}

func (e *Engine) settle(ctx context.Context) error {
	for range 1000 {
		n, err := e.router.Sweep(ctx)
		if err != nil {
			return fmt.Errorf("engine: settle: %w", err)
		}
		m, err := e.consume(ctx)
		if err != nil {
			return fmt.Errorf("engine: settle: %w", err)
		}
		f, err := e.expireFragments(ctx)
		if err != nil {
			return fmt.Errorf("engine: settle: %w", err)
		}
		d, err := e.expireTimers(ctx)
		if err != nil {
			return fmt.Errorf("engine: settle: %w", err)
		}
		if n == 0 && m == 0 && f == 0 && d == 0 {
			return nil
		}
	}
	return ErrBusy
}

// ready reports ErrNotRunning unless the engine is Manual or its Run has
// started (waiting StartGrace for it).
func (e *Engine) ready(ctx context.Context) error {
	if e.cfg.Manual || e.running.Load() == 1 {
		return nil
	}
	t := e.cfg.Clock.Timer(e.cfg.StartGrace)
	defer t.Stop()
	select {
	case <-e.started:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return ErrNotRunning
	}
}
