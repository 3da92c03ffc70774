package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// wrapUpRig is an engine whose sales queue has wrap-up tags, with ann
// logged in, and the in-memory session store under it.
type wrapUpRig struct {
	*bundle
	store *sessionmem.Store
}

func setupWrapUp(t *testing.T, mutate ...func(*engine.Config)) wrapUpRig {
	t.Helper()
	var store *sessionmem.Store
	b := setup(t, append([]func(*engine.Config){func(c *engine.Config) { store = c.Sessions.(*sessionmem.Store) }}, mutate...)...)
	_, err := b.router.PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1", AcceptTimeout: 20 * time.Second, WrapUp: 30 * time.Second,
		Chat: switchboard.ChatSettings{WrapUpReasons: []string{"sold", "no-sale"}, WrapUpTags: []string{"vip", "refund"}}})
	require.NoError(t, err)
	b.login(t, "ann", "Ann")
	return wrapUpRig{bundle: b, store: store}
}

// ended starts chat, has ann take it and end it with a reason and a tag,
// and returns when it ended.
func (r wrapUpRig) ended(t *testing.T, chat switchboard.ChatID) time.Time {
	t.Helper()
	r.start(t, chat)
	_, _, err := r.eng.Accept(ctx, "ann", r.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = r.eng.Send(ctx, chat, session.Message{From: customer, Text: "hello"})
	require.NoError(t, err)
	_, err = r.eng.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Tags: []string{"vip"}, Confirm: true})
	require.NoError(t, err)
	r.settle(t)
	return r.clock.Now()
}

// closedEntries counts the EntryClosed entries of chat's log.
func (r wrapUpRig) closedEntries(t *testing.T, chat switchboard.ChatID) int {
	t.Helper()
	es, err := r.store.ReadEntries(ctx, chat, 0, 1000)
	require.NoError(t, err)
	n := 0
	for _, e := range es {
		if e.Type == session.EntryClosed {
			n++
		}
	}
	return n
}

// requireWrappedUpClose checks that chat's session closed at closedAt with
// ann's wrap-up as she recorded it, and everyone out of it.
func (r wrapUpRig) requireWrappedUpClose(t *testing.T, chat switchboard.ChatID, endedAt, closedAt time.Time) {
	t.Helper()
	s, err := r.m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status, "the wrap-up is over: the session closes")
	require.Equal(t, closedAt, s.ClosedAt)
	require.NotNil(t, s.WrapUp)
	require.Equal(t, switchboard.AgentID("ann"), s.WrapUp.Owner)
	require.Equal(t, "sold", s.WrapUp.Reason)
	require.Equal(t, []string{"vip"}, s.WrapUp.Tags)
	require.Equal(t, endedAt, s.WrapUp.At, "the wrap-up stays as the owner recorded it")
	for _, p := range s.Participants {
		require.False(t, p.Present(), "%s is still in the closed session", p.ID)
	}
	require.Equal(t, 1, r.closedEntries(t, chat))
}

func TestCompletingTheWrapUpClosesTheSession(t *testing.T) {
	t.Parallel()
	// SPEC K3: the owner ends the conversation and completes the wrap-up;
	// the session closes with nobody calling Close.
	r := setupWrapUp(t)
	endedAt := r.ended(t, "c1")
	s, err := r.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusEnded, s.Status, "in wrap-up the session stays ended")

	r.clock.Add(10 * time.Second)
	require.NoError(t, r.eng.CompleteWrapUp(ctx, "c1", "ann"))
	r.settle(t)
	require.Equal(t, routing.Done, r.routingState(t, "c1"))
	r.requireWrappedUpClose(t, "c1", endedAt, r.clock.Now())

	// A host that still closes after completing the wrap-up gets the
	// closure it always got, and nothing more is written.
	c, err := r.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "no-sale", Confirm: true})
	require.NoError(t, err)
	require.Equal(t, "sold", c.WrapUp.Reason)
	require.False(t, c.Ended)
	r.settle(t)
	require.Equal(t, 1, r.closedEntries(t, "c1"))
	require.Equal(t, routing.Done, r.routingState(t, "c1"))
}

