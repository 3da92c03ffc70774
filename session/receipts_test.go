package session_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// readsOf returns the EntryRead deliveries p received.
func readsOf(b *testBundle, p session.ParticipantID) []session.View {
	var out []session.View
	for _, d := range b.transport.Received(p) {
		if d.Item.Type == session.EntryRead {
			out = append(out, d.Item)
		}
	}
	return out
}

// receiptOf returns viewer's receipt whose reader is named name.
func receiptOf(t *testing.T, m *session.Manager, chat switchboard.ChatID, viewer session.ParticipantID, name string) (session.Receipt, bool) {
	t.Helper()
	rs, err := m.Receipts(ctx, chat, viewer)
	require.NoError(t, err)
	for _, r := range rs {
		if r.Name == name {
			return r, true
		}
	}
	return session.Receipt{}, false
}

// lastSeqOf returns the highest sequence number of chat's log.
func lastSeqOf(t *testing.T, b *testBundle, chat switchboard.ChatID) uint64 {
	t.Helper()
	n, err := b.store.LastSeq(ctx, chat)
	require.NoError(t, err)
	return n
}

func TestMarkReadStoresAPositionThatOnlyMovesForward(t *testing.T) {
	t.Parallel()
	// SPEC I1: the position is kept on the participant in the session
	// record, writes no log entry, and an older position is ignored.
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	one := send(t, m, chat, customer, session.ModeNormal, "hello")
	two := send(t, m, chat, customer, session.ModeNormal, "anyone there?")
	last := lastSeqOf(t, b, chat)

	b.clock.Add(time.Second)
	require.NoError(t, m.MarkRead(ctx, chat, annP, two.Seq))
	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	read := s.Participant(annP).Read
	require.Equal(t, two.Seq, read.Seq)
	require.Equal(t, b.clock.Now(), read.At)
	require.Equal(t, last, lastSeqOf(t, b, chat), "reading writes no log entry")

	before := snap(t, b, chat)
	require.NoError(t, m.MarkRead(ctx, chat, annP, one.Seq), "an older position is not an error")
	require.NoError(t, m.MarkRead(ctx, chat, annP, two.Seq))
	require.Equal(t, before, snap(t, b, chat), "an older or equal position changes nothing")

	u, err := m.Unread(ctx, chat, annP)
	require.NoError(t, err)
	require.Zero(t, u)
}

