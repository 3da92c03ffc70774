package enginetest_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/engine/enginetest"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

var support = []switchboard.QueueID{"support"}

func twoAgents() enginetest.Options {
	return enginetest.Options{
		Queues: []routing.Queue{{ID: "support", AcceptTimeout: 30 * time.Second,
			Chat: switchboard.ChatSettings{WrapUpReasons: []string{"resolved"}}}},
		Agents: []enginetest.Agent{
			{ID: "ada", Profile: routing.Profile{DisplayName: "Ada", Queues: support}},
			{ID: "bob", Profile: routing.Profile{DisplayName: "Bob", Queues: support}},
		},
	}
}

// fatalT stands in for a test so that a test can read the failure a method
// reports: Fatalf records the message and ends the goroutine, as
// testing.T's does.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// failure runs fn with f and returns the message of the failure fn
// reported, or "" if it reported none.
func failure(f *fatalT, fn func(tb testing.TB)) string {
	f.msg = ""
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.msg
}

func TestKitLogsAgentsInAndHonoursTheirStates(t *testing.T) {
	t.Parallel()
	opts := twoAgents()
	opts.Agents[0].State = routing.NotReady
	k := enginetest.New(t, opts)
	if got := k.Agent("ada").State; got != routing.NotReady {
		t.Fatalf("ada is %s, want NotReady", got)
	}
	if got := k.Agent("ada").Profile.DisplayName; got != "Ada" {
		t.Fatalf("ada's name is %q", got)
	}
	k.StartChat("c1", "support")
	if k.HasOffer("ada", "c1") {
		t.Fatal("an agent who is not ready was offered the chat")
	}
	k.Accept("bob", "c1")
	if c := k.Chat("c1"); c.State != routing.Assigned || c.Agent != "bob" {
		t.Fatalf("chat is %s with %q, want Assigned with bob", c.State, c.Agent)
	}
	if !k.Now().Equal(enginetest.Epoch) {
		t.Fatalf("clock moved without Advance: %s", k.Now())
	}
}

func TestAdvanceExpiresOffersAndReportsRONAOnTheDesktop(t *testing.T) {
	t.Parallel()
	k := enginetest.New(t, twoAgents())
	k.StartChat("c1", "support")
	k.Offer("ada", "c1")
	k.Advance(29 * time.Second)
	if !k.HasOffer("ada", "c1") {
		t.Fatal("the offer expired before its accept timeout")
	}
	k.Advance(time.Second)
	if k.HasOffer("ada", "c1") {
		t.Fatal("the offer outlived its accept timeout")
	}
	want := []string{"AgentLoggedIn", "ChatOffered", "OfferResolved", "AgentStateChanged"}
	if got := k.DesktopTypes("ada"); !slices.Equal(got, want) {
		t.Fatalf("ada's desktop received %v, want %v", got, want)
	}
	last := k.Desktop("ada")[3]
	if last.State != routing.RONA {
		t.Fatalf("ada's last event is %s, want a change to RONA", last)
	}
	for _, e := range k.Desktop("bob") {
		if e.Agent != "bob" {
			t.Fatalf("bob's desktop received %s", e)
		}
	}
	k.Offer("bob", "c1")
	if got := k.Now().Sub(enginetest.Epoch); got != 30*time.Second {
		t.Fatalf("the clock moved %s, want 30s", got)
	}
}

