package routing_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the hours' zones load on a machine without zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// start (2024-01-01 09:00 UTC) is a Monday; London is on UTC in January.

// officeHours are 10:00 to 18:00 London time, Monday to Friday.
func officeHours() routing.BusinessHours {
	return routing.BusinessHours{Zone: "Europe/London", Weekly: weekdays(routing.HM(10, 0), routing.HM(18, 0))}
}

func TestClosedQueueRefusesChats(t *testing.T) {
	t.Parallel()
	// SPEC B5: a closed queue with the refuse policy turns a chat away with
	// an error saying when it opens, and stores nothing.
	r, b := setup(t, routing.Queue{ID: "q", Hours: officeHours(), WhenClosed: routing.ClosedRefuse})
	login(t, r, b, "a", 1, "q")
	b.events.Drain()
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c", Queue: "q"})
	require.ErrorIs(t, err, routing.ErrQueueClosed)
	require.ErrorIs(t, err, switchboard.ErrState)
	var ce *routing.ClosedError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, switchboard.QueueID("q"), ce.Queue)
	require.True(t, ce.Opens.Equal(start.Add(time.Hour)), "opens at 10:00, got %s", ce.Opens)
	_, err = r.Chat(b.ctx, "c")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	require.Empty(t, b.events.Drain())
	require.Empty(t, offers(t, r, b, "a"))
	require.ErrorAs(t, r.Admits(b.ctx, "q"), &ce)

	advance(t, r, b, time.Hour)
	require.NoError(t, r.Admits(b.ctx, "q"))
	require.Equal(t, routing.Offered, enqueue(t, r, b, "c", "q").State)
}

func TestClosedQueueHoldsChatsUntilItOpens(t *testing.T) {
	t.Parallel()
	// SPEC B6: with the wait policy a chat arriving while the queue is
	// closed waits, offered to no agent, with the opening as its deadline
	// and its MaxWait counted from then; at the opening a sweep offers it.
	r, b := setup(t, routing.Queue{ID: "q", Hours: officeHours(), MaxWait: 10 * time.Minute})
	login(t, r, b, "a", 2, "q")
	c := enqueue(t, r, b, "c", "q")
	require.Equal(t, routing.Queued, c.State)
	opening := start.Add(time.Hour)
	require.True(t, c.OpensAt.Equal(opening), "waits for 10:00, got %s", c.OpensAt)
	require.True(t, c.QueueDeadline.Equal(opening.Add(10*time.Minute)), "MaxWait counts from the opening")
	require.True(t, c.NextDeadline().Equal(opening))
	require.NoError(t, r.Admits(b.ctx, "q"))

	// Agents changing do not offer it, nor rewrite it.
	require.NoError(t, r.SetState(b.ctx, "a", routing.NotReady, "lunch"))
	require.NoError(t, r.SetState(b.ctx, "a", routing.Available, ""))
	login(t, r, b, "b", 1, "q")
	advance(t, r, b, 59*time.Minute)
	require.Empty(t, offers(t, r, b, "a"))
	require.Empty(t, offers(t, r, b, "b"))
	require.Equal(t, c.Version, mustChat(t, r, b, "c").Version, "a closed queue's chat is not rewritten")

	advance(t, r, b, time.Minute)
	require.Len(t, offeredTo(t, r, b, "c", "a", "b"), 1, "offered at the opening")
	require.True(t, mustChat(t, r, b, "c").OpensAt.IsZero())
}