func TestTheWrapUpTimePassingClosesTheSession(t *testing.T) {
	t.Parallel()
	// SPEC K3: the queue's wrap-up time passes, routing frees the owner,
	// and the session closes then, not before.
	r := setupWrapUp(t)
	endedAt := r.ended(t, "c1")

	r.clock.Add(29 * time.Second)
	r.settle(t)
	s, err := r.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusEnded, s.Status, "the wrap-up is not over yet")

	r.clock.Add(time.Second)
	r.settle(t)
	require.Equal(t, routing.Done, r.routingState(t, "c1"))
	r.requireWrappedUpClose(t, "c1", endedAt, r.clock.Now())
}

func TestASessionItsOwnerClosedStaysAsClosed(t *testing.T) {
	t.Parallel()
	// SPEC K3: a session the owner closed is left as it is when the
	// wrap-up is over.
	r := setupWrapUp(t)
	r.start(t, "c1")
	_, _, err := r.eng.Accept(ctx, "ann", r.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = r.eng.Close(ctx, "c1", "ann", session.EndOptions{Reason: "no-sale", Confirm: true})
	require.NoError(t, err)
	closedAt := r.clock.Now()
	r.settle(t)

	r.clock.Add(time.Minute)
	r.settle(t)
	require.Equal(t, routing.Done, r.routingState(t, "c1"))
	s, err := r.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusClosed, s.Status)
	require.Equal(t, closedAt, s.ClosedAt)
	require.Equal(t, "no-sale", s.WrapUp.Reason)
	require.Equal(t, 1, r.closedEntries(t, "c1"))
}

func TestAWrappedUpSessionIsForgottenAfterRetention(t *testing.T) {
	t.Parallel()
	// SPEC K4: a session closed because its wrap-up was over is forgotten
	// once the retention has passed, and the store keeps nothing of it.
	var kept []switchboard.ChatID
	r := setupWrapUp(t, func(c *engine.Config) {
		c.Retention = time.Hour
		c.Keep = func(_ context.Context, s session.Session, _ []session.Entry) error {
			kept = append(kept, s.ID)
			return nil
		}
	})
	r.ended(t, "c1")
	require.NoError(t, r.eng.CompleteWrapUp(ctx, "c1", "ann"))
	r.settle(t)

	r.clock.Add(59 * time.Minute)
	r.settle(t)
	_, err := r.m.Session(ctx, "c1")
	require.NoError(t, err, "kept until the retention has passed")

	r.clock.Add(2 * time.Minute)
	r.settle(t)
	require.Equal(t, []switchboard.ChatID{"c1"}, kept, "the host got the session first")
	_, err = r.store.GetSession(ctx, "c1")
	require.ErrorIs(t, err, session.ErrNotFound)
	_, err = r.store.ReadEntries(ctx, "c1", 0, 10)
	require.ErrorIs(t, err, session.ErrNotFound)
	closed, err := r.store.Closed(ctx, r.clock.Now(), 10)
	require.NoError(t, err)
	require.Empty(t, closed)
}