func TestSawFollowsTheVisibilityRule(t *testing.T) {
	t.Parallel()
	k := enginetest.New(t, twoAgents())
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	k.CustomerSays("c1", "Hello")
	k.AgentWhispers("c1", "ada", "VIP")
	k.AgentSays("c1", "ada", "Hi")
	k.End("c1", "ada", "resolved")
	customer := []string{"* chat started", "* You are number 1 in the queue.", "* Ada joined", "Customer: Hello", "Ada: Hi", "* agent has left"}
	if got := k.CustomerSaw("c1"); !slices.Equal(got, customer) {
		t.Fatalf("the customer saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(customer, "\n"))
	}
	// The queue has no wrap-up time: the wrap-up is over at once, and
	// the session closes (SPEC K3).
	ada := []string{"* Ada joined", "* Ada now owns the chat", "Customer: Hello", "Ada (private): VIP", "Ada: Hi",
		"* agent has left", "* conversation ended: resolved", "* chat closed"}
	if got := k.AgentSaw("c1", "ada"); !slices.Equal(got, ada) {
		t.Fatalf("ada saw\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(ada, "\n"))
	}
	if got := k.AgentSaw("c1", "bob"); len(got) != 0 {
		t.Fatalf("bob, who never joined, saw %v", got)
	}
}

func TestSawShowsCorrectedText(t *testing.T) {
	t.Parallel()
	// SPEC K1: a card number split over two messages shows masked in both,
	// as a client that applies corrections shows it.
	redactor, err := compliance.New(compliance.Config{})
	if err != nil {
		t.Fatal(err)
	}
	opts := twoAgents()
	opts.Configure = func(c *engine.Config) {
		c.Session.Filter = engine.RedactingFilter(redactor)
		c.Session.Fragments = sessionmem.NewFragmentStore()
	}
	k := enginetest.New(t, opts)
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	k.CustomerSays("c1", "my card is 4111 1111")
	k.CustomerSays("c1", "1111 1111")
	for _, who := range [][]string{k.CustomerSaw("c1"), k.AgentSaw("c1", "ada")} {
		text := strings.Join(who, "\n")
		if strings.Contains(text, "4111") || strings.Contains(text, "1111 1111") {
			t.Fatalf("the card number shows:\n%s", text)
		}
		if !strings.Contains(text, "Customer: my card is") {
			t.Fatalf("the first message is gone:\n%s", text)
		}
	}
}

func TestLinesOrderDeduplicateAndCorrect(t *testing.T) {
	t.Parallel()
	// SPEC K1: deliveries arrive out of order and more than once; a client
	// shows each entry once, in order, with corrections applied.
	views := []session.View{
		{Seq: 3, Type: session.EntryCorrection, Ref: 1, Text: "card ****"},
		{Seq: 2, Type: session.EntryMessage, FromName: "Ada", Text: "thanks", Files: []session.File{{Name: "a.pdf"}}},
		{Seq: 1, Type: session.EntryMessage, FromName: "Grace", Text: "card 4111"},
		{Seq: 2, Type: session.EntryMessage, FromName: "Ada", Text: "thanks", Files: []session.File{{Name: "a.pdf"}}},
		{Seq: 4, Type: session.EntryOptionsOffered, FromName: "Ada", Text: "Which?", Options: []session.Option{{ID: "a", Label: "A"}, {ID: "b", Label: "B"}}},
		{Seq: 5, Type: session.EntryLeft, SubjectName: "Ada"},
		{Seq: 6, Type: session.EntryCustomerLeft, SubjectName: "Grace", Text: "customer has left"},
	}
	want := []string{"Grace: card ****", "Ada: thanks [a.pdf]", "Ada offers: Which? [A | B]", "* Ada left", "* customer has left"}
	if got := enginetest.Lines(views); !slices.Equal(got, want) {
		t.Fatalf("Lines = %q, want %q", got, want)
	}
	if views[0].Seq != 3 {
		t.Fatal("Lines reordered its argument")
	}
}

func TestFailuresSayWhereTheChatIs(t *testing.T) {
	t.Parallel()
	// SPEC K2: a method's failure names the agent, the chat and where the
	// chat is, in the words of routing.
	f := &fatalT{TB: t}
	k := enginetest.New(f, twoAgents())
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	msg := failure(f, func(tb testing.TB) {
		k.Offer("bob", "c1")
	})
	for _, want := range []string{"bob has no offer of chat c1", "chat c1 is Assigned in queue support with agent ada", "bob's offers: none"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("failure %q does not say %q", msg, want)
		}
	}
	msg = failure(f, func(tb testing.TB) {
		enginetest.New(tb, enginetest.Options{Configure: func(c *engine.Config) { c.Retention = -time.Second }})
	})
	if !strings.Contains(msg, "negative Retention") {
		t.Fatalf("failure %q does not name the bad setting", msg)
	}
	msg = failure(f, func(tb testing.TB) {
		enginetest.New(tb, enginetest.Options{Agents: []enginetest.Agent{{ID: "ada", Profile: routing.Profile{Queues: []switchboard.QueueID{"nowhere"}}}}})
	})
	if !strings.Contains(msg, "agent ada cannot log in") {
		t.Fatalf("failure %q does not name the agent", msg)
	}
	if msg := failure(f, func(testing.TB) { k.CustomerSays("c9", "hello") }); !strings.Contains(msg, "chat c9 was not started by this Kit") {
		t.Fatalf("failure %q", msg)
	}
	k.Start(engine.StartRequest{ID: "c2", Queue: "support", Bot: "Botty"})
	if msg := failure(f, func(testing.TB) { k.CustomerSaw("c2") }); !strings.Contains(msg, "chat c2 was started for its bot, with no customer yet") {
		t.Fatalf("failure %q", msg)
	}
	msg = failure(f, func(tb testing.TB) {
		k.Advance(-time.Second)
	})
	if !strings.Contains(msg, "time only moves forward") {
		t.Fatalf("failure %q", msg)
	}
	if msg := failure(f, func(tb testing.TB) { k.Offers("ada") }); msg != "" {
		t.Fatalf("a method that succeeded reported %q", msg)
	}
}

func TestTheEngineStopsWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var k *enginetest.Kit
	t.Run("inner", func(t *testing.T) {
		k = enginetest.New(t, twoAgents())
		if err := k.Context().Err(); err != nil {
			t.Fatalf("context ended early: %v", err)
		}
	})
	if k.Context().Err() == nil {
		t.Fatal("the Kit's context outlived its test")
	}
}

