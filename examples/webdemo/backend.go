package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

// backend is what the demo runs the engine over: stores and transports
// in memory for one process, or in PostgreSQL for any number of processes
// sharing the database. Nothing a process knows of the others' pages
// comes from anywhere else.
type backend struct {
	routes    routing.Store
	sessions  session.Store
	fragments session.FragmentStore
	// figures holds the statistics folded from routing's log.
	figures stats.Store
	files   fileStore
	// participants and desktops are the engine's transports to
	// participants and to agent desktops.
	participants session.Transport
	desktops     routing.Transport
	// attach has the entries for participant p, from any process,
	// delivered to this process's pages; detach stops it.
	attach, detach func(p session.ParticipantID)
	// background runs until ctx ends what carries events to this
	// process's pages; ready is closed once it listens.
	background func(ctx context.Context, ready chan<- struct{})
	close      func()
}

// fileStore keeps the attachments the policy accepted.
type fileStore interface {
	engine.FileStore
	// file returns the file stored under ref, and whether there is one.
	file(ctx context.Context, ref string) (attachment.Accepted, bool, error)
}

// memoryBackend keeps everything in this process.
func memoryBackend(h *hub) *backend {
	bus := routingmem.NewBus()
	events := bus.Subscribe(nil)
	none := func(session.ParticipantID) {}
	return &backend{
		routes: routingmem.New(routingmem.Config{}), sessions: sessionmem.NewStore(),
		fragments: sessionmem.NewFragmentStore(), figures: statsmem.New(),
		files:        &memFiles{files: map[string]attachment.Accepted{}},
		participants: h, desktops: bus, attach: none, detach: none,
		background: func(ctx context.Context, ready chan<- struct{}) {
			close(ready)
			for {
				e, err := events.Next(ctx)
				if err != nil {
					return
				}
				h.toDesktop(e)
			}
		},
		close: events.Close,
	}
}

// pgBackend keeps everything in the PostgreSQL database at url: pgstore's
// stores, its Live transport between processes for session entries, and
// the demo's tables for files, statistics and desktop events.
func pgBackend(ctx context.Context, url string, h *hub, log *slog.Logger) (*backend, error) {
	pool, err := openPG(ctx, url)
	if err != nil {
		return nil, err
	}
	ss := pgstore.NewSessions(pool, pgstore.SessionConfig{})
	live, err := pgstore.NewLive(pool, ss, pgstore.LiveConfig{})
	if err != nil {
		pool.Close()
		return nil, err
	}
	desks := pgDesktops{pool: pool}
	return &backend{
		routes: pgstore.NewRouting(pool, pgstore.RoutingConfig{}), sessions: ss, fragments: ss,
		figures: pgStats{pool: pool}, files: pgFiles{pool: pool},
		participants: live, desktops: desks,
		attach: func(p session.ParticipantID) { live.Connect(p, h) },
		detach: live.Disconnect,
		background: func(ctx context.Context, ready chan<- struct{}) {
			var wg sync.WaitGroup
			wg.Go(func() { keepRunning(ctx, log, "live deliveries", live.Run) })
			wg.Go(func() {
				var once sync.Once
				keepRunning(ctx, log, "desktop events", func(ctx context.Context) error {
					return desks.listen(ctx, func() { once.Do(func() { close(ready) }) }, h.toDesktop)
				})
			})
			wg.Wait()
		},
		close: pool.Close,
	}, nil
}

// keepRunning runs f until ctx ends, again a second after each failure:
// while it is down pages miss live events, and catch up when they
// reload.
func keepRunning(ctx context.Context, log *slog.Logger, what string, f func(context.Context) error) {
	for ctx.Err() == nil {
		err := f(ctx)
		if ctx.Err() != nil {
			return
		}
		log.ErrorContext(ctx, "webdemo: restarting "+what, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// file returns the file stored under ref.
func (m *memFiles) file(_ context.Context, ref string) (attachment.Accepted, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[ref]
	return f, ok, nil
}

var _ fileStore = (*memFiles)(nil)
var _ fileStore = pgFiles{}
var _ stats.Store = pgStats{}
