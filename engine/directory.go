package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// routerDirectory is the agent directory of agent-to-agent chat, read from
// routing's presence: an agent's team is its functional group. s is the
// router's store, read directly for one agent when it can load an agent
// into a reused record.
type routerDirectory struct {
	r *routing.Router
	s routing.Store
}

// agentBufs holds the records agents are loaded into for the directory.
var agentBufs = sync.Pool{New: func() any { return new(routing.Agent) }}

var _ session.Directory = routerDirectory{}

func info(a routing.Agent) session.AgentInfo {
	return session.AgentInfo{
		ID: a.ID, Tenant: a.Profile.Tenant, Name: a.Profile.DisplayName, Group: a.Profile.Team,
		Supervisor: a.Profile.Supervisor, LoggedIn: a.State != routing.LoggedOut,
	}
}

func (d routerDirectory) LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]session.AgentInfo, error) {
	as, err := d.r.LoggedIn(ctx, tenant)
	if err != nil {
		return nil, err
	}
	out := make([]session.AgentInfo, len(as))
	for i, a := range as {
		out[i] = info(a)
	}
	return out, nil
}

func (d routerDirectory) Agent(ctx context.Context, id switchboard.AgentID) (session.AgentInfo, error) {
	var out session.AgentInfo
	var err error
	if l, ok := d.s.(routing.AgentLoader); ok {
		// Only the agent's names and state are kept: its lists need not
		// be copied out each time.
		a := agentBufs.Get().(*routing.Agent)
		if err = l.LoadAgent(ctx, id, a); err == nil {
			out = info(*a)
		}
		agentBufs.Put(a)
	} else {
		var a routing.Agent
		if a, err = d.r.Agent(ctx, id); err == nil {
			out = info(a)
		}
	}
	if errors.Is(err, routing.ErrAgentNotFound) {
		return session.AgentInfo{}, fmt.Errorf("%w: agent %s", session.ErrNotFound, id)
	}
	if err != nil {
		return session.AgentInfo{}, fmt.Errorf("engine: agent %s: %w", id, err)
	}
	return out, nil
}

// agentRef returns how a session names agent: its ID and display name.
// Read through the store when it can load an agent into a reused record,
// it copies none of the agent's lists.
func (e *Engine) agentRef(ctx context.Context, agent switchboard.AgentID) (session.AgentRef, error) {
	l, ok := e.store.(routing.AgentLoader)
	if !ok {
		a, err := e.router.Agent(ctx, agent)
		return session.AgentRef{ID: a.ID, Name: a.Profile.DisplayName}, err
	}
	a := agentBufs.Get().(*routing.Agent)
	defer agentBufs.Put(a)
	if err := l.LoadAgent(ctx, agent, a); err != nil {
		return session.AgentRef{}, fmt.Errorf("routing: agent %s: %w", agent, err)
	}
	return session.AgentRef{ID: a.ID, Name: a.Profile.DisplayName}, nil
}
