package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// Explain says why a waiting chat is, or is not, offered to each agent of
// its queue's tenant now; see [routing.Router.Explain]. It changes nothing.
func (e *Engine) Explain(ctx context.Context, chat switchboard.ChatID) (x routing.Explanation, err error) {
	ctx, end, err := e.op(ctx, "engine.Explain", slog.String(KeyChat, string(chat)))
	if err != nil {
		return routing.Explanation{}, err
	}
	defer func() { end(err) }()
	x, err = e.router.Explain(ctx, chat)
	if err != nil {
		return routing.Explanation{}, fmt.Errorf("engine: %w", err)
	}
	return x, nil
}