func TestClosedQueueOverflows(t *testing.T) {
	t.Parallel()
	// SPEC B7: with the overflow policy a chat arriving while the queue is
	// closed goes to its overflow queue, whose own hours and policy apply
	// in turn, within the bound on hops.
	night := routing.BusinessHours{Zone: "UTC", Weekly: []routing.WeeklyInterval{
		{Day: time.Sunday, Interval: routing.Interval{Open: routing.HM(18, 0), Close: routing.HM(10, 0)}},
		{Day: time.Monday, Interval: routing.Interval{Open: routing.HM(18, 0), Close: routing.HM(10, 0)}}}}
	r, b := setup(t,
		routing.Queue{ID: "day", Hours: officeHours(), WhenClosed: routing.ClosedOverflow, Overflow: "night"},
		routing.Queue{ID: "night", Hours: night, WhenClosed: routing.ClosedRefuse},
		routing.Queue{ID: "ping", Hours: officeHours(), WhenClosed: routing.ClosedOverflow, Overflow: "pong"},
		routing.Queue{ID: "pong", Hours: officeHours(), WhenClosed: routing.ClosedOverflow, Overflow: "ping"},
		routing.Queue{ID: "later", Hours: officeHours(), WhenClosed: routing.ClosedOverflow, Overflow: "waits"},
		routing.Queue{ID: "waits", Hours: night},
	)
	login(t, r, b, "a", 1, "night")
	b.events.Drain()
	// 09:00 Monday: day is closed, night is open until 10:00.
	c := enqueue(t, r, b, "c1", "day")
	require.Equal(t, switchboard.QueueID("night"), c.Queue)
	require.Equal(t, routing.Offered, c.State)
	require.Equal(t, 1, c.Hops)
	ov := eventsOf(b, routing.ChatOverflowed)
	require.Len(t, ov, 1)
	require.Equal(t, switchboard.QueueID("day"), ov[0].FromQueue)

	// Queues closed on every hop refuse the chat in the end.
	var ce *routing.ClosedError
	_, err := r.Enqueue(b.ctx, routing.ChatRequest{ID: "c2", Queue: "ping"})
	require.ErrorAs(t, err, &ce)
	_, err = r.Chat(b.ctx, "c2")
	require.ErrorIs(t, err, routing.ErrChatNotFound)
	require.ErrorAs(t, r.Admits(b.ctx, "ping"), &ce)

	// Wednesday 12:00: later is open; the chat stays there.
	b.clock.Set(time.Date(2024, 1, 3, 12, 0, 0, 0, time.UTC))
	c = enqueue(t, r, b, "c3", "later")
	require.Equal(t, switchboard.QueueID("later"), c.Queue)
	require.Equal(t, routing.Queued, c.State)
	require.True(t, c.OpensAt.IsZero())
	// Wednesday 19:00: day, night and later are all closed until Sunday
	// 18:00.
	b.clock.Set(time.Date(2024, 1, 3, 19, 0, 0, 0, time.UTC))
	sunday := time.Date(2024, 1, 7, 18, 0, 0, 0, time.UTC)
	_, err = r.Enqueue(b.ctx, routing.ChatRequest{ID: "c4", Queue: "day"})
	require.ErrorAs(t, err, &ce, "night refuses outside its hours")
	require.Equal(t, switchboard.QueueID("night"), ce.Queue)
	require.True(t, ce.Opens.Equal(sunday), "night opens on Sunday evening, got %s", ce.Opens)
	c = enqueue(t, r, b, "c5", "later")
	require.Equal(t, switchboard.QueueID("waits"), c.Queue, "later overflows to waits, which keeps it")
	require.Equal(t, routing.Queued, c.State)
	require.True(t, c.OpensAt.Equal(sunday), "waits for waits to open, got %s", c.OpensAt)
}

func TestTimingOutIntoAClosedQueue(t *testing.T) {
	t.Parallel()
	// SPEC B7: a chat already waiting that overflows on MaxWait into a
	// closed queue waits there for its opening, whatever that queue's
	// policy for chats arriving anew, and is offered then.
	r, b := setup(t,
		routing.Queue{ID: "first", MaxWait: time.Minute, Overflow: "later"},
		routing.Queue{ID: "later", Hours: officeHours(), WhenClosed: routing.ClosedRefuse, MaxWait: time.Hour})
	login(t, r, b, "a", 1, "later")
	enqueue(t, r, b, "c", "first")
	advance(t, r, b, time.Minute)
	c := mustChat(t, r, b, "c")
	require.Equal(t, routing.Queued, c.State)
	require.Equal(t, switchboard.QueueID("later"), c.Queue)
	opening := start.Add(time.Hour)
	require.True(t, c.OpensAt.Equal(opening), "waits for 10:00, got %s", c.OpensAt)
	require.True(t, c.QueueDeadline.Equal(opening.Add(time.Hour)), "MaxWait counts from the opening")
	require.Empty(t, offers(t, r, b, "a"))
	advance(t, r, b, 59*time.Minute)
	require.Len(t, offeredTo(t, r, b, "c", "a"), 1)
}

