package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium for one test; each person in the test
// gets a browser context of their own, as separate people on separate
// machines would.
type browser struct {
	t   *testing.T
	ctx context.Context
	url string
}

// person is one page in its own browser context.
type person struct {
	t    *testing.T
	name string
	ctx  context.Context
}

// newBrowser starts the demo and a headless Chromium, or skips the test
// when there is no Chromium to drive. Both stop when the test ends.
func newBrowser(t *testing.T, opts options) *browser {
	t.Helper()
	b := startChromium(t)
	b.url = startServer(t, opts).url
	return b
}

// startChromium starts a headless Chromium, with no demo, or skips the
// test when there is none to drive. It stops when the test ends.
func startChromium(t *testing.T) *browser {
	t.Helper()
	if raceEnabled {
		t.Skip("browser tests run in the pass without the race detector")
	}
	path := os.Getenv("SWITCHBOARD_CHROMIUM")
	if path == "" {
		path, _ = exec.LookPath("chromium")
	}
	if path == "" {
		t.Skip("no Chromium: install it (apt-get install chromium) or set SWITCHBOARD_CHROMIUM to its path; " +
			"examples/webdemo/.ci/setup does both")
	}
	flags := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.WindowSize(1500, 1000), chromedp.Flag("headless", "new"),
		// On a loaded machine Chromium takes long to start: wait for it
		// rather than fail the test.
		chromedp.WSURLReadTimeout(time.Minute))
	if os.Geteuid() == 0 {
		flags = append(flags, chromedp.NoSandbox)
	}
	// Chromium now and then exits as it starts on a loaded machine: a
	// second try is what a person would do.
	var ctx context.Context
	for try := 1; ; try++ {
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), flags...)
		c, cancel := chromedp.NewContext(alloc)
		err := chromedp.Do(c)
		if err == nil {
			t.Cleanup(func() {
				cancel()
				cancelAlloc()
			})
			ctx = c
			break
		}
		cancel()
		cancelAlloc()
		if try == 3 {
			t.Fatalf("starting %s: %v", path, err)
		}
		t.Logf("starting %s, try %d: %v", path, try, err)
	}
	return &browser{t: t, ctx: ctx}
}

// open opens path of the demo for a new person, in a browser context of
// its own.
func (b *browser) open(name, path string) *person {
	b.t.Helper()
	return b.openURL(name, b.url+path)
}

// openURL opens url for a new person, in a browser context of its own.
func (b *browser) openURL(name, url string) *person {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// The first run opens the tab, which lives as long as that run's
	// context: the person's, not one step's.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: opening a tab: %v", name, err)
	}
	p := &person{t: b.t, name: name, ctx: ctx}
	p.do("open "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
	return p
}

// do runs actions in the person's page, failing the test after 20s.
func (p *person) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %s: %v\npage text: %s", p.name, what, err, p.text())
	}
}

// text is everything the page shows and holds, markup included.
func (p *person) text() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	return html
}

// waitText waits until the element sel holds text.
func (p *person) waitText(sel, text string) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("%s shows %q", sel, text),
		fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, sel, text))
}

// waitJS waits until the expression is true in the page.
func (p *person) waitJS(what, expr string) {
	p.t.Helper()
	p.do("wait until "+what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond)))
}

// never fails the test if the page holds text anywhere, markup included.
func (p *person) never(text string) {
	p.t.Helper()
	if html := p.text(); strings.Contains(html, text) {
		p.t.Fatalf("%s's page holds %q:\n%s", p.name, text, html)
	}
}

// say types text into the input sel and clicks button.
func (p *person) say(input, text, button string) {
	p.t.Helper()
	p.do("type "+text, chromedp.SetValue(chromedp.CSS(input), text), chromedp.Click(chromedp.CSS(button)))
}

