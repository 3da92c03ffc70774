package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/routing/routingtest"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/transfer"
)

// waitPerPlace estimates a minute per place in the queue, its own
// included: ahead is the number of chats ahead.
type waitPerPlace struct{}

func (waitPerPlace) EstimateWait(_ context.Context, _ switchboard.QueueID, ahead int, _ time.Time) (time.Duration, bool) {
	return time.Duration(ahead+1) * time.Minute, true
}

// startFor starts chat id for customer u.
func (b *bundle) startFor(t *testing.T, id switchboard.ChatID, u switchboard.CustomerID) {
	t.Helper()
	_, err := b.eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: "sales", Customer: u, CustomerName: "Customer " + string(u)})
	require.NoError(t, err)
}

// seen returns what customer u of chat has seen that is not a message:
// notices as "kind position reason", joins as "joined Name".
func (b *bundle) seen(t *testing.T, chat switchboard.ChatID, u switchboard.CustomerID) []string {
	t.Helper()
	vs, err := b.m.History(ctx, chat, session.CustomerParticipant(u))
	require.NoError(t, err)
	var out []string
	for _, v := range vs {
		switch v.Type {
		case session.EntryNotice:
			s := fmt.Sprintf("%s %d", v.Notice.Kind, v.Notice.Position)
			if v.Notice.Reason != "" {
				s += " " + v.Notice.Reason
			}
			out = append(out, s)
		case session.EntryJoined:
			require.Empty(t, v.Subject, "a customer never sees an internal ID")
			out = append(out, "joined "+v.SubjectName)
		}
	}
	return out
}

func (b *bundle) accept(t *testing.T, agent switchboard.AgentID) {
	t.Helper()
	_, _, err := b.eng.Accept(ctx, agent, b.offer(t, agent).ID)
	require.NoError(t, err)
}

func TestCustomerSeesItsPosition(t *testing.T) {
	t.Parallel()
	// SPEC H5, H6: queued at 4, then told each interval's position only
	// when it moved (two moves in one interval make one notice), with the
	// estimate, then the agent who takes the chat joins by name.
	b := setup(t, func(c *engine.Config) { c.PositionEvery = 15 * time.Second; c.Wait = waitPerPlace{} })
	for i := 1; i <= 4; i++ {
		b.startFor(t, switchboard.ChatID(fmt.Sprintf("c%d", i)), switchboard.CustomerID(fmt.Sprintf("u%d", i)))
	}
	b.settle(t)
	require.Equal(t, []string{"queued 4"}, b.seen(t, "c4", "u4"))
	require.Equal(t, []string{"queued 1"}, b.seen(t, "c1", "u1"))
	vs, err := b.m.History(ctx, "c4", session.CustomerParticipant("u4"))
	require.NoError(t, err)
	last := vs[len(vs)-1]
	require.Equal(t, 4*time.Minute, last.Notice.Wait)
	require.True(t, last.Notice.Estimated)
	require.Equal(t, "You are number 4 in the queue. The estimated wait is about 4 minutes.", last.Text)

	b.login(t, "ann", "Ann")
	b.accept(t, "ann")
	b.settle(t)
	require.Equal(t, []string{"queued 4"}, b.seen(t, "c4", "u4"), "not before the interval passed")
	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.Equal(t, []string{"queued 4", "position 3"}, b.seen(t, "c4", "u4"))

	b.login(t, "bob", "Bob")
	b.accept(t, "bob")
	b.login(t, "cy", "Cy")
	b.accept(t, "cy")
	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.Equal(t, []string{"queued 4", "position 3", "position 1"}, b.seen(t, "c4", "u4"), "two moves, one notice")

	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.Equal(t, []string{"queued 4", "position 3", "position 1"}, b.seen(t, "c4", "u4"), "no move, no notice")

	b.login(t, "dee", "Ada")
	b.accept(t, "dee")
	require.Equal(t, []string{"queued 4", "position 3", "position 1", "joined Ada"}, b.seen(t, "c4", "u4"))
	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.Equal(t, []string{"queued 4", "position 3", "position 1", "joined Ada"}, b.seen(t, "c4", "u4"),
		"an assigned chat gets no position")
}

