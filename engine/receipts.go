package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// MarkRead records that participant has read chat's log up to the entry
// upTo, and tells the other participants as each may see it (SPEC I1,
// I3): one compare-and-set of the session record, no log entry and
// nothing in routing. An older position is ignored. See
// [session.Manager.MarkRead] for the errors; [session.Manager.Receipts]
// and [session.Manager.Unread] (through [Engine.Sessions]) read the
// positions back.
func (e *Engine) MarkRead(ctx context.Context, chat switchboard.ChatID, participant session.ParticipantID, upTo uint64) (err error) {
	ctx, end, err := e.op(ctx, "engine.MarkRead", slog.String(KeyChat, string(chat)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if err := e.sessions.MarkRead(ctx, chat, participant, upTo); err != nil {
		return fmt.Errorf("engine: mark read in %s: %w", chat, err)
	}
	return nil
}
