package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// routerDirectory is the agent directory of agent-to-agent chat, read from
// routing's presence: an agent's team is its functional group.
type routerDirectory struct{ r *routing.Router }

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
	a, err := d.r.Agent(ctx, id)
	if errors.Is(err, routing.ErrAgentNotFound) {
		return session.AgentInfo{}, fmt.Errorf("%w: agent %s", session.ErrNotFound, id)
	}
	if err != nil {
		return session.AgentInfo{}, err
	}
	return info(a), nil
}
