package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// ErrGraceOver is returned by [Router.Reconnect] for an agent whose
// disconnect grace is over: it was logged out (or is being logged out) and
// must log in again (SPEC H3).
var ErrGraceOver = switchboard.NewError(switchboard.ErrState, "the agent's disconnect grace is over; it was logged out")

// Disconnect tells routing the agent's connection was lost.
//
// With no [Config.DisconnectGrace] (the default) it is [Router.Logout] with
// the event's reason "disconnect". With a grace the agent stays logged in,
// in its state and reason and with every chat it is in, until the grace
// passes (SPEC H2): the deadline is stored in its record
// ([Agent.GraceUntil]), so any router's sweep logs it out then, with reason
// "disconnect", as Logout would (SPEC H4). Meanwhile it is offered nothing
// and cannot be invited; its pending offers are withdrawn at no cost to
// it, so their chats go to other agents at once; its assigned chats wait
// for it. An [AgentDisconnected] event says until when. Disconnecting an
// agent already disconnected keeps the first deadline.
func (r *Router) Disconnect(ctx context.Context, id switchboard.AgentID) error {
	if r.cfg.DisconnectGrace == 0 {
		return r.logout(ctx, id, ReasonDisconnect)
	}
	if err := validateID("agent ID", id); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		a, err := w.agent(id)
		if err != nil {
			return err
		}
		if a.State == LoggedOut {
			return ErrLoggedOut
		}
		if a.Disconnected() {
			return nil
		}
		a.DisconnectedAt, a.GraceUntil = w.now, w.now.Add(r.cfg.DisconnectGrace)
		w.touchAgent(a)
		w.emit(Event{Type: AgentDisconnected, Agent: id, State: a.State, Reason: a.Reason, ExpiresAt: a.GraceUntil})
		return w.withdrawAgentOffers(a)
	})
	if err != nil {
		return fmt.Errorf("routing: disconnect %s: %w", id, err)
	}
	return nil
}

// Reconnect tells routing a disconnected agent is back. Within its grace it
// is restored exactly as it was, state, reason and chats, and is offered
// chats again if it is Available; an [AgentReconnected] event says so
// (SPEC H3). An agent that is connected is left as it is. Once the grace
// is over, Reconnect logs the agent out if no sweep has yet, and returns an
// error wrapping [ErrGraceOver]; an agent that logged out otherwise gets
// [ErrLoggedOut].
func (r *Router) Reconnect(ctx context.Context, id switchboard.AgentID) error {
	if err := validateID("agent ID", id); err != nil {
		return err
	}
	over := false
	err := r.do(ctx, func(w *work) error {
		over = false
		a, err := w.agent(id)
		if err != nil {
			return err
		}
		switch {
		case a.State == LoggedOut && a.Reason == ReasonDisconnect:
			return ErrGraceOver
		case a.State == LoggedOut:
			return ErrLoggedOut
		case !a.Disconnected():
			return nil
		case !w.now.Before(a.GraceUntil):
			over = true
			return w.logoutAgent(a, ReasonDisconnect)
		}
		a.DisconnectedAt, a.GraceUntil = time.Time{}, time.Time{}
		w.touchAgent(a)
		if a.State == Available {
			w.routeAgent(a)
		}
		w.emit(Event{Type: AgentReconnected, Agent: id, State: a.State, Reason: a.Reason})
		return nil
	})
	if err == nil && over {
		err = ErrGraceOver
	}
	if err != nil {
		return fmt.Errorf("routing: reconnect %s: %w", id, err)
	}
	return nil
}

// expireGrace logs out an agent whose disconnect grace has passed.
func (r *Router) expireGrace(ctx context.Context, id switchboard.AgentID) error {
	return r.do(ctx, func(w *work) error {
		a, err := w.agent(id)
		if err != nil {
			return err
		}
		if a.State == LoggedOut || !a.Disconnected() || w.now.Before(a.GraceUntil) {
			return nil
		}
		return w.logoutAgent(a, ReasonDisconnect)
	})
}
