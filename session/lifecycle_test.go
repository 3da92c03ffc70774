package session_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"
	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// TestTransitionTable checks every (status, trigger) pair of the life cycle.
func TestTransitionTable(t *testing.T) {
	t.Parallel()
	allowed := map[session.Status]map[session.Trigger]session.Status{
		session.StatusActive: {
			session.TriggerCustomerLeave: session.StatusCustomerLeft,
			session.TriggerEnd:           session.StatusEnded,
			session.TriggerClose:         session.StatusClosed,
			session.TriggerMessage:       session.StatusActive,
			session.TriggerJoin:          session.StatusActive,
		},
		session.StatusCustomerLeft: {session.TriggerEnd: session.StatusEnded, session.TriggerClose: session.StatusClosed},
		session.StatusEnded:        {session.TriggerClose: session.StatusClosed},
		session.StatusClosed:       {session.TriggerReopen: session.StatusActive},
	}
	for from := session.StatusActive; from <= session.StatusClosed; from++ {
		for tr := session.TriggerCustomerLeave; tr <= session.TriggerJoin; tr++ {
			t.Run(from.String()+"/"+tr.String(), func(t *testing.T) {
				t.Parallel()
				to, err := session.Next(from, tr)
				want, ok := allowed[from][tr]
				switch {
				case ok:
					require.NoError(t, err)
					require.Equal(t, want, to)
				case from == session.StatusClosed && tr == session.TriggerClose:
					require.ErrorIs(t, err, session.ErrAlreadyClosed)
				default:
					var se *session.StatusError
					require.ErrorAs(t, err, &se)
					require.Equal(t, from, se.From)
					require.Equal(t, tr, se.Trigger)
					require.ErrorIs(t, err, session.ErrInvalidState)
					require.Equal(t, from, to)
				}
			})
		}
	}
}

// SPEC S9: when the customer leaves, agents are told and can no longer
// send; when the agent ends, the customer is told "agent has left".
func TestCustomerLeavesAndAgentEnds(t *testing.T) {
	t.Parallel()
	t.Run("customer leaves", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t)
		chat := chatWithOwner(t, m)
		require.NoError(t, m.Leave(ctx, chat, customer))
		got := b.transport.Received(annP)
		last := got[len(got)-1].Item
		require.Equal(t, session.EntryCustomerLeft, last.Type)
		require.Equal(t, "customer has left", last.Text)
		_, err := m.Send(ctx, chat, session.Message{From: annP, Text: "still there?"})
		require.ErrorIs(t, err, session.ErrCustomerLeft)
		require.ErrorIs(t, err, session.ErrInvalidState)
		_, err = m.Send(ctx, chat, session.Message{From: annP, Mode: session.ModeWhisper, Text: "x"})
		require.ErrorIs(t, err, session.ErrCustomerLeft)
	})
	t.Run("agent ends", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t)
		chat := chatWithOwner(t, m)
		_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
		require.NoError(t, err)
		var notices []string
		for _, d := range b.transport.Received(customer) {
			if d.Item.Type == session.EntryLeft {
				notices = append(notices, d.Item.SubjectName+": "+d.Item.Text)
			}
			require.NotEqual(t, session.EntryEnded, d.Item.Type, "the wrap-up reason is internal")
		}
		require.Equal(t, []string{"Ann: agent has left"}, notices)
	})
}

// SPEC S10: closing while the customer is connected needs confirmation;
// after the customer has left it does not.
func TestCloseNeedsConfirmationWhileCustomerConnected(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	before := snap(t, b, chat)
	_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold"})
	require.ErrorIs(t, err, session.ErrConfirmationRequired)
	require.Equal(t, before, snap(t, b, chat))
	_, err = m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold"})
	require.ErrorIs(t, err, session.ErrConfirmationRequired)
	require.Equal(t, before, snap(t, b, chat))

	cl, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	require.True(t, cl.Ended)

	m2, _ := setup(t)
	chat2 := chatWithOwner(t, m2)
	require.NoError(t, m2.Leave(ctx, chat2, customer))
	_, err = m2.Close(ctx, chat2, "ann", session.EndOptions{Reason: "no-sale"})
	require.NoError(t, err, "no confirmation once the customer has left")
}

