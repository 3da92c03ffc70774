package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// request is what a page asks the server to do.
type request struct {
	ID     int    `json:"id"`
	Op     string `json:"op"`
	Chat   string `json:"chat"`
	Text   string `json:"text"`
	Mode   string `json:"mode"`
	Name   string `json:"name"`
	Token  string `json:"token"`
	Queue  string `json:"queue"`
	Agent  string `json:"agent"`
	Offer  string `json:"offer"`
	State  string `json:"state"`
	Reason string `json:"reason"`
	// Option is the chosen option's ID; Options are offered ones.
	Option  string           `json:"option"`
	Options []session.Option `json:"options"`
	// Confirm confirms ending a chat while the customer is connected.
	Confirm bool `json:"confirm"`
	// File is an attachment: its name, declared type and content.
	File *struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Data string `json:"data"`
	} `json:"file"`
}

// errWrongPage is returned for a request the page's role may not make.
var errWrongPage = errors.New("not allowed from this page")

// errorText is an error as a page shows it.
// A refused file is shown with the policy's own short reason.
func errorText(err error) string {
	var r *attachment.RejectedError
	if errors.As(err, &r) && r.Reason != "" {
		return fmt.Sprintf("%s: %s", r.OriginalName, r.Reason)
	}
	return err.Error()
}

func (h *hub) handle(ctx context.Context, c *client, req *request) (any, error) {
	switch c.role {
	case "customer":
		return h.handleCustomer(ctx, c, req)
	case "agent", "supervisor":
		if req.Op == "login" {
			return h.login(ctx, c, req)
		}
		if c.agent == "" {
			return nil, errors.New("log in first")
		}
		return h.handleAgent(ctx, c, req)
	}
	return nil, errWrongPage
}

func (h *hub) handleCustomer(ctx context.Context, c *client, req *request) (any, error) {
	if req.Op == "start" {
		return h.startChat(ctx, c, req)
	}
	if c.chat == "" {
		return nil, errors.New("start a chat first")
	}
	me := session.CustomerParticipant(c.customer)
	switch req.Op {
	case "send":
		sent, err := h.eng.Send(ctx, c.chat, session.Message{From: me, Text: req.Text})
		return frame{"seq": sent.Seq, "text": sent.Text}, err
	case "file":
		return h.sendFile(ctx, c.chat, me, req)
	case "choose":
		o, err := h.eng.Sessions().Choose(ctx, c.chat, me, req.Option)
		return o, err
	case "leave":
		return nil, h.eng.CustomerLeft(ctx, c.chat, c.customer)
	}
	return nil, fmt.Errorf("unknown request %q", req.Op)
}

func (h *hub) startChat(ctx context.Context, c *client, req *request) (any, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return nil, errors.New("a name is required")
	}
	if c.chat != "" {
		return nil, errors.New("this page already has a chat")
	}
	queue := switchboard.QueueID(req.Queue)
	if queue == "" {
		queue = "support"
	}
	attrs := []session.Attribute{{Name: "name", Value: name}}
	h.mu.Lock()
	email, ok := h.signIns[req.Token]
	h.mu.Unlock()
	if ok {
		attrs = append(attrs, session.Attribute{Name: "email", Value: email, Verified: true})
	}
	customer := switchboard.CustomerID("cust-" + randomID()[:8])
	chat := switchboard.ChatID("chat-" + randomID()[:8])
	// The page hears its own chat from the first entry on.
	h.mu.Lock()
	c.customer, c.chat = customer, chat
	h.mu.Unlock()
	h.claim(c, session.CustomerParticipant(customer))
	_, err := h.eng.Start(ctx, engine.StartRequest{ID: chat, Queue: queue, Customer: customer,
		CustomerName: name, Attributes: attrs,
		Transcript: []routing.Turn{{From: "bot", Text: "Hi " + name + "! An agent will be with you shortly."}}})
	if err != nil {
		h.release(c)
		h.mu.Lock()
		c.customer, c.chat = "", ""
		h.mu.Unlock()
		return nil, err
	}
	return frame{"chat": chat, "customer": customer, "verified": ok}, nil
}

