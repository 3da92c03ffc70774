package main

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// This file holds every JSON form the server sends to a browser, so the
// demo can move to the library's own wire forms in one place.

// wireView is a session entry as one participant may see it.
type wireView struct {
	Seq         uint64       `json:"seq"`
	At          time.Time    `json:"at"`
	Type        string       `json:"type"`
	Private     bool         `json:"private,omitempty"`
	From        string       `json:"from,omitempty"`
	FromName    string       `json:"from_name,omitempty"`
	Subject     string       `json:"subject,omitempty"`
	SubjectName string       `json:"subject_name,omitempty"`
	Text        string       `json:"text,omitempty"`
	Files       []wireFile   `json:"files,omitempty"`
	Options     []wireOption `json:"options,omitempty"`
	Reason      string       `json:"reason,omitempty"`
	Ref         uint64       `json:"ref,omitempty"`
}

// wireFile is an attachment with the address it downloads from.
type wireFile struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

func viewOf(v session.View) wireView {
	w := wireView{Seq: v.Seq, At: v.At, Type: snake(v.Type.String()), Private: v.Private, From: string(v.From),
		FromName: v.FromName, Subject: string(v.Subject), SubjectName: v.SubjectName, Text: v.Text,
		Options: optionsOf(v.Options), Reason: v.Reason, Ref: v.Ref}
	for _, f := range v.Files {
		w.Files = append(w.Files, wireFile{Name: f.Name, Type: f.MIMEType, Size: f.Size, URL: "/files/" + f.Ref})
	}
	return w
}

// wireEvent is a routing event for an agent's desktop.
type wireEvent struct {
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	Agent     string    `json:"agent,omitempty"`
	Chat      string    `json:"chat,omitempty"`
	Queue     string    `json:"queue,omitempty"`
	Offer     string    `json:"offer,omitempty"`
	Kind      string    `json:"kind,omitempty"`
	State     string    `json:"state,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Outcome   string    `json:"outcome,omitempty"`
	Taken     bool      `json:"taken,omitempty"`
	EndReason string    `json:"end_reason,omitempty"`
	From      string    `json:"from,omitempty"`
	FromQueue string    `json:"from_queue,omitempty"`
	Customer  string    `json:"customer,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Comment   string    `json:"comment,omitempty"`
}

func eventOf(e routing.Event) wireEvent {
	w := wireEvent{Type: snake(e.Type.String()), At: e.At, Agent: string(e.Agent), Chat: string(e.Chat),
		Queue: string(e.Queue), Offer: string(e.Offer), Reason: e.Reason, Taken: e.Taken,
		From: string(e.From), FromQueue: string(e.FromQueue), Customer: e.Customer, ExpiresAt: e.ExpiresAt, Comment: e.Comment}
	switch e.Type {
	case routing.AgentStateChanged, routing.AgentLoggedIn:
		w.State = stateName(e.State)
	case routing.ChatOffered:
		w.Kind = snake(e.Kind.String())
	case routing.OfferResolved:
		w.Kind = snake(e.Kind.String())
		w.Outcome = snake(e.Outcome.String())
	case routing.ChatEnded:
		w.EndReason = snake(e.EndReason.String())
	}
	return w
}

// stateName is an agent state as the pages show and send it.
func stateName(s routing.State) string { return snake(s.String()) }

// parseState reads an agent state a page sent.
func parseState(s string) (routing.State, bool) {
	for _, st := range []routing.State{routing.Available, routing.NotReady} {
		if stateName(st) == s {
			return st, true
		}
	}
	return 0, false
}

// snake turns a library name ("NotReady", "not-ready", "ring all") into
// snake case ("not_ready").
func snake(s string) string {
	var b strings.Builder
	var prev rune
	for _, r := range s {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('_')
		case r >= 'A' && r <= 'Z':
			if prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9' {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
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

// wireOption is a structured option, offered or chosen.
type wireOption struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

func optionsOf(os []session.Option) []wireOption {
	out := make([]wireOption, 0, len(os))
	for _, o := range os {
		out = append(out, wireOption{ID: o.ID, Label: o.Label})
	}
	return out
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
