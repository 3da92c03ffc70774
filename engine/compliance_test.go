package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// recordingStore is a session store that keeps a printed copy of every value
// written to it.
type recordingStore struct {
	*sessionmem.Store
	mu  sync.Mutex
	out bytes.Buffer
}

func (r *recordingStore) record(v ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.out, "%+v\n", v)
}

func (r *recordingStore) CreateSession(ctx context.Context, s session.Session, e []session.Entry) ([]session.Entry, error) {
	r.record(s, e)
	return r.Store.CreateSession(ctx, s, e)
}

func (r *recordingStore) UpdateSession(ctx context.Context, s session.Session, e []session.Entry) ([]session.Entry, error) {
	r.record(s, e)
	return r.Store.UpdateSession(ctx, s, e)
}

func (r *recordingStore) AppendEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) ([]session.Entry, error) {
	r.record(chat, v, e)
	return r.Store.AppendEntries(ctx, chat, v, e)
}

// KeepSession records as UpdateSession does.
func (r *recordingStore) KeepSession(ctx context.Context, s *session.Session, e []session.Entry) ([]session.Entry, error) {
	r.record(*s, e)
	return r.Store.KeepSession(ctx, s, e)
}

// KeepEntries records as AppendEntries does.
func (r *recordingStore) KeepEntries(ctx context.Context, chat switchboard.ChatID, v uint64, e []session.Entry) ([]session.Entry, error) {
	r.record(chat, v, e)
	return r.Store.KeepEntries(ctx, chat, v, e)
}

func (r *recordingStore) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	r.record(chat, seq, text)
	return r.Store.AmendEntry(ctx, chat, seq, text)
}

// recordingFragments is a fragment store that keeps a printed copy of every
// fragment written to it, apart from the other outputs: it is the one place
// the held-back digits of a split card number may be.
type recordingFragments struct {
	*sessionmem.FragmentStore
	mu  sync.Mutex
	out bytes.Buffer
}

func (r *recordingFragments) PutFragment(ctx context.Context, f session.Fragment) error {
	r.mu.Lock()
	fmt.Fprintf(&r.out, "%s %q\n", f.Message, f.Text)
	r.mu.Unlock()
	return r.FragmentStore.PutFragment(ctx, f)
}

func (r *recordingFragments) written() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// fileStore keeps accepted attachments in memory.
type fileStore struct {
	mu    sync.Mutex
	files map[string]attachment.Accepted
}

func (f *fileStore) PutFile(_ context.Context, chat switchboard.ChatID, a attachment.Accepted) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ref := fmt.Sprintf("%s/%d", chat, len(f.files)+1)
	f.files[ref] = a
	return ref, nil
}

type complianceBundle struct {
	*bundle
	cfg       engine.Config
	store     *recordingStore
	fragments *recordingFragments
	transport *sessionmem.Transport
	files     *fileStore
	logs      *bytes.Buffer
	events    *routingmem.Subscription
}

// setupCompliant builds an engine whose sessions mask card numbers on the
// way in and whose attachments follow the text/PDF/image preset, scanned by
// the same redactor; every store write, delivery, routing event and log
// line is recorded.
func setupCompliant(t *testing.T) *complianceBundle {
	t.Helper()
	redactor, err := compliance.New(compliance.Config{})
	require.NoError(t, err)
	logs := &bytes.Buffer{}
	// The record's own time is the wall clock's, not the engine's: left in,
	// its digits could line up with a card's by chance and fail the search
	// for digits below. Every attribute the engine logs stays.
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	b := &complianceBundle{store: &recordingStore{Store: sessionmem.NewStore()}, transport: sessionmem.NewTransport(),
		fragments: &recordingFragments{FragmentStore: sessionmem.NewFragmentStore()},
		files:     &fileStore{files: map[string]attachment.Accepted{}}, logs: logs, events: bus.Subscribe(nil)}
	policy := attachment.TextPDFImages()
	policy.Scanner = redactor
	b.cfg = engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: b.store, Desktops: bus, Participants: b.transport,
		Clock: mock, Logger: logger, Tracer: engine.LogTracer(logger), Manual: true, Files: b.files,
		AttachmentPolicies: map[string]attachment.Policy{"text-pdf-images": policy},
		Session: session.Config{Filter: engine.RedactingFilter(redactor), Fragments: b.fragments,
			OnDeliveryError: func(ctx context.Context, chat switchboard.ChatID, to session.ParticipantID, err error) {
				logger.ErrorContext(ctx, "delivery failed", "chat", chat, "to", to, "err", err)
			}},
	}
	eng, err := engine.New(ctx, b.cfg)
	require.NoError(t, err)
	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1",
		Chat: switchboard.ChatSettings{Attachments: "text-pdf-images"}})
	require.NoError(t, err)
	b.bundle = &bundle{eng: eng, router: eng.Router(), m: eng.Sessions(), clock: mock}
	b.login(t, "ann", "Ann")
	b.start(t, "c1")
	_, _, err = eng.Accept(ctx, "ann", b.offer(t, "ann").ID)
	require.NoError(t, err)
	b.settle(t)
	return b
}

