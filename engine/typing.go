package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// Typing tells the participants who could see what participant is writing
// that it is typing, through the participants' transport; nothing is
// stored. Typing a whisper shows to agents only. See
// [session.Manager.Typing] for the rate limit and the errors.
func (e *Engine) Typing(ctx context.Context, chat switchboard.ChatID, participant session.ParticipantID, whisper bool) (err error) {
	ctx, end, err := e.op(ctx, "engine.Typing", slog.String(KeyChat, string(chat)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if err := e.sessions.Typing(ctx, chat, participant, whisper); err != nil {
		return fmt.Errorf("engine: typing in %s: %w", chat, err)
	}
	return nil
}
