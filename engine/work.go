package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
)

// SetWork reports that the agent is busy with n items of channel ch that
// the host routes itself, such as calls (SPEC L5); see
// [routing.Router.SetWork]. The count is stored in the agent's routing
// record, counts toward its budget and interrupt rules, and a count that
// falls offers the chats it frees room for. It writes routing alone: the
// sessions learn of any offer it makes through routing's event log, as of
// every other offer.
func (e *Engine) SetWork(ctx context.Context, agent switchboard.AgentID, ch switchboard.Channel, n int) (err error) {
	ctx, end, err := e.op(ctx, "engine.SetWork", slog.String(KeyAgent, string(agent)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if err := e.router.SetWork(ctx, agent, ch, n); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}
