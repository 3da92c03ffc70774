package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// WaitEstimator estimates how long a customer of queue with position chats
// ahead of it (0: it is next) will wait from now. It returns false when it
// has no estimate. [Config].Wait takes one, such as the statistics'
// (stats.Estimator); the engine calls it for every position notice, never
// while holding a lock. A notice's own Position counts from 1: the
// estimator is asked with one less.
type WaitEstimator interface {
	EstimateWait(ctx context.Context, queue switchboard.QueueID, position int, now time.Time) (time.Duration, bool)
}

// positions remembers, per process, the position each waiting customer was
// last told, and when positions were last computed.
type positions struct {
	mu   sync.Mutex
	last map[switchboard.ChatID]int
	next time.Time
}

// due reports whether an interval has passed since the last pass, and
// starts a new one if so.
func (p *positions) due(now time.Time, every time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Before(p.next) {
		return false
	}
	p.next = now.Add(every)
	return true
}

func (p *positions) told(chat switchboard.ChatID) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.last[chat]
	return n, ok
}

func (p *positions) tell(chat switchboard.ChatID, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last = make(map[switchboard.ChatID]int)
	}
	p.last[chat] = n
}

// keep forgets every chat but those in seen: chats no longer waiting, such
// as ones another process saw end. A chat forgotten that waits again is
// compared with its session's log.
func (p *positions) keep(seen map[switchboard.ChatID]struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := range p.last {
		if _, ok := seen[id]; !ok {
			delete(p.last, id)
		}
	}
}

