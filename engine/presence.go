package engine

import (
	"context"
	"errors"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// Reconnect tells the engine a disconnected agent is back (SPEC H3). Within
// its grace the agent is as it was: state, reason and sessions. After it,
// the agent was logged out (its sessions followed) and the error wraps
// [routing.ErrGraceOver]: the agent logs in again.
func (e *Engine) Reconnect(ctx context.Context, agent switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.Reconnect", slog.String(KeyAgent, string(agent)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	err = e.router.Reconnect(ctx, agent)
	if errors.Is(err, routing.ErrGraceOver) {
		// Reconnect may have logged the agent out itself: let its
		// agent-to-agent sessions go now; routing's events carry the
		// customer sessions.
		if lerr := e.leaveA2A(ctx, agent); lerr != nil {
			return errors.Join(err, lerr)
		}
	}
	return err
}

// agentLoggedOut carries out what an agent logged out by routing alone (its
// disconnect grace ended) means for the sessions that are not routing's:
// it leaves its agent-to-agent sessions, as [Engine.Logout] does. Its
// customer sessions follow their chats' own events.
func (e *Engine) agentLoggedOut(ctx context.Context, ev *routing.Event) error {
	if ev.Type != routing.AgentLoggedOut || ev.Reason != routing.ReasonDisconnect {
		return nil
	}
	a, err := e.router.Agent(ctx, ev.Agent)
	if err != nil {
		return err
	}
	if a.State != routing.LoggedOut {
		return nil // logged in again since
	}
	return e.leaveA2A(ctx, ev.Agent)
}

// leaveA2A takes the agent out of its agent-to-agent sessions.
func (e *Engine) leaveA2A(ctx context.Context, agent switchboard.AgentID) error {
	ids, err := e.sessions.ActiveSessions(ctx, agent)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		s, err := e.sessions.Session(ctx, id)
		if errors.Is(err, session.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if s.Kind == session.KindCustomer || s.Status == session.StatusClosed {
			continue
		}
		err = e.sessions.Leave(ctx, id, session.AgentParticipant(agent))
		if err != nil && !errors.Is(err, session.ErrLeft) && !errors.Is(err, session.ErrNotParticipant) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// after carries out what one routing event means beyond its chat's
// reconciliation: an agent's logout at the end of its grace, the record of
// a chat returned to its queue, and what the customer is told. latest reports that no later ChatQueued of the chat
// is in the same batch: an earlier one is stale, and tells the customer
// nothing. It is idempotent, like apply.
func (e *Engine) after(ctx context.Context, it *item, latest bool) error {
	if it.ev == nil {
		return nil
	}
	if err := e.agentLoggedOut(ctx, it.ev); err != nil {
		return err
	}
	if err := e.recordReturn(ctx, it.ev); err != nil {
		return err
	}
	if it.ev.Type == routing.ChatQueued && !latest {
		return nil
	}
	return e.notice(ctx, it.ev)
}