func TestACustomerWritingAfterTheWrapUpFollowsTheAfterClosePolicy(t *testing.T) {
	t.Parallel()
	// SPEC K5, R9: once the wrap-up is over, a customer who writes again
	// meets the queue's after-close policy instead of an error.
	t.Run("reopen", func(t *testing.T) {
		t.Parallel()
		r := setupWrapUp(t)
		r.ended(t, "c1")
		require.NoError(t, r.eng.CompleteWrapUp(ctx, "c1", "ann"))
		r.settle(t)

		sent, err := r.eng.Send(ctx, "c1", session.Message{From: customer, Text: "One more question"})
		require.NoError(t, err)
		require.Equal(t, switchboard.PolicyReopen, sent.AfterClose)
		r.settle(t)
		o := r.offer(t, "ann")
		require.Equal(t, switchboard.ChatID("c1"), o.Chat, "routed again")
		_, _, err = r.eng.Accept(ctx, "ann", o.ID)
		require.NoError(t, err)
		r.settle(t)
		s, err := r.m.Session(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, session.StatusActive, s.Status)
		require.Equal(t, annP, r.owner(t, "c1"))

		// The second conversation closes when its own wrap-up is over.
		_, err = r.eng.End(ctx, "c1", "ann", session.EndOptions{Reason: "no-sale", Confirm: true})
		require.NoError(t, err)
		r.settle(t)
		require.Equal(t, session.StatusEnded, r.status(t, "c1"), "the earlier done chat closes nothing")
		r.clock.Add(30 * time.Second)
		r.settle(t)
		require.Equal(t, session.StatusClosed, r.status(t, "c1"))
		require.Equal(t, 2, r.closedEntries(t, "c1"))
	})
	t.Run("new-linked", func(t *testing.T) {
		t.Parallel()
		r := setupWrapUp(t, func(c *engine.Config) { c.Session.AfterClose = switchboard.PolicyNewLinked })
		r.ended(t, "c1")
		require.NoError(t, r.eng.CompleteWrapUp(ctx, "c1", "ann"))
		r.settle(t)

		sent, err := r.eng.Send(ctx, "c1", session.Message{From: customer, Text: "Me again"})
		require.NoError(t, err)
		require.Equal(t, switchboard.PolicyNewLinked, sent.AfterClose)
		require.NotEqual(t, switchboard.ChatID("c1"), sent.Chat)
		require.Equal(t, sent.Chat, r.offer(t, "ann").Chat)
	})
	t.Run("read-only", func(t *testing.T) {
		t.Parallel()
		r := setupWrapUp(t, func(c *engine.Config) { c.Session.AfterClose = switchboard.PolicyReadOnly })
		r.ended(t, "c1")
		r.clock.Add(30 * time.Second)
		r.settle(t)

		_, err := r.eng.Send(ctx, "c1", session.Message{From: customer, Text: "Hello?"})
		require.ErrorIs(t, err, session.ErrReadOnly)
	})
}

func TestADoneChatOfAnEarlierConversationClosesNothing(t *testing.T) {
	t.Parallel()
	// SPEC K3: the customer reopened the session and ann ended the new
	// conversation, but routing has not heard of the reopening (the
	// steps after the session's were lost): routing's done chat is the
	// earlier conversation's, and its wrap-up is not this one's.
	r := setupWrapUp(t)
	r.ended(t, "c1")
	require.NoError(t, r.eng.CompleteWrapUp(ctx, "c1", "ann"))
	r.settle(t)
	_, err := r.m.Send(ctx, "c1", session.Message{From: customer, Text: "One more question"}) // the session step only
	require.NoError(t, err)
	_, err = r.m.AssignOwner(ctx, "c1", session.AgentRef{ID: "ann", Name: "Ann"})
	require.NoError(t, err)
	_, err = r.m.End(ctx, "c1", "ann", session.EndOptions{Reason: "no-sale", Confirm: true})
	require.NoError(t, err)

	r.clock.Add(time.Minute)
	r.settle(t)
	c, err := r.router.Chat(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, routing.Done, c.State)
	s, err := r.m.Session(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, session.StatusEnded, s.Status)
	require.Equal(t, "no-sale", s.WrapUp.Reason)
}

// status returns the status of chat's session.
func (r wrapUpRig) status(t *testing.T, chat switchboard.ChatID) session.Status {
	t.Helper()
	s, err := r.m.Session(ctx, chat)
	require.NoError(t, err)
	return s.Status
}
