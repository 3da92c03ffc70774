package conference_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	require.NoError(t, conference.Config{}.Validate())
	require.NoError(t, conference.Config{EndPolicy: conference.EndEverything}.Validate())
	require.ErrorIs(t, conference.Config{EndPolicy: 7}.Validate(), conference.ErrInvalid)
	_, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Conference: conference.Config{EndPolicy: 7}})
	require.ErrorIs(t, err, engine.ErrConfig)
	require.ErrorIs(t, err, conference.ErrInvalid)
	require.Equal(t, "chat-continues", conference.ChatContinues.String())
	require.Equal(t, "end-everything", conference.EndEverything.String())
	require.Equal(t, "invalid", conference.EndPolicy(7).String())
}

func TestInviteOnlyByAgentsInTheSession(t *testing.T) {
	t.Parallel()
	// SPEC C1: only an agent in the session starts a conference; the
	// customer, a monitoring supervisor, an agent not in the chat and an
	// agent only invited cannot. The session is checked, not only routing.
	b := setup(t, conference.Config{})
	b.conference()
	_, err := b.Router.Login(ctx, "sam", routing.Profile{DisplayName: "Sam", Tenant: "t1", Supervisor: true})
	require.NoError(t, err)
	require.NoError(t, b.Sessions.Supervise(ctx, "c1", session.AgentRef{ID: "sam", Name: "Sam"}, session.SupervisorMonitor))

	for _, tc := range []struct {
		name string
		req  conference.Request
		want error
	}{
		{"Customer", conference.Request{Chat: "c1", From: "u1", Agent: "bob"}, conference.ErrNotInConference},
		{"Supervisor", conference.Request{Chat: "c1", From: "sam", Agent: "bob"}, conference.ErrNotInConference},
		{"Stranger", conference.Request{Chat: "c1", From: "sue", Agent: "bob"}, conference.ErrNotInConference},
		{"NoTarget", conference.Request{Chat: "c1", From: "ann"}, conference.ErrInvalid},
		{"TwoTargets", conference.Request{Chat: "c1", From: "ann", Agent: "bob", Queue: "sales"}, conference.ErrInvalid},
		{"NoChat", conference.Request{From: "ann", Agent: "bob"}, conference.ErrInvalid},
		{"UnknownChat", conference.Request{Chat: "c9", From: "ann", Agent: "bob"}, conference.ErrChatNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Engine.Invite(ctx, tc.req)
			require.ErrorIs(t, err, tc.want)
		})
	}
	require.False(t, b.Pending(), "a refused invite changes nothing")

	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	require.True(t, b.Invited(bobP))
	// Bob is only invited: he cannot invite yet.
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "bob", Agent: "sue"})
	require.ErrorIs(t, err, conference.ErrNotInConference)
	b.Accept("bob")
	// A consulted agent who joined may invite.
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "bob", Agent: "sue"})
	require.NoError(t, err)
	require.True(t, b.Invited(sueP))
}

func TestInviteOnlyAvailableAgents(t *testing.T) {
	t.Parallel()
	// SPEC C2: the invite names an agent or a queue; only agents available
	// now can be invited.
	b := setup(t, conference.Config{})
	b.conference()
	require.NoError(t, b.Router.SetState(ctx, "bob", routing.NotReady, "lunch"))
	for _, tc := range []struct {
		name string
		req  conference.Request
		want error
		own  error
	}{
		{"NotReady", conference.Request{Chat: "c1", From: "ann", Agent: "bob"}, routing.ErrAgentUnavailable, conference.ErrAgentUnavailable},
		{"Unknown", conference.Request{Chat: "c1", From: "ann", Agent: "zed"}, routing.ErrAgentNotFound, conference.ErrAgentNotFound},
		{"Self", conference.Request{Chat: "c1", From: "ann", Agent: "ann"}, routing.ErrAlreadyInChat, conference.ErrAlreadyInChat},
		{"EmptyQueue", conference.Request{Chat: "c1", From: "ann", Queue: "support"}, routing.ErrNoAgentAvailable, conference.ErrNoAgentAvailable},
		{"UnknownQueue", conference.Request{Chat: "c1", From: "ann", Queue: "nope"}, routing.ErrQueueNotFound, conference.ErrQueueNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Engine.Invite(ctx, tc.req)
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, tc.own, "routing's refusal is conference's too")
		})
	}
	// Through the queue, the one available agent is chosen.
	o, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Queue: "sales"})
	require.NoError(t, err)
	require.Equal(t, switchboard.AgentID("sue"), o.Agent)
	require.Equal(t, routing.InviteOffer, o.Kind)
	require.True(t, b.Invited(sueP))
	require.False(t, b.Invited(bobP))
}

