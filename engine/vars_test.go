package engine_test

import (
	"context"

	"github.com/switchboard-cc/switchboard/session"
)

var (
	ctx      = context.Background()
	customer = session.CustomerParticipant("u1")
	annP     = session.AgentParticipant("ann")
	bobP     = session.AgentParticipant("bob")
)

// texts returns the texts of the messages among views.
func texts(vs []session.View) []string {
	var out []string
	for _, v := range vs {
		if v.Type == session.EntryMessage {
			out = append(out, v.Text)
		}
	}
	return out
}
