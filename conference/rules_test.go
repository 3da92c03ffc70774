package conference_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// member returns a participant with one stint, present from version joined
// on (joined 0: invited only), and gone at version left if left is not 0.
func member(id session.ParticipantID, role session.Role, joined, left uint64) session.Participant {
	return session.Participant{ID: id, Role: role, Stints: []session.Stint{{Invited: 1, Joined: joined, Left: left}}}
}

// rulesSession is chat c1's session: Ann owns it, Bob and Sue are consulted
// (Sue joined first), Dan was invited only, Eve left, and a customer, a bot
// and a supervisor are present.
func rulesSession(status session.Status) *session.Session {
	return &session.Session{ID: "c1", Status: status, Participants: []session.Participant{
		member(customer, session.RoleCustomer, 1, 0),
		member(session.BotParticipant("greeter"), session.RoleBot, 1, 0),
		member(annP, session.RoleOwner, 2, 0),
		member(bobP, session.RoleConsulted, 5, 0),
		member(sueP, session.RoleConsulted, 4, 0),
		member(session.AgentParticipant("dan"), session.RoleConsulted, 0, 0),
		member(session.AgentParticipant("eve"), session.RoleConsulted, 3, 6),
		member(session.AgentParticipant("sam"), session.RoleSupervisor, 2, 0),
	}}
}

func TestRequestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		req  conference.Request
		ok   bool
	}{
		{"an agent", conference.Request{Chat: "c1", From: "ann", Agent: "bob"}, true},
		{"a queue", conference.Request{Chat: "c1", From: "ann", Queue: "sales"}, true},
		{"no chat", conference.Request{From: "ann", Agent: "bob"}, false},
		{"no inviter", conference.Request{Chat: "c1", Agent: "bob"}, false},
		{"no invitee", conference.Request{Chat: "c1", From: "ann"}, false},
		{"both an agent and a queue", conference.Request{Chat: "c1", From: "ann", Agent: "bob", Queue: "sales"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, conference.ErrInvalid)
		})
	}
}

func TestCanInvite(t *testing.T) {
	t.Parallel()
	// SPEC C1: only the owner or a consulted agent present in the session
	// invites. SPEC C9: nobody does once the customer left.
	for _, tc := range []struct {
		name   string
		status session.Status
		from   switchboard.AgentID
		want   []error
	}{
		{"the owner", session.StatusActive, "ann", nil},
		{"a consulted agent", session.StatusActive, "bob", nil},
		{"an agent only invited", session.StatusActive, "dan", []error{conference.ErrNotInConference}},
		{"an agent who left", session.StatusActive, "eve", []error{conference.ErrNotInConference}},
		{"a supervisor", session.StatusActive, "sam", []error{conference.ErrNotInConference}},
		{"an agent never in the chat", session.StatusActive, "zed", []error{conference.ErrNotInConference}},
		{"the owner after the customer left", session.StatusCustomerLeft, "ann", []error{conference.ErrCustomerLeft, session.ErrCustomerLeft}},
		{"the owner after the chat ended", session.StatusEnded, "ann", []error{conference.ErrChatEnded, routing.ErrChatEnded}},
		{"the owner after the chat closed", session.StatusClosed, "ann", []error{conference.ErrChatEnded, routing.ErrChatEnded}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := conference.CanInvite(rulesSession(tc.status), tc.from)
			if tc.want == nil {
				require.NoError(t, err)
			}
			for _, w := range tc.want {
				require.ErrorIs(t, err, w)
			}
		})
	}
}

