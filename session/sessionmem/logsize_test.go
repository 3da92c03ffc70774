package sessionmem_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// createdBytes closes 64 sessions of warm entries each in a new store,
// then returns the bytes the store allocates for the next session, of
// n entries (created with one, n-2 appended, closed with one).
func createdBytes(t *testing.T, warm, n int) float64 {
	t.Helper()
	ctx := context.Background()
	st := sessionmem.NewStore()
	entry := session.Entry{Type: session.EntryMessage, Audience: session.Everyone(), Text: "hi"}
	life := func(id switchboard.ChatID, n int) {
		_, err := st.CreateSession(ctx, indexedSession(id, 0, indexEpoch), []session.Entry{entry})
		if err != nil {
			t.Fatal(err)
		}
		cur, err := st.GetSession(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for range n - 2 {
			if _, err := st.AppendEntries(ctx, id, cur.Version, []session.Entry{entry}); err != nil {
				t.Fatal(err)
			}
		}
		next := cur.Clone()
		next.Status, next.ClosedAt = session.StatusClosed, indexEpoch
		if _, err := st.UpdateSession(ctx, next, []session.Entry{{Type: session.EntryClosed, Audience: session.Everyone()}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 64 {
		life(switchboard.ChatID("warm"+strconv.Itoa(i)), warm)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const runs = 1 // the next chat: one more moves the average
	for i := range runs {
		life(switchboard.ChatID("c"+strconv.Itoa(i)), n)
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / runs
}

// TestNewLogsAreSizedToRecentSessions checks that a new session's log is
// made as long as the logs of the sessions that closed lately: where chats
// are short, a chat allocates a short log, not one sized for long chats;
// where chats are long, a chat's log does not have to grow again and again.
func TestNewLogsAreSizedToRecentSessions(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what is allocated")
	}
	shortAmongShort, shortAmongLong := createdBytes(t, 6, 6), createdBytes(t, 60, 6)
	longAmongLong, longAmongShort := createdBytes(t, 60, 60), createdBytes(t, 6, 60)
	t.Logf("bytes per 6-entry chat: among 6-entry chats %.0f, among 60-entry chats %.0f", shortAmongShort, shortAmongLong)
	t.Logf("bytes per 60-entry chat: among 60-entry chats %.0f, among 6-entry chats %.0f", longAmongLong, longAmongShort)
	// An entry is a few hundred bytes: a log sized for 60 entries holds
	// more than 50 unused ones.
	if shortAmongLong-shortAmongShort < 10_000 {
		t.Errorf("a 6-entry chat allocates %.0f B among 6-entry chats and %.0f B among 60-entry ones: its log is not sized to the chats before it",
			shortAmongShort, shortAmongLong)
	}
	// Grown from a short log by doubling, a 60-entry log is copied several
	// times.
	if longAmongShort-longAmongLong < 10_000 {
		t.Errorf("a 60-entry chat allocates %.0f B among 60-entry chats and %.0f B among 6-entry ones: its log is not sized to the chats before it",
			longAmongLong, longAmongShort)
	}
}
