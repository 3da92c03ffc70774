package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// owned returns an active customer session owned by a1 since t0, with
// timers.
func owned(t0 time.Time, timers switchboard.Timers) session.Session {
	return session.Session{ID: "c1", Kind: session.KindCustomer, Queue: "q", Status: session.StatusActive,
		Participants: []session.Participant{
			{ID: session.CustomerParticipant("u1"), Role: session.RoleCustomer, Stints: []session.Stint{{Invited: 1, Joined: 1}}},
			{ID: session.AgentParticipant("a1"), Role: session.RoleOwner, Stints: []session.Stint{{Invited: 2, Joined: 2}}},
		},
		Timers: session.TimerState{Settings: timers, Owner: "a1", AssignedAt: t0}}
}

func TestNextTimerIsAPlainFunctionOfTheSession(t *testing.T) {
	t.Parallel()
	// SPEC D9: the next deadline is computed from the session alone.
	t0 := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	all := switchboard.Timers{FirstResponse: time.Minute, FirstResponseWarning: 40 * time.Second,
		ResponseSLA: 30 * time.Second, CustomerIdle: 2 * time.Minute, CustomerIdleClose: time.Minute, AgentIdle: 90 * time.Second}
	cases := []struct {
		name   string
		change func(s *session.Session)
		want   session.Timer
		at     time.Time
	}{
		{"off", func(s *session.Session) { s.Timers.Settings = switchboard.Timers{} }, 0, time.Time{}},
		{"warning first", func(*session.Session) {}, session.TimerFirstResponseWarning, t0.Add(40 * time.Second)},
		{"then the first response", func(s *session.Session) { s.Timers.Fired = []session.Timer{session.TimerFirstResponseWarning} },
			session.TimerFirstResponse, t0.Add(time.Minute)},
		{"a wait older than the assignment counts from it", func(s *session.Session) {
			s.Timers.Answered, s.Timers.CustomerAt = true, t0.Add(-time.Hour)
		}, session.TimerResponseSLA, t0.Add(30 * time.Second)},
		{"agent silence after the breach", func(s *session.Session) {
			s.Timers.Answered, s.Timers.CustomerAt = true, t0.Add(time.Second)
			s.Timers.Fired = []session.Timer{session.TimerResponseSLA}
		}, session.TimerAgentIdle, t0.Add(91 * time.Second)},
		{"customer idle after the agent's message", func(s *session.Session) {
			s.Timers.Answered, s.Timers.AgentAt = true, t0.Add(10*time.Second)
		}, session.TimerCustomerIdleWarning, t0.Add(130 * time.Second)},
		{"close after the warning", func(s *session.Session) {
			s.Timers.Answered, s.Timers.AgentAt, s.Timers.WarnedAt = true, t0.Add(10*time.Second), t0.Add(3*time.Minute)
		}, session.TimerCustomerIdleClose, t0.Add(4 * time.Minute)},
		{"not while the customer is gone", func(s *session.Session) {
			s.Timers.Answered, s.Timers.AgentAt = true, t0
			s.Participants[0].Stints[0].Left = 3
		}, 0, time.Time{}},
		{"not for an owner the timers do not watch", func(s *session.Session) { s.Timers.Owner = "a2" }, 0, time.Time{}},
		{"not once the chat is taken away", func(s *session.Session) { s.Timers.Reassign = "a1" }, 0, time.Time{}},
		{"not after the end", func(s *session.Session) { s.Status = session.StatusEnded }, 0, time.Time{}},
	}
	for _, c := range cases {
		s := owned(t0, all)
		c.change(&s)
		k, at, ok := session.NextTimer(&s)
		require.Equal(t, c.want != 0, ok, c.name)
		require.Equal(t, c.want, k, c.name)
		require.Equal(t, c.at, at, c.name)
		require.Equal(t, c.at, s.NextDeadline(), c.name)
	}
}
