package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Message is one message of a sender, as given to [Redactor.RedactNext].
type Message struct {
	// ID identifies the message to the caller; corrections name earlier
	// messages by it. It must not be empty.
	ID string
	// Sender identifies who wrote the message. A [Tail] only joins messages
	// of one sender: a message of another sender starts afresh.
	Sender string
	// Text is the raw text of the message.
	Text string
	// At is when the message was sent, read from the host's clock.
	At time.Time
}

// Correction replaces the text of an earlier message whose end turned out
// to be the start of a card number.
type Correction struct {
	// ID is the earlier message's [Message.ID].
	ID string
	// Text is the earlier message's corrected text. It replaces the text
	// that was delivered and stored.
	Text string
	// Findings describes what was masked, with offsets in Text.
	Findings []Finding
}

// String describes the correction without revealing any original digit.
func (c Correction) String() string {
	return fmt.Sprintf("correction of %s: %q %v", c.ID, c.Text, c.Findings)
}

// Next is the outcome of [Redactor.RedactNext]: the new message masked, and
// the corrections of earlier messages.
type Next struct {
	// Result is the new message's masked text and findings.
	Result
	// Corrections lists the earlier messages to correct, oldest first; nil
	// when there are none.
	Corrections []Correction
}

// Tail is what a caller keeps, per chat and sender, between two calls of
// [Redactor.RedactNext]: the most recent messages of the sender that end
// with digits that might be the start of a card number, as delivered.
//
// A Tail is a value; the zero value is empty. RedactNext never changes the
// Tail it is given; it returns the one to keep instead. A Tail is bounded by
// [SplitConfig]: at most Messages messages of at most MaxBytes bytes each,
// less than 19 pending digits, and no older than Within; whatever falls out
// of the window is dropped. The digits it holds were already delivered
// (unless the caller delivered [Tail.Pending] instead) and are the only
// trace of them: keep a Tail in memory only, never store or log it, and
// drop it when the chat ends. Its String and Format methods
// print only the number of messages.
type Tail struct {
	// state is a closure rather than a pointer: reflection cannot reach
	// what a closure holds, so no printing of a Tail, even one held in an
	// unexported field of another struct, can show the text.
	state func() *tailState
}

// tailState is the content of a Tail; it is never changed once built.
type tailState struct {
	sender string
	msgs   []tailMsg // oldest first
	until  time.Time // when the window of the oldest message closes
}

// tailMsg is one message of a Tail: its delivered text and the byte range
// of the digits at its end that may continue in the next message.
type tailMsg struct {
	id         string
	at         time.Time
	text       string
	frag, fend int
}

// Len returns the number of messages held.
func (t Tail) Len() int {
	if t.state == nil {
		return 0
	}
	return len(t.state().msgs)
}

// String implements fmt.Stringer without revealing the text held.
func (t Tail) String() string { return fmt.Sprintf("compliance.Tail{messages: %d}", t.Len()) }

// GoString implements fmt.GoStringer without revealing the text held.
func (t Tail) GoString() string { return t.String() }

