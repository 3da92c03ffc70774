package session_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// TestVisible covers the visibility decision over audiences, roles, stints
// and history rules. SPEC S2 SPEC S3
func TestVisible(t *testing.T) {
	t.Parallel()
	joinedAt := func(v uint64) []session.Stint { return []session.Stint{{Invited: v, Joined: v}} }
	cust := &session.Participant{ID: customer, Role: session.RoleCustomer, Stints: joinedAt(1)}
	bot := &session.Participant{ID: session.BotParticipant("b"), Role: session.RoleBot, Stints: joinedAt(1)}
	owner := &session.Participant{ID: annP, Role: session.RoleOwner, Stints: joinedAt(5)}
	late := &session.Participant{ID: bobP, Role: session.RoleConsulted, Stints: []session.Stint{{Invited: 3, Joined: 5}}}
	sup := &session.Participant{ID: sueP, Role: session.RoleSupervisor, Mode: session.SupervisorMonitor, Stints: joinedAt(5)}
	gone := &session.Participant{ID: "agent:gone", Role: session.RoleConsulted, Stints: []session.Stint{{Invited: 1, Joined: 1, Left: 4}}}
	invited := &session.Participant{ID: "agent:inv", Role: session.RoleConsulted, Stints: []session.Stint{{Invited: 6}}}
	back := &session.Participant{ID: "agent:back", Role: session.RoleConsulted,
		Stints: []session.Stint{{Invited: 1, Joined: 1, Left: 3}, {Invited: 6, Joined: 6}}}

	at := func(v uint64, a session.Audience) *session.Entry {
		return &session.Entry{Seq: v, Version: v, Type: session.EntryMessage, Audience: a}
	}
	named := session.Audience{Kind: session.AudienceNamed, Members: []session.ParticipantID{sueP, annP, customer}}
	cases := []struct {
		name   string
		rule   switchboard.HistoryRule
		viewer *session.Participant
		entry  *session.Entry
		want   bool
	}{
		{"customer sees normal", switchboard.HistoryAll, cust, at(2, session.Everyone()), true},
		{"customer never sees whisper", switchboard.HistoryAll, cust, at(2, session.Agents()), false},
		{"customer never sees named even if listed", switchboard.HistoryAll, cust, at(2, named), false},
		{"bot never sees whisper", switchboard.HistoryAll, bot, at(2, session.Agents()), false},
		{"zero audience admits nobody", switchboard.HistoryAll, owner, at(6, session.Audience{}), false},
		{"owner sees whisper", switchboard.HistoryAll, owner, at(6, session.Agents()), true},
		{"owner reads history before joining", switchboard.HistoryFromJoin, owner, at(1, session.Everyone()), true},
		{"named admits member", switchboard.HistoryAll, owner, at(6, named), true},
		{"named excludes other agent", switchboard.HistoryAll, late, at(6, named), false},
		{"late joiner, all history", switchboard.HistoryAll, late, at(1, session.Agents()), true},
		{"late joiner, from invitation: before", switchboard.HistoryFromInvitation, late, at(2, session.Everyone()), false},
		{"late joiner, from invitation: at invitation", switchboard.HistoryFromInvitation, late, at(3, session.Everyone()), true},
		{"late joiner, from join: between", switchboard.HistoryFromJoin, late, at(4, session.Everyone()), false},
		{"late joiner, from join: after", switchboard.HistoryFromJoin, late, at(5, session.Agents()), true},
		{"supervisor follows the rule", switchboard.HistoryFromJoin, sup, at(4, session.Everyone()), false},
		{"supervisor monitors whispers", switchboard.HistoryFromJoin, sup, at(5, session.Agents()), true},
		{"left: before leaving", switchboard.HistoryAll, gone, at(3, session.Everyone()), true},
		{"left: nothing after leaving", switchboard.HistoryAll, gone, at(4, session.Everyone()), false},
		{"invited: nothing before joining", switchboard.HistoryAll, invited, at(6, session.Everyone()), false},
		{"returned: first stint", switchboard.HistoryFromJoin, back, at(2, session.Everyone()), true},
		{"returned: the gap", switchboard.HistoryFromJoin, back, at(4, session.Everyone()), false},
		{"returned: second stint", switchboard.HistoryFromJoin, back, at(7, session.Everyone()), true},
		{"nil viewer", switchboard.HistoryAll, nil, at(1, session.Everyone()), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, session.Visible(c.rule, c.viewer, c.entry))
		})
	}

	t.Run("events about the viewer itself", func(t *testing.T) {
		t.Parallel()
		e := at(5, session.Agents())
		e.Subject = invited.ID
		require.True(t, session.Visible(switchboard.HistoryFromJoin, invited, e))
		e.Audience = session.Agents()
		e.Subject = customer
		require.False(t, session.Visible(switchboard.HistoryAll, cust, e), "audience is checked first")
	})
	t.Run("correction needs the corrected entry visible", func(t *testing.T) {
		t.Parallel()
		e := at(6, session.Everyone())
		e.Type, e.Ref, e.RefVersion = session.EntryCorrection, 2, 2
		require.False(t, session.Visible(switchboard.HistoryFromJoin, late, e))
		require.True(t, session.Visible(switchboard.HistoryAll, late, e))
	})
}

