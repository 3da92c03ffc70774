package engine

import (
	"context"
	"errors"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// PutOnHold puts the agent's chat on hold (SPEC O1, O6): routing frees the
// agent's slot while it keeps the chat (routing.Router.PutOnHold), and the
// session follows: it is marked on hold, the customer alone is told, and
// the customer's messages reach the owner flagged as written on hold
// (SPEC O7). The queue's routing.Queue.MaxOnHold, if any, ends the hold by
// itself, in any engine's Run or Settle (SPEC O3).
//
// A session its owner ended whose chat routing still held is finished
// first, so the hold is refused as for any ended chat. Refusals are
// routing's (routing.ErrNotOwner, routing.ErrInConference, ...).
// PutOnHold is idempotent: called again by the owner of a chat on hold
// (after an error, or a crash), it finishes the session's side and returns
// the session (SPEC O8).
func (e *Engine) PutOnHold(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) (s session.Session, err error) {
	ctx, end, err := e.op(ctx, "engine.PutOnHold", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(agent)))
	if err != nil {
		return session.Session{}, err
	}
	defer func() { end(err) }()
	return e.hold(ctx, agent, chat, e.router.PutOnHold, routing.ErrOnHold)
}

// Resume takes the agent's chat off hold (SPEC O2, O6): routing gives it
// one of the agent's slots again (routing.Router.Resume; an agent with
// none free gets routing.ErrNoFreeSlot and the chat stays on hold), and
// the session follows: the mark is off and the customer is told its agent
// is back. Resume is idempotent like [Engine.PutOnHold]: called again by the
// owner of a chat no longer on hold, it finishes the session's side
// (SPEC O8).
func (e *Engine) Resume(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) (s session.Session, err error) {
	ctx, end, err := e.op(ctx, "engine.Resume", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(agent)))
	if err != nil {
		return session.Session{}, err
	}
	defer func() { end(err) }()
	return e.hold(ctx, agent, chat, e.router.Resume, routing.ErrNotOnHold)
}

// hold runs step, routing's PutOnHold or Resume, then makes the session
// follow. done is the error step returns when routing is where step would
// take it already: a retry after an earlier call's routing step.
func (e *Engine) hold(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID,
	step func(context.Context, switchboard.AgentID, switchboard.ChatID) error, done error) (session.Session, error) {
	if err := e.follow(ctx, chat); err != nil {
		return session.Session{}, err
	}
	if err := step(ctx, agent, chat); err != nil {
		c, cerr := e.router.Chat(ctx, chat)
		if !errors.Is(err, done) || cerr != nil || !c.Owns(agent) {
			return session.Session{}, err
		}
	}
	return e.sync(ctx, chat)
}