// everything returns every output a card number could leak into.
func (b *complianceBundle) everything(t *testing.T, chat switchboard.ChatID) string {
	t.Helper()
	var out strings.Builder
	for _, viewer := range []session.ParticipantID{customer, annP} {
		views, err := b.m.History(ctx, chat, viewer)
		require.NoError(t, err)
		fmt.Fprintf(&out, "%+v\n%+v\n", views, b.transport.Received(viewer))
	}
	transcript, err := b.m.Transcript(ctx, chat)
	require.NoError(t, err)
	log, err := b.m.OrganisationLog(ctx, chat)
	require.NoError(t, err)
	fmt.Fprintf(&out, "%+v\n%+v\n%+v\n", transcript, log, b.events.Drain())
	b.store.mu.Lock()
	out.Write(b.store.out.Bytes())
	b.store.mu.Unlock()
	out.Write(b.logs.Bytes())
	for _, f := range b.files.files {
		fmt.Fprintf(&out, "%+v\n", f)
	}
	return out.String()
}

const pan = "4111111111111111"

// digitsOnly returns the digits of s with the spaces and dashes a card
// number is written with taken out, so "4111 1111" reads "41111111"; any
// other character between digits stays a break ("|"), so that numbers of
// neighbouring fields in a dump ("Seq:4 Version:1") are not read as one.
func digitsOnly(s string) string {
	var b strings.Builder
	brk := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if brk {
				b.WriteByte('|')
				brk = false
			}
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			brk = true
		}
	}
	return b.String()
}

// requireNoPAN fails if all holds the card number, whole or in part: not
// even the first half of a number split over two messages may appear.
func requireNoPAN(t *testing.T, all string) {
	t.Helper()
	require.NotContains(t, all, pan)
	require.NotContains(t, all, "4111 1111 1111 1111")
	require.NotContains(t, digitsOnly(all), pan, "the card number's digits appear together somewhere")
	require.NotContains(t, all, "4111 1111", "the first fragment of a split number appears somewhere")
	require.NotContains(t, digitsOnly(all), "41111111", "the first fragment's digits appear together somewhere")
}

// heldFor returns the fragments the fragment store holds for the customer.
func (b *complianceBundle) heldFor(t *testing.T) []session.Fragment {
	t.Helper()
	held, err := b.fragments.Fragments(ctx, "c1", customer)
	require.NoError(t, err)
	return held
}

// corrections returns the texts of the corrections of seq that viewer
// received live.
func (b *complianceBundle) corrections(viewer session.ParticipantID, seq uint64) []string {
	var out []string
	for _, d := range b.transport.Received(viewer) {
		if d.Item.Type == session.EntryCorrection && d.Item.Ref == seq {
			out = append(out, d.Item.Text)
		}
	}
	return out
}

// textOf returns the text of the message seq as viewer sees it now.
func (b *complianceBundle) textOf(t *testing.T, viewer session.ParticipantID, seq uint64) string {
	t.Helper()
	views, err := b.m.History(ctx, "c1", viewer)
	require.NoError(t, err)
	for _, v := range views {
		if v.Seq == seq {
			return v.Text
		}
	}
	t.Fatalf("no message %d for %s", seq, viewer)
	return ""
}

// deliveredText returns the texts of the messages viewer received live.
func (b *complianceBundle) deliveredText(viewer session.ParticipantID) []string {
	var out []string
	for _, d := range b.transport.Received(viewer) {
		if d.Item.Type == session.EntryMessage {
			out = append(out, d.Item.Text)
		}
	}
	return out
}

func TestCardNumbersAreMaskedOnTheWayIn(t *testing.T) {
	t.Parallel()
	// SPEC P1, P5: a message holding a card number is masked before anyone
	// sees or stores it: no store write, delivery, view, transcript, log,
	// event or log line ever holds the number.
	b := setupCompliant(t)
	sent, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "my card is 4111 1111 1111 1111, exp 12/27"})
	require.NoError(t, err)
	require.Equal(t, "my card is **** **** **** 1111, exp **/**", sent.Text)
	views, err := b.m.History(ctx, "c1", annP)
	require.NoError(t, err)
	require.Contains(t, texts(views), "my card is **** **** **** 1111, exp **/**")
	requireNoPAN(t, b.everything(t, "c1"))
}

