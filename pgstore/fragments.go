package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// PutFragment implements [session.FragmentStore]. Fragments live only in
// their own table, never in the session tables.
func (s *SessionStore) PutFragment(ctx context.Context, f session.Fragment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.Chat == "" || f.Sender == "" || f.Message == "" || f.Until.IsZero() {
		return fmt.Errorf("pgstore: %w: a fragment needs a chat, a sender, a message and a deadline", session.ErrInvalid)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO ss_fragments (chat, message, sender, at, until, text) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (chat, message) DO UPDATE SET sender = EXCLUDED.sender, at = EXCLUDED.at, until = EXCLUDED.until, text = EXCLUDED.text`,
		string(f.Chat), f.Message, string(f.Sender), nanos(f.At), nanos(f.Until), f.Text)
	if err != nil {
		return sessErr(ctx, "put fragment", err)
	}
	return nil
}

func scanFragments(rows pgx.Rows) ([]session.Fragment, error) {
	defer rows.Close()
	out := []session.Fragment{}
	for rows.Next() {
		var f session.Fragment
		var chat, sender string
		var at, until int64
		if err := rows.Scan(&chat, &f.Message, &sender, &at, &until, &f.Text); err != nil {
			return nil, err
		}
		f.Chat, f.Sender, f.At, f.Until = switchboard.ChatID(chat), session.ParticipantID(sender), fromNanos(at), fromNanos(until)
		out = append(out, f)
	}
	return out, rows.Err()
}

// Fragments implements [session.FragmentStore].
func (s *SessionStore) Fragments(ctx context.Context, chat switchboard.ChatID, sender session.ParticipantID) ([]session.Fragment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT chat, message, sender, at, until, text FROM ss_fragments
		WHERE chat = $1 AND sender = $2 ORDER BY at, message`, string(chat), string(sender))
	if err != nil {
		return nil, sessErr(ctx, "fragments", err)
	}
	out, err := scanFragments(rows)
	if err != nil {
		return nil, sessErr(ctx, "fragments", err)
	}
	return out, nil
}

// DeleteFragment implements [session.FragmentStore]: of concurrent deletes
// the one whose DELETE removed the row wins.
func (s *SessionStore) DeleteFragment(ctx context.Context, chat switchboard.ChatID, message string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ct, err := s.pool.Exec(ctx, `DELETE FROM ss_fragments WHERE chat = $1 AND message = $2`, string(chat), message)
	if err != nil {
		return sessErr(ctx, "delete fragment", err)
	}
	if ct.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: %w: no fragment %s in %s", session.ErrNotFound, message, chat)
	}
	return nil
}

// ExpiredFragments implements [session.FragmentStore] from the index on
// the deadline.
func (s *SessionStore) ExpiredFragments(ctx context.Context, now time.Time, limit int) ([]session.Fragment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT chat, message, sender, at, until, text FROM ss_fragments
		WHERE until < $1 ORDER BY until, chat, message LIMIT $2`, nanos(now), lim)
	if err != nil {
		return nil, sessErr(ctx, "expired fragments", err)
	}
	out, err := scanFragments(rows)
	if err != nil {
		return nil, sessErr(ctx, "expired fragments", err)
	}
	return out, nil
}
