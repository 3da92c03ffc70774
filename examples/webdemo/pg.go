package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/pgstore"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

// This file holds what the demo keeps in PostgreSQL beside pgstore's
// tables, so that every process serving the demo over one database sees
// the same: attachments, the statistics' folded partitions, and routing's
// events on their way to agent desktops connected to another process.

// demoSchema creates the demo's own tables in the pool's schema, once,
// whichever of several processes starting together gets there first.
const demoSchema = `
CREATE TABLE IF NOT EXISTS webdemo_files (
	ref     text PRIMARY KEY,
	chat    text NOT NULL,
	name    text NOT NULL,
	mime    text NOT NULL,
	content bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS webdemo_stats (
	partition integer PRIMARY KEY,
	version   bigint NOT NULL,
	state     jsonb NOT NULL
);`

// openPG connects to url, applies pgstore's migrations and creates the
// demo's tables. The pool gets at least 12 connections unless the URL
// sets pool_max_conns: two of them listen for notifications for good.
func openPG(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgresql URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") && cfg.MaxConns < 12 {
		cfg.MaxConns = 12
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgresql: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgstore.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("postgresql: migrating: %w", err)
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('switchboard webdemo schema'))`); err != nil {
			return fmt.Errorf("postgresql: demo tables: %w", err)
		}
		if _, err := tx.Exec(ctx, demoSchema); err != nil {
			return fmt.Errorf("postgresql: demo tables: %w", err)
		}
		return nil
	})
}

// pgFiles keeps accepted attachments in webdemo_files, so a file sent
// through one process downloads from any.
type pgFiles struct{ pool *pgxpool.Pool }

// PutFile stores a file that passed the attachment policy.
func (f pgFiles) PutFile(ctx context.Context, chat switchboard.ChatID, a attachment.Accepted) (string, error) {
	ref := randomID()
	if _, err := f.pool.Exec(ctx, `INSERT INTO webdemo_files (ref, chat, name, mime, content) VALUES ($1, $2, $3, $4, $5)`,
		ref, string(chat), a.Name, a.MIME, a.Content); err != nil {
		return "", fmt.Errorf("storing %s: %w", a.Name, err)
	}
	return ref, nil
}

// file returns the stored file ref names.
func (f pgFiles) file(ctx context.Context, ref string) (attachment.Accepted, bool, error) {
	var a attachment.Accepted
	err := f.pool.QueryRow(ctx, `SELECT name, mime, content FROM webdemo_files WHERE ref = $1`, ref).Scan(&a.Name, &a.MIME, &a.Content)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, err
}

// pgStats is a stats.Store over webdemo_stats: one row per partition of
// routing's log, the state as JSON, saved by compare-and-set on version.
type pgStats struct{ pool *pgxpool.Pool }

// Load implements stats.Store.
func (s pgStats) Load(ctx context.Context, p int) (stats.State, error) {
	if p < 0 {
		return stats.State{}, fmt.Errorf("statistics: load partition %d: %w", p, stats.ErrInvalid)
	}
	var body []byte
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT state, version FROM webdemo_stats WHERE partition = $1`, p).Scan(&body, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return stats.State{Partition: p}, nil
	}
	if err != nil {
		return stats.State{}, fmt.Errorf("statistics: load partition %d: %w", p, err)
	}
	var st stats.State
	if err := json.Unmarshal(body, &st); err != nil {
		return stats.State{}, fmt.Errorf("statistics: partition %d: %w", p, err)
	}
	st.Partition, st.Version = p, uint64(version)
	return st, nil
}

// Save implements stats.Store.
func (s pgStats) Save(ctx context.Context, st *stats.State) error {
	if st.Partition < 0 {
		return fmt.Errorf("statistics: save partition %d: %w", st.Partition, stats.ErrInvalid)
	}
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("statistics: partition %d: %w", st.Partition, err)
	}
	var sql string
	args := []any{st.Partition, body}
	if st.Version == 0 {
		sql = `INSERT INTO webdemo_stats (partition, version, state) VALUES ($1, 1, $2) ON CONFLICT DO NOTHING`
	} else {
		sql = `UPDATE webdemo_stats SET version = version + 1, state = $2 WHERE partition = $1 AND version = $3`
		args = append(args, int64(st.Version))
	}
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("statistics: save partition %d: %w", st.Partition, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("statistics: save partition %d at version %d: %w", st.Partition, st.Version, stats.ErrConflict)
	}
	st.Version++
	return nil
}

// desktopChannel is the LISTEN/NOTIFY channel routing's events travel on
// to the desktops of every process.
const desktopChannel = "webdemo_desktops"

// maxNotify is the most bytes of one NOTIFY payload, under PostgreSQL's
// 8,000.
const maxNotify = 7900

// pgDesktops is the engine's desktop transport over PostgreSQL: the
// events of each committed transition that concern an agent are
// announced with NOTIFY, in their wire form, and every process (this one
// too) hands them to the desktops connected to it. It is best effort, as
// a desktop transport is: a desktop that missed an event re-reads its
// offers and chats.
type pgDesktops struct{ pool *pgxpool.Pool }

// Publish implements routing.Transport.
func (d pgDesktops) Publish(ctx context.Context, events ...routing.Event) error {
	payloads, err := desktopPayloads(events)
	if err != nil {
		return err
	}
	for _, p := range payloads {
		if _, err := d.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, desktopChannel, p); err != nil {
			return fmt.Errorf("announcing routing events: %w", err)
		}
	}
	return nil
}

// desktopPayloads encodes the events that concern an agent as JSON
// arrays of at most maxNotify bytes each, in order. An event too large
// for a payload on its own is left out.
func desktopPayloads(events []routing.Event) ([]string, error) {
	var out []string
	cur := ""
	for i := range events {
		if events[i].Agent == "" {
			continue
		}
		b, err := json.Marshal(&events[i])
		if err != nil {
			return nil, fmt.Errorf("encoding a routing event: %w", err)
		}
		switch {
		case len(b)+2 > maxNotify:
			continue
		case cur == "":
			cur = string(b)
		case len(cur)+len(b)+3 <= maxNotify:
			cur += "," + string(b)
		default:
			out = append(out, "["+cur+"]")
			cur = string(b)
		}
	}
	if cur != "" {
		out = append(out, "["+cur+"]")
	}
	return out, nil
}

// listen hands each announced event to deliver until ctx ends or the
// connection fails. listening is called once it listens.
func (d pgDesktops) listen(ctx context.Context, listening func(), deliver func(routing.Event)) error {
	pc, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection listens until it is closed: it does not go back to
	// the pool.
	conn := pc.Hijack()
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+desktopChannel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var events []routing.Event
		if err := json.Unmarshal([]byte(n.Payload), &events); err != nil {
			continue
		}
		for _, e := range events {
			deliver(e)
		}
	}
}
