package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// MaxNotifyPayload is the most bytes [Live] puts in one NOTIFY payload,
// under PostgreSQL's limit of 8,000.
const MaxNotifyPayload = 7900

// LiveConfig holds the optional settings of a [Live]. The zero LiveConfig
// is valid.
type LiveConfig struct {
	// Channel is the LISTEN/NOTIFY channel; every process sharing the
	// database uses the same one. Defaults to "switchboard_live".
	Channel string
	// Batch is how many deliveries Live sends in one round trip at most.
	// Defaults to 64.
	Batch int
}

// Live carries live deliveries of session entries between processes that
// share the database, so that a message sent through one process reaches
// a participant connected to another. It is the engine's
// [session.Transport] (engine.Config.Participants) in each process:
// deliveries to a participant connected to this process ([Live.Connect])
// are made at once; the others are announced with NOTIFY, carrying only
// the participant, the chat and the entry's Seq. The process the
// participant is connected to reads the entry from the durable session log
// with the participant's visibility applied ([session.Manager.CatchUp])
// and delivers that view. NOTIFY only wakes: a notification lost (a
// listener reconnecting) loses a live delivery, never an entry, and the
// participant catches up from the log as after any disconnection.
type Live struct {
	pool    *pgxpool.Pool
	mgr     *session.Manager
	channel string
	batch   int
	out     chan note

	mu    sync.Mutex
	local map[session.ParticipantID]session.Transport
}

var _ session.Transport = (*Live)(nil)

// note is one announced delivery.
type note struct {
	to         session.ParticipantID
	chat       switchboard.ChatID
	seq        uint64
	invitation bool
}

// NewLive returns a Live over the session store's database. Run must run
// for it to send and receive notifications.
func NewLive(pool *pgxpool.Pool, sessions *SessionStore, cfg LiveConfig) (*Live, error) {
	if cfg.Channel == "" {
		cfg.Channel = "switchboard_live"
	}
	if cfg.Batch < 1 {
		cfg.Batch = 64
	}
	mgr, err := session.NewManager(sessions, session.Config{})
	if err != nil {
		return nil, fmt.Errorf("pgstore: live: %w", err)
	}
	return &Live{pool: pool, mgr: mgr, channel: cfg.Channel, batch: cfg.Batch, out: make(chan note, 4*cfg.Batch),
		local: map[session.ParticipantID]session.Transport{}}, nil
}

// Connect routes the deliveries to participant p, from any process, to t
// until [Live.Disconnect].
func (l *Live) Connect(p session.ParticipantID, t session.Transport) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.local[p] = t
}

// Disconnect stops delivering to p in this process.
func (l *Live) Disconnect(p session.ParticipantID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.local, p)
}

func (l *Live) connected(p session.ParticipantID) session.Transport {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.local[p]
}

// Deliver implements [session.Transport]: at once to a participant
// connected here, else announced to the other processes. It does not wait
// for the announcement, unless Run's queue is full.
func (l *Live) Deliver(ctx context.Context, to session.ParticipantID, d session.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t := l.connected(to); t != nil {
		return t.Deliver(ctx, to, d)
	}
	n := note{to: to, chat: d.Chat, seq: d.Item.Seq, invitation: d.Invitation}
	select {
	case l.out <- n:
		return nil
	default:
	}
	return l.notify(ctx, []note{n})
}

// encode appends n to payloads, one note per line, starting a new payload
// when the current one would exceed MaxNotifyPayload.
func encode(payloads []string, n note) []string {
	inv := "0"
	if n.invitation {
		inv = "1"
	}
	line := string(n.to) + "\t" + string(n.chat) + "\t" + strconv.FormatUint(n.seq, 10) + "\t" + inv
	if len(line) > MaxNotifyPayload {
		return payloads // IDs this long are not carried; the participant catches up
	}
	if k := len(payloads); k > 0 && len(payloads[k-1])+1+len(line) <= MaxNotifyPayload {
		payloads[k-1] += "\n" + line
		return payloads
	}
	return append(payloads, line)
}

// notify announces notes in one round trip.
func (l *Live) notify(ctx context.Context, notes []note) error {
	var payloads []string
	for _, n := range notes {
		payloads = encode(payloads, n)
	}
	if len(payloads) == 0 {
		return nil
	}
	if _, err := l.pool.Exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, l.channel, payloads); err != nil {
		return dbErr(ctx, "live: notify", err, nil)
	}
	return nil
}

// Run listens for the other processes' announcements and delivers them to
// the participants connected here, and sends this process's announcements
// in batches, until ctx is done. It returns nil then, or the error that
// stopped it (the host restarts it; participants catch up meanwhile).
func (l *Live) Run(ctx context.Context) error {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return dbErr(ctx, "live: listen", err, nil)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+quoteIdent(l.channel)); err != nil {
		return dbErr(ctx, "live: listen", err, nil)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+quoteIdent(l.channel)) }()
	sendErr := make(chan error, 1)
	sendCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { sendErr <- l.send(sendCtx) }()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			stop()
			serr := <-sendErr
			if ctx.Err() != nil {
				return nil
			}
			return errors.Join(dbErr(ctx, "live: wait", err, nil), serr)
		}
		l.receive(ctx, n.Payload)
	}
}

// send sends queued announcements, batching what queued up meanwhile.
func (l *Live) send(ctx context.Context) error {
	batch := make([]note, 0, l.batch)
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.out:
			batch = append(batch[:0], n)
		}
	more:
		for len(batch) < l.batch {
			select {
			case n := <-l.out:
				batch = append(batch, n)
			default:
				break more
			}
		}
		if err := l.notify(ctx, batch); err != nil && ctx.Err() == nil {
			continue // best-effort: the participants catch up
		}
	}
}

// receive delivers the announced entries to the participants connected
// here, as the log shows them to each.
func (l *Live) receive(ctx context.Context, payload string) {
	for _, line := range strings.Split(payload, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			continue
		}
		to := session.ParticipantID(f[0])
		t := l.connected(to)
		seq, err := strconv.ParseUint(f[2], 10, 64)
		if t == nil || err != nil || seq == 0 {
			continue
		}
		chat := switchboard.ChatID(f[1])
		views, err := l.mgr.CatchUp(ctx, chat, to, seq-1, 1)
		if err != nil || len(views) != 1 || views[0].Seq != seq {
			continue // not visible to it (any more), or gone
		}
		_ = t.Deliver(ctx, to, session.Delivery{Chat: chat, Item: views[0], Invitation: f[3] == "1"})
	}
}

// quoteIdent quotes a channel name for LISTEN.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
