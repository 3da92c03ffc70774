package sessionmem

import (
	"context"
	"fmt"
	"sync"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

var _ session.Directory = (*Directory)(nil)

// Directory is an in-memory session.Directory over a list of agents set
// with Put. The zero value is an empty directory. It is safe for
// concurrent use.
type Directory struct {
	mu     sync.Mutex
	agents map[switchboard.AgentID]session.AgentInfo
}

// NewDirectory returns a Directory holding agents.
func NewDirectory(agents ...session.AgentInfo) *Directory {
	d := &Directory{}
	for _, a := range agents {
		d.Put(a)
	}
	return d
}

// Put adds or replaces an agent, for example to log it in or out.
func (d *Directory) Put(a session.AgentInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.agents == nil {
		d.agents = map[switchboard.AgentID]session.AgentInfo{}
	}
	d.agents[a.ID] = a
}

// LoggedIn implements session.Directory.
func (d *Directory) LoggedIn(ctx context.Context, tenant switchboard.TenantID) ([]session.AgentInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []session.AgentInfo
	for _, a := range d.agents {
		if a.Tenant == tenant && a.LoggedIn {
			out = append(out, a)
		}
	}
	return out, nil
}

// Agent implements session.Directory.
func (d *Directory) Agent(ctx context.Context, id switchboard.AgentID) (session.AgentInfo, error) {
	if err := ctx.Err(); err != nil {
		return session.AgentInfo{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.agents[id]
	if !ok {
		return session.AgentInfo{}, fmt.Errorf("%w: agent %s", session.ErrNotFound, id)
	}
	return a, nil
}