// TestVisibleDoesNotAllocate is not parallel: testing.AllocsPerRun refuses
// to run in a parallel test.
func TestVisibleDoesNotAllocate(t *testing.T) {
	owner := &session.Participant{ID: annP, Role: session.RoleOwner,
		Stints: []session.Stint{{Invited: 1, Joined: 1, Left: 3}, {Invited: 5, Joined: 5}}}
	e := &session.Entry{Seq: 9, Version: 6, Type: session.EntryMessage,
		Audience: session.Audience{Kind: session.AudienceNamed, Members: []session.ParticipantID{sueP, annP}}}
	allocs := testing.AllocsPerRun(100, func() { session.Visible(switchboard.HistoryFromJoin, owner, e) })
	require.Zero(t, allocs)
}

// requireNoPrivate fails if any of the customer's views is private or
// carries a private text.
func requireNoPrivate(t *testing.T, views []session.View, secrets ...string) {
	t.Helper()
	for _, v := range views {
		require.False(t, v.Private, "customer got a private view: %+v", v)
		for _, s := range secrets {
			require.NotContains(t, fmt.Sprintf("%+v", v), s)
		}
	}
}

// SPEC S2 SPEC S5: whispers and private attachments reach agents in every
// output and the customer in none. SPEC A4
func TestWhisperNeverReachesCustomer(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Join(ctx, chat, "bob"))
	send(t, m, chat, customer, session.ModeNormal, "hello")
	send(t, m, chat, annP, session.ModeWhisper, "SECRET-whisper")
	_, err := m.Send(ctx, chat, session.Message{From: bobP, Mode: session.ModeWhisper, Text: "see file",
		Files: []session.File{{Name: "SECRET-file.pdf", MIMEType: "application/pdf", Size: 10, Ref: "SECRET-ref"}}})
	require.NoError(t, err)
	send(t, m, chat, annP, session.ModeNormal, "how can I help")

	custHistory := history(t, m, chat, customer)
	require.Equal(t, []string{"hello", "how can I help"}, texts(custHistory))
	requireNoPrivate(t, custHistory, "SECRET")
	requireNoPrivate(t, itemsOf(b.transport.Received(customer)), "SECRET")
	tr, err := m.Transcript(ctx, chat)
	require.NoError(t, err)
	requireNoPrivate(t, tr, "SECRET")
	require.Equal(t, custHistory, tr)

	for _, agent := range []session.ParticipantID{annP, bobP} {
		got := texts(history(t, m, chat, agent))
		require.Equal(t, []string{"hello", "SECRET-whisper", "see file", "how can I help"}, got)
		require.Equal(t, got, deliveredTexts(b.transport.Received(agent)))
	}
	var file *session.View
	for _, v := range history(t, m, chat, annP) {
		if len(v.Files) > 0 {
			file = &v
		}
	}
	require.NotNil(t, file)
	require.True(t, file.Private)
	require.Equal(t, "SECRET-ref", file.Files[0].Ref)
}

func itemsOf(ds []session.Delivery) []session.View {
	out := make([]session.View, len(ds))
	for i, d := range ds {
		out[i] = d.Item
	}
	return out
}

