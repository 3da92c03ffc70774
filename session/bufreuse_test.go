package session_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// TestConcurrentWritesKeepTheirOwnEntries runs the writes whose entries
// the Manager builds in reused memory (messages, assignments, ends and
// closes) from many goroutines at once, some on sessions of their own and
// some all on one session, so that writes conflict and are tried again:
// every session's log holds exactly the messages written to it, each once,
// from its writer, and the customer received each.
func TestConcurrentWritesKeepTheirOwnEntries(t *testing.T) {
	t.Parallel()
	m, b := setup(t)
	const writers, messages = 8, 40
	create := func(id switchboard.ChatID, customer switchboard.CustomerID) {
		_, err := m.Create(ctx, session.CustomerSession{ID: id, Tenant: "t1", Queue: "sales", Customer: customer, CustomerName: "Carol"})
		require.NoError(t, err)
	}
	create("shared", "u-shared")
	_, err := m.AssignOwner(ctx, "shared", ann)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range writers {
		own := switchboard.ChatID(fmt.Sprint("own-", w))
		cust := switchboard.CustomerID(fmt.Sprint("u-", w))
		create(own, cust)
		wg.Go(func() {
			_, err := m.AssignOwner(ctx, own, ann)
			require.NoError(t, err)
			for i := range messages {
				from := session.CustomerParticipant(cust)
				if i%2 == 1 {
					from = annP
				}
				_, err := m.Send(ctx, own, session.Message{From: from, Text: fmt.Sprintf("%s says %d", own, i)})
				require.NoError(t, err)
				_, err = m.Send(ctx, "shared", session.Message{From: annP, Text: fmt.Sprintf("writer %d says %d", w, i)})
				require.NoError(t, err)
			}
			_, err = m.End(ctx, own, "ann", session.EndOptions{Reason: "sold", Confirm: true})
			require.NoError(t, err)
			require.NoError(t, m.CloseWrappedUp(ctx, own, 0))
		})
	}
	wg.Wait()

	messagesOf := func(chat switchboard.ChatID) []string {
		t.Helper()
		vs, err := m.History(ctx, chat, annP)
		require.NoError(t, err)
		var out []string
		for _, v := range vs {
			if v.Type == session.EntryMessage {
				out = append(out, fmt.Sprint(v.From, ": ", v.Text))
			}
		}
		return out
	}
	for w := range writers {
		own := switchboard.ChatID(fmt.Sprint("own-", w))
		var want []string
		for i := range messages {
			from := session.CustomerParticipant(switchboard.CustomerID(fmt.Sprint("u-", w)))
			if i%2 == 1 {
				from = annP
			}
			want = append(want, fmt.Sprintf("%s: %s says %d", from, own, i))
		}
		require.Equal(t, want, messagesOf(own), "the log of %s", own)
		s, err := m.Session(ctx, own)
		require.NoError(t, err)
		require.Equal(t, session.StatusClosed, s.Status)
		require.Equal(t, "sold", s.WrapUp.Reason)
		var got []string
		for _, d := range b.transport.Received(session.CustomerParticipant(switchboard.CustomerID(fmt.Sprint("u-", w)))) {
			if d.Item.Type == session.EntryMessage {
				got = append(got, d.Item.Text)
			}
		}
		var wantTexts []string
		for i := range messages {
			wantTexts = append(wantTexts, fmt.Sprintf("%s says %d", own, i))
		}
		require.Equal(t, wantTexts, got, "what the customer of %s received", own)
	}
	var want []string
	for w := range writers {
		for i := range messages {
			want = append(want, fmt.Sprintf("%s: writer %d says %d", annP, w, i))
		}
	}
	got := messagesOf("shared")
	slices.Sort(want)
	slices.Sort(got)
	require.Equal(t, want, got, "the shared session's log")
}