func TestInviteTimeoutMovesOn(t *testing.T) {
	t.Parallel()
	// SPEC C3: an invite not accepted in time goes to another available
	// agent of the queue; when nobody is left the inviter is told, and the
	// chat keeps its owner.
	b := setup(t, conference.Config{})
	b.conference()
	first, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Queue: "sales"})
	require.NoError(t, err)
	other := switchboard.AgentID("bob")
	if first.Agent == "bob" {
		other = "sue"
	}
	require.True(t, b.Invited(session.AgentParticipant(first.Agent)))

	b.Advance(19 * time.Second)
	require.True(t, b.Invited(session.AgentParticipant(first.Agent)), "not yet timed out")
	b.Advance(2 * time.Second)
	require.False(t, b.Invited(session.AgentParticipant(first.Agent)))
	require.True(t, b.Invited(session.AgentParticipant(other)))
	require.Equal(t, other, b.Offer(other).Agent)
	require.Equal(t, routing.RONA, b.Agent(first.Agent).State, "the first invitee went to RONA")

	// The second declines: nobody is left.
	require.NoError(t, b.Engine.Reject(ctx, other, b.Offer(other).ID))
	events := b.Pump()
	var failed bool
	for _, e := range events {
		if e.Type == routing.InviteFailed && e.Agent == "ann" {
			failed = true
		}
	}
	require.True(t, failed, "the inviter is told")
	require.False(t, b.Invited(session.AgentParticipant(other)))
	c := b.Chat()
	require.Equal(t, routing.Assigned, c.State)
	require.Equal(t, switchboard.AgentID("ann"), c.Agent)
	require.Equal(t, annP, b.Owner(), "a declined invite never leaves the chat with no agent")
}

func TestOneInviteAtATime(t *testing.T) {
	t.Parallel()
	// SPEC C4: one invite is pending at a time; once answered, more agents
	// can be invited.
	b := setup(t, conference.Config{})
	b.conference()
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "sue"})
	require.ErrorIs(t, err, routing.ErrInvitePending)
	require.ErrorIs(t, err, conference.ErrInvitePending)
	require.False(t, b.Invited(sueP))
	b.Accept("bob")
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "sue"})
	require.NoError(t, err)
	b.Accept("sue")
	require.Equal(t, []switchboard.AgentID{"bob", "sue"}, b.Chat().Consultants)
	require.True(t, b.Present(bobP))
	require.True(t, b.Present(sueP))
}