// SPEC S3: in an agent-to-agent session a whisper reaches every agent.
func TestA2AWhisperReachesEveryAgent(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	for _, a := range []session.AgentRef{ann, bob, sue} {
		b.dir.Put(session.AgentInfo{ID: a.ID, Tenant: "t1", Name: a.Name, Group: "sales", LoggedIn: true})
	}
	s, err := m.StartA2A(ctx, "ann", []switchboard.AgentID{"bob", "sue"}, "")
	require.NoError(t, err)
	send(t, m, s.ID, annP, session.ModeWhisper, "psst")
	for _, p := range []session.ParticipantID{annP, bobP, sueP} {
		require.Equal(t, []string{"psst"}, texts(history(t, m, s.ID, p)), "%s", p)
		require.Equal(t, []string{"psst"}, deliveredTexts(b.transport.Received(p)), "%s", p)
	}
	_, err = m.Send(ctx, s.ID, session.Message{From: annP, Mode: session.ModeCoach, To: bobP, Text: "1:1"})
	require.ErrorIs(t, err, session.ErrForbidden, "no one-to-one private message between agents")
}

// SPEC S4: the customer transcript leaves private items out; the
// organisation's log keeps them, marked as internal notes.
func TestTranscriptAndOrganisationLog(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	chat := chatWithOwner(t, m)
	send(t, m, chat, customer, session.ModeNormal, "hi")
	send(t, m, chat, annP, session.ModeWhisper, "note: VIP customer")
	send(t, m, chat, annP, session.ModeNormal, "hello")

	tr, err := m.Transcript(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, []string{"hi", "hello"}, texts(tr))

	log, err := m.OrganisationLog(ctx, chat)
	require.NoError(t, err)
	var notes, msgs []string
	for _, l := range log {
		if l.Type != session.EntryMessage {
			continue
		}
		msgs = append(msgs, l.Text)
		if l.InternalNote {
			notes = append(notes, l.Text)
		}
	}
	require.Equal(t, []string{"hi", "note: VIP customer", "hello"}, msgs)
	require.Equal(t, []string{"note: VIP customer"}, notes)
}

// SPEC S18: the customer sees display names, never internal IDs.
func TestCustomerSeesNamesNotIDs(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Join(ctx, chat, "bob"))
	send(t, m, chat, annP, session.ModeNormal, "hello")
	require.NoError(t, m.Leave(ctx, chat, bobP))

	views := append(history(t, m, chat, customer), itemsOf(b.transport.Received(customer))...)
	tr, err := m.Transcript(ctx, chat)
	require.NoError(t, err)
	views = append(views, tr...)
	var names []string
	for _, v := range views {
		dump := fmt.Sprintf("%+v", v)
		require.NotContains(t, dump, "agent:")
		require.NotContains(t, dump, "ann")
		require.NotContains(t, dump, "bob")
		require.NotContains(t, dump, "sales", "no queue ID either")
		require.Empty(t, v.From)
		require.Empty(t, v.Subject)
		names = append(names, v.FromName+v.SubjectName)
	}
	require.Contains(t, strings.Join(names, ","), "Ann")
	require.Contains(t, strings.Join(names, ","), "Bob")

	agentView := history(t, m, chat, annP)
	require.Contains(t, fmt.Sprintf("%+v", agentView), "agent:ann", "agents do get IDs")
}

// SPEC S19: a reconnecting participant fetches what it missed after a
// sequence number, filtered for it; numbers have no gaps.
func TestCatchUpAfterSequence(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	first := send(t, m, chat, customer, session.ModeNormal, "one")
	send(t, m, chat, annP, session.ModeWhisper, "private")
	send(t, m, chat, annP, session.ModeNormal, "two")
	send(t, m, chat, customer, session.ModeNormal, "three")

	missed, err := m.CatchUp(ctx, chat, customer, first.Seq, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"two", "three"}, texts(missed))
	missed, err = m.CatchUp(ctx, chat, annP, first.Seq, 1)
	require.NoError(t, err)
	require.Equal(t, []string{"private"}, texts(missed))

	log, err := b.store.ReadEntries(ctx, chat, 0, 0)
	require.NoError(t, err)
	for i, e := range log {
		require.Equal(t, uint64(i+1), e.Seq)
	}
	_, err = m.CatchUp(ctx, chat, "customer:stranger", 0, 0)
	require.ErrorIs(t, err, session.ErrNotParticipant)
}

