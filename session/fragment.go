package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// Fragment is the unmasked text of a message that was stored and delivered
// with its trailing digits masked, because they might begin a card number
// that the sender's next message completes ("4111 1111" is delivered as
// "**** ****"). It is held in a [FragmentStore], outside the session log,
// until Until: then, or as soon as the sender's next message shows that no
// card number was split, the message is revealed by a correction; if the
// next message completes a card number, the mask stays and the fragment is
// deleted.
//
// Text may hold the first digits of a card number: never log or print it.
// String, GoString and Format print everything but Text.
type Fragment struct {
	// Chat is the session the message was sent in.
	Chat switchboard.ChatID
	// Sender sent the message.
	Sender ParticipantID
	// Message is the message's ID (Message.ID, Entry.ID): fragments are
	// keyed by (Chat, Message).
	Message string
	// Text is the message's text as it is revealed if no card number was
	// split: what the inbound filter masked anyway stays masked in it.
	Text string
	// At is when the message arrived.
	At time.Time
	// Until is when the window in which the next message may complete a
	// card number closes; the fragment is due once it has passed.
	Until time.Time
}

// String describes the fragment without its text.
func (f Fragment) String() string {
	return fmt.Sprintf("session.Fragment{Chat: %s, Sender: %s, Message: %s, At: %s, Until: %s, Text: %d bytes}",
		f.Chat, f.Sender, f.Message, f.At.Format(time.RFC3339Nano), f.Until.Format(time.RFC3339Nano), len(f.Text))
}

// GoString describes the fragment without its text.
func (f Fragment) GoString() string { return f.String() }

// Format implements fmt.Formatter: every verb prints [Fragment.String].
func (f Fragment) Format(s fmt.State, _ rune) { _, _ = s.Write([]byte(f.String())) }

// FragmentStore holds [Fragment] records for the short time a split card
// number may take to complete. It is separate from the session log because
// what it holds must not outlive the window: keep it in a table the host
// neither backs up nor replicates to archives, and never log its contents
// (see docs/implementing-session-store.md). A fragment's deadline (Until)
// is stored data, so any process sharing the store can reveal a due
// fragment, also after the process that held it back stopped.
//
// All methods must be safe for concurrent use by several goroutines and
// several processes. Values are copied across the boundary. Every method
// returns ctx.Err() (possibly wrapped) if ctx is done before it takes
// effect, and then changes nothing.
//
// [github.com/switchboard-cc/switchboard/session/sessionmem.FragmentStore] is
// the in-memory implementation; [github.com/switchboard-cc/switchboard/session/sessiontest.RunFragmentStoreTests]
// checks any implementation against this contract.
type FragmentStore interface {
	// PutFragment stores f under (f.Chat, f.Message), replacing the
	// fragment stored under that key if there is one. It returns
	// ErrInvalid, storing nothing, for an empty Chat, Sender or Message or
	// a zero Until.
	PutFragment(ctx context.Context, f Fragment) error

	// Fragments returns the fragments of sender in chat, oldest first (by
	// At, then Message); none is an empty result, not an error.
	Fragments(ctx context.Context, chat switchboard.ChatID, sender ParticipantID) ([]Fragment, error)

	// DeleteFragment deletes the fragment stored under (chat, message). It
	// returns ErrNotFound if there is none. Of concurrent deletes of one
	// fragment exactly one returns nil: deleting is how a process claims
	// the right to reveal it (a SQL store checks the deleted row count).
	DeleteFragment(ctx context.Context, chat switchboard.ChatID, message string) error

	// ExpiredFragments returns up to limit fragments whose Until is before
	// now (not at it), earliest Until first, then by Chat and Message;
	// limit <= 0 means no limit. It changes nothing.
	ExpiredFragments(ctx context.Context, now time.Time, limit int) ([]Fragment, error)
}

// ExpireFragments reveals the messages held back by the inbound filter
// whose window closed before now, without a next message from their
// sender completing a card number: each message's stored text is amended
// back to its fragment's text, an [EntryCorrection] is delivered to
// whoever could see the message, and the fragment is deleted. It handles up
// to limit fragments (limit <= 0: all that are due) and returns how many it
// revealed.
//
// A fragment whose message was never stored (the send failed after the
// fragment was put) or no longer is (the session was forgotten) is deleted.
// The fragment is deleted before the message is amended, so that of
// several processes expiring at once only one reveals it; a process that
// stops between the two leaves the message masked. Without
// Config.Fragments there is nothing to expire. The errors of single
// fragments are joined; the others are still handled.
func (m *Manager) ExpireFragments(ctx context.Context, limit int) (int, error) {
	if m.cfg.Fragments == nil {
		return 0, nil
	}
	due, err := m.cfg.Fragments.ExpiredFragments(ctx, m.now(), limit)
	if err != nil {
		return 0, fmt.Errorf("session: expired fragments: %w", err)
	}
	n := 0
	var errs []error
	for _, f := range due {
		ok, err := m.reveal(ctx, f)
		if err != nil {
			errs = append(errs, err)
		} else if ok {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// reveal amends the message f holds back to f.Text and delivers the
// correction, once it has deleted f. It reports whether it revealed it.
func (m *Manager) reveal(ctx context.Context, f Fragment) (bool, error) {
	e, err := m.store.EntryByID(ctx, f.Chat, f.Message)
	if errors.Is(err, ErrNotFound) || err == nil && (e.Type != EntryMessage || e.From != f.Sender) {
		if err := m.cfg.Fragments.DeleteFragment(ctx, f.Chat, f.Message); err != nil && !errors.Is(err, ErrNotFound) {
			return false, fmt.Errorf("session: delete fragment %s in %s: %w", f.Message, f.Chat, err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("session: entry %s of %s: %w", f.Message, f.Chat, err)
	}
	if err := m.cfg.Fragments.DeleteFragment(ctx, f.Chat, f.Message); errors.Is(err, ErrNotFound) {
		return false, nil // another process resolved it
	} else if err != nil {
		return false, fmt.Errorf("session: delete fragment %s in %s: %w", f.Message, f.Chat, err)
	}
	if e.Text == f.Text {
		return false, nil
	}
	fix := correctionOf(&e, f.Text)
	if err := m.store.AmendEntry(ctx, f.Chat, e.Seq, f.Text); err != nil {
		return false, fmt.Errorf("session: amend %s seq %d: %w", f.Chat, e.Seq, err)
	}
	if err := m.write(ctx, f.Chat, func(*Session) ([]Entry, bool, error) { return []Entry{fix}, false, nil }); err != nil {
		return false, err
	}
	return true, nil
}

// correctionOf returns the entry announcing that orig's text is now text,
// to the same audience.
func correctionOf(orig *Entry, text string) Entry {
	return Entry{Type: EntryCorrection, Audience: orig.Audience.clone(), From: orig.From, FromName: orig.FromName, FromRole: orig.FromRole,
		Text: text, Ref: orig.Seq, RefVersion: orig.Version}
}