func TestSplitCardNumberIsMaskedFromTheStart(t *testing.T) {
	t.Parallel()
	// SPEC P1, P4, P5: a number split over two messages of one sender is a
	// card number: its first half is masked before anyone sees or stores
	// it, the held-back digits live only in the fragment store, and once
	// the second half completes the number the mask stays and the fragment
	// is gone.
	b := setupCompliant(t)
	first, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "4111 1111"})
	require.NoError(t, err)
	require.Equal(t, "**** ****", first.Text)
	require.Equal(t, []string{"**** ****"}, b.deliveredText(annP), "delivered masked, separators kept")
	require.Equal(t, "**** ****", b.textOf(t, annP, first.Seq))
	held := b.heldFor(t)
	require.Len(t, held, 1)
	require.Equal(t, b.clock.Now().Add(2*time.Minute), held[0].Until, "held until the split window closes")
	require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", held[0], held[0], held[0], held[0]), "4111", "a fragment never prints its text")
	requireNoPAN(t, b.everything(t, "c1"))

	b.clock.Add(10 * time.Second)
	second, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "1111 1111"})
	require.NoError(t, err)
	require.Equal(t, "**** 1111", second.Text)
	require.Empty(t, b.heldFor(t), "the fragment is deleted once the number is complete")
	require.Empty(t, b.corrections(annP, first.Seq), "no correction: the first half was never shown")
	require.Equal(t, "**** ****", b.textOf(t, annP, first.Seq))

	b.clock.Add(5 * time.Minute)
	b.settle(t)
	require.Equal(t, "**** ****", b.textOf(t, annP, first.Seq), "the mask stays after the window")
	require.Empty(t, b.corrections(annP, first.Seq))
	requireNoPAN(t, b.everything(t, "c1"))
	// The fragment store is the one place the digits were, and only until
	// the second half arrived.
	require.Contains(t, b.fragments.written(), `"4111 1111"`)
}

func TestHeldDigitsNotCompletedAreRevealed(t *testing.T) {
	t.Parallel()
	// SPEC P1, P4: digits at the end of a message are held back until the
	// sender's next message; when it does not complete a card number they
	// were never one, and a correction reveals them to whoever saw the
	// message.
	b := setupCompliant(t)
	first, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "it says 4111 1111"})
	require.NoError(t, err)
	require.Equal(t, "it says **** ****", first.Text)
	requireNoPAN(t, b.everything(t, "c1"))
	require.Len(t, b.heldFor(t), 1)

	b.clock.Add(10 * time.Second)
	second, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "thanks"})
	require.NoError(t, err)
	require.Equal(t, "thanks", second.Text)
	require.Empty(t, b.heldFor(t), "released with the next message")
	for _, viewer := range []session.ParticipantID{customer, annP} {
		require.Equal(t, "it says 4111 1111", b.textOf(t, viewer, first.Seq), "the stored message is revealed")
		require.Equal(t, []string{"it says 4111 1111"}, b.corrections(viewer, first.Seq), "and the correction delivered")
	}
	require.Equal(t, []string{"it says **** ****", "thanks"}, b.deliveredText(annP), "the message itself was delivered masked")
}

func TestHeldDigitsAreRevealedWhenTheWindowCloses(t *testing.T) {
	t.Parallel()
	// SPEC P1, P4: with no next message, the held-back digits are revealed
	// once the split window has closed, by whoever settles the engine.
	b := setupCompliant(t)
	first, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "4111 1111"})
	require.NoError(t, err)

	b.clock.Add(2 * time.Minute)
	b.settle(t)
	require.Len(t, b.heldFor(t), 1, "held to the end of the window")
	require.Equal(t, "**** ****", b.textOf(t, annP, first.Seq))
	requireNoPAN(t, b.everything(t, "c1"))

	b.clock.Add(time.Second)
	b.settle(t)
	require.Empty(t, b.heldFor(t))
	require.Equal(t, "4111 1111", b.textOf(t, annP, first.Seq))
	require.Equal(t, []string{"4111 1111"}, b.corrections(annP, first.Seq))

	// A later message of the same sender starts afresh.
	second, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "1111 1111"})
	require.NoError(t, err)
	require.Equal(t, "**** ****", second.Text, "held in its turn")
	require.Equal(t, "4111 1111", b.textOf(t, annP, first.Seq))
}

