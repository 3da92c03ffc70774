package routing

import "slices"

// describe fills e's Tenant, Team, Priority and Channel, and an
// AgentLoggedIn's Queues and Capacity, from the records the work has
// already read. It reads nothing from the store: a field whose record the
// transition did not read stays zero.
func (w *work) describe(e *Event) {
	if e.Chat != "" {
		for _, c := range w.chats.live {
			if c.ID == e.Chat {
				e.Priority, e.Channel = c.Priority, c.Channel
				break
			}
		}
	}
	if e.Agent != "" {
		for _, a := range w.agents.live {
			if a.ID == e.Agent {
				e.Team, e.Tenant = a.Profile.Team, a.Profile.Tenant
				if e.Type == AgentLoggedIn {
					e.Queues = slices.Clone(a.Profile.Queues)
					e.Capacity = slices.Clone(a.Profile.Capacity)
				}
				break
			}
		}
	}
	if e.Queue != "" {
		for _, q := range w.queues.live {
			if q.ID == e.Queue {
				e.Tenant = q.Tenant
				if e.Channel == "" {
					e.Channel = q.Channel
				}
				break
			}
		}
	}
}
