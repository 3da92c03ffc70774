package sessionmem_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

func TestKeepSessionStoresWhatItIsHanded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := sessionmem.NewStore()
	var _ session.SessionKeeper = st
	if _, err := st.CreateSession(ctx, session.Session{ID: "c1", Status: session.StatusActive}, nil); err != nil {
		t.Fatal(err)
	}
	next := &session.Session{ID: "c1", Version: 1, Status: session.StatusEnded, Txn: "t1"}
	got, err := st.KeepSession(ctx, next, []session.Entry{{ID: "e1", Type: session.EntryEnded, Audience: session.Everyone()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Seq != 1 || got[0].Version != 1 || got[0].ID != "e1" {
		t.Fatalf("stored entries %+v, want e1 as seq 1 of version 1", got)
	}
	s, err := st.GetSession(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != 2 || s.Status != session.StatusEnded || s.Txn != "t1" {
		t.Fatalf("stored session v%d %s %q, want v2 ended t1", s.Version, s.Status, s.Txn)
	}

	// A stale version or a duplicate entry ID changes nothing.
	stale := &session.Session{ID: "c1", Version: 1, Status: session.StatusClosed}
	if _, err := st.KeepSession(ctx, stale, nil); !errors.Is(err, session.ErrConflict) {
		t.Fatalf("stale keep: %v, want ErrConflict", err)
	}
	dup := &session.Session{ID: "c1", Version: 2, Status: session.StatusClosed}
	if _, err := st.KeepSession(ctx, dup, []session.Entry{{ID: "e1", Type: session.EntryClosed}}); !errors.Is(err, session.ErrDuplicate) {
		t.Fatalf("duplicate keep: %v, want ErrDuplicate", err)
	}
	if _, err := st.KeepSession(ctx, &session.Session{ID: "nope", Version: 1}, nil); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("unknown keep: %v, want ErrNotFound", err)
	}
	if s, _ := st.GetSession(ctx, "c1"); s.Version != 2 || s.Status != session.StatusEnded {
		t.Fatalf("after failed keeps: v%d %s, want v2 ended", s.Version, s.Status)
	}
	if n, _ := st.LastSeq(ctx, "c1"); n != 1 {
		t.Fatalf("last seq %d after failed keeps, want 1", n)
	}
}

func TestKeptEntriesNeverChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := sessionmem.NewStore()
	if _, err := st.CreateSession(ctx, session.Session{ID: "c1", Status: session.StatusActive}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.KeepEntries(ctx, "c1", 2, []session.Entry{{Type: session.EntryMessage, Text: "x"}}); !errors.Is(err, session.ErrConflict) {
		t.Fatalf("stale append: %v, want ErrConflict", err)
	}
	got, err := st.KeepEntries(ctx, "c1", 1, []session.Entry{{ID: "m1", Type: session.EntryMessage, Text: "card 4111"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Seq != 1 || got[0].Version != 1 {
		t.Fatalf("stored entries %+v, want seq 1 of version 1", got)
	}
	// Later appends and an amendment leave what was handed back as it was.
	for i := range 2 {
		if _, err := st.KeepEntries(ctx, "c1", 1, []session.Entry{{Type: session.EntryMessage, Text: string(rune('a' + i))}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AmendEntry(ctx, "c1", 1, "card ****"); err != nil {
		t.Fatal(err)
	}
	if got[0].Text != "card 4111" || got[0].Seq != 1 {
		t.Fatalf("entry handed back changed to %+v", got[0])
	}
	e, err := st.EntryByID(ctx, "c1", "m1")
	if err != nil || e.Text != "card ****" {
		t.Fatalf("stored entry %+v, %v: want the amended text", e, err)
	}
}