func TestInviterStaysOrLeaves(t *testing.T) {
	t.Parallel()
	// SPEC C5: after inviting, the inviter stays or leaves. An owner
	// leaving hands the chat to the consulted agent present longest and
	// goes to wrap-up; with nobody to take over it stays.
	b := setup(t, conference.Config{})
	b.conference()
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	require.ErrorIs(t, b.Engine.Leave(ctx, "c1", "ann"), conference.ErrNobodyToTakeOver)
	require.Equal(t, annP, b.Owner())
	b.Accept("bob")
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "sue"})
	require.NoError(t, err)
	b.Accept("sue")

	// A consulted agent who invited and stays; the owner leaves.
	require.NoError(t, b.Engine.Leave(ctx, "c1", "ann"))
	b.Pump()
	c := b.Chat()
	require.Equal(t, switchboard.AgentID("bob"), c.Agent)
	require.Equal(t, []switchboard.AgentID{"sue"}, c.Consultants)
	require.Equal(t, bobP, b.Owner())
	require.False(t, b.Present(annP))
	require.NotEqual(t, -1, c.HoldIndex("ann"), "the owner who left wraps up")
	require.Equal(t, routing.WrapUp, b.Agent("ann").State)

	// A consulted agent leaves: the chat goes on.
	require.NoError(t, b.Engine.Leave(ctx, "c1", "sue"))
	require.False(t, b.Present(sueP))
	require.Equal(t, 0, b.Load("sue"))
	require.ErrorIs(t, b.Engine.Leave(ctx, "c1", "sue"), routing.ErrNotInChat)
	require.ErrorIs(t, b.Engine.Leave(ctx, "c1", "sue"), conference.ErrNotInConference)
	b.Send(customer, "still there?", session.ModeNormal)
}

func TestJoinsAndLeavesAreAnnounced(t *testing.T) {
	t.Parallel()
	// SPEC C6: every participant, the customer included, is told when an
	// agent joins or leaves, by display name.
	b := setup(t, conference.Config{})
	b.conference()
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.Transport.Reset()
	b.Accept("bob")
	require.NoError(t, b.Engine.Leave(ctx, "c1", "bob"))

	for _, p := range []session.ParticipantID{customer, annP} {
		var joined, left bool
		for _, v := range b.History(p) {
			joined = joined || v.Type == session.EntryJoined && v.SubjectName == "Bob"
			left = left || v.Type == session.EntryLeft && v.Text == "Bob has left"
		}
		require.True(t, joined, "%s is told Bob joined", p)
		require.True(t, left, "%s is told Bob left", p)
		var live []session.EntryType
		for _, d := range b.Transport.Received(p) {
			live = append(live, d.Item.Type)
		}
		require.Contains(t, live, session.EntryJoined)
		require.Contains(t, live, session.EntryLeft)
	}
}

func TestEndConference(t *testing.T) {
	t.Parallel()
	// SPEC C7: the owner ends the conference; consulted agents are dropped.
	// By default the chat goes on with the customer; with EndEverything it
	// ends too, with the wrap-up reason given.
	for _, tc := range []struct {
		policy    conference.EndPolicy
		wantState routing.ChatState
		wantSess  session.Status
	}{
		{conference.ChatContinues, routing.Assigned, session.StatusActive},
		{conference.EndEverything, routing.InWrapUp, session.StatusEnded},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			t.Parallel()
			b := setup(t, conference.Config{EndPolicy: tc.policy})
			b.conference()
			_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
			require.NoError(t, err)
			b.Accept("bob")
			_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "bob", Agent: "sue"})
			require.NoError(t, err)

			if tc.policy == conference.EndEverything {
				var we *session.WrapUpError
				require.ErrorAs(t, b.Engine.EndConference(ctx, "c1", "ann", session.EndOptions{Reason: "bogus", Confirm: true}), &we)
				require.ErrorIs(t, b.Engine.EndConference(ctx, "c1", "ann", session.EndOptions{Reason: "sold"}), session.ErrConfirmationRequired)
				require.True(t, b.Present(bobP), "a refused end changes nothing")
				require.Equal(t, []switchboard.AgentID{"bob"}, b.Chat().Consultants)
			}
			require.NoError(t, b.Engine.EndConference(ctx, "c1", "ann", session.EndOptions{Reason: "sold", Confirm: true}))
			b.Pump()
			c := b.Chat()
			require.Equal(t, tc.wantState, c.State)
			require.Empty(t, c.Consultants)
			require.False(t, b.Pending())
			require.Equal(t, tc.wantSess, b.Session().Status)
			require.False(t, b.Present(bobP))
			require.False(t, b.Invited(sueP))
			require.Equal(t, 0, b.Load("bob"), "dropped with no wrap-up")
			require.Equal(t, 0, b.Load("sue"))
			if tc.policy == conference.ChatContinues {
				b.Send(customer, "thanks", session.ModeNormal)
				b.Send(annP, "anything else?", session.ModeNormal)
				return
			}
			_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
			require.ErrorIs(t, err, routing.ErrChatEnded)
			require.ErrorIs(t, err, conference.ErrChatEnded)
			err = b.Engine.EndConference(ctx, "c1", "ann", session.EndOptions{})
			require.ErrorIs(t, err, routing.ErrChatEnded)
			require.ErrorIs(t, err, conference.ErrChatEnded)
		})
	}
}