func TestConfigureCannotUnhookTheRecorders(t *testing.T) {
	t.Parallel()
	opts := twoAgents()
	opts.Configure = func(c *engine.Config) { c.Participants = session.Discard{} }
	k := enginetest.New(t, opts)
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	if got := k.CustomerSaw("c1"); len(got) == 0 {
		t.Fatal("the customer's deliveries were not recorded")
	}
}

func TestLicenceLimitOption(t *testing.T) {
	t.Parallel()
	opts := twoAgents()
	opts.LicenceLimit = 1
	k := enginetest.New(t, opts)
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	k.StartChat("c2", "support")
	if k.HasOffer("bob", "c2") {
		t.Fatal("a second chat was offered beyond the licence limit")
	}
	k.End("c1", "ada", "resolved")
	if c := k.Chat("c2"); c.State != routing.Offered {
		t.Fatalf("c2 is %s once the licence is free, want Offered", c.State)
	}
}

func TestTransportsUnderTestSeeWhatTheKitRecords(t *testing.T) {
	t.Parallel()
	bus := routingmem.NewBus()
	ada := bus.Subscribe(routingmem.ForAgent("ada"))
	inbox := sessionmem.NewTransport()
	opts := twoAgents()
	opts.Desktops, opts.Participants = bus, inbox
	k := enginetest.New(t, opts)
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	k.AgentWhispers("c1", "ada", "VIP")
	var got []string
	for _, e := range ada.Drain() {
		got = append(got, e.Type.String())
	}
	if want := k.DesktopTypes("ada"); !slices.Equal(got, want) {
		t.Fatalf("the desktop transport got %v, the Kit recorded %v", got, want)
	}
	customer := k.Customer("c1")
	if got, want := enginetest.Lines(views(inbox.Received(customer))), k.CustomerSaw("c1"); !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("the participant transport got %q, the Kit recorded %q", got, want)
	}
	if got := enginetest.Lines(views(inbox.Received(session.AgentParticipant("ada")))); !slices.Contains(got, "Ada (private): VIP") {
		t.Fatalf("the participant transport missed the whisper to ada: %q", got)
	}
}

func views(ds []session.Delivery) []session.View {
	out := make([]session.View, len(ds))
	for i, d := range ds {
		out[i] = d.Item
	}
	return out
}

// blobs is a file store under test.
type blobs struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (b *blobs) PutFile(ctx context.Context, chat switchboard.ChatID, f attachment.Accepted) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ref := fmt.Sprintf("%s/%x", chat, f.SHA256[:8])
	b.files[ref] = slices.Clone(f.Content)
	return ref, nil
}

