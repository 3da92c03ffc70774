package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// errSessionFault is the error a faultySessions injects.
var errSessionFault = errors.New("injected session store fault")

// faultySessions wraps a session store, numbers every call from 1, and
// injects a fault at a chosen call: an error instead of the call, or the
// call applied and its outcome then lost. dead, when set, makes every call
// fail (the process crashed).
type faultySessions struct {
	session.Store
	mu    sync.Mutex
	n     int
	fail  int // call to fail with errSessionFault
	lose  int // call to apply, then report an unknown outcome
	from  int // calls from this one on fail (a crash)
	dead  func() bool
	onHit func(n int)
}

func (f *faultySessions) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *faultySessions) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.lose, f.from, f.dead, f.onHit = 0, 0, 0, nil, nil
}

func (f *faultySessions) call(method string, run func() error) error {
	f.mu.Lock()
	f.n++
	n, fail, lose, from, dead, onHit := f.n, f.fail, f.lose, f.from, f.dead, f.onHit
	f.mu.Unlock()
	if onHit != nil {
		onHit(n)
	}
	if n == fail || from > 0 && n >= from || dead != nil && dead() {
		return fmt.Errorf("call %d (%s): %w", n, method, errSessionFault)
	}
	err := run()
	if n == lose {
		return fmt.Errorf("call %d (%s) returned %v: %w", n, method, err, session.ErrOutcomeUnknown)
	}
	return err
}

func (f *faultySessions) CreateSession(ctx context.Context, s session.Session, e []session.Entry) (out []session.Entry, err error) {
	err = f.call("CreateSession", func() (err error) { out, err = f.Store.CreateSession(ctx, s, e); return })
	return out, err
}

func (f *faultySessions) GetSession(ctx context.Context, id switchboard.ChatID) (out session.Session, err error) {
	err = f.call("GetSession", func() (err error) { out, err = f.Store.GetSession(ctx, id); return })
	return out, err
}

func (f *faultySessions) UpdateSession(ctx context.Context, s session.Session, e []session.Entry) (out []session.Entry, err error) {
	err = f.call("UpdateSession", func() (err error) { out, err = f.Store.UpdateSession(ctx, s, e); return })
	return out, err
}

func (f *faultySessions) ActiveSessions(ctx context.Context, p session.ParticipantID) (out []switchboard.ChatID, err error) {
	err = f.call("ActiveSessions", func() (err error) { out, err = f.Store.ActiveSessions(ctx, p); return })
	return out, err
}

func (f *faultySessions) AppendEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) (out []session.Entry, err error) {
	err = f.call("AppendEntries", func() (err error) { out, err = f.Store.AppendEntries(ctx, chat, v, e); return })
	return out, err
}

func (f *faultySessions) ReadEntries(ctx context.Context, chat switchboard.ChatID, after uint64, limit int) (out []session.Entry, err error) {
	err = f.call("ReadEntries", func() (err error) { out, err = f.Store.ReadEntries(ctx, chat, after, limit); return })
	return out, err
}

func (f *faultySessions) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	return f.call("AmendEntry", func() error { return f.Store.AmendEntry(ctx, chat, seq, text) })
}

func (f *faultySessions) LastSeq(ctx context.Context, chat switchboard.ChatID) (out uint64, err error) {
	err = f.call("LastSeq", func() (err error) { out, err = f.Store.LastSeq(ctx, chat); return })
	return out, err
}

func (f *faultySessions) EntryByID(ctx context.Context, chat switchboard.ChatID, id string) (out session.Entry, err error) {
	err = f.call("EntryByID", func() (err error) { out, err = f.Store.EntryByID(ctx, chat, id); return })
	return out, err
}

func (f *faultySessions) feed() session.FeedStore { return f.Store.(session.FeedStore) }

func (f *faultySessions) Partitions() int { return f.feed().Partitions() }

func (f *faultySessions) Feed(ctx context.Context, p int, after uint64, limit int) (out []session.FeedEntry, err error) {
	err = f.call("Feed", func() (err error) { out, err = f.feed().Feed(ctx, p, after, limit); return })
	return out, err
}

func (f *faultySessions) Cursor(ctx context.Context, consumer string, p int) (out session.Cursor, err error) {
	err = f.call("Cursor", func() (err error) { out, err = f.feed().Cursor(ctx, consumer, p); return })
	return out, err
}

func (f *faultySessions) SaveCursor(ctx context.Context, c session.Cursor) error {
	return f.call("SaveCursor", func() error { return f.feed().SaveCursor(ctx, c) })
}

func (f *faultySessions) DueSessions(ctx context.Context, now time.Time, limit int) (out []switchboard.ChatID, err error) {
	err = f.call("DueSessions", func() (err error) {
		out, err = f.Store.(session.DeadlineStore).DueSessions(ctx, now, limit)
		return
	})
	return out, err
}