func TestSuccessorAndLeave(t *testing.T) {
	t.Parallel()
	// SPEC C5: the owner who leaves hands the chat to the consulted agent
	// present longest; SPEC C8: a consulted agent just exits.
	assigned := func(consultants ...switchboard.AgentID) *routing.Chat {
		return &routing.Chat{ID: "c1", State: routing.Assigned, Agent: "ann", Consultants: consultants}
	}
	for _, tc := range []struct {
		name   string
		s      *session.Session
		c      *routing.Chat
		agent  switchboard.AgentID
		how    conference.Leaving
		to     switchboard.AgentID
		errIs  error
		errIs2 error
	}{
		{"the one who joined the session first", rulesSession(session.StatusActive), assigned("bob", "sue"), "ann", conference.HandOver, "sue", nil, nil},
		{"routing's order without a session", nil, assigned("bob", "sue"), "ann", conference.HandOver, "bob", nil, nil},
		{"one the session shows before one it does not yet", rulesSession(session.StatusActive), assigned("kim", "bob"), "ann", conference.HandOver, "bob", nil, nil},
		{"nobody to take over", rulesSession(session.StatusActive), assigned(), "ann", conference.HandOver, "", conference.ErrNobodyToTakeOver, nil},
		{"a consulted agent exits", rulesSession(session.StatusActive), assigned("bob"), "bob", conference.Exit, "", nil, nil},
		{"anyone else is left to routing", rulesSession(session.StatusActive), assigned("bob"), "zed", conference.Exit, "", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			how, to, err := conference.Leave(tc.s, tc.c, tc.agent)
			require.Equal(t, tc.how, how)
			require.Equal(t, tc.to, to)
			if tc.errIs == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.errIs)
		})
	}
	_, err := conference.Successor(nil, assigned("bob"), "bob")
	require.ErrorIs(t, err, conference.ErrNotOwner)
	require.ErrorIs(t, err, routing.ErrNotOwner)
}

func TestCheckEnd(t *testing.T) {
	t.Parallel()
	// SPEC C7: only the owner ends the conference; SPEC C8: a consulted
	// agent cannot.
	c := &routing.Chat{ID: "c1", State: routing.Assigned, Agent: "ann", Consultants: []switchboard.AgentID{"bob"}}
	wrapUp := &routing.Chat{ID: "c1", State: routing.InWrapUp, Agent: "ann"}
	for _, tc := range []struct {
		name string
		c    *routing.Chat
		by   switchboard.AgentID
		want []error
		not  error
	}{
		{"the owner", c, "ann", nil, nil},
		{"a consulted agent", c, "bob", []error{conference.ErrCannotEnd, conference.ErrNotOwner, routing.ErrNotOwner}, nil},
		{"an agent not in the chat", c, "zed", []error{conference.ErrNotOwner, routing.ErrNotOwner}, conference.ErrCannotEnd},
		{"the owner once the chat ended", wrapUp, "ann", []error{conference.ErrChatEnded, routing.ErrChatEnded}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := conference.CheckEnd(tc.c, tc.by)
			if tc.want == nil {
				require.NoError(t, err)
			}
			for _, w := range tc.want {
				require.ErrorIs(t, err, w)
			}
			if tc.not != nil {
				require.NotErrorIs(t, err, tc.not)
			}
		})
	}
}

func TestEndPolicy(t *testing.T) {
	t.Parallel()
	// SPEC C7: the end policy decides whether the chat ends too.
	require.False(t, conference.ChatContinues.EndsChat())
	require.True(t, conference.EndEverything.EndsChat())
	require.False(t, conference.EndPolicy(7).EndsChat())
}

func TestRefusal(t *testing.T) {
	t.Parallel()
	require.NoError(t, conference.Refusal(nil))
	for _, tc := range []struct{ from, want error }{
		{routing.ErrNotInChat, conference.ErrNotInConference},
		{routing.ErrNotOwner, conference.ErrNotOwner},
		{routing.ErrNotConsultant, conference.ErrNotConsultant},
		{session.ErrCustomerLeft, conference.ErrCustomerLeft},
		{routing.ErrChatEnded, conference.ErrChatEnded},
		{routing.ErrChatNotFound, conference.ErrChatNotFound},
		{session.ErrNotFound, conference.ErrChatNotFound},
		{routing.ErrInvitePending, conference.ErrInvitePending},
		{routing.ErrTransferPending, conference.ErrTransferPending},
		{routing.ErrAgentUnavailable, conference.ErrAgentUnavailable},
		{routing.ErrAgentNotFound, conference.ErrAgentNotFound},
		{routing.ErrNoAgentAvailable, conference.ErrNoAgentAvailable},
		{routing.ErrQueueNotFound, conference.ErrQueueNotFound},
		{routing.ErrAlreadyInChat, conference.ErrAlreadyInChat},
	} {
		t.Run(tc.from.Error(), func(t *testing.T) {
			err := conference.Refusal(fmt.Errorf("deciding: %w", tc.from))
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, tc.from)
		})
	}
	// An error already this package's is left as it is; an unknown one too.
	own := fmt.Errorf("%w: %w", conference.ErrCannotEnd, routing.ErrNotOwner)
	require.Same(t, own, conference.Refusal(own))
	other := errors.New("disk on fire")
	require.Same(t, other, conference.Refusal(other))
}