func (b *blobs) read(ref string) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.files[ref]
}

func TestAFileStoreUnderTest(t *testing.T) {
	t.Parallel()
	store := &blobs{files: map[string][]byte{}}
	policy := attachment.TextPDFImages()
	policy.SkipScan = true
	k := enginetest.New(t, enginetest.Options{
		Queues: []routing.Queue{{ID: "support", Chat: switchboard.ChatSettings{Attachments: "files"}}},
		Agents: []enginetest.Agent{{ID: "ada", Profile: routing.Profile{DisplayName: "Ada", Queues: support}}},
		Configure: func(c *engine.Config) {
			c.Files, c.AttachmentPolicies = store, map[string]attachment.Policy{"files": policy}
		},
	})
	k.StartChat("c1", "support")
	k.Accept("ada", "c1")
	ada := session.AgentParticipant("ada")
	sent, err := k.Engine.SendFiles(k.Context(), "c1", session.Message{From: ada, Text: "your label"},
		[]attachment.Upload{{Name: "label.txt", Body: strings.NewReader("RETURN TO: Warehouse 4\n")}})
	if err != nil {
		t.Fatal(err)
	}
	k.Settle()
	if got := k.CustomerSaw("c1"); !slices.Contains(got, "Ada: your label [label.txt]") {
		t.Fatalf("the customer saw %q", got)
	}
	views, err := k.Sessions.History(k.Context(), "c1", ada)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(views, func(v session.View) bool { return v.Seq == sent.Seq })
	if i < 0 || len(views[i].Files) != 1 {
		t.Fatalf("the message with the file is not in ada's history: %v", views)
	}
	if got := string(store.read(views[i].Files[0].Ref)); got != "RETURN TO: Warehouse 4\n" {
		t.Fatalf("the store holds %q", got)
	}
	six := make([]attachment.Upload, 6)
	for i := range six {
		six[i] = attachment.Upload{Name: fmt.Sprintf("f%d.txt", i), Body: strings.NewReader("x")}
	}
	if _, err := k.Engine.SendFiles(k.Context(), "c1", session.Message{From: ada, Text: "six"}, six); err == nil {
		t.Fatal("six files were accepted")
	}
	if len(store.files) != 1 {
		t.Fatalf("a refused message stored files: %d in the store", len(store.files))
	}
}

// crm is a contacts port under test.
type crm map[switchboard.CustomerID]session.Contact

func (c crm) Contact(ctx context.Context, _ switchboard.TenantID, id switchboard.CustomerID) (session.Contact, error) {
	if ct, ok := c[id]; ok {
		return ct, nil
	}
	return session.Contact{}, fmt.Errorf("%w: %s", session.ErrNotFound, id)
}

func (c crm) History(context.Context, switchboard.TenantID, switchboard.CustomerID, int) ([]session.ContactRecord, error) {
	return nil, nil
}

func TestContactsUnderTest(t *testing.T) {
	t.Parallel()
	opts := twoAgents()
	opts.Configure = func(c *engine.Config) {
		c.Session.Contacts = crm{"grace": {Customer: "grace", Name: "Grace Hopper"}}
	}
	k := enginetest.New(t, opts)
	k.Start(engine.StartRequest{ID: "c1", Queue: "support", Customer: "grace", CustomerName: "Grace"})
	k.Accept("ada", "c1")
	got, err := k.Sessions.ContactInfo(k.Context(), "c1", "ada")
	if err != nil || got.Name != "Grace Hopper" {
		t.Fatalf("ContactInfo = %+v, %v", got, err)
	}
	if _, err := k.Sessions.ContactInfo(k.Context(), "c1", "bob"); err == nil {
		t.Fatal("an agent not in the chat read the customer's details")
	}
	page, err := k.Sessions.Directory(k.Context(), "ada", session.DirectoryQuery{})
	if err != nil || page.Total != 1 || page.Agents[0].Name != "Bob" {
		t.Fatalf("ada's directory = %+v, %v", page, err)
	}
}