func (p *person) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (p *person) choose(sel, value string) {
	p.t.Helper()
	p.do("choose "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// screenshot saves the whole page as name.png in the screenshot folder.
func (p *person) screenshot(dir, name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("%s: screenshot: %v", p.name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// screenshotDir is SWITCHBOARD_SCREENSHOTS, or a folder of the test's.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SWITCHBOARD_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d, err := os.MkdirTemp("", "webdemo-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// loginAgent logs a desktop in as agent, starting in state.
func loginAgent(p *person, agent, state string) {
	p.t.Helper()
	p.choose("#agent", agent)
	p.choose("#initial-state", state)
	p.click("#login-btn")
	p.waitJS("logged in", fmt.Sprintf(`document.getElementById("state").dataset.state === %q`, state))
}

// startChat starts a customer's chat.
func startChat(p *person, name, queue string) {
	p.t.Helper()
	p.do("start", chromedp.SetValue(chromedp.ID("name"), name), chromedp.SetValue(chromedp.ID("queue"), queue),
		chromedp.Click(chromedp.ID("start-btn")))
	p.waitText("#status", "in line")
}

// accept accepts the offer ringing on a desktop and waits for the chat.
func accept(p *person) {
	p.t.Helper()
	p.waitJS("an offer rings", `!!document.querySelector(".offer .countdown")`)
	p.click(".offer .accept")
	p.waitJS("the chat opens", `!!document.querySelector(".chat[data-chat] input.text")`)
}

func waitingOn(sup *person, queue string, n int) {
	sup.t.Helper()
	sup.waitJS(fmt.Sprintf("%d waiting in %s", n, queue),
		fmt.Sprintf(`(document.querySelector('#queues tr[data-key=%q] .waiting')||{}).textContent === %q`, queue, fmt.Sprint(n)))
}

// TestBrowserLifeCycle: a whole chat in the browser. The customer signs in
// and waits with a position; the wallboard counts them; an agent accepts
// the offer and sees the verified address; a whisper and a supervisor's
// coaching never reach the customer's page (SPEC S2, S20), checked after
// every step; options are offered and chosen (SPEC S13); a card number
// reaches the agent and the supervisor masked (SPEC P1); ending asks for
// confirmation (SPEC S10); the customer sees the agent leave and downloads
// a transcript without the whisper.
func TestBrowserLifeCycle(t *testing.T) {
	b := newBrowser(t, options{})
	dir := screenshotDir(t)
	const whisper, coaching = "note: repeat caller", "ask for the order number"

	sup := b.open("supervisor", "/supervisor")
	sup.click("#login-btn")
	sup.waitJS("the wallboard", `!document.getElementById("board-queues").classList.contains("hidden")`)

	customer := b.open("customer", "/")
	customer.click("#signin")
	customer.waitText("#signed-in", "(verified)")
	startChat(customer, "Jane", "support")
	customer.waitText("#status", "You are 1st in line")
	waitingOn(sup, "support", 1)

	ada := b.open("ada", "/agent")
	loginAgent(ada, "ada", "available")
	accept(ada)
	ada.waitText(".chat .verified", "jane@example.com")
	customer.waitText("#status", "chatting with an agent")
	waitingOn(sup, "support", 0)

	steps := []struct {
		what string
		do   func()
	}{
		{"whisper", func() {
			ada.choose(".chat select.mode", "whisper")
			ada.say(".chat input.text", whisper, ".chat button.send")
			ada.waitText(".chat li.private", whisper)
		}},
		{"greeting", func() {
			ada.choose(".chat select.mode", "normal")
			ada.say(".chat input.text", "Hello Jane, how can I help?", ".chat button.send")
			customer.waitText("#messages", "Hello Jane, how can I help?")
		}},
		{"options", func() {
			ada.do("offer options", chromedp.SetValue(chromedp.CSS(".chat input.prompt"), "Is this about an order?"),
				chromedp.SetValue(chromedp.CSS(".chat input.choices-input"), "Yes, No"),
				chromedp.Click(chromedp.CSS(".chat button.offer-options")))
			customer.waitText("#messages li.options", "Is this about an order?")
			customer.click(`#messages button.choice[data-option="o1"]`)
			ada.waitText(".chat li.chosen", "Yes")
		}},
		{"card number", func() {
			customer.say("#text", "my card is 4111 1111 1111 1111", "#send")
			ada.waitText(".chat li.msg", "my card is **** **** **** 1111")
			ada.never("4111 1111 1111 1111")
		}},
		{"monitor", func() {
			sup.waitJS("the live chat", `!!document.querySelector("#live tr button.monitor")`)
			sup.click("#live tr button.coach")
			sup.waitText(".chat li.msg", "**** **** **** 1111")
			sup.waitText(".chat li.private", whisper)
			sup.never("4111 1111 1111 1111")
			sup.say(".chat input.text", coaching, ".chat button.send")
			ada.waitText(".chat li.private", coaching)
		}},
		{"end", func() {
			ada.choose(".chat select.wrap-reason", "resolved")
			ada.click(".chat button.end")
			ada.waitText(".chat .end-warning", "still connected")
			ada.click(".chat .end-warning button.end-confirm")
			ada.waitJS("wrap-up", `document.getElementById("state").dataset.state === "wrap_up"`)
			customer.waitText("#messages li.notice", "left")
		}},
		{"transcript", func() {
			transcript, err := chromedp.Run(customer.ctx, chromedp.Evaluate[string](
				`fetch(document.getElementById("transcript").href).then(r => r.text())`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("downloading the transcript: %v", err)
			}
			if !strings.Contains(transcript, "Ada Lovelace: Hello Jane") || !strings.Contains(transcript, "**** **** **** 1111") ||
				strings.Contains(transcript, whisper) || strings.Contains(transcript, coaching) {
				t.Errorf("transcript:\n%s", transcript)
			}
		}},
	}
	for _, s := range steps {
		s.do()
		customer.never(whisper)
		customer.never(coaching)
		customer.never("4111 1111 1111 1111")
	}
	customer.screenshot(dir, "customer")
	ada.screenshot(dir, "agent")
	sup.screenshot(dir, "supervisor")
}

// TestBrowserRONA: an offer nobody answers rings with a countdown for the
// queue's accept timeout and then turns into RONA on the desktop and the
// wallboard (SPEC R6); the agent sets itself Available and the chat rings
// again.
func TestBrowserRONA(t *testing.T) {
	// Long enough for a loaded machine to show the offer before it ends.
	b := newBrowser(t, options{AcceptTimeout: 4 * time.Second})
	sup := b.open("supervisor", "/supervisor")
	sup.click("#login-btn")
	bob := b.open("bob", "/agent")
	loginAgent(bob, "bob", "available")
	startChat(b.open("customer", "/"), "Ray", "support")

	bob.waitJS("an offer rings", `!!document.querySelector(".offer .countdown")`)
	bob.waitJS("RONA", `document.getElementById("state").dataset.state === "rona"`)
	bob.waitJS("the RONA notice", `!document.getElementById("rona").classList.contains("hidden")`)
	bob.waitJS("the offer stops ringing", `!document.querySelector(".offer")`)
	sup.waitJS("RONA on the wallboard", `!!document.querySelector('#agents tr[data-key="bob"] [data-state="rona"]')`)

	bob.choose("#state-select", "available")
	bob.click("#set-state")
	accept(bob)
}

// TestBrowserTransferToQueue: an agent takes a break and transfers a chat
// to another queue (SPEC T1); the agent of that queue is offered it and
// takes over, and the customer's chat goes on.
func TestBrowserTransferToQueue(t *testing.T) {
	b := newBrowser(t, options{})
	customer := b.open("customer", "/")
	ada := b.open("ada", "/agent")
	cy := b.open("cy", "/agent")
	loginAgent(ada, "ada", "available")
	startChat(customer, "Lee", "support")
	accept(ada)
	loginAgent(cy, "cy", "available")

	ada.choose("#state-select", "not_ready")
	ada.do("reason", chromedp.SetValue(chromedp.ID("state-reason"), "lunch"))
	ada.click("#set-state")
	ada.waitJS("not ready", `document.getElementById("state").dataset.state === "not_ready"`)
	ada.choose(".chat select.transfer-queue", "billing")
	ada.do("note", chromedp.SetValue(chromedp.CSS(".chat input.comment"), "asks about an invoice"))
	ada.click(".chat button.transfer-queue-btn")

	// A chat transferred to a queue waits there as any other: its agent is
	// offered it as a new chat of the queue.
	cy.waitText(".offer", "New chat: Lee")
	cy.waitText(".offer", "billing")
	accept(cy)
	cy.say(".chat input.text", "Hi Lee, billing here.", ".chat button.send")
	customer.waitText("#messages", "Hi Lee, billing here.")
	customer.waitText("#messages li.notice", "Ada Lovelace has left")
}

// TestBrowserConference: an agent invites a colleague (SPEC C2); both see
// the customer's card number masked (SPEC P1) and the file the customer
// sends, after a program was refused; the colleague leaves and the
// customer and the owner see it (SPEC C6, S9), and the chat goes on.
func TestBrowserConference(t *testing.T) {
	b := newBrowser(t, options{})
	customer := b.open("customer", "/")
	ada := b.open("ada", "/agent")
	bob := b.open("bob", "/agent")
	loginAgent(ada, "ada", "available")
	startChat(customer, "Mo", "support")
	accept(ada)
	loginAgent(bob, "bob", "available")

	ada.choose(".chat select.invite-agent", "bob")
	ada.click(".chat button.invite")
	bob.waitText(".offer", "Invitation")
	accept(bob)
	customer.waitText("#messages", "Bob Kahn joined")

	customer.say("#text", "card 5555 5555 5555 4444 please", "#send")
	for _, agent := range []*person{ada, bob} {
		agent.waitText(".chat li.msg", "card **** **** **** 4444 please")
		agent.never("5555 5555 5555 4444")
	}

	// A file the attachment policy refuses is refused with its reason
	// (SPEC A1); a text file goes through to both agents.
	dir := t.TempDir()
	exe, notes := filepath.Join(dir, "setup.exe"), filepath.Join(dir, "order.txt")
	if err := os.WriteFile(exe, []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00 program"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notes, []byte("order 1234, two parcels\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	customer.do("attach a program", chromedp.SetUploadFiles(chromedp.ID("file"), []string{exe}), chromedp.Click(chromedp.ID("attach")))
	customer.waitText("#file-error", "File refused: setup.exe: .exe files are not allowed")
	customer.do("attach a text file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{notes}), chromedp.Click(chromedp.ID("attach")))
	customer.waitText("#messages a.file", "order.txt")
	for _, agent := range []*person{ada, bob} {
		agent.waitText(".chat a.file", "order.txt")
	}

	bob.click(".chat button.leave")
	customer.waitText("#messages li.notice", "Bob Kahn has left")
	ada.waitText(".chat li.notice", "Bob Kahn has left")
	ada.say(".chat input.text", "Still here, Mo.", ".chat button.send")
	customer.waitText("#messages", "Still here, Mo.")
}

// TestBrowserWallboardWaiting: the wallboard's waiting count goes up as
// customers arrive with nobody to take them, down when one leaves, and to
// zero when an agent takes the other.
func TestBrowserWallboardWaiting(t *testing.T) {
	b := newBrowser(t, options{})
	sup := b.open("supervisor", "/supervisor")
	sup.click("#login-btn")
	waitingOn(sup, "billing", 0)
	first, second := b.open("first customer", "/"), b.open("second customer", "/")
	startChat(first, "Ann", "billing")
	waitingOn(sup, "billing", 1)
	startChat(second, "Ben", "billing")
	waitingOn(sup, "billing", 2)
	second.waitText("#status", "You are 2nd in line")

	first.click("#leave")
	first.click("#leave-confirm")
	waitingOn(sup, "billing", 1)
	second.waitText("#status", "You are 1st in line")

	cy := b.open("cy", "/agent")
	loginAgent(cy, "cy", "available")
	accept(cy)
	waitingOn(sup, "billing", 0)
	second.waitText("#status", "chatting with an agent")
}