func TestAgentsNeverSeePositionNotices(t *testing.T) {
	t.Parallel()
	// SPEC H5: position notices reach the customer only.
	tr := sessionmem.NewTransport()
	b := setup(t, func(c *engine.Config) { c.Participants = tr })
	b.startFor(t, "c1", "u1")
	b.startFor(t, "c2", "u2")
	b.startFor(t, "c3", "u3")
	b.settle(t)
	require.NoError(t, b.eng.Sessions().Supervise(ctx, "c3", session.AgentRef{ID: "sue", Name: "Sue"}, session.SupervisorMonitor))
	b.login(t, "ann", "Ann")
	b.accept(t, "ann")
	b.clock.Add(time.Minute)
	b.settle(t)
	require.Equal(t, []string{"queued 3", "position 2"}, b.seen(t, "c3", "u3"))

	for _, p := range []session.ParticipantID{annP, session.AgentParticipant("sue")} {
		for _, d := range tr.Received(p) {
			require.NotEqual(t, session.EntryNotice, d.Item.Type, "%s received a notice", p)
		}
		vs, err := b.m.History(ctx, "c3", p)
		if err != nil {
			continue
		}
		for _, v := range vs {
			require.NotEqual(t, session.EntryNotice, v.Type)
		}
	}
	var got int
	for _, d := range tr.Received(session.CustomerParticipant("u3")) {
		if d.Item.Type == session.EntryNotice {
			got++
		}
	}
	require.Equal(t, 2, got, "the customer received its notices live")
}

func TestCustomerToldWhyBackInQueue(t *testing.T) {
	t.Parallel()
	// SPEC H6: back in the queue after the agent's grace ended, after an
	// agent did not answer, after a failed transfer, each in customer words
	// with no internal ID.
	b := setup(t, withGrace(time.Minute))
	b.login(t, "ann", "Ada")
	b.startFor(t, "c1", "u1")
	b.settle(t)
	b.accept(t, "ann")
	require.NoError(t, b.eng.Disconnect(ctx, "ann"))
	b.clock.Add(time.Minute)
	b.settle(t)
	require.Equal(t, []string{"queued 1", "joined Ada", "requeued 1 agent_left"}, b.seen(t, "c1", "u1"))
	vs, err := b.m.History(ctx, "c1", session.CustomerParticipant("u1"))
	require.NoError(t, err)
	text := vs[len(vs)-1].Text
	require.Equal(t, "Your agent is no longer available, so you are back in the queue for the next agent. You are number 1 in the queue.", text)
	require.NotContains(t, strings.ToLower(text), "ann")
	require.NotContains(t, strings.ToLower(text), "disconnect")

	// An agent who does not answer: the customer keeps waiting and is told.
	b.login(t, "bob", "Bob")
	b.clock.Add(20 * time.Second) // the queue's accept timeout
	b.settle(t)
	require.Equal(t, "requeued 1 no_answer", lastOf(b.seen(t, "c1", "u1")))

	// A transfer nobody accepts puts the chat back in the queue.
	b.login(t, "cy", "Cy")
	b.accept(t, "cy")
	require.NoError(t, b.router.SetState(ctx, "bob", routing.Available, ""))
	_, err = b.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "cy", Agent: "bob"})
	require.NoError(t, err)
	require.NoError(t, b.router.Reject(ctx, "bob", b.offer(t, "bob").ID))
	b.settle(t)
	require.Equal(t, "requeued 1 transfer_failed", lastOf(b.seen(t, "c1", "u1")))
}

func lastOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func TestNoticeSurvivesACrash(t *testing.T) {
	t.Parallel()
	// SPEC H7: a process that stops after writing a notice but before
	// recording that it processed the routing event leaves it to the next
	// one, which stores it once; one that stops before writing it leaves
	// it to be written.
	run := func(t *testing.T, failFrom int) (*routingtest.FaultStore, *sessionmem.Store, *clock.Mock, error) {
		mock := clock.NewMock()
		mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
		rs := routingtest.NewFaultStore(routingmem.New(routingmem.Config{}))
		ss := sessionmem.NewStore()
		eng, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss, Desktops: routingmem.NewBus(),
			Participants: session.Discard{}, Clock: mock, Manual: true})
		require.NoError(t, err)
		_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1"})
		require.NoError(t, err)
		_, err = eng.Start(ctx, engine.StartRequest{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		if failFrom > 0 {
			rs.FailFrom(len(rs.Calls())+failFrom, nil)
		}
		return rs, ss, mock, eng.Settle(ctx)
	}
	rs, _, _, err := run(t, 0)
	require.NoError(t, err)
	calls := 0
	for range rs.Calls() {
		calls++
	}
	for k := 1; k <= calls; k++ {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			rs, ss, mock, _ := run(t, k)
			// The first process is gone; another takes over.
			eng, err := engine.New(ctx, engine.Config{Routing: rs.Unwrap(), Sessions: ss, Desktops: routingmem.NewBus(),
				Participants: session.Discard{}, Clock: mock, Manual: true, Lease: time.Second})
			require.NoError(t, err)
			mock.Add(time.Minute) // the first process's lease ends
			require.NoError(t, eng.Settle(ctx))
			vs, err := eng.Sessions().History(ctx, "c1", session.CustomerParticipant("u1"))
			require.NoError(t, err)
			var kinds []string
			for _, v := range vs {
				if v.Type == session.EntryNotice {
					kinds = append(kinds, fmt.Sprintf("%s %d", v.Notice.Kind, v.Notice.Position))
				}
			}
			require.Equal(t, "queued 1", kinds[0])
			require.NotContains(t, kinds[1:], "queued 1", "the queued notice is stored once")
		})
	}
}

func TestCustomerToldOfTransfers(t *testing.T) {
	t.Parallel()
	// SPEC H6: a transfer to another agent, and one to another queue with
	// the customer's place in it, are announced as transfers.
	b := setup(t)
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "billing", Tenant: "t1"})
	require.NoError(t, err)
	b.login(t, "ann", "Ann")
	b.startFor(t, "c1", "u1")
	b.settle(t)
	b.accept(t, "ann")
	b.login(t, "bob", "Bob")
	_, err = b.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "ann", Agent: "bob"})
	require.NoError(t, err)
	b.settle(t)
	b.accept(t, "bob")
	b.settle(t)
	require.Equal(t, []string{"queued 1", "joined Ann", "transferred 0", "joined Bob"}, b.seen(t, "c1", "u1"))

	_, err = b.eng.Transfer(ctx, transfer.Request{Chat: "c1", From: "bob", Queue: "billing"})
	require.NoError(t, err)
	b.settle(t)
	require.Equal(t, "transferred 1", lastOf(b.seen(t, "c1", "u1")))
	vs, err := b.m.History(ctx, "c1", session.CustomerParticipant("u1"))
	require.NoError(t, err)
	require.Equal(t, "You are being transferred to another team. You are number 1 in the queue.", vs[len(vs)-1].Text)
}

func TestNoRepeatedPositionAfterAnOfferComesBack(t *testing.T) {
	t.Parallel()
	// SPEC H5: a chat offered and rejected returns to its place; its
	// customer, told that place already, is not told it again.
	b := setup(t, func(c *engine.Config) { c.PositionEvery = 15 * time.Second })
	b.startFor(t, "c1", "u1")
	b.startFor(t, "c2", "u2")
	b.settle(t)
	b.login(t, "ann", "Ann")
	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.NoError(t, b.router.Reject(ctx, "ann", b.offer(t, "ann").ID))
	require.NoError(t, b.router.SetState(ctx, "ann", routing.NotReady, "busy"))
	b.clock.Add(15 * time.Second)
	b.settle(t)
	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.Equal(t, []string{"queued 1"}, b.seen(t, "c1", "u1"))
	require.Equal(t, []string{"queued 2"}, b.seen(t, "c2", "u2"))
}

