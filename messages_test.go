package switchboard_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/internal/desktest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/transfer"
)

// prefix finds a package prefix such as "routing:" in a message.
// The session package names the session after its own: "session c1: ...".
var prefix = regexp.MustCompile(`(?:^|: )(?:(routing|session|engine|conference|transfer|attachment|compliance)|(session) [^ :]+):`)

// TestMessagesReadOnce drives representative refusals through the public
// API and requires each message to name every package once, with the IDs
// that matter, and to match exactly one kind. SPEC W3.
func TestMessagesReadOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := desktest.New(t, []routing.Queue{{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second}}, session.Config{})
	for _, a := range []switchboard.AgentID{"ann", "bob"} {
		if _, err := f.Router.Login(ctx, a, routing.Profile{DisplayName: string(a), Tenant: "t1", Team: "sales", Queues: []switchboard.QueueID{"sales"}}); err != nil {
			t.Fatal(err)
		}
	}
	f.FreshChat("c1", "sales", "ann")

	call := func(err error) func() error { return func() error { return err } }
	_, errSession := f.Sessions.Session(ctx, "nochat")
	_, _, errAccept := f.Engine.Accept(ctx, "ann", "nooffer")
	_, errTransfer := f.Engine.Transfer(ctx, transfer.Request{Chat: "c1", From: "bob", Agent: "ann"})
	_, errInvite := f.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "bob", Agent: "ann"})
	_, errEmpty := f.Engine.Send(ctx, "c1", session.Message{ID: "m1", From: session.AgentParticipant("ann")})
	_, errEnd := f.Engine.End(ctx, "c1", "bob", session.EndOptions{})
	_, errConfirm := f.Sessions.End(ctx, "c1", "ann", session.EndOptions{})
	_, errStart := f.Engine.Start(ctx, engine.StartRequest{ID: "c2", Tenant: "t1", Queue: "nosuch", Customer: "u9", CustomerName: "Eve"})
	_, errEnqueue := f.Router.Enqueue(ctx, routing.ChatRequest{Queue: "sales"})
	errHandOver := f.Engine.HandOver(ctx, "c1", "ann", "bob")
	_, errCompliance := compliance.New(compliance.Config{KeepFirst: 9})

	cases := []struct {
		name  string
		err   func() error
		exact string
	}{
		{"session not found", call(errSession), "session nochat: not found"},
		{"offer not found", call(errAccept), `routing: accept nooffer: offer "nooffer": offer not found`},
		{"transfer by a non-owner", call(errTransfer), ""},
		{"invite by an outsider", call(errInvite), ""},
		{"empty message", call(errEmpty), ""},
		{"end by a non-owner", call(errEnd), ""},
		{"end without confirmation", call(errConfirm), "session c1: customer still connected, confirmation required"},
		{"start in an unknown queue", call(errStart), ""},
		{"enqueue without an ID", call(errEnqueue), ""},
		{"hand over to a non-consultant", call(errHandOver), ""},
		{"compliance config", call(errCompliance), ""},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := err.Error()
		found := prefix.FindAllString(msg, -1)
		if len(found) == 0 {
			t.Errorf("%s: %q names no package", c.name, msg)
		}
		seen := map[string]bool{}
		for _, p := range prefix.FindAllStringSubmatch(msg, -1) {
			pkg := p[1] + p[2]
			if seen[pkg] {
				t.Errorf("%s: %q names %q twice", c.name, msg, pkg)
			}
			seen[pkg] = true
		}
		if strings.Contains(msg, " :") || strings.HasSuffix(msg, ": ") {
			t.Errorf("%s: %q has an empty part", c.name, msg)
		}
		if c.exact != "" && msg != c.exact {
			t.Errorf("%s: message %q, want %q", c.name, msg, c.exact)
		}
		if n := len(kindsOf(err)); n != 1 {
			t.Errorf("%s: %q matches %d kinds", c.name, msg, n)
		}
		t.Logf("%s: %s (%v)", c.name, msg, switchboard.KindOf(err))
	}
}
