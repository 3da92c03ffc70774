package main

import (
	"encoding/json"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// This file holds the demo's own frames: requests' replies and the lists
// a desktop shows. Session entries and routing events go to the pages in
// the library's own wire forms (see docs/wire.md at the repository root),
// a customer's entries as a session.CustomerDelivery only.

// entryFrame is the frame carrying one delivery to a participant's page:
// the library's wire form of the delivery, for an agent or a supervisor,
// or of the customer's delivery, which cannot hold an agent ID. A notice
// to the customer (its place in the queue, its estimated wait) carries
// the library's wire form of the notice beside it.
func entryFrame(to session.ParticipantID, d session.Delivery) (frame, error) {
	if _, ok := to.Customer(); ok {
		cd, err := session.CustomerDeliveryOf(d)
		if err != nil {
			return nil, err
		}
		f := frame{"type": "entry", "chat": cd.Chat, "item": cd.Item}
		if d.Item.Type == session.EntryNotice {
			f["notice"] = d.Item.Notice
		}
		return f, nil
	}
	return frame{"type": "entry", "chat": d.Chat, "invitation": d.Invitation, "item": d.Item}, nil
}

// parseState reads an agent state a page sent: only the states an agent
// may choose.
func parseState(s string) (routing.State, bool) {
	var st routing.State
	if err := st.UnmarshalText([]byte(s)); err != nil || st != routing.Available && st != routing.NotReady {
		return 0, false
	}
	return st, true
}

// frame is one message to a browser: a kind and its fields.
type frame map[string]any

func encode(f frame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		b, _ = json.Marshal(frame{"type": "error", "error": err.Error()})
	}
	return b
}

// named is anything a desktop lists by ID and name: queues, agents,
// predefined responses.
type named struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	LoggedIn bool   `json:"logged_in,omitempty"`
}

func queuesOf(qs []transfer.TargetQueue) []named {
	out := make([]named, 0, len(qs))
	for _, q := range qs {
		out = append(out, named{ID: string(q.ID), Name: q.Name})
	}
	return out
}

func directoryOf(p session.DirectoryPage) []named {
	out := make([]named, 0, len(p.Agents))
	for _, a := range p.Agents {
		out = append(out, named{ID: string(a.ID), Name: a.Name, LoggedIn: a.LoggedIn})
	}
	return out
}

func responsesOf(rs []switchboard.Response) []named {
	out := make([]named, 0, len(rs))
	for _, r := range rs {
		out = append(out, named{ID: r.ID, Name: r.Title})
	}
	return out
}

func targetsOf(ts []transfer.TargetAgent) []named {
	out := make([]named, 0, len(ts))
	for _, a := range ts {
		out = append(out, named{ID: string(a.ID), Name: a.Name})
	}
	return out
}
