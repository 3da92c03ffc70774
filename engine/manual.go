package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// Pickable lists the waiting chats of [routing.Manual] queues agent may
// pick now, at most limit of them, in the order they are served; see
// [routing.Router.Pickable].
func (e *Engine) Pickable(ctx context.Context, agent switchboard.AgentID, limit int) (cs []routing.Chat, err error) {
	ctx, end, err := e.op(ctx, "engine.Pickable", slog.String(KeyAgent, string(agent)))
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	return e.router.Pickable(ctx, agent, limit)
}

// Pick assigns a waiting chat of a [routing.Manual] queue to agent, which
// picked it ([routing.Router.Pick]), and makes it the owner of the chat's
// session, as [Engine.Accept] does for an accepted offer: the customer is
// told who joined, and the agent's desktop gets the events of an accepted
// offer. Of several agents picking one chat at once, one gets it and the
// others get [routing.ErrChatTaken] with nothing changed.
//
// Pick is idempotent: picking again a chat the agent picked returns the
// same assignment and finishes what the first call began. Should the
// process stop between the assignment and the session, the engine's event
// processing ([Engine.Run]) gives the session its owner.
func (e *Engine) Pick(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) (s session.Session, a routing.Assignment, err error) {
	ctx, end, err := e.op(ctx, "engine.Pick", slog.String(KeyAgent, string(agent)), slog.String(KeyChat, string(chat)))
	if err != nil {
		return session.Session{}, routing.Assignment{}, err
	}
	defer func() { end(err) }()
	if a, err = e.router.Pick(ctx, agent, chat); err != nil {
		return session.Session{}, routing.Assignment{}, err
	}
	s, err = e.sync(ctx, chat)
	return s, a, err
}

// Return puts an assigned chat back in its queue on behalf of its owner,
// agent, with a reason code for the organisation ([routing.Router.Return]):
// the chat keeps its place, the agent's slot is free at once and the
// agent is not offered the chat again. The session lets its owner go, so
// that the next agent continues the same conversation with its whole
// history; the customer sees the agent leave and a neutral notice that it
// is back in the queue, with its position, never the reason.
//
// The reason is recorded in the session's log for agents and the
// organisation (an [session.EntryTransfer] to the chat's own queue whose
// text is the reason code) by the engine's event processing, from
// routing's durable event: it is recorded once, even when the process
// stops right after the return.
//
// Refusals change nothing: [routing.ErrNotOwner] for an agent that does
// not own the chat, a [*routing.StateError] for a chat that is not
// assigned, [routing.ErrInvalid] for an empty reason. Return is
// idempotent while it is unfinished: repeated after an error, once routing
// returned the chat but before the session let its owner go, it finishes
// the return; repeated after it completed, it is refused as the chat is no
// longer assigned.
func (e *Engine) Return(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID, reason string) (err error) {
	ctx, end, err := e.op(ctx, "engine.Return", slog.String(KeyAgent, string(agent)), slog.String(KeyChat, string(chat)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if err := e.router.Return(ctx, agent, chat, reason); err != nil {
		if !e.returnedBy(ctx, agent, chat) {
			return err
		}
		// Returned already (a call repeated after an error): finish what
		// the first call began.
	}
	_, err = e.sync(ctx, chat)
	return err
}

// returnedBy reports whether routing holds chat as returned by agent while
// the session still has agent as its owner: a return whose session step
// has not happened yet.
func (e *Engine) returnedBy(ctx context.Context, agent switchboard.AgentID, chat switchboard.ChatID) bool {
	c, err := e.router.Chat(ctx, chat)
	if err != nil || c.State == routing.Assigned || !slices.Contains(c.Rejected, agent) {
		return false
	}
	s, err := e.sessions.Peek(ctx, chat)
	if err != nil {
		return false
	}
	o := s.Owner()
	return o != nil && o.Present() && o.ID == session.AgentParticipant(agent)
}

// recordReturn writes into the session's log the return of its chat that
// routing event ev reports: an entry for agents and the organisation
// naming the agent and its reason code. Its ID comes from the event's
// place in routing's log, so processing the event again stores it once.
// A chat with no session, or one closed since, is left alone.
func (e *Engine) recordReturn(ctx context.Context, ev *routing.Event) error {
	if ev.Type != routing.ChatQueued || ev.Reason != routing.ReasonReturned || ev.Agent == "" {
		return nil
	}
	err := e.sessions.RecordTransfer(ctx, ev.Chat, session.TransferNote{
		ID: "return:routing-" + strconv.FormatUint(ev.Seq, 10), By: ev.Agent, Queue: ev.Queue, Comment: ev.Comment,
	})
	var se *session.StatusError
	if errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrNotParticipant) || errors.As(err, &se) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("engine: record the return of %s: %w", ev.Chat, err)
	}
	return nil
}
