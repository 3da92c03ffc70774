package engine_test

import (
	"context"
	"testing"
	"time"
	_ "time/tzdata" // the hours' zones load on a machine without zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// nineToFive are 10:00 to 17:00 London time on weekdays; the engine's
// clock starts on Monday 2024-01-01 at 09:00 UTC, before the opening.
func nineToFive() routing.BusinessHours {
	h := routing.BusinessHours{Zone: "Europe/London"}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Weekly = append(h.Weekly, routing.WeeklyInterval{Day: d, Interval: routing.Interval{Open: routing.HM(10, 0), Close: routing.HM(17, 0)}})
	}
	return h
}

func startIn(b *bundle, id switchboard.ChatID, queue switchboard.QueueID) (session.Session, error) {
	return b.eng.Start(ctx, engine.StartRequest{ID: id, Tenant: "t1", Queue: queue, Customer: "u1", CustomerName: "Carol"})
}

func TestStartInAClosedQueue(t *testing.T) {
	t.Parallel()
	// SPEC B10: Start of a chat for a closed queue that refuses returns the
	// router's ClosedError and leaves no session behind; a queue that
	// waits keeps the customer waiting until it opens, when the engine's
	// sweep offers the chat.
	b := setup(t)
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "refuses", Tenant: "t1", Hours: nineToFive(), WhenClosed: routing.ClosedRefuse})
	require.NoError(t, err)
	_, err = b.router.PutQueue(ctx, routing.Queue{ID: "waits", Tenant: "t1", Hours: nineToFive()})
	require.NoError(t, err)
	_, err = b.router.Login(ctx, "ann", routing.Profile{DisplayName: "Ann", Tenant: "t1", Queues: []switchboard.QueueID{"waits"}})
	require.NoError(t, err)

	_, err = startIn(b, "c1", "refuses")
	var ce *routing.ClosedError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, switchboard.ErrState)
	require.True(t, ce.Opens.Equal(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)), "opens at 10:00, got %s", ce.Opens)
	_, err = b.m.Session(ctx, "c1")
	require.ErrorIs(t, err, session.ErrNotFound, "no session is left behind")
	_, err = b.router.Chat(ctx, "c1")
	require.ErrorIs(t, err, routing.ErrChatNotFound)

	s, err := startIn(b, "c2", "waits")
	require.NoError(t, err)
	require.Nil(t, s.Owner())
	require.Equal(t, routing.Queued, b.routingState(t, "c2"))
	b.settle(t)
	os, err := b.router.Offers(ctx, "ann")
	require.NoError(t, err)
	require.Empty(t, os)
	b.clock.Add(time.Hour)
	b.settle(t)
	os, err = b.router.Offers(ctx, "ann")
	require.NoError(t, err)
	require.Len(t, os, 1, "offered at the opening")

	// Open now: the refusing queue takes chats.
	_, err = startIn(b, "c3", "refuses")
	require.NoError(t, err)
}

func TestWaitingCustomerIsToldWhenTheQueueOpens(t *testing.T) {
	t.Parallel()
	// SPEC B11: a customer whose chat waits for a closed queue is told,
	// in the notice of its place in the queue, when the queue opens, in
	// the queue's time zone.
	b := setup(t)
	ny := nineToFive()
	ny.Zone = "America/New_York"
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "waits", Tenant: "t1", Hours: ny})
	require.NoError(t, err)
	_, err = startIn(b, "c1", "waits")
	require.NoError(t, err)
	b.settle(t)
	vs, err := b.m.History(ctx, "c1", session.CustomerParticipant("u1"))
	require.NoError(t, err)
	var notices []session.View
	for _, v := range vs {
		if v.Type == session.EntryNotice {
			notices = append(notices, v)
		}
	}
	require.Len(t, notices, 1)
	n := notices[0].Notice
	require.Equal(t, session.NoticeQueued, n.Kind)
	require.Equal(t, 1, n.Position)
	require.True(t, n.Opens.Equal(time.Date(2024, 1, 1, 15, 0, 0, 0, time.UTC)), "opens at 10:00 in New York, got %s", n.Opens)
	require.Equal(t, "You are number 1 in the queue. We are closed now; an agent will be with you after we open at 10:00 EST on Monday 1 January.",
		notices[0].Text)

	// A queue that is open says nothing of opening.
	b.start(t, "c2")
	b.settle(t)
	vs, err = b.m.History(ctx, "c2", session.CustomerParticipant("u1"))
	require.NoError(t, err)
	for _, v := range vs {
		if v.Type == session.EntryNotice {
			require.True(t, v.Notice.Opens.IsZero())
			require.NotContains(t, v.Text, "closed")
		}
	}
}

// closingSessions calls onCreate before each session is created.
type closingSessions struct {
	*sessionmem.Store
	onCreate func()
}

func (s *closingSessions) CreateSession(ctx context.Context, ses session.Session, entries []session.Entry) ([]session.Entry, error) {
	if s.onCreate != nil {
		s.onCreate()
	}
	return s.Store.CreateSession(ctx, ses, entries)
}

func TestStartWhenTheQueueClosesMeanwhile(t *testing.T) {
	t.Parallel()
	// SPEC B10: should the queue close between Start's check and the
	// routing of the chat, the session made for it is ended at once with
	// the reason closed and the error returned.
	sessions := &closingSessions{Store: sessionmem.NewStore()}
	b := setup(t, func(c *engine.Config) { c.Sessions = sessions })
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "refuses", Tenant: "t1", Hours: nineToFive(), WhenClosed: routing.ClosedRefuse})
	require.NoError(t, err)
	b.clock.Set(time.Date(2024, 1, 1, 16, 59, 59, 0, time.UTC))
	// Start checks the queue while it is open; the clock strikes 17:00 as
	// the session is made, before the chat is routed.
	sessions.onCreate = func() { b.clock.Add(time.Minute) }
	_, err = startIn(b, "c1", "refuses")
	sessions.onCreate = nil
	require.ErrorIs(t, err, routing.ErrQueueClosed)
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status, "the session is ended")
	_, err = b.router.Chat(ctx, "c1")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
}