// SPEC S11: ending requires a wrap-up reason from the queue's list; it
// reports the wrap-up so capacity can be freed after the wrap-up time.
func TestEndRequiresWrapUpReason(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	require.NoError(t, m.Leave(ctx, chat, customer))
	before := snap(t, b, chat)
	for _, reason := range []string{"", "bored"} {
		_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: reason})
		var we *session.WrapUpError
		require.ErrorAs(t, err, &we)
		require.ErrorIs(t, err, session.ErrInvalidWrapUp)
		require.Equal(t, []string{"sold", "no-sale"}, we.Allowed)
		require.Equal(t, before, snap(t, b, chat))
	}
	b.clock.Add(time.Minute)
	w, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold"})
	require.NoError(t, err)
	require.Equal(t, session.WrapUp{Chat: chat, Tenant: "t1", Queue: "sales", Owner: "ann", Reason: "sold",
		At: b.clock.Now(), Until: b.clock.Now().Add(30 * time.Second)}, w)
	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, session.StatusEnded, s.Status)
	org, err := m.OrganisationLog(ctx, chat)
	require.NoError(t, err)
	last := org[len(org)-1]
	require.Equal(t, session.EntryEnded, last.Type)
	require.Equal(t, "sold", last.Reason)
	require.True(t, last.InternalNote)

	t.Run("an explicit end of wrap-up", func(t *testing.T) {
		t.Parallel()
		for name, tc := range map[string]struct{ until, want time.Duration }{
			"later":        {until: time.Hour, want: time.Hour},
			"already past": {until: -time.Minute, want: 0},
			"exactly now":  {until: 0, want: 0},
		} {
			m, b := setup(t)
			chat := chatWithOwner(t, m)
			now := b.clock.Now()
			w, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true, WrapUpUntil: now.Add(tc.until)})
			require.NoError(t, err, name)
			require.Equal(t, now.Add(tc.want), w.Until, name)
		}
	})

	t.Run("consulted agent cannot end", func(t *testing.T) {
		t.Parallel()
		m, b := setup(t)
		chat := chatWithOwner(t, m)
		require.NoError(t, m.Invite(ctx, chat, "ann", bob))
		require.NoError(t, m.Join(ctx, chat, "bob"))
		before := snap(t, b, chat)
		_, err := m.End(ctx, chat, "bob", session.EndOptions{Reason: "sold", Confirm: true})
		require.ErrorIs(t, err, session.ErrForbidden)
		require.Equal(t, before, snap(t, b, chat))
	})
}