func (h *hub) sendFile(ctx context.Context, chat switchboard.ChatID, me session.ParticipantID, req *request) (any, error) {
	if req.File == nil {
		return nil, errors.New("no file")
	}
	data, err := base64.StdEncoding.DecodeString(req.File.Data)
	if err != nil {
		return nil, fmt.Errorf("file content: %w", err)
	}
	mode := session.ModeNormal
	if req.Mode == "whisper" {
		mode = session.ModeWhisper
	}
	sent, err := h.eng.SendFiles(ctx, chat, session.Message{From: me, Text: req.Text, Mode: mode},
		[]attachment.Upload{{Name: req.File.Name, DeclaredType: req.File.Type, DeclaredSize: int64(len(data)),
			Body: bytes.NewReader(data)}})
	return frame{"seq": sent.Seq}, err
}

// forget makes c a page of no agent again, after a failed login.
func (h *hub) forget(c *client) {
	h.release(c)
	h.mu.Lock()
	c.agent = ""
	h.mu.Unlock()
}

func (h *hub) login(ctx context.Context, c *client, req *request) (any, error) {
	id := switchboard.AgentID(req.Agent)
	p, ok := profileOf(id)
	if !ok {
		return nil, fmt.Errorf("no agent %q in this demo", req.Agent)
	}
	if c.role == "supervisor" && !p.Supervisor {
		return nil, fmt.Errorf("%s is not a supervisor", p.DisplayName)
	}
	// The page is this agent's desktop before routing hears of the login:
	// an offer made by the login itself reaches it.
	h.release(c) // a page logging in again speaks for its new agent only
	h.mu.Lock()
	c.agent = id
	h.mu.Unlock()
	h.claim(c, session.AgentParticipant(id))
	r := h.eng.Router()
	a, err := r.Agent(ctx, id)
	if err != nil || a.State == routing.LoggedOut {
		if req.State != "" {
			state, ok := parseState(req.State)
			if !ok {
				h.forget(c)
				return nil, fmt.Errorf("unknown state %q", req.State)
			}
			p.LoginState, p.LoginReason = state, req.Reason
		}
		if p.Supervisor {
			p.LoginState, p.LoginReason = routing.NotReady, "supervising"
		}
		if p.LoginState == routing.Available {
			p.LoginReason = ""
		}
		if _, err := r.Login(ctx, id, p); err != nil && !errors.Is(err, routing.ErrAlreadyLoggedIn) {
			h.forget(c)
			return nil, err
		}
	}
	a, err = r.Agent(ctx, id)
	if err != nil {
		return nil, err
	}
	qs, err := h.eng.TransferQueues(ctx, p.Tenant)
	if err != nil {
		return nil, err
	}
	return frame{"agent": id, "name": p.DisplayName, "state": a.State, "reason": a.Reason,
		"queues": queuesOf(qs), "wrap_up_reasons": wrapUpReasons}, nil
}