// Late joiners read history as the session's rule says, through the same
// visibility function as everything else.
func TestLateJoinerHistoryRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rule switchboard.HistoryRule
		want []string
	}{
		{switchboard.HistoryAll, []string{"before invite", "between", "after join"}},
		{switchboard.HistoryFromInvitation, []string{"between", "after join"}},
		{switchboard.HistoryFromJoin, []string{"after join"}},
	} {
		t.Run(c.rule.String(), func(t *testing.T) {
			t.Parallel()
			m, b := setup(t, func(cfg *session.Config) { cfg.History = c.rule })
			chat := chatWithOwner(t, m)
			send(t, m, chat, customer, session.ModeNormal, "before invite")
			require.NoError(t, m.Invite(ctx, chat, "ann", bob))
			send(t, m, chat, annP, session.ModeWhisper, "between")
			require.NoError(t, m.Join(ctx, chat, "bob"))
			send(t, m, chat, customer, session.ModeNormal, "after join")
			require.Equal(t, c.want, texts(history(t, m, chat, bobP)))
			require.Equal(t, []string{"after join"}, deliveredTexts(b.transport.Received(bobP)))
			require.Equal(t, []string{"before invite", "between", "after join"}, texts(history(t, m, chat, annP)))
		})
	}
}

// A participant who left sees nothing created after it left.
func TestLeftParticipantSeesNothingNew(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Join(ctx, chat, "bob"))
	send(t, m, chat, customer, session.ModeNormal, "while in")
	require.NoError(t, m.Leave(ctx, chat, bobP))
	send(t, m, chat, customer, session.ModeNormal, "after leaving")
	send(t, m, chat, annP, session.ModeWhisper, "whisper after leaving")
	require.Equal(t, []string{"while in"}, texts(history(t, m, chat, bobP)))
	require.Equal(t, []string{"while in"}, deliveredTexts(b.transport.Received(bobP)))
	_, err := m.Send(ctx, chat, session.Message{From: bobP, Text: "x"})
	require.ErrorIs(t, err, session.ErrLeft)
}

// SPEC S20: supervisors monitor silently, coach one agent privately, and
// barge in openly.
func TestSupervisorModes(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Join(ctx, chat, "bob"))

	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorMonitor))
	send(t, m, chat, annP, session.ModeWhisper, "agents only")
	_, err := m.Send(ctx, chat, session.Message{From: sueP, Text: "hi"})
	require.ErrorIs(t, err, session.ErrForbidden, "monitoring is silent")
	_, err = m.Send(ctx, chat, session.Message{From: sueP, Mode: session.ModeWhisper, Text: "hi"})
	require.ErrorIs(t, err, session.ErrForbidden)
	require.Contains(t, texts(history(t, m, chat, sueP)), "agents only", "monitoring reads whispers")

	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorCoach))
	_, err = m.Send(ctx, chat, session.Message{From: sueP, Mode: session.ModeCoach, To: annP, Text: "offer the discount"})
	require.NoError(t, err)
	_, err = m.Send(ctx, chat, session.Message{From: sueP, Text: "hi"})
	require.ErrorIs(t, err, session.ErrForbidden, "a coach does not talk to the customer")
	require.Contains(t, texts(history(t, m, chat, annP)), "offer the discount")
	require.NotContains(t, texts(history(t, m, chat, bobP)), "offer the discount", "coaching is for one agent")
	require.NotContains(t, texts(history(t, m, chat, customer)), "offer the discount")

	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorBarge))
	send(t, m, chat, sueP, session.ModeNormal, "supervisor here")
	require.Contains(t, texts(history(t, m, chat, customer)), "supervisor here")

	// The customer learns of the supervisor only when it barges in.
	var joins []string
	for _, v := range history(t, m, chat, customer) {
		if v.Type == session.EntryJoined {
			joins = append(joins, v.SubjectName)
			require.Empty(t, v.Reason, "the customer is not told who is a supervisor")
		}
	}
	require.Equal(t, []string{"Ann", "Bob", "Sue"}, joins)
	requireNoPrivate(t, itemsOf(b.transport.Received(customer)), "discount", "agents only")
}