func TestHeldDigitsSurviveTheEngine(t *testing.T) {
	t.Parallel()
	// SPEC P1, P4: the deadline is stored: an engine built after the one
	// that held the digits back stopped, over the same stores, reveals
	// them when the window closes, or keeps the mask when the next message
	// completes the number.
	b := setupCompliant(t)
	first, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "4111 1111"})
	require.NoError(t, err)
	b.eng = nil // the engine stops here

	again, err := engine.New(ctx, b.cfg)
	require.NoError(t, err)
	b.clock.Add(3 * time.Minute)
	require.NoError(t, again.Settle(ctx))
	require.Empty(t, b.heldFor(t))
	require.Equal(t, "4111 1111", b.textOf(t, annP, first.Seq))
	require.Equal(t, []string{"4111 1111"}, b.corrections(annP, first.Seq))

	// The other way: the next message goes through another engine.
	b.transport.Reset()
	third, err := again.Send(ctx, "c1", session.Message{From: customer, Text: "5500 0000"})
	require.NoError(t, err)
	require.Equal(t, "**** ****", third.Text)
	other, err := engine.New(ctx, b.cfg)
	require.NoError(t, err)
	b.clock.Add(5 * time.Second)
	fourth, err := other.Send(ctx, "c1", session.Message{From: customer, Text: "0000 0004"})
	require.NoError(t, err)
	require.Equal(t, "**** 0004", fourth.Text)
	b.clock.Add(5 * time.Minute)
	require.NoError(t, other.Settle(ctx))
	require.Empty(t, b.heldFor(t))
	require.Equal(t, "**** ****", b.textOf(t, annP, third.Seq), "the mask stays")
	require.Empty(t, b.corrections(annP, third.Seq))
	require.NotContains(t, digitsOnly(fmt.Sprint(b.transport.Received(annP))), "55000000")
}

func TestAttachmentsThroughTheEngine(t *testing.T) {
	t.Parallel()
	b := setupCompliant(t)

	// SPEC P2, P5: a text attachment holding a card number is not sent, and
	// nothing of it is stored; the refusal names the file and a reason.
	_, err := b.eng.SendFiles(ctx, "c1", session.Message{From: customer, Text: "see attached"},
		[]attachment.Upload{{Name: "details.txt", Body: strings.NewReader("card: 4111 1111 1111 1111\n")}})
	require.ErrorIs(t, err, attachment.ErrSensitiveContent)
	var rejected *attachment.RejectedError
	require.ErrorAs(t, err, &rejected)
	require.Equal(t, "details.txt", rejected.Name)
	require.Empty(t, b.files.files)
	views, err := b.m.History(ctx, "c1", annP)
	require.NoError(t, err)
	require.NotContains(t, texts(views), "see attached", "nothing is sent")

	// SPEC A4, S5: a file sent in whisper mode is as private as the text.
	sent, err := b.eng.SendFiles(ctx, "c1", session.Message{From: annP, Mode: session.ModeWhisper, Text: "internal notes"},
		[]attachment.Upload{{Name: "notes.txt", Body: strings.NewReader("customer asked twice\n")}})
	require.NoError(t, err)
	forAgent, err := b.m.History(ctx, "c1", annP)
	require.NoError(t, err)
	var files []session.File
	for _, v := range forAgent {
		if v.Seq == sent.Seq {
			files = v.Files
		}
	}
	require.Len(t, files, 1)
	require.Equal(t, "notes.txt", files[0].Name)
	require.Contains(t, b.files.files, files[0].Ref)
	forCustomer, err := b.m.History(ctx, "c1", customer)
	require.NoError(t, err)
	for _, v := range forCustomer {
		require.Empty(t, v.Files, "the customer never sees a private attachment")
	}

	// SPEC A5: a renamed executable is refused.
	_, err = b.eng.SendFiles(ctx, "c1", session.Message{From: annP, Text: "invoice"},
		[]attachment.Upload{{Name: "invoice.pdf", Body: strings.NewReader("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + strings.Repeat("\x00", 64))}})
	require.Error(t, err)
	require.True(t, errors.Is(err, attachment.ErrExecutable) || errors.Is(err, attachment.ErrTypeMismatch), "got %v", err)
	requireNoPAN(t, b.everything(t, "c1"))

	// SPEC A3: without a file store or policy, attachments are off.
	plain := setup(t)
	plain.login(t, "ann", "Ann")
	plain.start(t, "c1")
	_, _, err = plain.eng.Accept(ctx, "ann", plain.offer(t, "ann").ID)
	require.NoError(t, err)
	_, err = plain.eng.SendFiles(ctx, "c1", session.Message{From: annP, Text: "x"}, nil)
	require.ErrorIs(t, err, attachment.ErrDisabled)
}