func (h *hub) handleAgent(ctx context.Context, c *client, req *request) (any, error) {
	me, chat := c.agent, switchboard.ChatID(req.Chat)
	from := session.AgentParticipant(me)
	m := h.eng.Sessions()
	switch req.Op {
	case "state":
		st, ok := parseState(req.State)
		if !ok {
			return nil, fmt.Errorf("unknown state %q", req.State)
		}
		return nil, h.eng.Router().SetState(ctx, me, st, req.Reason)
	case "accept":
		s, _, err := h.eng.Accept(ctx, me, routing.OfferID(req.Offer))
		if err != nil {
			return nil, err
		}
		return h.chatInfo(ctx, s)
	case "reject":
		return nil, h.eng.Reject(ctx, me, routing.OfferID(req.Offer))
	case "info":
		s, err := m.Session(ctx, chat)
		if err != nil {
			return nil, err
		}
		return h.chatInfo(ctx, s)
	case "send":
		msg := session.Message{From: from, Text: req.Text}
		switch req.Mode {
		case "whisper":
			msg.Mode = session.ModeWhisper
		case "coach":
			msg.Mode, msg.To = session.ModeCoach, session.AgentParticipant(switchboard.AgentID(req.Agent))
		}
		sent, err := h.eng.Send(ctx, chat, msg)
		return frame{"seq": sent.Seq}, err
	case "options":
		return nil, m.OfferOptions(ctx, chat, me, req.Text, req.Options)
	case "responses":
		rs, err := m.Responses(ctx, chat, me, req.Text)
		return responsesOf(rs), err
	case "insert_response":
		return m.InsertResponse(ctx, chat, me, req.Option)
	case "invite":
		o, err := h.eng.Invite(ctx, conference.Request{Chat: chat, From: me,
			Agent: switchboard.AgentID(req.Agent), Queue: switchboard.QueueID(req.Queue)})
		return frame{"offer": o.ID}, err
	case "leave":
		return nil, h.eng.Leave(ctx, chat, me)
	case "handover":
		return nil, h.eng.HandOver(ctx, chat, me, switchboard.AgentID(req.Agent))
	case "transfer":
		o, err := h.eng.Transfer(ctx, transfer.Request{Chat: chat, From: me,
			Agent: switchboard.AgentID(req.Agent), Queue: switchboard.QueueID(req.Queue), Comment: req.Text})
		return frame{"offer": o.ID}, err
	case "targets":
		ts, err := h.eng.TransferTargets(ctx, chat, me)
		return targetsOf(ts), err
	case "end":
		w, err := h.eng.End(ctx, chat, me, session.EndOptions{Reason: req.Reason, Confirm: req.Confirm})
		if errors.Is(err, session.ErrConfirmationRequired) {
			return frame{"confirm": true}, errors.New("the customer is still connected: ending disconnects them")
		}
		return frame{"until": w.Until}, err
	case "complete_wrap_up":
		return nil, h.eng.CompleteWrapUp(ctx, chat, me)
	case "directory":
		page, err := m.Directory(ctx, me, session.DirectoryQuery{Search: req.Text})
		return directoryOf(page), err
	case "a2a":
		s, err := h.eng.StartA2A(ctx, me, []switchboard.AgentID{switchboard.AgentID(req.Agent)}, req.Text)
		return frame{"chat": s.ID}, err
	case "history":
		return m.History(ctx, chat, from)
	case "supervise":
		if c.role != "supervisor" {
			return nil, errWrongPage
		}
		var mode session.SupervisorMode
		if err := mode.UnmarshalText([]byte(req.Mode)); err != nil || mode == 0 {
			return nil, fmt.Errorf("unknown mode %q", req.Mode)
		}
		p, _ := profileOf(me)
		if err := m.Supervise(ctx, chat, session.AgentRef{ID: me, Name: p.DisplayName}, mode); err != nil {
			return nil, err
		}
		s, err := m.Session(ctx, chat)
		if err != nil {
			return nil, err
		}
		return h.chatInfo(ctx, s)
	}
	return nil, fmt.Errorf("unknown request %q", req.Op)
}

// chatInfo is what a desktop shows above a chat: who the customer is and
// what they verified, the queue, and the owner.
func (h *hub) chatInfo(ctx context.Context, s session.Session) (any, error) {
	type attr struct {
		Name     string `json:"name"`
		Value    string `json:"value"`
		Verified bool   `json:"verified"`
	}
	info := frame{"chat": s.ID, "queue": s.Queue, "kind": s.Kind, "status": s.Status}
	var attrs []attr
	for _, a := range s.Attributes {
		attrs = append(attrs, attr{a.Name, a.Value, a.Verified})
	}
	info["attributes"] = attrs
	var people []frame
	for _, p := range s.Participants {
		people = append(people, frame{"id": p.ID, "name": p.Name, "role": p.Role, "present": p.Present()})
	}
	info["participants"] = people
	return info, nil
}