func TestConsultantCannotEndOrWrapUp(t *testing.T) {
	t.Parallel()
	// SPEC C8: a consulted agent cannot end the conference nor apply a
	// wrap-up; it can exit, and the chat goes on between Agent 1 and the
	// customer.
	b := setup(t, conference.Config{EndPolicy: conference.EndEverything})
	b.conference()
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.Accept("bob")

	err = b.Engine.EndConference(ctx, "c1", "bob", session.EndOptions{Reason: "sold", Confirm: true})
	require.ErrorIs(t, err, conference.ErrCannotEnd)
	require.ErrorIs(t, err, routing.ErrNotOwner)
	err = b.Engine.EndConference(ctx, "c1", "sue", session.EndOptions{})
	require.ErrorIs(t, err, routing.ErrNotOwner)
	require.ErrorIs(t, err, conference.ErrNotOwner)
	require.NotErrorIs(t, err, conference.ErrCannotEnd, "Sue is not in the chat")
	_, err = b.Engine.End(ctx, "c1", "bob", session.EndOptions{Reason: "sold", Confirm: true})
	require.ErrorIs(t, err, session.ErrForbidden)
	require.Equal(t, routing.Assigned, b.Chat().State)
	require.Equal(t, session.StatusActive, b.Session().Status)

	require.NoError(t, b.Engine.Leave(ctx, "c1", "bob"))
	c := b.Chat()
	require.Equal(t, routing.Assigned, c.State)
	require.Equal(t, switchboard.AgentID("ann"), c.Agent)
	require.Equal(t, -1, c.HoldIndex("bob"))
	b.Send(customer, "hello?", session.ModeNormal)
	b.Send(annP, "still here", session.ModeNormal)
	require.Contains(t, texts(b.History(customer)), "still here")
}

func TestCustomerLeavesEndsConference(t *testing.T) {
	t.Parallel()
	// SPEC C9: when the customer drops, consulted agents are dropped with
	// no wrap-up and Agent 1 wraps up.
	b := setup(t, conference.Config{})
	b.conference()
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.Accept("bob")
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "sue"})
	require.NoError(t, err)

	require.NoError(t, b.Engine.CustomerLeft(ctx, "c1", "u1"))
	b.Pump()
	require.False(t, b.Present(bobP))
	require.False(t, b.Invited(sueP))
	require.Equal(t, routing.Available, b.Agent("bob").State)
	require.Equal(t, 0, b.Load("bob"))
	_, err = b.Engine.End(ctx, "c1", "bob", session.EndOptions{Reason: "sold"})
	require.Error(t, err, "a dropped agent applies no wrap-up")
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.ErrorIs(t, err, session.ErrCustomerLeft, "nobody joins a chat whose customer left")
	require.ErrorIs(t, err, conference.ErrCustomerLeft)
	w, err := b.Engine.End(ctx, "c1", "ann", session.EndOptions{Reason: "no-sale"})
	require.NoError(t, err)
	require.Equal(t, "no-sale", w.Reason)
	require.Equal(t, routing.InWrapUp, b.Chat().State)
}

