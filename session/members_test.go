package session_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

func joinedNames(vs []session.View) []string {
	var out []string
	for _, v := range vs {
		if v.Type == session.EntryJoined || v.Type == session.EntryLeft {
			out = append(out, v.Type.String()+" "+v.SubjectName)
		}
	}
	return out
}

func TestOwnerChange(t *testing.T) {
	t.Parallel()
	m, _ := setup(t, func(c *session.Config) { c.History = switchboard.HistoryFromJoin })
	chat := chatWithOwner(t, m)
	send(t, m, chat, customer, session.ModeNormal, "hello")
	send(t, m, chat, annP, session.ModeWhisper, "handing over")

	_, err := m.AssignOwner(ctx, chat, ann)
	require.ErrorIs(t, err, session.ErrAlreadyParticipant)

	s, err := m.AssignOwner(ctx, chat, bob)
	require.NoError(t, err)
	require.Equal(t, bobP, s.Owner().ID)
	require.Equal(t, session.RoleConsulted, s.Participant(annP).Role, "the previous owner stays, as consulted")
	require.Equal(t, []string{"hello", "handing over"}, texts(history(t, m, chat, bobP)), "a new owner reads the whole history")

	require.ErrorIs(t, m.Remove(ctx, chat, "ann", bobP), session.ErrForbidden, "only the owner removes")
	require.ErrorIs(t, m.Remove(ctx, chat, "bob", bobP), session.ErrForbidden, "the owner is not removed")
	require.NoError(t, m.Remove(ctx, chat, "bob", annP))
	require.Equal(t, []string{"joined Ann", "joined Bob", "left Ann"}, joinedNames(history(t, m, chat, customer)))
	n, err := m.ActiveCount(ctx, "ann")
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestSupervisorTakesOver(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorMonitor))
	require.Equal(t, []string{"joined Ann"}, joinedNames(history(t, m, chat, customer)))
	_, err := m.AssignOwner(ctx, chat, sue)
	require.NoError(t, err)
	require.Equal(t, []string{"joined Ann", "joined Sue"}, joinedNames(history(t, m, chat, customer)),
		"a silent supervisor who takes over is announced")
}

func TestDeclineInvitation(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Leave(ctx, chat, bobP))
	require.ErrorIs(t, m.Join(ctx, chat, "bob"), session.ErrNotParticipant)
	require.Equal(t, []string{"joined Ann"}, joinedNames(itemsOf(b.transport.Received(customer))),
		"the customer hears of neither the invitation nor the decline")
	require.NoError(t, m.Invite(ctx, chat, "ann", bob), "a declined agent can be invited again")
	require.NoError(t, m.Join(ctx, chat, "bob"))
}

func TestA2AEndAndLeave(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	directoryFixture(b)
	t.Run("last agent out closes", func(t *testing.T) {
		t.Parallel()
		s, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "hi")
		require.NoError(t, err)
		require.NoError(t, m.Leave(ctx, s.ID, annP), "the initiator may leave an A2A chat")
		send(t, m, s.ID, bobP, session.ModeNormal, "talking to myself")
		require.NoError(t, m.Leave(ctx, s.ID, bobP))
		got, err := m.Session(ctx, s.ID)
		require.NoError(t, err)
		require.Equal(t, session.StatusClosed, got.Status)
	})
	t.Run("any agent ends, without wrap-up", func(t *testing.T) {
		t.Parallel()
		s, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob"}, "hi")
		require.NoError(t, err)
		w, err := m.End(ctx, s.ID, "bob", session.EndOptions{Reason: "ignored"})
		require.NoError(t, err)
		require.Empty(t, w.Reason)
		require.Empty(t, w.Queue)
		cl, err := m.Close(ctx, s.ID, "ann", session.EndOptions{})
		require.NoError(t, err)
		require.False(t, cl.Ended)
	})
}

func TestBotFirstThenCustomer(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Bot: "Ava"})
	require.NoError(t, err)
	bot := session.BotParticipant("Ava")
	send(t, m, "c1", bot, session.ModeNormal, "Hi! How can I help?")
	_, err = m.Send(ctx, "c1", session.Message{From: bot, Mode: session.ModeWhisper, Text: "x"})
	require.ErrorIs(t, err, session.ErrForbidden, "bots are not agents")
	require.NoError(t, m.AddCustomer(ctx, "c1", "u1", "Carol"))
	require.ErrorIs(t, m.AddCustomer(ctx, "c1", "u1", "Carol"), session.ErrSecondCustomer)
	send(t, m, "c1", customer, session.ModeNormal, "my invoice")
	_, err = m.AssignOwner(ctx, "c1", ann)
	require.NoError(t, err)
	require.Equal(t, []string{"Hi! How can I help?", "my invoice"}, texts(history(t, m, "c1", annP)),
		"the bot conversation travels with the chat")
	require.Equal(t, []string{"Hi! How can I help?", "my invoice"}, texts(history(t, m, "c1", customer)))

	_, err = m.Create(ctx, session.CustomerSession{ID: "c2", Queue: "sales"})
	require.ErrorIs(t, err, session.ErrInvalid, "a session needs a customer or a bot")
}

func TestQueueOverridesHistoryRule(t *testing.T) {
	t.Parallel()
	m, _ := setup(t, func(c *session.Config) {
		c.Queues["vip"] = session.QueueConfig{ChatSettings: switchboard.ChatSettings{History: switchboard.HistoryFromJoin}}
	})
	_, err := m.Create(ctx, session.CustomerSession{ID: "v1", Queue: "vip", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	s, err := m.Session(ctx, "v1")
	require.NoError(t, err)
	require.Equal(t, switchboard.HistoryFromJoin, s.History)
	_, err = m.Create(ctx, session.CustomerSession{ID: "s1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	s, err = m.Session(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, switchboard.HistoryAll, s.History)
}

func TestAssignOwnerAfterCustomerLeft(t *testing.T) {
	t.Parallel()
	// A transfer accepted as the customer left: the new owner takes the
	// session over and is the one to end it; the old one cannot any more.
	m, _ := setup(t)
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", ann)
	require.NoError(t, err)
	require.NoError(t, m.Leave(ctx, "c1", customer))
	s, err := m.AssignOwner(ctx, "c1", bob)
	require.NoError(t, err)
	require.Equal(t, bobP, s.Owner().ID)
	_, err = m.End(ctx, "c1", "ann", session.EndOptions{Reason: "sold"})
	require.ErrorIs(t, err, session.ErrForbidden)
	_, err = m.End(ctx, "c1", "bob", session.EndOptions{Reason: "sold"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", sue)
	require.ErrorIs(t, err, session.ErrInvalidState, "an ended session takes no new owner")
}