// Format implements fmt.Formatter: every verb prints [Tail.String].
func (t Tail) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// RedactNext masks the new message m of a sender like [Redactor.Redact],
// and also catches a card number split over the end of earlier messages of
// the same sender and the start of m ("4111 1111" then "1111 1111"),
// within the window of [Config.Split]. It returns the masked message, the
// corrections of earlier messages (whose digits must be masked
// retroactively), and the Tail to keep for the sender's next message.
//
// The caller keeps one Tail per chat and sender, passes it with each new
// message of that sender in order, and replaces it with the returned one.
// It must apply every correction to its stored copy of the named message
// and tell the recipients. RedactNext is a pure function: it has no effect
// besides its results. It returns ErrMessageID, and the given Tail, for a
// message without ID.
func (r *Redactor) RedactNext(t Tail, m Message) (Next, Tail, error) {
	if m.ID == "" {
		return Next{}, t, ErrMessageID
	}
	if r.set.splitMessages < 0 {
		return Next{Result: r.Redact(m.Text)}, Tail{}, nil
	}
	msgs := r.live(t, m)
	if len(msgs) == 0 || !startsWithDigit(m.Text) {
		marks, ops, last := r.analyze(m.Text, true)
		res := Result{Text: m.Text}
		if len(marks) > 0 {
			res.Text, res.Findings = apply(m.Text, 0, len(m.Text), ops, marks)
		}
		return Next{Result: res}, r.nextTail(nil, nil, m, m.Text, 0, ops, last), nil
	}

	// Join the pending digits of the earlier messages and the new text with
	// a separator like the ones the sender uses, and read them as one text.
	join := joiner(msgs, m.Text)
	var b strings.Builder
	bases := make([]int, len(msgs))
	for i, pm := range msgs {
		bases[i] = b.Len()
		b.WriteString(pm.text[pm.frag:pm.fend])
		b.WriteRune(join)
	}
	base := b.Len()
	b.WriteString(m.Text)
	joined := b.String()

	marks, _, last := r.analyze(joined, true)
	marks = r.mergeSplit(marks, base, m.Text)
	var ops []op
	for _, mk := range marks {
		ops = r.opsFor(joined, mk, ops)
	}
	next := Next{Result: Result{Text: m.Text}}
	if len(marks) > 0 {
		next.Text, next.Findings = apply(joined, base, len(joined), ops, marks)
	}
	rechecked := false
	if len(marks) > 0 {
		before := next.Text
		next.Result = r.recheck(next.Result)
		rechecked = next.Text != before
	}
	corrected := false
	for i, pm := range msgs {
		lo, hi := bases[i], bases[i]+pm.fend-pm.frag
		if !touches(ops, lo, hi) {
			continue
		}
		corrected = true
		mid, findings := apply(joined, lo, hi, ops, marks)
		for k := range findings {
			findings[k].Start += pm.frag
			findings[k].End += pm.frag
		}
		next.Corrections = append(next.Corrections, Correction{
			ID:       pm.id,
			Text:     pm.text[:pm.frag] + mid + pm.text[pm.fend:],
			Findings: findings,
		})
	}
	if corrected {
		msgs = nil // a number was completed: nothing earlier stays pending
	}
	if rechecked {
		return next, Tail{}, nil // what is delivered is no longer what ops describe
	}
	return next, r.nextTail(msgs, bases, m, joined, base, ops, last), nil
}

// joiner returns the separator to put between fragments: the first
// separator the sender wrote inside them or at the start of the new text,
// or a space.
func joiner(msgs []tailMsg, next string) rune {
	for _, pm := range msgs {
		for _, r := range pm.text[pm.frag:pm.fend] {
			if sepClass(r) != sepNone {
				return r
			}
		}
	}
	for _, r := range next[leadingSpace(next):] {
		if sepClass(r) != sepNone {
			return r
		}
		if digitValue(r) < 0 {
			break
		}
	}
	return ' '
}

// mergeSplit combines what was found in the joined text (marks, with the
// new text at base) with what is found in the new text alone. Only a card
// that crosses into the new text is taken from the joined text, with
// whatever follows it there; everything else comes from the new text alone,
// so that the earlier digits never hide a card of the new message.
func (r *Redactor) mergeSplit(marks []mark, base int, text string) []mark {
	first := -1
	for i, mk := range marks {
		if mk.kind == KindCard && mk.start < base && mk.end > base {
			first = i
			break
		}
	}
	own, _, _ := r.analyze(text, false)
	for i := range own {
		own[i].start += base
		own[i].end += base
	}
	if first < 0 {
		return own
	}
	joined := marks[first:]
	merged := slices.Clone(joined)
	k := 0
	for _, mk := range own {
		for k < len(joined) && joined[k].end <= mk.start {
			k++
		}
		if k < len(joined) && joined[k].start < mk.end {
			continue // overlaps what the joined text found
		}
		merged = append(merged, mk)
	}
	slices.SortStableFunc(merged, func(a, b mark) int { return a.start - b.start })
	return merged
}

// recheck looks at the masked new message on its own: digits that the
// split number left visible may, read without the earlier fragments, form
// a number of their own. What it finds is masked too, so that nothing
// detectable is ever delivered.
func (r *Redactor) recheck(res Result) Result {
	more, ops, _ := r.analyze(res.Text, false)
	if len(more) == 0 {
		return res
	}
	for _, f := range res.Findings {
		more = append(more, mark{kind: f.Kind, brand: f.Brand, digits: f.Digits, start: f.Start, end: f.End, split: f.Split})
	}
	slices.SortStableFunc(more, func(a, b mark) int { return a.start - b.start })
	text, findings := apply(res.Text, 0, len(res.Text), ops, more)
	return Result{Text: text, Findings: findings}
}