func TestMarkReadRefusesWhatTheReaderCannotSee(t *testing.T) {
	t.Parallel()
	// SPEC I1: 0, a position past the log and an entry the reader may not
	// see are refused alike with ErrInvalid; a stranger gets the forbidden
	// kind; nothing changes on error.
	m, b := setup(t)
	chat := chatWithOwner(t, m)
	send(t, m, chat, customer, session.ModeNormal, "hello")
	w := send(t, m, chat, annP, session.ModeWhisper, "new customer")
	require.NoError(t, m.Notify(ctx, chat, "n1", session.Notice{Kind: session.NoticePosition, Position: 1}, "You are next."))
	notice := lastSeqOf(t, b, chat)
	before := snap(t, b, chat)

	whisperErr := m.MarkRead(ctx, chat, customer, w.Seq)
	require.ErrorIs(t, whisperErr, session.ErrInvalid)
	require.ErrorIs(t, whisperErr, switchboard.ErrInvalid)
	pastErr := m.MarkRead(ctx, chat, customer, notice+40)
	require.ErrorIs(t, pastErr, session.ErrInvalid)
	// The two refusals differ only in the number: the customer cannot tell
	// a whisper from the end of the log.
	require.Equal(t, strings.Replace(whisperErr.Error(), itoa(w.Seq), "N", 1),
		strings.Replace(pastErr.Error(), itoa(notice+40), "N", 1))
	require.ErrorIs(t, m.MarkRead(ctx, chat, customer, 0), session.ErrInvalid)
	require.ErrorIs(t, m.MarkRead(ctx, chat, annP, notice), session.ErrInvalid, "agents never see the customer's notices")

	stranger := m.MarkRead(ctx, chat, bobP, 1)
	require.ErrorIs(t, stranger, session.ErrNotParticipant)
	require.ErrorIs(t, stranger, switchboard.ErrForbidden)
	require.ErrorIs(t, m.MarkRead(ctx, "nope", annP, 1), session.ErrNotFound)
	require.Equal(t, before, snap(t, b, chat))

	// A participant who left reads no more.
	require.NoError(t, m.Invite(ctx, chat, "ann", bob))
	require.NoError(t, m.Join(ctx, chat, "bob"))
	require.NoError(t, m.Leave(ctx, chat, bobP))
	require.ErrorIs(t, m.MarkRead(ctx, chat, bobP, 1), session.ErrLeft)
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func TestReceiptsFollowTheVisibilityOfMessages(t *testing.T) {
	t.Parallel()
	// SPEC I2: agents see every participant's position; the customer sees,
	// by name only, the last entry for everyone at or before an agent's
	// position, and never a silent supervisor's.
	m, b := setup(t)
	chat := conferenceChat(t, m)
	require.NoError(t, m.Supervise(ctx, chat, sue, session.SupervisorMonitor))
	hello := send(t, m, chat, customer, session.ModeNormal, "hello")
	w := send(t, m, chat, bobP, session.ModeWhisper, "VIP, be nice")
	b.clock.Add(time.Second)
	require.NoError(t, m.MarkRead(ctx, chat, annP, hello.Seq))
	atHello := b.clock.Now()
	b.clock.Add(time.Second)
	require.NoError(t, m.MarkRead(ctx, chat, annP, w.Seq))
	require.NoError(t, m.MarkRead(ctx, chat, sueP, w.Seq))
	require.NoError(t, m.MarkRead(ctx, chat, customer, hello.Seq))

	r, ok := receiptOf(t, m, chat, bobP, "Ann")
	require.True(t, ok)
	require.Equal(t, session.Receipt{Participant: annP, Name: "Ann", Seq: w.Seq, At: b.clock.Now()}, r)
	r, ok = receiptOf(t, m, chat, bobP, "Sue")
	require.True(t, ok, "agents see a silent supervisor's position")
	require.Equal(t, w.Seq, r.Seq)
	r, ok = receiptOf(t, m, chat, annP, "Carol")
	require.True(t, ok)
	require.Equal(t, hello.Seq, r.Seq)

	r, ok = receiptOf(t, m, chat, customer, "Ann")
	require.True(t, ok)
	require.Equal(t, session.Receipt{Name: "Ann", Seq: hello.Seq, At: atHello}, r,
		"the customer learns neither the whisper's place nor when it was read")
	_, ok = receiptOf(t, m, chat, customer, "Sue")
	require.False(t, ok, "the customer is not told of a silent supervisor")
	r, ok = receiptOf(t, m, chat, customer, "Carol")
	require.True(t, ok, "the customer sees its own position")
	require.Equal(t, hello.Seq, r.Seq)

	rs, err := m.Receipts(ctx, chat, customer)
	require.NoError(t, err)
	wire, err := session.CustomerReceiptsOf(rs)
	require.NoError(t, err)
	j, err := json.Marshal(wire)
	require.NoError(t, err)
	require.NotContains(t, string(j), "agent:")
	require.NotContains(t, string(j), "Sue")

	agents, err := m.Receipts(ctx, chat, bobP)
	require.NoError(t, err)
	_, err = session.CustomerReceiptsOf(agents)
	require.ErrorIs(t, err, session.ErrForbidden, "an agent's receipts are not for the customer")

	_, err = m.Receipts(ctx, chat, session.AgentParticipant("zed"))
	require.ErrorIs(t, err, session.ErrNotParticipant)
}

func TestMarkReadDeliversReceiptsLive(t *testing.T) {
	t.Parallel()
	// SPEC I3: a moved position is delivered, never stored, to the other
	// present participants as each may see it; the customer is told
	// nothing when an agent reads whispers.
	m, b := setup(t)
	chat := conferenceChat(t, m)
	hello := send(t, m, chat, customer, session.ModeNormal, "hello")
	w := send(t, m, chat, bobP, session.ModeWhisper, "VIP")
	b.transport.Reset()

	require.NoError(t, m.MarkRead(ctx, chat, annP, hello.Seq))
	require.Len(t, readsOf(b, customer), 1)
	require.Equal(t, hello.Seq, readsOf(b, customer)[0].Ref)
	require.Len(t, readsOf(b, bobP), 1)
	require.Empty(t, readsOf(b, annP), "the reader is not told of itself")

	b.transport.Reset()
	require.NoError(t, m.MarkRead(ctx, chat, annP, w.Seq))
	require.Empty(t, readsOf(b, customer), "reading a whisper tells the customer nothing")
	got := readsOf(b, bobP)
	require.Len(t, got, 1)
	require.Equal(t, annP, got[0].From)
	require.Equal(t, w.Seq, got[0].Ref)
	require.Zero(t, got[0].Seq, "a receipt is never stored")

	reply := send(t, m, chat, annP, session.ModeNormal, "hi Carol")
	b.transport.Reset()
	require.NoError(t, m.MarkRead(ctx, chat, customer, reply.Seq))
	require.Equal(t, reply.Seq, readsOf(b, annP)[0].Ref)
	require.Equal(t, customer, readsOf(b, annP)[0].From)

	b.transport.Reset()
	require.NoError(t, m.MarkRead(ctx, chat, annP, reply.Seq))
	ds := b.transport.Received(customer)
	require.Len(t, ds, 1)
	cd, err := session.CustomerDeliveryOf(ds[0])
	require.NoError(t, err, "a receipt delivered to the customer is in the customer's form")
	require.Equal(t, session.CustomerView{Type: session.EntryRead, FromName: "Ann", Ref: reply.Seq, At: b.clock.Now()}, cd.Item)
	require.Equal(t, "read", cd.Item.Type.String())

	b.transport.Reset()
	require.NoError(t, m.MarkRead(ctx, chat, annP, reply.Seq))
	require.Empty(t, b.transport.Received(customer), "an ignored position is not delivered")
	require.Empty(t, b.transport.Received(bobP))
}

func TestReceiptsCatchUpAParticipantWhoLeft(t *testing.T) {
	t.Parallel()
	// SPEC I4: receipts are there for a participant catching up, the one
	// who left included; a bot gone before the reader's entry was written
	// is told the last entry for everyone it saw, never a later one.
	m, b := setup(t)
	_, err := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol", Bot: "Eve"})
	require.NoError(t, err)
	_, err = m.AssignOwner(ctx, "c1", ann)
	require.NoError(t, err)
	send(t, m, "c1", customer, session.ModeNormal, "hello")
	eve := session.BotParticipant("Eve")
	require.NoError(t, m.Leave(ctx, "c1", eve))
	seen := history(t, m, "c1", eve)
	later := send(t, m, "c1", customer, session.ModeNormal, "still there?")
	for range 70 { // more than one page of the search back
		send(t, m, "c1", annP, session.ModeNormal, "yes")
	}
	require.NoError(t, m.MarkRead(ctx, "c1", annP, lastSeqOf(t, b, "c1")))
	require.NoError(t, m.MarkRead(ctx, "c1", customer, later.Seq))

	r, ok := receiptOf(t, m, "c1", eve, "Ann")
	require.True(t, ok)
	require.Equal(t, session.Receipt{Name: "Ann", Seq: seen[len(seen)-1].Seq}, r,
		"the bot is told the last entry it saw, with no time")
	r, ok = receiptOf(t, m, "c1", eve, "Carol")
	require.True(t, ok)
	require.Equal(t, seen[len(seen)-1].Seq, r.Seq)

	// The customer's wire form carries the receipts it may see.
	w, err := m.ForCustomer(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, []session.CustomerReceipt{
		{Name: "Carol", Seq: later.Seq, At: b.clock.Now()},
		{Name: "Ann", Seq: lastSeqOf(t, b, "c1"), At: b.clock.Now()},
	}, w.Receipts)
}

func TestUnreadCountsWhatTheReaderMaySee(t *testing.T) {
	t.Parallel()
	// SPEC I5: the unread count is the entries the participant may see
	// after its position, written by others.
	m, _ := setup(t)
	chat := conferenceChat(t, m)
	unread := func(p session.ParticipantID) int {
		n, err := m.Unread(ctx, chat, p)
		require.NoError(t, err)
		return n
	}
	require.NoError(t, m.MarkRead(ctx, chat, annP, lastSeqOfM(t, m, chat, annP)))
	require.NoError(t, m.MarkRead(ctx, chat, customer, lastSeqOfM(t, m, chat, customer)))
	require.Zero(t, unread(annP))
	send(t, m, chat, customer, session.ModeNormal, "hello")
	send(t, m, chat, customer, session.ModeNormal, "hello?")
	send(t, m, chat, bobP, session.ModeWhisper, "VIP")
	send(t, m, chat, annP, session.ModeNormal, "hi")
	require.Equal(t, 3, unread(annP), "two from the customer and Bob's whisper; not its own")
	require.Equal(t, 1, unread(customer), "the whisper is not counted for the customer")
	require.NoError(t, m.MarkRead(ctx, chat, annP, lastSeqOfM(t, m, chat, annP)))
	require.Zero(t, unread(annP))

	_, err := m.Unread(ctx, chat, sueP)
	require.ErrorIs(t, err, session.ErrNotParticipant)
	_, err = m.Unread(ctx, "nope", annP)
	require.True(t, errors.Is(err, session.ErrNotFound))
}

// lastSeqOfM returns the last entry of chat that p may see.
func lastSeqOfM(t *testing.T, m *session.Manager, chat switchboard.ChatID, p session.ParticipantID) uint64 {
	t.Helper()
	h := history(t, m, chat, p)
	require.NotEmpty(t, h)
	return h[len(h)-1].Seq
}

func TestConcurrentMarksKeepTheFurthest(t *testing.T) {
	t.Parallel()
	// SPEC I1: marks of one participant racing in several goroutines (or
	// processes) serialise on the session's compare-and-set; the furthest
	// wins and no mark moves the position back.
	m, b := setup(t, func(c *session.Config) { c.MaxRetries = 64 })
	chat := chatWithOwner(t, m)
	for range 20 {
		send(t, m, chat, customer, session.ModeNormal, "hello")
	}
	last := lastSeqOf(t, b, chat)
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := uint64(g); i < 20 && err == nil; i += 3 {
				err = m.MarkRead(ctx, chat, annP, last-i)
			}
			done <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
	s, err := m.Session(ctx, chat)
	require.NoError(t, err)
	require.Equal(t, last, s.Participant(annP).Read.Seq)
	require.Equal(t, last, s.Participant(annP).Read.Public)
}
