package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// timed returns a Manual engine whose queue "sales" runs timers.
func timed(t *testing.T, timers switchboard.Timers, mutate ...func(*engine.Config)) *bundle {
	t.Helper()
	b := setup(t, mutate...)
	b.putTimers(t, timers)
	return b
}

func (b *bundle) putTimers(t *testing.T, timers switchboard.Timers) {
	t.Helper()
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale"}, Timers: timers}})
	require.NoError(t, err)
}

// accepted starts chat c1 and has agent accept it.
func (b *bundle) accepted(t *testing.T, agent switchboard.AgentID) {
	t.Helper()
	b.start(t, "c1")
	_, _, err := b.eng.Accept(ctx, agent, b.offer(t, agent).ID)
	require.NoError(t, err)
}

func (b *bundle) send(t *testing.T, from session.ParticipantID, text string) {
	t.Helper()
	_, err := b.eng.Send(ctx, "c1", session.Message{From: from, Text: text})
	require.NoError(t, err)
}

// wait moves the clock on by d and settles.
func (b *bundle) wait(t *testing.T, d time.Duration) {
	t.Helper()
	b.clock.Add(d)
	b.settle(t)
}

// timersFired returns the timers chat c1's log recorded, in order.
func (b *bundle) timersFired(t *testing.T) []string {
	t.Helper()
	lines, err := b.m.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	var out []string
	for _, l := range lines {
		if l.Type == session.EntryTimer {
			out = append(out, l.Reason)
		}
	}
	return out
}

// customerTexts returns the texts of what the customer sees of c1.
func (b *bundle) customerTexts(t *testing.T) string {
	t.Helper()
	views, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	var texts []string
	for _, v := range views {
		if v.Type == session.EntryTimer {
			require.NotEmpty(t, v.Text, "the customer sees no agents-only timer")
			require.Empty(t, v.Reason)
		}
		texts = append(texts, v.Text)
	}
	return strings.Join(texts, "\n")
}

func TestFirstResponseWarnsThenReassigns(t *testing.T) {
	t.Parallel()
	// SPEC D1, D2, D3: the owner who sends the customer no first message
	// within FirstResponse is warned at FirstResponseWarning, then loses
	// the chat to the next agent of the queue; a whisper is no answer. The
	// chat keeps its history and its place, and the customer is told
	// another agent is coming.
	b := timed(t, switchboard.Timers{FirstResponse: time.Minute, FirstResponseWarning: 45 * time.Second})
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.accepted(t, "ann")
	b.send(t, customer, "hello")
	_, err := b.eng.Send(ctx, "c1", session.Message{From: annP, Mode: session.ModeWhisper, Text: "looking it up"})
	require.NoError(t, err)

	b.wait(t, 45*time.Second-time.Millisecond)
	require.Empty(t, b.timersFired(t), "nothing before the warning is due")
	b.wait(t, time.Millisecond)
	require.Equal(t, []string{"first_response_warning"}, b.timersFired(t), "warned at exactly 45s")
	require.Equal(t, annP, b.owner(t, "c1"))

	b.wait(t, 15*time.Second-time.Millisecond)
	require.Equal(t, annP, b.owner(t, "c1"), "not reassigned before FirstResponse")
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"))
	b.wait(t, time.Millisecond)
	require.Equal(t, []string{"first_response_warning", "first_response"}, b.timersFired(t))
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"), "ann lost the chat")
	c, err := b.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Offered, c.State, "offered to the next agent at once")
	require.Contains(t, c.Rejected, switchboard.AgentID("ann"))
	require.Equal(t, time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC), c.EnqueuedAt, "the chat keeps its original wait")
	ann, err := b.router.Agent(ctx, "ann")
	require.NoError(t, err)
	require.Equal(t, routing.RONA, ann.State, "counted like an offer let time out")
	seen := b.customerTexts(t)
	require.Contains(t, seen, "Another agent will be with you shortly.")
	require.NotContains(t, seen, "looking it up")

	_, _, err = b.eng.Accept(ctx, "bob", b.offer(t, "bob").ID)
	require.NoError(t, err)
	require.Equal(t, bobP, b.owner(t, "c1"))
	views, err := b.m.History(ctx, "c1", bobP)
	require.NoError(t, err)
	var texts []string
	for _, v := range views {
		texts = append(texts, v.Text)
	}
	require.Contains(t, texts, "hello", "the new owner reads the whole conversation")

	// Bob's own clock starts at his assignment.
	b.send(t, bobP, "Hi Carol, I'm Bob")
	b.wait(t, 5*time.Minute)
	require.Equal(t, bobP, b.owner(t, "c1"))
	require.Len(t, b.timersFired(t), 2)
}