func TestWhisperReachesAgentsOnly(t *testing.T) {
	t.Parallel()
	// SPEC C10: a whisper in a conference reaches every agent and never the
	// customer, through every output: live delivery, history, catch-up and
	// the transcript.
	b := setup(t, conference.Config{})
	b.conference()
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.Accept("bob")
	_, err = b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "sue"})
	require.NoError(t, err)
	b.Accept("sue")
	b.Transport.Reset()
	b.Send(annP, "psst: VIP customer", session.ModeWhisper)
	b.Send(bobP, "noted", session.ModeWhisper)
	b.Send(annP, "How can we help?", session.ModeNormal)

	whispers := []string{"psst: VIP customer", "noted"}
	for _, p := range []session.ParticipantID{annP, bobP, sueP} {
		require.Subset(t, texts(b.History(p)), whispers, "%s reads the whispers", p)
		up, err := b.Sessions.CatchUp(ctx, "c1", p, 0, 0)
		require.NoError(t, err)
		require.Subset(t, texts(up), whispers)
		var live []string
		for _, d := range b.Transport.Received(p) {
			live = append(live, d.Item.Text)
		}
		require.Subset(t, live, whispers, "%s receives the whispers live", p)
	}
	transcript, err := b.Sessions.Transcript(ctx, "c1")
	require.NoError(t, err)
	up, err := b.Sessions.CatchUp(ctx, "c1", customer, 0, 0)
	require.NoError(t, err)
	var live []session.View
	for _, d := range b.Transport.Received(customer) {
		live = append(live, d.Item)
	}
	for name, out := range map[string][]session.View{"history": b.History(customer), "catch-up": up,
		"transcript": transcript, "live": live} {
		for _, v := range out {
			require.NotContains(t, whispers, v.Text, "the customer's %s carries no whisper", name)
			require.False(t, v.Private)
		}
		if name != "history" && name != "catch-up" && name != "transcript" {
			continue
		}
		require.Contains(t, texts(out), "How can we help?")
	}
	require.Contains(t, texts(live), "How can we help?")
}

func TestWarmTransfer(t *testing.T) {
	t.Parallel()
	// SPEC C11: Agent 1 consults Agent 2 privately, then hands the customer
	// over and leaves; Agent 1 sees nothing afterwards and goes to wrap-up.
	b := setup(t, conference.Config{})
	b.conference()
	b.Send(customer, "I want to cancel", session.ModeNormal)
	_, err := b.Engine.Invite(ctx, conference.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.Accept("bob")
	b.Send(annP, "retention case, be nice", session.ModeWhisper)
	require.ErrorIs(t, b.Engine.HandOver(ctx, "c1", "bob", "ann"), routing.ErrNotOwner)
	require.ErrorIs(t, b.Engine.HandOver(ctx, "c1", "bob", "ann"), conference.ErrNotOwner)
	require.ErrorIs(t, b.Engine.HandOver(ctx, "c1", "ann", "sue"), routing.ErrNotConsultant)
	require.ErrorIs(t, b.Engine.HandOver(ctx, "c1", "ann", "sue"), conference.ErrNotConsultant)

	require.NoError(t, b.Engine.HandOver(ctx, "c1", "ann", "bob"))
	b.Pump()
	before := len(b.History(annP))
	b.Send(customer, "my account number is 42", session.ModeNormal)
	b.Send(bobP, "thanks", session.ModeNormal)
	require.Len(t, b.History(annP), before, "the old owner sees nothing after it left")
	require.Equal(t, bobP, b.Owner())
	require.Subset(t, texts(b.History(bobP)), []string{"I want to cancel", "retention case, be nice", "my account number is 42"})
	require.NotContains(t, texts(b.History(customer)), "retention case, be nice")
	require.Contains(t, texts(b.History(customer)), "Ann has left")
	require.Equal(t, routing.WrapUp, b.Agent("ann").State)
	require.NoError(t, b.Engine.CompleteWrapUp(ctx, "c1", "ann"))
	require.Equal(t, routing.Available, b.Agent("ann").State)
	for _, d := range b.Transport.Received(annP) {
		require.NotEqual(t, "my account number is 42", d.Item.Text)
	}
}