// live returns the messages of t that m may continue: none if t belongs to
// another sender, if the oldest is out of the time window, or if time went
// backwards.
func (r *Redactor) live(t Tail, m Message) []tailMsg {
	if t.Len() == 0 || t.state().sender != m.Sender {
		return nil
	}
	msgs := t.state().msgs
	oldest, newest := msgs[0].at, msgs[len(msgs)-1].at
	if m.At.Before(newest) || m.At.Sub(oldest) > r.set.splitWithin {
		return nil
	}
	return msgs
}

// nextTail builds the Tail to keep after m. joined is the text that was
// analysed, m's text starting at base in it; msgs are the earlier messages
// that were joined before it, bases where their digits are in joined; last
// describes the last chain of joined.
func (r *Redactor) nextTail(msgs []tailMsg, bases []int, m Message, joined string, base int, ops []op, last chainInfo) Tail {
	if !last.valid || !last.open || strings.TrimRight(joined[last.end:], " \t\r\n") != "" {
		return Tail{}
	}
	if last.start >= base && trapBefore(r.trap, joined, last.start) {
		return Tail{} // labelled as an order, tracking or phone number
	}
	delivered, _ := apply(joined, base, len(joined), ops, nil)
	if len(delivered) > r.set.splitMaxBytes {
		return Tail{}
	}
	pm := posMapper{s: joined, lo: base, hi: len(joined), ops: ops}
	var kept []tailMsg
	fragStart := last.start
	if last.start < base {
		// The pending digits began in an earlier message: keep it and every
		// one after it, and all of m is pending digits.
		kept = keptFrom(msgs, bases, last.start)
		if kept == nil {
			return Tail{}
		}
		fragStart = base + leadingSpace(m.Text)
	}
	if len(kept)+1 > r.set.splitMessages {
		return Tail{}
	}
	own := tailMsg{id: m.ID, at: m.At, text: delivered, frag: pm.at(fragStart), fend: pm.at(last.end)}
	out := make([]tailMsg, 0, len(kept)+1)
	out = append(out, kept...)
	st := &tailState{sender: m.Sender, msgs: append(out, own)}
	st.until = st.msgs[0].at.Add(r.set.splitWithin)
	return Tail{state: func() *tailState { return st }}
}

// keptFrom returns the messages whose pending digits start at offset
// start of the joined text (bases[i] is where message i's digits are) and
// all the later ones.
func keptFrom(msgs []tailMsg, bases []int, start int) []tailMsg {
	for i := range msgs {
		if start == bases[i] {
			return msgs[i:]
		}
	}
	return nil
}

// touches reports whether an edit falls in [lo, hi).
func touches(ops []op, lo, hi int) bool {
	for _, o := range ops {
		if o.start < hi && o.end > lo {
			return true
		}
	}
	return false
}

// startsWithDigit reports whether s starts, after at most two spaces, with
// a decimal digit of any script.
func startsWithDigit(s string) bool {
	i := leadingSpace(s)
	if i > 2 || i >= len(s) {
		return false
	}
	r, _ := decodeAt(s, i)
	return digitValue(r) >= 0
}

func leadingSpace(s string) int {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// Until returns when the split window of t closes: a message of the
// sender sent after it starts afresh, so nothing t holds can still begin a
// card number. It is the zero time for an empty Tail.
func (t Tail) Until() time.Time {
	if t.state == nil {
		return time.Time{}
	}
	return t.state().until
}

// Pending returns the text of the message with ID id as t holds it (as
// delivered) with the digits at its end that may continue in the sender's
// next message replaced by '*', every separator kept ("4111 1111" becomes
// "**** ****"). It reports false when t does not hold that message.
//
// A caller that must not deliver any digit of a card number, not even the
// first part of one split over two messages, delivers this text instead of
// the one [Redactor.RedactNext] returned, and delivers the unmasked text
// only once the next message shows that no card number was split (the
// message then falls out of the Tail without a correction).
func (t Tail) Pending(id string) (string, bool) {
	if t.state == nil {
		return "", false
	}
	for _, pm := range t.state().msgs {
		if pm.id != id {
			continue
		}
		var b strings.Builder
		b.Grow(len(pm.text))
		b.WriteString(pm.text[:pm.frag])
		for _, r := range pm.text[pm.frag:pm.fend] {
			if digitValue(r) >= 0 {
				b.WriteByte('*')
			} else {
				b.WriteRune(r)
			}
		}
		b.WriteString(pm.text[pm.fend:])
		return b.String(), true
	}
	return "", false
}