func TestFirstResponseInTimeCancelsTheTimer(t *testing.T) {
	t.Parallel()
	// SPEC D1: a first message just in time stops the warning and the
	// reassignment for good.
	b := timed(t, switchboard.Timers{FirstResponse: time.Minute, FirstResponseWarning: 30 * time.Second})
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.accepted(t, "ann")
	b.wait(t, 30*time.Second)
	b.clock.Add(30*time.Second - time.Millisecond)
	b.send(t, annP, "Hi Carol")
	b.wait(t, time.Hour)
	require.Equal(t, []string{"first_response_warning"}, b.timersFired(t))
	require.Equal(t, annP, b.owner(t, "c1"))
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"))
}

func TestTimersAreOffByDefault(t *testing.T) {
	t.Parallel()
	// SPEC D9: zero durations run no timer and store no deadline.
	b := setup(t)
	b.login(t, "ann", "Ann")
	b.accepted(t, "ann")
	b.send(t, customer, "hello")
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.True(t, s.NextDeadline().IsZero())
	b.wait(t, 24*time.Hour)
	require.Empty(t, b.timersFired(t))
	require.Equal(t, annP, b.owner(t, "c1"))
}

func TestResponseSLABreachCountsOncePerWait(t *testing.T) {
	t.Parallel()
	// SPEC D4: a customer message unanswered for ResponseSLA is one breach,
	// however long it then waits; an answer starts the next wait.
	b := timed(t, switchboard.Timers{ResponseSLA: 30 * time.Second})
	b.login(t, "ann", "Ann")
	b.accepted(t, "ann")
	b.send(t, annP, "Hi Carol")
	b.wait(t, time.Hour)
	require.Empty(t, b.timersFired(t), "no customer message, no promise")

	b.send(t, customer, "my order is late")
	b.wait(t, 30*time.Second-time.Millisecond)
	require.Empty(t, b.timersFired(t))
	b.wait(t, time.Millisecond)
	require.Equal(t, []string{"response_sla"}, b.timersFired(t))
	b.send(t, customer, "hello?")
	b.wait(t, 10*time.Minute)
	require.Equal(t, []string{"response_sla"}, b.timersFired(t), "one breach per wait, not one per sweep or message")

	b.send(t, annP, "Sorry, checking")
	b.send(t, customer, "thanks")
	b.wait(t, 29*time.Second)
	b.send(t, annP, "Found it")
	b.wait(t, time.Hour)
	require.Equal(t, []string{"response_sla"}, b.timersFired(t), "answered in time")
	b.send(t, customer, "and the refund?")
	b.wait(t, 30*time.Second)
	require.Equal(t, []string{"response_sla", "response_sla"}, b.timersFired(t))
	require.Equal(t, annP, b.owner(t, "c1"), "a breach takes nothing away")
}