func TestRunTellsPositions(t *testing.T) {
	t.Parallel()
	// SPEC H5: under Run (not Settle) positions are computed every
	// PositionEvery, and a moved customer is told.
	eng, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}), Sessions: sessionmem.NewStore(),
		Desktops: routingmem.NewBus(), Participants: session.Discard{}, Poll: 5 * time.Millisecond, PositionEvery: 10 * time.Millisecond,
		Router: routing.Config{SweepInterval: 5 * time.Millisecond}})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "q"})
	require.NoError(t, err)
	for _, u := range []string{"u1", "u2"} {
		_, err = eng.Start(ctx, engine.StartRequest{ID: switchboard.ChatID("c-" + u), Queue: "q", Customer: switchboard.CustomerID(u), CustomerName: u})
		require.NoError(t, err)
	}
	told := func(kind session.NoticeKind, pos int) func() bool {
		return func() bool {
			vs, err := eng.Sessions().History(ctx, "c-u2", session.CustomerParticipant("u2"))
			if err != nil {
				return false
			}
			for _, v := range vs {
				if v.Type == session.EntryNotice && v.Notice.Kind == kind && v.Notice.Position == pos {
					return true
				}
			}
			return false
		}
	}
	require.Eventually(t, told(session.NoticeQueued, 2), 5*time.Second, 5*time.Millisecond)
	_, err = eng.Router().Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Queues: []switchboard.QueueID{"q"}})
	require.NoError(t, err)
	offers, err := eng.Router().Offers(ctx, "ann")
	require.NoError(t, err)
	require.Len(t, offers, 1)
	_, _, err = eng.Accept(ctx, "ann", offers[0].ID)
	require.NoError(t, err)
	require.Eventually(t, told(session.NoticePosition, 1), 5*time.Second, 5*time.Millisecond)
}

func TestPositionsCountOfferedChatsAmidTheQueue(t *testing.T) {
	t.Parallel()
	// SPEC H5: a chat offered while one ahead of it waits for a skill
	// still counts ahead of the chats behind it, and the chat routing
	// parks for want of the skill is still told it moved.
	b := setup(t, func(c *engine.Config) { c.PositionEvery = 15 * time.Second })
	start := func(id switchboard.ChatID, u switchboard.CustomerID, skills ...routing.SkillRequirement) {
		_, err := b.eng.Start(ctx, engine.StartRequest{ID: id, Queue: "sales", Customer: u, CustomerName: "C", Skills: skills})
		require.NoError(t, err)
	}
	start("c0", "u0")
	start("c1", "u1", routing.SkillRequirement{Skill: "french", Min: 1})
	start("c2", "u2")
	start("c3", "u3")
	start("c4", "u4")
	b.settle(t)
	b.loginCap(t, "ann", "Ann", 2)
	require.Len(t, b.offersOf(t, "ann"), 2) // c0 and c2; c1 needs French
	_, _, err := b.eng.Accept(ctx, "ann", b.offersOf(t, "ann")[0].ID)
	require.NoError(t, err)
	require.Equal(t, routing.Offered, b.routingState(t, "c2"))
	b.clock.Add(15 * time.Second)
	b.settle(t)
	require.Equal(t, []string{"queued 2", "position 1"}, b.seen(t, "c1", "u1"))
	require.Equal(t, []string{"queued 4", "position 3"}, b.seen(t, "c3", "u3"))
	require.Equal(t, []string{"queued 5", "position 4"}, b.seen(t, "c4", "u4"))
}
