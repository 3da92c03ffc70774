package routing

import "slices"

// describe fills e's Tenant, Team, Priority and Channel, and an
// AgentLoggedIn's Queues and Capacity, from the records the work has
// already read. It reads nothing from the store: a field whose record the
// transition did not read stays zero. It finds each record through the
// work's index, so describing every offer of a ring-all round costs the
// same per offer however many agents the round rings.
func (w *work) describe(e *Event) {
	if e.Chat != "" {
		if c := w.chats.find(string(e.Chat)); c != nil {
			e.Priority, e.Channel = c.Priority, c.Channel
		}
	}
	if e.Agent != "" {
		if a := w.agents.find(string(e.Agent)); a != nil {
			e.Team, e.Tenant = a.Profile.Team, a.Profile.Tenant
			if e.Type == AgentLoggedIn {
				e.Queues = slices.Clone(a.Profile.Queues)
				e.Capacity = slices.Clone(a.Profile.Capacity)
			}
		}
	}
	if e.Queue != "" {
		if q := w.queues.find(string(e.Queue)); q != nil {
			e.Tenant = q.Tenant
			if e.Channel == "" {
				e.Channel = q.Channel
			}
		}
	}
}
