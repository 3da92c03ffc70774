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

func (r *recordingStore) AmendEntry(ctx context.Context, chat switchboard.ChatID, seq uint64, text string) error {
	r.record(chat, seq, text)
	return r.Store.AmendEntry(ctx, chat, seq, text)
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
	store     *recordingStore
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
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	bus := routingmem.NewBus()
	b := &complianceBundle{store: &recordingStore{Store: sessionmem.NewStore()}, transport: sessionmem.NewTransport(),
		files: &fileStore{files: map[string]attachment.Accepted{}}, logs: logs, events: bus.Subscribe(nil)}
	policy := attachment.TextPDFImages()
	policy.Scanner = redactor
	eng, err := engine.New(ctx, engine.Config{
		Routing: routingmem.New(routingmem.Config{}), Sessions: b.store, Desktops: bus, Participants: b.transport,
		Clock: mock, Logger: logger, Tracer: engine.LogTracer(logger), Manual: true, Files: b.files,
		Attachments: func(*session.Session) attachment.Policy { return policy },
		Session: session.Config{Filter: engine.RedactingFilter(redactor),
			OnDeliveryError: func(ctx context.Context, chat switchboard.ChatID, to session.ParticipantID, err error) {
				logger.ErrorContext(ctx, "delivery failed", "chat", chat, "to", to, "err", err)
			}},
	})
	require.NoError(t, err)
	_, err = eng.Router().PutQueue(ctx, routing.Queue{ID: "sales", Tenant: "t1"})
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

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func requireNoPAN(t *testing.T, all string) {
	t.Helper()
	require.NotContains(t, all, pan)
	require.NotContains(t, all, "4111 1111 1111 1111")
	require.NotContains(t, digitsOnly(all), pan, "the card number's digits appear together somewhere")
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

func TestSplitCardNumberIsCorrected(t *testing.T) {
	t.Parallel()
	// SPEC P1, P4, P5: a number split over two messages of one sender is
	// caught; the first fragment is masked in the stored log and a
	// correction reaches whoever saw it.
	b := setupCompliant(t)
	first, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "4111 1111"})
	require.NoError(t, err)
	b.clock.Add(10 * time.Second)
	second, err := b.eng.Send(ctx, "c1", session.Message{From: customer, Text: "1111 1111"})
	require.NoError(t, err)
	require.Equal(t, "**** 1111", second.Text)

	views, err := b.m.History(ctx, "c1", annP)
	require.NoError(t, err)
	var corrected bool
	for _, v := range views {
		if v.Seq == first.Seq {
			require.Equal(t, "**** ****", v.Text, "the stored fragment is masked")
		}
		if v.Type == session.EntryCorrection && v.Ref == first.Seq {
			corrected = true
		}
	}
	require.True(t, corrected, "a correction event tells who saw the fragment")
	var delivered bool
	for _, d := range b.transport.Received(annP) {
		if strings.Contains(fmt.Sprintf("%+v", d), "**** ****") {
			delivered = true
		}
	}
	require.True(t, delivered, "the correction is delivered live")
	requireNoPAN(t, b.everything(t, "c1"))
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