func TestCustomerIdleWarnsThenCloses(t *testing.T) {
	t.Parallel()
	// SPEC D5, D6: a customer silent for CustomerIdle after the agent's
	// message reads a warning; a word from it starts over; silent for
	// CustomerIdleClose more, the chat closes with a reason the agent sees,
	// and the owner wraps up.
	b := timed(t, switchboard.Timers{CustomerIdle: 2 * time.Minute, CustomerIdleClose: time.Minute,
		CustomerIdleText: "Still there?"})
	b.login(t, "ann", "Ann")
	b.accepted(t, "ann")
	b.send(t, customer, "hi")
	b.wait(t, time.Hour)
	require.Empty(t, b.timersFired(t), "the customer waits for the agent: not idle")
	b.send(t, annP, "How can I help?")
	b.wait(t, 2*time.Minute-time.Millisecond)
	require.NotContains(t, b.customerTexts(t), "Still there?")
	b.wait(t, time.Millisecond)
	require.Contains(t, b.customerTexts(t), "Still there?", "the warning is for the customer")

	b.send(t, customer, "yes, sorry")
	b.wait(t, 5*time.Minute)
	require.Equal(t, []string{"customer_idle_warning"}, b.timersFired(t), "the customer wrote: no close")
	b.send(t, annP, "Anything else?")
	b.wait(t, 2*time.Minute)
	b.wait(t, time.Minute-time.Millisecond)
	s, err := b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusActive, s.Status, "not closed before CustomerIdleClose")
	b.wait(t, time.Millisecond)

	s, err = b.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
	require.Equal(t, session.ReasonCustomerIdle, s.WrapUp.Reason)
	require.Contains(t, b.customerTexts(t), session.DefaultCustomerIdleCloseText)
	lines, err := b.m.OrganisationLog(ctx, "c1")
	require.NoError(t, err)
	var reason string
	for _, l := range lines {
		if l.Type == session.EntryEnded {
			reason = l.Reason
		}
	}
	require.Equal(t, session.ReasonCustomerIdle, reason, "the agent reads why it closed")
	require.Equal(t, routing.InWrapUp, b.routingState(t, "c1"), "routing follows: the owner wraps up")
	b.wait(t, 31*time.Second)
	require.Equal(t, routing.Done, b.routingState(t, "c1"))
}

func TestAgentIdleTellsSupervisors(t *testing.T) {
	t.Parallel()
	// SPEC D7: an owner silent for AgentIdle while the customer waits is
	// reported once, for agents and supervisors only; the owner keeps the
	// chat.
	b := timed(t, switchboard.Timers{AgentIdle: 90 * time.Second})
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.accepted(t, "ann")
	b.send(t, annP, "Hi Carol")
	b.send(t, customer, "I need help")
	b.wait(t, 90*time.Second-time.Millisecond)
	require.Empty(t, b.timersFired(t))
	b.wait(t, time.Millisecond)
	require.Equal(t, []string{"agent_idle"}, b.timersFired(t))
	b.wait(t, time.Hour)
	require.Equal(t, []string{"agent_idle"}, b.timersFired(t))
	require.Equal(t, annP, b.owner(t, "c1"))
	require.NotContains(t, b.customerTexts(t), "agent_idle")
}

func TestAgentIdleCanReassign(t *testing.T) {
	t.Parallel()
	// SPEC D8: with AgentIdleReassign the silent owner loses the chat to
	// the next agent, as with a missed first response.
	b := timed(t, switchboard.Timers{AgentIdle: 90 * time.Second, AgentIdleReassign: true})
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.accepted(t, "ann")
	b.send(t, annP, "Hi Carol")
	b.send(t, customer, "I need help")
	b.wait(t, 90*time.Second)
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"))
	_, _, err := b.eng.Accept(ctx, "bob", b.offer(t, "bob").ID)
	require.NoError(t, err)
	require.Equal(t, bobP, b.owner(t, "c1"))
}