func TestQueueClosingLeavesItsChatsWaiting(t *testing.T) {
	t.Parallel()
	// SPEC B8: a queue closing while chats wait leaves them waiting; offers
	// already out continue; Explain says the chat is held by the closed
	// queue until its opening; the next day's opening offers them.
	h := routing.BusinessHours{Zone: "UTC", Weekly: weekdays(routing.HM(9, 0), routing.HM(10, 0))}
	r, b := setup(t, routing.Queue{ID: "q", Hours: h, AcceptTimeout: time.Minute})
	login(t, r, b, "a", 1, "q")
	b.clock.Add(59*time.Minute + 30*time.Second)
	require.Equal(t, routing.Offered, enqueue(t, r, b, "c0", "q").State)
	require.Equal(t, routing.Queued, enqueue(t, r, b, "c1", "q").State)
	open, next, err := r.QueueOpen(b.ctx, "q")
	require.NoError(t, err)
	require.True(t, open)
	require.True(t, next.Equal(start.Add(time.Hour)), "closes at 10:00, got %s", next)

	advance(t, r, b, 40*time.Second) // 10:00:10, closed
	_, err = r.Accept(b.ctx, "a", onlyOffer(t, r, b, "a").ID)
	require.NoError(t, err, "an offer out continues")
	login(t, r, b, "b", 1, "q")
	require.Empty(t, offers(t, r, b, "b"))
	require.Equal(t, routing.Queued, chatState(t, r, b, "c1"))
	tomorrow := start.Add(24 * time.Hour)
	e, err := r.Explain(b.ctx, "c1")
	require.NoError(t, err)
	require.Contains(t, e.Held, routing.ClosedReason)
	require.Equal(t, "closed", routing.ClosedReason.String())
	require.True(t, e.OpensAt.Equal(tomorrow), "opens tomorrow at 09:00, got %s", e.OpensAt)
	open, next, err = r.QueueOpen(b.ctx, "q")
	require.NoError(t, err)
	require.False(t, open)
	require.True(t, next.Equal(tomorrow))

	b.clock.Set(tomorrow.Add(-time.Second))
	_, err = r.Sweep(b.ctx)
	require.NoError(t, err)
	require.Empty(t, offers(t, r, b, "b"))
	advance(t, r, b, time.Second)
	require.Len(t, offeredTo(t, r, b, "c1", "b"), 1, "offered at the opening")
}

func TestARestartedRouterOpensTheQueue(t *testing.T) {
	t.Parallel()
	// SPEC B9: the opening is a stored deadline: a new router over the same
	// store (the first one crashed) offers the waiting chat at the opening,
	// and a change of hours meanwhile moves the chat's wait to the new
	// opening.
	r, b := setup(t, routing.Queue{ID: "q", Hours: officeHours()})
	enqueue(t, r, b, "c", "q")
	r2, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	login(t, r2, b, "a", 1, "q")

	later := officeHours()
	later.Weekly = weekdays(routing.HM(11, 0), routing.HM(18, 0))
	_, err = r2.PutQueue(b.ctx, routing.Queue{ID: "q", Hours: later})
	require.NoError(t, err)
	advance(t, r2, b, time.Hour) // 10:00: the old opening
	require.Empty(t, offers(t, r2, b, "a"))
	c := mustChat(t, r2, b, "c")
	require.True(t, c.OpensAt.Equal(start.Add(2*time.Hour)), "waits for the new opening, got %s", c.OpensAt)
	due, err := b.store.Due(b.ctx, start.Add(2*time.Hour), 10)
	require.NoError(t, err)
	require.Contains(t, due, routing.Due{Kind: routing.ChatDeadline, Key: "c", At: start.Add(2 * time.Hour)})

	r3, err := routing.New(b.store, b.bus, routing.Config{Clock: b.clock})
	require.NoError(t, err)
	advance(t, r3, b, time.Hour)
	require.Len(t, offeredTo(t, r3, b, "c", "a"), 1)
}

func TestPutQueueRefusesBadHours(t *testing.T) {
	t.Parallel()
	// SPEC B4: a queue with bad hours or a bad closed policy is refused and
	// nothing is stored or changed.
	r, b := setup(t)
	for name, q := range map[string]routing.Queue{
		"unknown zone":        {ID: "q", Hours: routing.BusinessHours{Zone: "Mars/Olympus_Mons"}},
		"overlap":             {ID: "q", Hours: routing.BusinessHours{Zone: "UTC", Weekly: append(weekdays(routing.HM(9, 0), routing.HM(17, 0)), weekdays(routing.HM(12, 0), routing.HM(13, 0))...)}},
		"overflow to nothing": {ID: "q", Hours: officeHours(), WhenClosed: routing.ClosedOverflow},
		"unknown policy":      {ID: "q", Hours: officeHours(), WhenClosed: 9},
	} {
		_, err := r.PutQueue(b.ctx, q)
		require.ErrorIs(t, err, routing.ErrInvalid, name)
		_, err = r.Queue(b.ctx, "q")
		require.ErrorIs(t, err, routing.ErrQueueNotFound, name)
	}
	saved, err := r.PutQueue(b.ctx, routing.Queue{ID: "q", Hours: officeHours()})
	require.NoError(t, err)
	_, err = r.PutQueue(b.ctx, routing.Queue{ID: "q", Hours: routing.BusinessHours{Zone: "Europe/Nowhere"}})
	var ie *routing.InvalidError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "hours zone", ie.Field)
	got, err := r.Queue(b.ctx, "q")
	require.NoError(t, err)
	require.Equal(t, saved, got)
}