// Close is idempotent: the second close says so and writes nothing.
func TestCloseTwice(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	_, err := m.End(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
	require.NoError(t, err)
	cl, err := m.Close(ctx, chat, "ann", session.EndOptions{})
	require.NoError(t, err)
	require.False(t, cl.Ended, "End already reported the wrap-up")
	require.Equal(t, "sold", cl.WrapUp.Reason)
	before := snap(t, b, chat)
	deliveries := len(b.transport.Received(annP))
	_, err = m.Close(ctx, chat, "ann", session.EndOptions{})
	require.ErrorIs(t, err, session.ErrAlreadyClosed)
	require.Equal(t, before, snap(t, b, chat))
	require.Len(t, b.transport.Received(annP), deliveries)
}

// After close, the policy decides what a new customer message does. The
// reopen decision is the session half of routing's reopen-and-route rule;
// the wiring layer routes the reopened session.
func TestAfterClosePolicies(t *testing.T) {
	t.Parallel()
	closed := func(t *testing.T, p switchboard.AfterClosePolicy) (*session.Manager, *testBundle, switchboard.ChatID) {
		m, b := setup(t, func(c *session.Config) { c.AfterClose = p })
		chat := chatWithOwner(t, m)
		send(t, m, chat, customer, session.ModeNormal, "first")
		_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
		require.NoError(t, err)
		return m, b, chat
	}
	t.Run("reopen", func(t *testing.T) {
		t.Parallel()
		m, b, chat := closed(t, switchboard.PolicyReopen)
		annBefore := len(b.transport.Received(annP))
		sent := send(t, m, chat, customer, session.ModeNormal, "me again")
		require.Equal(t, session.Sent{Chat: chat, Seq: sent.Seq, Text: "me again", AfterClose: switchboard.PolicyReopen}, sent)
		s, err := m.Session(ctx, chat)
		require.NoError(t, err)
		require.Equal(t, session.StatusActive, s.Status)
		require.Nil(t, s.Owner(), "routing picks the next owner")
		require.Len(t, b.transport.Received(annP), annBefore, "the old owner sees nothing new")
		require.NotContains(t, texts(history(t, m, chat, annP)), "me again")

		_, err = m.AssignOwner(ctx, chat, bob)
		require.NoError(t, err)
		require.Equal(t, []string{"first", "me again"}, texts(history(t, m, chat, bobP)), "the new owner reads everything")
		send(t, m, chat, bobP, session.ModeNormal, "hi, Bob here")
		require.Equal(t, []string{"first", "me again", "hi, Bob here"}, texts(history(t, m, chat, customer)))
	})
	t.Run("new linked session", func(t *testing.T) {
		t.Parallel()
		m, _, chat := closed(t, switchboard.PolicyNewLinked)
		sent := send(t, m, chat, customer, session.ModeNormal, "me again")
		require.Equal(t, switchboard.PolicyNewLinked, sent.AfterClose)
		require.NotEqual(t, chat, sent.Chat)
		n, err := m.Session(ctx, sent.Chat)
		require.NoError(t, err)
		require.Equal(t, chat, n.LinkedFrom)
		require.Equal(t, []string{"me again"}, texts(history(t, m, sent.Chat, customer)))
		old, err := m.Session(ctx, chat)
		require.NoError(t, err)
		require.Equal(t, sent.Chat, old.LinkedTo)
		require.Equal(t, session.StatusClosed, old.Status)
		require.NotContains(t, texts(history(t, m, chat, customer)), "me again")

		again := send(t, m, chat, customer, session.ModeNormal, "hello?")
		require.Equal(t, sent.Chat, again.Chat, "later messages follow the link")
		require.Equal(t, []string{"me again", "hello?"}, texts(history(t, m, sent.Chat, customer)))
	})
	t.Run("new linked session reserved but never created", func(t *testing.T) {
		t.Parallel()
		// The message that reserved the link failed (or its process
		// died) before the linked session was stored: the next message
		// creates it under the reserved ID instead of being stranded.
		st := &failCreateStore{Store: sessionmem.NewStore()}
		ids := 0
		m, err := session.NewManager(st, session.Config{Clock: clock.NewMock(), AfterClose: switchboard.PolicyNewLinked,
			NewID: func() switchboard.ChatID { ids++; return switchboard.ChatID(fmt.Sprintf("linked-%d", ids)) }})
		require.NoError(t, err)
		_, err = m.Create(ctx, session.CustomerSession{ID: "c1", Tenant: "t1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
		require.NoError(t, err)
		_, err = m.AssignOwner(ctx, "c1", ann)
		require.NoError(t, err)
		_, err = m.Close(ctx, "c1", "ann", session.EndOptions{Confirm: true})
		require.NoError(t, err)

		st.fail = 1
		_, err = m.Send(ctx, "c1", session.Message{From: customer, Text: "lost in a crash"})
		require.ErrorIs(t, err, errStoreDown)
		sent := send(t, m, "c1", customer, session.ModeNormal, "me again")
		require.Equal(t, switchboard.PolicyNewLinked, sent.AfterClose, "the caller routes it")
		require.Equal(t, switchboard.ChatID("linked-1"), sent.Chat, "the reserved ID")
		old, err := m.Session(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, sent.Chat, old.LinkedTo)
		require.Equal(t, []string{"me again"}, texts(history(t, m, sent.Chat, customer)))
	})
	t.Run("new linked session, filtered", func(t *testing.T) {
		t.Parallel()
		m, _ := setup(t, func(c *session.Config) { c.AfterClose = switchboard.PolicyNewLinked; c.Filter = &maskFilter{} })
		chat := chatWithOwner(t, m)
		_, err := m.Close(ctx, chat, "ann", session.EndOptions{Reason: "sold", Confirm: true})
		require.NoError(t, err)
		sent := send(t, m, chat, customer, session.ModeNormal, "card 4111 1111 1111 1111")
		require.Equal(t, "card **** **** **** ****", sent.Text)
		require.Equal(t, []string{"card **** **** **** ****"}, texts(history(t, m, sent.Chat, customer)))
	})
	t.Run("read-only", func(t *testing.T) {
		t.Parallel()
		m, b, chat := closed(t, switchboard.PolicyReadOnly)
		before := snap(t, b, chat)
		_, err := m.Send(ctx, chat, session.Message{From: customer, Text: "me again"})
		require.ErrorIs(t, err, session.ErrReadOnly)
		require.Equal(t, before, snap(t, b, chat))
	})
	t.Run("agents cannot write to a closed session", func(t *testing.T) {
		t.Parallel()
		m, b, chat := closed(t, switchboard.PolicyReopen)
		before := snap(t, b, chat)
		_, err := m.Send(ctx, chat, session.Message{From: annP, Text: "x"})
		require.ErrorIs(t, err, session.ErrInvalidState)
		require.Equal(t, before, snap(t, b, chat))
	})
}

var errStoreDown = errors.New("store down")

// failCreateStore fails its next fail calls to CreateSession.
type failCreateStore struct {
	*sessionmem.Store
	fail int
}

func (f *failCreateStore) CreateSession(ctx context.Context, s session.Session, e []session.Entry) ([]session.Entry, error) {
	if f.fail > 0 {
		f.fail--
		return nil, errStoreDown
	}
	return f.Store.CreateSession(ctx, s, e)
}