func TestReassignmentFinishedByAnotherProcess(t *testing.T) {
	t.Parallel()
	// SPEC D9: a process that fired the first-response timer and died
	// before routing heard of it leaves the reassignment to any other
	// engine over the same stores.
	rs, ss := routingmem.New(routingmem.Config{}), sessionmem.NewStore()
	stores := func(c *engine.Config) { c.Routing, c.Sessions = rs, ss }
	b := timed(t, switchboard.Timers{FirstResponse: time.Minute}, stores)
	b.login(t, "ann", "Ann")
	b.login(t, "bob", "Bob")
	b.accepted(t, "ann")
	b.clock.Add(time.Minute)
	// The session step alone, as the dying process did it.
	f, err := b.m.FireTimers(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []session.Timer{session.TimerFirstResponse}, f.Timers)
	require.Equal(t, switchboard.AgentID("ann"), f.Reassign)
	require.Equal(t, routing.Assigned, b.routingState(t, "c1"))

	other, err := engine.New(ctx, engine.Config{Routing: rs, Sessions: ss, Desktops: routingmem.NewBus(),
		Participants: sessionmem.NewTransport(), Clock: b.clock, Manual: true, Process: "other"})
	require.NoError(t, err)
	require.NoError(t, other.Settle(ctx))
	c, err := other.Router().Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Offered, c.State)
	require.Equal(t, session.ParticipantID(""), b.owner(t, "c1"))
	require.Equal(t, []string{"first_response"}, b.timersFired(t), "fired once, not again by the survivor")
}

func TestEngineNeedsADeadlineStore(t *testing.T) {
	t.Parallel()
	// SPEC D9: an engine over a session store that cannot find due
	// timers refuses to start, naming the missing method.
	_, err := engine.New(ctx, engine.Config{Routing: routingmem.New(routingmem.Config{}),
		Sessions: noDeadlines{sessionmem.NewStore()}, Desktops: routingmem.NewBus(),
		Participants: session.Discard{}, Manual: true})
	require.ErrorIs(t, err, engine.ErrConfig)
	require.ErrorContains(t, err, "DueSessions")
}

// noDeadlines is a session store with its feed but without DueSessions.
type noDeadlines struct{ *sessionmem.Store }

func (noDeadlines) DueSessions() {}

func TestTimerSettingsAreChecked(t *testing.T) {
	t.Parallel()
	// SPEC D9: a negative duration or a warning not before the first
	// response is refused, and the queue keeps its settings.
	b := setup(t)
	for _, bad := range []switchboard.Timers{
		{FirstResponse: -time.Second},
		{FirstResponse: time.Minute, FirstResponseWarning: time.Minute},
		{CustomerIdleClose: time.Minute},
		{AgentIdleReassign: true},
	} {
		_, err := b.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", Chat: switchboard.ChatSettings{Timers: bad}})
		require.ErrorIs(t, err, routing.ErrInvalid, "%+v", bad)
	}
	q, err := b.router.Queue(ctx, "sales")
	require.NoError(t, err)
	require.Equal(t, 30*time.Second, q.WrapUp)
}

func TestTimersAddNoStoreCallPerMessage(t *testing.T) {
	t.Parallel()
	// SPEC D9: the timers' facts travel in the write each message makes
	// anyway: a message costs the same session store calls with every
	// timer on as with none.
	calls := func(timers switchboard.Timers) []int {
		ss := &faultySessions{Store: sessionmem.NewStore()}
		b := timed(t, timers, func(c *engine.Config) { c.Sessions = ss })
		b.login(t, "ann", "Ann")
		b.accepted(t, "ann")
		var out []int
		for _, m := range []session.Message{
			{From: customer, Text: "My order is late"}, {From: annP, Text: "Let me check"},
			{From: annP, Mode: session.ModeWhisper, Text: "note: second time"}, {From: annP, Text: "It ships today"},
			{From: customer, Text: "thanks"},
		} {
			before := ss.count()
			_, err := b.eng.Send(ctx, "c1", m)
			require.NoError(t, err)
			out = append(out, ss.count()-before)
		}
		return out
	}
	off := calls(switchboard.Timers{})
	on := calls(switchboard.Timers{FirstResponse: time.Minute, ResponseSLA: time.Minute, CustomerIdle: time.Minute, AgentIdle: time.Minute})
	require.Equal(t, off, on)
	for _, n := range off {
		require.Positive(t, n, "each message is written")
	}
}