// unseen returns the chats remembered that are not in seen.
func (p *positions) unseen(seen map[switchboard.ChatID]struct{}) []switchboard.ChatID {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []switchboard.ChatID
	for id := range p.last {
		if _, ok := seen[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

func (p *positions) forget(chat switchboard.ChatID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.last, chat)
}

// requeueReasons maps the reasons of routing's ChatQueued events to what the
// customer is told; a reason not listed tells the customer nothing (an
// offer it never knew of was rejected or withdrawn).
var requeueReasons = map[string]struct {
	kind   session.NoticeKind
	reason string
}{
	"":                           {session.NoticeQueued, ""},
	routing.ReasonAgentLoggedOut: {session.NoticeRequeued, session.RequeuedAgentLeft},
	routing.ReasonTimedOut:       {session.NoticeRequeued, session.RequeuedNoAnswer},
	routing.ReasonTransferFailed: {session.NoticeRequeued, session.RequeuedTransferFailed},
	routing.ReasonNoResponse:     {session.NoticeRequeued, session.RequeuedReassigned},
	routing.ReasonTransferred:    {session.NoticeTransferred, ""},
	// A chat its agent returned: the customer is told it waits again,
	// never why.
	routing.ReasonReturned: {session.NoticeRequeued, ""},
}

// notice tells the customer what one routing event means for its wait
// (SPEC H5, H6, H7). The notice's ID is derived from the event's place in
// routing's log, so processing the event again after a crash stores it
// once.
func (e *Engine) notice(ctx context.Context, ev *routing.Event) error {
	switch ev.Type {
	case routing.ChatQueued:
	case routing.ChatOffered:
		if ev.Kind != routing.TransferOffer {
			return nil
		}
		// Told while the transfer is out, before the target joins; a
		// transfer settled already is not announced late.
		c, err := e.router.Chat(ctx, ev.Chat)
		if errors.Is(err, routing.ErrChatNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.State != routing.Assigned || c.Invitation.Offer != ev.Offer {
			return nil
		}
		n := session.Notice{Kind: session.NoticeTransferred}
		return e.notify(ctx, ev.Chat, "routing-"+strconv.FormatUint(ev.Seq, 10), n)
	case routing.ChatAssigned, routing.ChatEnded, routing.ChatDone:
		e.positions.forget(ev.Chat)
		return nil
	default:
		return nil
	}
	r, ok := requeueReasons[ev.Reason]
	if !ok {
		return nil
	}
	c, err := e.router.Chat(ctx, ev.Chat)
	if errors.Is(err, routing.ErrChatNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.State != routing.Queued && c.State != routing.Offered {
		return nil // an agent has it already: the customer sees it join
	}
	ahead, exact, err := e.store.Position(ctx, c.ID)
	if err != nil {
		return err
	}
	n := session.Notice{Kind: r.kind, Position: ahead + 1, Reason: r.reason, Approximate: !exact}
	e.estimate(ctx, &n, c.Queue)
	if err := e.notify(ctx, c.ID, "routing-"+strconv.FormatUint(ev.Seq, 10), n); err != nil {
		return err
	}
	e.positions.tell(c.ID, n.Position)
	return nil
}

// notifyPositions tells every waiting customer whose position moved since
// it was last told its new position, queue by queue: one pass costs one
// read of each queue's waiting chats and of each one's position, however
// many routing events moved them. The notice's ID names the interval and
// the position, so two processes telling the same customer the same
// position in one interval store it once; a customer this process has not
// told anything is compared with the last notice in its session's log. It
// returns how many customers it told.
func (e *Engine) notifyPositions(ctx context.Context) (int, error) {
	now := e.cfg.Clock.Now()
	interval := strconv.FormatInt(now.UnixNano()/int64(e.cfg.PositionEvery), 10)
	queues, err := e.router.Queues(ctx)
	if err != nil {
		return 0, err
	}
	told := 0
	var errs []error
	seen := make(map[switchboard.ChatID]struct{})
	for _, q := range queues {
		ids, err := e.store.Waiting(ctx, q.ID, 0, 0)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		aheads, exact, err := e.aheadOf(ctx, ids)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i, id := range ids {
			pos := aheads[i] + 1
			seen[id] = struct{}{}
			last, ok := e.positions.told(id)
			if !ok {
				// Not told by this process: the session's log says what the
				// customer was last told.
				n, found, err := e.sessions.LastNotice(ctx, id)
				if err != nil && !errors.Is(err, session.ErrNotFound) {
					errs = append(errs, err)
					continue
				}
				last, ok = n.Position, found || err != nil
			}
			if ok && last == pos {
				e.positions.tell(id, pos)
				continue
			}
			n := session.Notice{Kind: session.NoticePosition, Position: pos, Approximate: !exact}
			e.estimate(ctx, &n, q.ID)
			if err := e.notify(ctx, id, "position-"+interval+"-"+strconv.Itoa(pos), n); err != nil {
				errs = append(errs, err)
				continue
			}
			e.positions.tell(id, pos)
			told++
		}
	}
	// Chats told before that Waiting left out: offered now, or parked
	// (routing passes over them until an agent who could take them
	// changes), which still wait and may have moved.
	for _, id := range e.positions.unseen(seen) {
		n, err := e.remembered(ctx, id, interval)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n >= 0 {
			seen[id] = struct{}{}
			if n > 0 {
				told++
			}
		}
	}
	if len(errs) > 0 {
		return told, fmt.Errorf("engine: position notices: %w", errors.Join(errs...))
	}
	e.positions.keep(seen)
	return told, nil
}

// remembered tells the customer of a chat this process told a position,
// and that Waiting left out, its new position if it is still queued and
// moved. It returns 1 if it told it, 0 if the chat still waits (queued or
// offered) and was not told, -1 if it no longer waits.
func (e *Engine) remembered(ctx context.Context, id switchboard.ChatID, interval string) (int, error) {
	c, err := e.router.Chat(ctx, id)
	if errors.Is(err, routing.ErrChatNotFound) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	switch c.State {
	case routing.Offered:
		return 0, nil
	case routing.Queued:
	default:
		return -1, nil
	}
	ahead, exact, err := e.store.Position(ctx, id)
	if err != nil {
		return 0, err
	}
	pos := ahead + 1
	if last, ok := e.positions.told(id); ok && last == pos {
		return 0, nil
	}
	n := session.Notice{Kind: session.NoticePosition, Position: pos, Approximate: !exact}
	e.estimate(ctx, &n, c.Queue)
	if err := e.notify(ctx, id, "position-"+interval+"-"+strconv.Itoa(pos), n); err != nil {
		return 0, err
	}
	e.positions.tell(id, pos)
	return 1, nil
}

// aheadOf returns how many chats are ahead of each of ids, a queue's queued
// chats in queue order. The i-th has the i before it ahead, plus the
// offered chats among them, a count that never decreases along the queue;
// where it is the same at both ends of a stretch it is the same all along,
// so the store's Position is asked at the ends of stretches only: twice
// for a queue with no offered chat amid its queued ones, O(k log n) times
// for k of them. A chat that left the queue meanwhile counts as in place;
// the next pass corrects it. exact is false when the store answered any
// of them with an estimate: the counts between are estimates too.
func (e *Engine) aheadOf(ctx context.Context, ids []switchboard.ChatID) (out []int, exact bool, err error) {
	out, exact = make([]int, len(ids)), true
	if len(ids) == 0 {
		return out, exact, nil
	}
	at := func(i int) (int, error) {
		n, ok, err := e.store.Position(ctx, ids[i])
		if errors.Is(err, routing.ErrChatNotFound) {
			return i, nil
		}
		exact = exact && ok
		return n, err
	}
	var fill func(lo, hi, alo, ahi int) error
	fill = func(lo, hi, alo, ahi int) error {
		if ahi-alo == hi-lo || hi-lo <= 1 {
			for i := lo; i <= hi; i++ {
				out[i] = alo + (i - lo)
			}
			out[hi] = ahi
			return nil
		}
		mid := lo + (hi-lo)/2
		amid, err := at(mid)
		if err != nil {
			return err
		}
		if err := fill(lo, mid, alo, amid); err != nil {
			return err
		}
		return fill(mid, hi, amid, ahi)
	}
	first, err := at(0)
	if err != nil {
		return nil, false, err
	}
	last := len(ids) - 1
	lastAhead, err := at(last)
	if err != nil {
		return nil, false, err
	}
	err = fill(0, last, first, lastAhead)
	return out, exact, err
}

// estimate adds the configured estimate of the wait to n.
func (e *Engine) estimate(ctx context.Context, n *session.Notice, q switchboard.QueueID) {
	if e.cfg.Wait == nil || n.Position == 0 {
		return
	}
	n.Wait, n.Estimated = e.cfg.Wait.EstimateWait(ctx, q, n.Position-1, e.cfg.Clock.Now())
	if n.Wait < 0 {
		n.Wait, n.Estimated = 0, false
	}
}

// notify writes notice n to the chat's customer. A chat with no session
// (routed alone) or one that is not a customer's is skipped.
func (e *Engine) notify(ctx context.Context, chat switchboard.ChatID, id string, n session.Notice) error {
	err := e.sessions.Notify(ctx, chat, id, n, NoticeText(n))
	if errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrInvalid) {
		return nil
	}
	return err
}

// NoticeText says notice n in words fit for a customer, in English: what
// the engine writes as the notice's text. A host showing another language
// builds its own from the notice's fields.
func NoticeText(n session.Notice) string {
	var s string
	switch n.Kind {
	case session.NoticeQueued:
		s = "You are " + place(n) + " in the queue."
	case session.NoticePosition:
		s = "You are now " + place(n) + " in the queue."
	case session.NoticeRequeued:
		switch n.Reason {
		case session.RequeuedAgentLeft:
			s = "Your agent is no longer available, so you are back in the queue for the next agent."
		case session.RequeuedNoAnswer:
			s = "We are still finding an agent for you."
		case session.RequeuedTransferFailed:
			s = "The transfer could not be completed, so you are back in the queue for the next agent."
		case session.RequeuedReassigned:
			s = "Another agent will be with you shortly."
		default:
			s = "You are back in the queue for the next agent."
		}
		s += " You are " + place(n) + " in the queue."
	case session.NoticeTransferred:
		if n.Position == 0 {
			return "You are being transferred to another agent. Please stay in the chat."
		}
		s = "You are being transferred to another team. You are " + place(n) + " in the queue."
	default:
		return ""
	}
	if n.Estimated {
		s += " " + waitText(n.Wait)
	}
	return s
}

// place says the notice's position in words: "number 3", or "about
// number 3" when the position is an estimate (SPEC W8).
func place(n session.Notice) string {
	if n.Approximate {
		return "about number " + strconv.Itoa(n.Position)
	}
	return "number " + strconv.Itoa(n.Position)
}

// waitText says an estimated wait in words.
func waitText(d time.Duration) string {
	m := int((d + 30*time.Second) / time.Minute)
	switch {
	case m < 1:
		return "An agent should be with you in less than a minute."
	case m == 1:
		return "The estimated wait is about 1 minute."
	}
	return "The estimated wait is about " + strconv.Itoa(m) + " minutes."
}
