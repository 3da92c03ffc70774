package routing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
)

const (
	defaultAcceptTimeout = 30 * time.Second
	dispatchBatch        = 32
)

// Config holds the optional settings of a [Router]. The zero Config is valid.
type Config struct {
	// Clock is the source of time for every timestamp and deadline. Tests
	// pass clock.NewMock(). Defaults to clock.New(), the real clock.
	Clock clock.Clock
	// Logger receives errors the router cannot return, such as a failed
	// Publish after a committed transition. Defaults to discarding them.
	Logger *slog.Logger
	// SweepInterval is how often [Router.Run] expires due deadlines and
	// routes waiting chats. Defaults to 500ms.
	SweepInterval time.Duration
	// MaxRetries is how many times a transition is retried after losing a
	// compare-and-set race before [ErrConflict] is returned. Defaults to 64.
	MaxRetries int
	// MaxOverflowHops is how many times a chat may overflow before it ends
	// with [EndEscalated], so overflow queues that point at each other cannot
	// pass a chat around forever. Defaults to 8.
	MaxOverflowHops int
	// Rand returns a random integer in [0, n) for the [Random] strategy.
	// Defaults to math/rand/v2's IntN.
	Rand func(n int) int
	// LicenceShards is the number of records a licence limit set by
	// [Router.SetLicenceLimit] is split over. With one, every first offer
	// and every end in the system writes the same record; with N, chats
	// take units from N records, so concurrent routers contend on them
	// about N times less (8 suits several routers on one database). The
	// shard count is stored with the licence when this router sets a
	// limit; every router takes and frees units by the stored count, so
	// only the routers that set limits need it. Defaults to 1.
	LicenceShards int
	// DisconnectGrace is how long an agent whose connection was lost
	// ([Router.Disconnect]) stays logged in, offered nothing, with its
	// chats waiting for it, before it is logged out (SPEC H2). The
	// deadline is stored in the agent's record when it disconnects, so
	// the grace of the router that saw the disconnect applies. Defaults to
	// 0: a disconnect logs the agent out at once.
	DisconnectGrace time.Duration
}

func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.SweepInterval <= 0 {
		c.SweepInterval = 500 * time.Millisecond
	}
	if c.MaxRetries <= 0 {
		c.MaxRetries = 64
	}
	if c.MaxOverflowHops <= 0 {
		c.MaxOverflowHops = 8
	}
	if c.Rand == nil {
		c.Rand = rand.IntN
	}
	if c.LicenceShards <= 0 {
		c.LicenceShards = 1
	}
	return c
}

// Router routes chats to agents. It keeps no state of its own: every record
// lives in the [Store], every transition is one compare-and-set commit, and
// every deadline is stored data. Several Routers, in one process or in
// several over one shared database, can serve the same queues.
//
// Each transition's events go into its commit, so the store's [EventLog]
// holds every event of every committed transition; the [Transport] then
// carries them live, best effort. When the store cannot tell whether a
// commit applied ([ErrOutcomeUnknown]), the router asks [TxnLog.Applied]:
// an applied commit carries on as committed, one that did not apply is
// retried like a conflict, and if the store cannot answer (after a few
// tries) the method returns an error wrapping [ErrOutcomeUnknown]. The
// transition may then have happened; the caller re-reads the state.
//
// A Router is safe for concurrent use. It never holds a lock while calling
// the store or the transport.
type Router struct {
	store     Store
	loader    AgentLoader // the store, if it can read agents into a record
	transport Transport
	cfg       Config
}

// New returns a Router over store and transport.
func New(store Store, transport Transport, cfg Config) (*Router, error) {
	if store == nil {
		return nil, invalid("store", "nil")
	}
	if transport == nil {
		return nil, invalid("transport", "nil")
	}
	if cfg.DisconnectGrace < 0 {
		return nil, invalid("disconnect grace", "negative")
	}
	r := &Router{store: store, transport: transport, cfg: cfg.withDefaults()}
	r.loader, _ = store.(AgentLoader)
	return r, nil
}

// Clock returns the router's clock.
func (r *Router) Clock() clock.Clock { return r.cfg.Clock }

// do runs one transition: op reads records into w and changes them; the
// changes and the events are committed as one compare-and-set, retried from
// scratch on a conflict. After the commit the events are published and the queues the
// transition freed agents or chats in are routed.
func (r *Router) do(ctx context.Context, op func(w *work) error) error {
	w := workPool.Get().(*work)
	defer func() {
		w.reset()
		workPool.Put(w)
	}()
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("routing: %w", err)
		}
		w.reset()
		w.r, w.ctx, w.now, w.attempt = r, ctx, r.cfg.Clock.Now(), attempt
		err := op(w)
		if err == nil {
			err = w.wake()
		}
		if err != nil {
			if errors.Is(err, errStale) && attempt < r.cfg.MaxRetries {
				continue
			}
			return err
		}
		if w.dirty() || len(w.events) > 0 {
			err := r.commit(ctx, w)
			if errors.Is(err, ErrConflict) && attempt < r.cfg.MaxRetries {
				continue
			}
			if err != nil {
				return fmt.Errorf("routing: commit: %w", err)
			}
		}
		r.publish(ctx, w.events)
		r.follow(ctx, w)
		return nil
	}
}

// commit commits w's writes with its events under a fresh transaction ID.
// When the store cannot tell whether the commit applied, it asks the store's
// [TxnLog]: a commit that applied is a success, one that did not is retried
// like a conflict (the error wraps [ErrConflict]), and if the store still
// cannot tell the error wraps [ErrOutcomeUnknown].
func (r *Router) commit(ctx context.Context, w *work) error {
	txn := w.txn()
	txn.ID, txn.Events = w.ids.next(), w.events
	err := r.store.Commit(ctx, txn)
	if err == nil {
		w.committed(&txn)
	}
	if !errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	applied, aerr := r.applied(ctx, txn.ID)
	switch {
	case aerr != nil:
		return fmt.Errorf("%w; asking whether transaction %s applied: %w", err, txn.ID, aerr)
	case applied:
		return nil
	}
	return fmt.Errorf("transaction %s did not apply: %w", txn.ID, ErrConflict)
}

// appliedTries is how many times the router asks [TxnLog.Applied] before it
// gives up.
const appliedTries = 3

// applied asks the store whether transaction id committed, a few times while
// the store fails to answer.
func (r *Router) applied(ctx context.Context, id string) (bool, error) {
	var err error
	for range appliedTries {
		var ok bool
		if ok, err = r.store.Applied(ctx, id); err == nil {
			return ok, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return false, err
}

// publish sends a committed transition's events to the transport. It is
// best effort: a failure is logged, since the events are in the store's
// [EventLog] already.
func (r *Router) publish(ctx context.Context, events []Event) {
	if len(events) == 0 {
		return
	}
	if err := r.transport.Publish(ctx, events...); err != nil {
		r.cfg.Logger.ErrorContext(ctx, "routing: publish failed", "err", err, "events", len(events))
	}
}

// follow routes the queues a committed transition made room in.
func (r *Router) follow(ctx context.Context, w *work) {
	var err error
	switch {
	case w.routeAll:
		err = r.routeAll(ctx)
	case len(w.route) > 0:
		err = r.routeQueues(ctx, w.route)
	}
	if err != nil && ctx.Err() == nil {
		r.cfg.Logger.ErrorContext(ctx, "routing: routing after a transition failed; the sweeper will retry", "err", err)
	}
}

// PutQueue creates or replaces a queue's configuration. Chats and agents of
// the queue are kept; waiting chats are routed under the new settings.
func (r *Router) PutQueue(ctx context.Context, q Queue) (Queue, error) {
	q, err := normaliseQueue(q)
	if err != nil {
		return Queue{}, err
	}
	var out Queue
	err = r.do(ctx, func(w *work) error {
		cur, err := w.queue(q.ID)
		switch {
		case isNotFound(err):
			cur = w.queues.alloc()
			*cur = q // overwrites the whole record
			cur.Version = 0
		case err != nil:
			return err
		default:
			version := cur.Version
			*cur = q
			cur.Version = version
		}
		w.touchQueue(cur)
		w.routeQueue(q.ID)
		// Its chats' requirements may have changed: every parked chat of
		// the queue is looked at again.
		st, err := w.queueState(q.ID)
		if err != nil {
			return err
		}
		for i := range st.Epochs {
			st.Epochs[i].Epoch++
		}
		w.touchQueueState(st)
		out = *cur
		return nil
	})
	if err != nil {
		return Queue{}, fmt.Errorf("routing: put queue %s: %w", q.ID, err)
	}
	out.Version++
	return out, nil
}

// SetLicenceLimit sets the system-wide limit on concurrent chats (SPEC R7).
// Zero removes the limit. Lowering it below the units in use takes no chat
// away; new offers wait until enough chats end. Setting a limit where there
// was none counts the chats that hold a unit already.
//
// The limit is split over [Config.LicenceShards] licence shards, written in
// one transaction with the shard count N. A change of the limit or of N
// rewrites every shard, old ones beyond N included, and the store recounts
// each shard's units from the chats: a chat counts on shard
// [Chat.LicenceShard] mod N, so the units of shards dropped move onto the
// ones that remain. The shards are written [Licence.Unbalanced]; a second
// transaction then fits each shard's share to its count (limit/N each when
// no chat holds a unit, the first limit%N one more), so that the units in
// use stay within the limit however they sat on the shards. Should the
// router stop between the two, the next transition that takes or frees a
// unit fits them.
func (r *Router) SetLicenceLimit(ctx context.Context, limit int) error {
	if limit < 0 {
		return invalid("licence limit", "negative")
	}
	n := r.cfg.LicenceShards
	err := r.do(ctx, func(w *work) error {
		base, err := w.licenceBase()
		if err != nil {
			return err
		}
		w.routeAll = true
		if limit == base.Total && (limit == 0 || n == base.Shards) {
			return nil
		}
		all := max(base.Shards, n)
		w.growLicences(all)
		for i := range all {
			l, err := w.licenceShard(i)
			if err != nil {
				return err
			}
			*l = Licence{Shard: i, Shards: n, Total: limit, Unbalanced: limit > 0, Version: l.Version}
			w.lics[i].dirty = true
		}
		// Without a limit nothing counts units. With one the store counts
		// every shard as it commits: a transition that took or freed a unit
		// read a shard this transaction writes (or checked shard 0), so it
		// either commits first and is counted, or conflicts and retries
		// under the new limit.
		w.dirtyLicence, w.countLicence = true, limit > 0
		return nil
	})
	if err != nil || limit == 0 {
		return err
	}
	return r.do(ctx, func(w *work) error {
		w.routeAll = true
		_, err := w.limitedBase()
		return err
	})
}

// Login logs agent id in with profile, in the profile's LoginState:
// Available unless it says NotReady with a reason (SPEC R1, H1).
// Every queue of the profile must exist. An agent that is logged in already
// gets [ErrAlreadyLoggedIn]; log it out first to change its profile.
func (r *Router) Login(ctx context.Context, id switchboard.AgentID, p Profile) (Agent, error) {
	p, err := normaliseProfile(id, p)
	if err != nil {
		return Agent{}, err
	}
	var out Agent
	err = r.do(ctx, func(w *work) error {
		for _, q := range p.Queues {
			if _, err := w.queue(q); err != nil {
				return err
			}
		}
		a, err := w.agent(id)
		switch {
		case isNotFound(err):
			a = w.agents.alloc()
			*a = Agent{ID: id}
		case err != nil:
			return err
		case a.State != LoggedOut:
			return ErrAlreadyLoggedIn
		}
		a.Profile = p
		a.Used = make([]int, len(p.Capacity))
		a.WrapUps, a.Work = 0, nil
		a.State, a.Reason, a.StateSince, a.IdleSince = p.LoginState, p.LoginReason, w.now, w.now
		a.DisconnectedAt, a.GraceUntil = time.Time{}, time.Time{}
		w.touchAgent(a)
		if a.State == Available {
			w.routeAgent(a)
		}
		w.emit(Event{Type: AgentLoggedIn, Agent: id, State: a.State, Reason: a.Reason})
		out = *a
		// The work's records are reused: the caller gets its own slices.
		out.Profile.Queues = slices.Clone(out.Profile.Queues)
		out.Profile.Capacity = slices.Clone(out.Profile.Capacity)
		out.Profile.Skills = slices.Clone(out.Profile.Skills)
		out.Used = slices.Clone(out.Used)
		out.Profile.Interrupts = slices.Clone(out.Profile.Interrupts)
		return nil
	})
	if err != nil {
		return Agent{}, fmt.Errorf("routing: login %s: %w", id, err)
	}
	out.Version++
	return out, nil
}

// Logout logs the agent out (SPEC R17). Its pending offers are withdrawn and
// their chats go back to their queues at their original position (a
// withdrawn invite or transfer tells its sender with [InviteFailed] or
// [TransferFailed]); its wrap-ups are completed. A chat it owns passes to
// its longest-present consultant, if it has one, so the customer keeps the
// agent it already talks to; otherwise it is re-queued at its original
// position, so no customer is left with no agent. It leaves the chats it is
// a consultant in, and invites and transfers it made are withdrawn.
func (r *Router) Logout(ctx context.Context, id switchboard.AgentID) error {
	return r.logout(ctx, id, ReasonLogout)
}

func (r *Router) logout(ctx context.Context, id switchboard.AgentID, reason string) error {
	if err := validateID("agent ID", id); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		a, err := w.agent(id)
		if err != nil {
			return err
		}
		if a.State == LoggedOut {
			return ErrLoggedOut
		}
		return w.logoutAgent(a, reason)
	})
	if err != nil {
		return fmt.Errorf("routing: %s %s: %w", reason, id, err)
	}
	return nil
}

// logoutAgent logs a out with reason: see [Router.Logout].
func (w *work) logoutAgent(a *Agent, reason string) error {
	id := a.ID
	if err := w.withdrawAgentOffers(a); err != nil {
		return err
	}
	chats, err := w.r.store.AgentChats(w.ctx, id)
	if err != nil {
		return err
	}
	for i := range chats {
		c, err := w.chat(chats[i].ID)
		if err != nil {
			return err
		}
		if i := c.HoldIndex(id); i >= 0 {
			if err := w.finishHold(c, i); err != nil {
				return err
			}
		}
		switch {
		case c.Owns(id):
			if err := w.ownerLeft(c); err != nil {
				return err
			}
		case c.State == Assigned && slices.Contains(c.Consultants, id):
			if err := w.removeConsultant(c, slices.Index(c.Consultants, id), ReasonLogout); err != nil {
				return err
			}
		case c.State == InWrapUp && c.Agent == id:
			if err := w.finishWrapUp(c); err != nil {
				return err
			}
		}
	}
	a.State, a.Reason, a.StateSince = LoggedOut, reason, w.now
	a.DisconnectedAt, a.GraceUntil = time.Time{}, time.Time{}
	a.Used, a.WrapUps, a.Work = make([]int, len(a.Profile.Capacity)), 0, nil
	w.touchAgent(a)
	w.routeAgent(a) // chats that waited for this agent as preferred move on
	w.emit(Event{Type: AgentLoggedOut, Agent: id, Reason: reason})
	return nil
}

// SetState changes the agent's own state (SPEC R2): to [Available], or to
// [NotReady] with a reason code. Leaving Available withdraws the agent's
// pending offers at no cost to it; chats in progress continue (SPEC R8).
// Setting Available ends RONA and leaves WrapUp early (the chats in wrap-up
// keep their slots until they complete).
func (r *Router) SetState(ctx context.Context, id switchboard.AgentID, s State, reason string) error {
	if err := validateID("agent ID", id); err != nil {
		return err
	}
	switch s {
	case Available:
		reason = ""
	case NotReady:
		if reason == "" {
			return invalid("reason", "NotReady needs a reason code")
		}
	default:
		return invalid("state", "agents can set only Available or NotReady, not "+s.String())
	}
	err := r.do(ctx, func(w *work) error {
		a, err := w.agent(id)
		if err != nil {
			return err
		}
		if a.State == LoggedOut {
			return ErrLoggedOut
		}
		return w.setAgentState(a, s, reason)
	})
	if err != nil {
		return fmt.Errorf("routing: set state of %s: %w", id, err)
	}
	return nil
}

// ChatRequest describes a chat to route.
type ChatRequest struct {
	// ID of the chat; required and unique.
	ID switchboard.ChatID
	// Queue to route it through; required.
	Queue    switchboard.QueueID
	Customer Customer
	// Priority relative to the queue's other chats. Defaults to 0.
	Priority int
	// Skills needed beyond the queue's. Defaults to none.
	Skills []SkillRequirement
	// Transcript of the bot conversation before routing; it travels with
	// the chat to the accepting agent (SPEC R11).
	Transcript []Turn
	// Preferred names an agent to try first, such as the customer's last
	// agent; the chat waits the queue's PreferredWait for it unless it is
	// logged out. Defaults to none.
	Preferred switchboard.AgentID
	// Reopens is how many times the chat's session was reopened, for
	// [Router.Reopen]; it is kept as [Chat.Reopens]. Defaults to 0.
	Reopens uint64
}

// Enqueue creates a customer chat in a queue and routes it. The returned
// chat is [Offered] when an agent could take it at once, else [Queued].
func (r *Router) Enqueue(ctx context.Context, req ChatRequest) (Chat, error) {
	if err := req.validate(); err != nil {
		return Chat{}, fmt.Errorf("routing: enqueue: %w", err)
	}
	var out Chat
	seq := new(uint64)
	err := r.do(ctx, func(w *work) error {
		w.returnSeq(req.ID, seq)
		q, err := w.queue(req.Queue)
		if err != nil {
			return err
		}
		if err := w.checkNew(req.ID); err != nil {
			return err
		}
		c := w.newChat(Chat{})
		out, err = w.queueRequest(c, &req, q, "")
		return err
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			// Every attempt lost a race; the chat's own creation is one of
			// the compare-and-sets that may have lost, so look.
			if _, cerr := r.store.Chat(ctx, req.ID); cerr == nil {
				err = ErrChatExists
			}
		}
		return Chat{}, fmt.Errorf("routing: enqueue %s: %w", req.ID, err)
	}
	out.Version++
	out.Seq = *seq
	return out, nil
}

func (req *ChatRequest) validate() error {
	if err := validateID("chat ID", req.ID); err != nil {
		return err
	}
	if err := validateID("queue ID", req.Queue); err != nil {
		return err
	}
	return validateSkills("skills", req.Skills)
}

// queueRequest makes c (created or reopened) the waiting chat req describes
// in queue q, and offers it at once when it can. reason is the reason of the
// ChatQueued event. The chat is written with Seq 0, so the store numbers it
// anew.
func (w *work) queueRequest(c *Chat, req *ChatRequest, q *Queue, reason string) (Chat, error) {
	*c = Chat{
		ID: req.ID, Kind: CustomerChat, Queue: q.ID, Channel: q.Channel,
		Customer: req.Customer, Priority: req.Priority,
		Skills: slices.Clone(req.Skills), Transcript: slices.Clone(req.Transcript),
		Preferred: req.Preferred, State: Queued, Reopens: req.Reopens,
		EnqueuedAt: w.now, Seq: 0, QueuedAt: w.now,
		QueueDeadline: deadline(w.now, q.MaxWait),
		Offers:        c.Offers, // keeps offer IDs unique across a reopened chat's life
		Holds:         c.Holds,  // wrap-ups of earlier owners outlive the chat
		Version:       c.Version,
	}
	if c.Preferred != "" {
		c.PreferredUntil = deadline(w.now, q.PreferredWait)
	}
	c.joinQueue(q, w.now)
	w.emit(Event{Type: ChatQueued, Chat: c.ID, Queue: q.ID, Reason: reason, Customer: c.Customer.Name, EnqueuedAt: w.now})
	q, closed, err := w.arrive(c, q)
	if err != nil {
		return Chat{}, err
	}
	if closed {
		return *c, nil // offered once the queue opens
	}
	offered, err := w.offerAtOnce(c, q)
	if err != nil {
		return Chat{}, err
	}
	if !offered {
		w.routeQueue(q.ID)
	}
	return *c, nil
}

// Abandon ends a waiting chat whose customer left before an agent accepted
// it: its pending offers are cancelled and their agents' slots freed.
func (r *Router) Abandon(ctx context.Context, id switchboard.ChatID) error {
	return r.endWaiting(ctx, id, EndAbandoned, "abandon")
}

// Withdraw ends a waiting chat on the host's behalf, with [EndWithdrawn].
func (r *Router) Withdraw(ctx context.Context, id switchboard.ChatID) error {
	return r.endWaiting(ctx, id, EndWithdrawn, "withdraw")
}

func (r *Router) endWaiting(ctx context.Context, id switchboard.ChatID, reason EndReason, action string) error {
	if err := validateID("chat ID", id); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.chat(id)
		if err != nil {
			return err
		}
		if c.State != Queued && c.State != Offered {
			return chatStateError(c, action)
		}
		return w.endUnassigned(c, reason)
	})
	if err != nil {
		return fmt.Errorf("routing: %s %s: %w", action, id, err)
	}
	return nil
}

// Assignment is what the accepting agent receives: the chat, with the bot
// transcript (SPEC R11), and the accepted offer.
type Assignment struct {
	Chat  Chat  `json:"chat,omitzero"`
	Offer Offer `json:"offer,omitzero"`
}

// Accept accepts an offer on behalf of agent (SPEC R4). Exactly one accept of
// a chat can ever win: the other pending offers of a ring-all are rescinded
// and their agents told the chat was taken. Accepting an [InviteOffer] makes
// the agent a consultant of the chat (SPEC C2); accepting a [TransferOffer]
// makes it the chat's owner (SPEC T4). A losing or late accept returns
// [ErrOfferTaken], [ErrOfferExpired], [ErrOfferWithdrawn],
// [ErrOfferCancelled] or [ErrOfferAnswered] and changes nothing.
func (r *Router) Accept(ctx context.Context, agent switchboard.AgentID, id OfferID) (Assignment, error) {
	if err := validateID("agent ID", agent); err != nil {
		return Assignment{}, err
	}
	if err := validateID("offer ID", id); err != nil {
		return Assignment{}, err
	}
	var out Assignment
	err := r.do(ctx, func(w *work) error {
		o, err := w.offer(id)
		if err != nil {
			return err
		}
		if err := checkPending(o, agent, w.now); err != nil {
			return err
		}
		c, err := w.chat(o.Chat)
		if err != nil {
			return err
		}
		if o.Kind != RouteOffer {
			a, err := w.agent(agent)
			if err != nil {
				return err
			}
			if err := w.acceptInvitation(c, o, a); err != nil {
				return err
			}
			out = Assignment{Chat: *c, Offer: *o}
			return nil
		}
		if c.State != Offered {
			// A pending offer's chat is always Offered: the chat was read
			// after another transition settled it. Read both again.
			return errStale
		}
		o.Outcome, o.ResolvedAt = Accepted, w.now
		w.touchOffer(o)
		c.State, c.Agent, c.AssignedAt, c.Pending = Assigned, agent, w.now, 0
		c.QueueDeadline, c.PreferredUntil = time.Time{}, time.Time{}
		w.touchChat(c)
		// The agent's record is not written: its slot was reserved by the
		// offer, and its IdleSince moved when the offer was made. So an
		// accept races only other answers to the same chat.
		w.emit(Event{Type: OfferResolved, Agent: agent, Chat: c.ID, Queue: c.Queue, Offer: id, Outcome: Accepted})
		w.emit(Event{Type: ChatAssigned, Agent: agent, Chat: c.ID, Queue: c.Queue, Customer: c.Customer.Name, EnqueuedAt: c.EnqueuedAt})
		if c.Offers > 1 { // other offers of a ring-all may be pending
			others, err := r.store.PendingOffers(ctx, OfferFilter{Chat: c.ID})
			if err != nil {
				return err
			}
			for i := range others {
				if others[i].ID == id {
					continue
				}
				p, err := w.offer(others[i].ID)
				if err != nil {
					return err
				}
				if p.Outcome == Pending {
					if err := w.resolveOffer(p, Rescinded, true); err != nil {
						return err
					}
				}
			}
		}
		out = Assignment{Chat: *c, Offer: *o}
		return nil
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("routing: accept %s: %w", id, err)
	}
	out.Chat.Version++
	out.Offer.Version++
	return out, nil
}

// Reject rejects an offer on behalf of agent (SPEC R5). The agent keeps its
// state and is not offered this chat again; the chat goes back to its queue
// at its original position and is offered to another agent.
func (r *Router) Reject(ctx context.Context, agent switchboard.AgentID, id OfferID) error {
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	if err := validateID("offer ID", id); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		o, err := w.offer(id)
		if err != nil {
			return err
		}
		if err := checkPending(o, agent, w.now); err != nil {
			return err
		}
		return w.resolveOffer(o, Rejected, false)
	})
	if err != nil {
		return fmt.Errorf("routing: reject %s: %w", id, err)
	}
	return nil
}

// checkPending returns why agent cannot answer offer o at now, if it cannot.
func checkPending(o *Offer, agent switchboard.AgentID, now time.Time) error {
	if o.Agent != agent {
		return ErrNotYourOffer
	}
	switch o.Outcome {
	case Pending:
		if !now.Before(o.ExpiresAt) {
			return ErrOfferExpired
		}
		return nil
	case TimedOut:
		return ErrOfferExpired
	case Rescinded:
		if o.Taken {
			return ErrOfferTaken
		}
		return ErrOfferWithdrawn
	case Cancelled:
		return ErrOfferCancelled
	default:
		return ErrOfferAnswered
	}
}

// End ends an assigned chat: the conversation is over. With the queue's
// WrapUp time the chat goes to wrap-up and keeps the agent's slot until
// [Router.CompleteWrapUp] or the time passes, and an Available agent goes to
// WrapUp; otherwise the chat is done and the slot freed at once (SPEC S11). A
// direct chat is simply done. Consultants are dropped with no wrap-up and a
// pending invite or transfer is cancelled (SPEC C9); agents holding a
// wrap-up of the chat keep it. A chat on hold ends too: its wrap-up uses no
// slot, as the hold used none, so ending never puts the agent over its
// capacity (SPEC O4).
func (r *Router) End(ctx context.Context, id switchboard.ChatID) error {
	if err := validateID("chat ID", id); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.chat(id)
		if err != nil {
			return err
		}
		if c.State != Assigned {
			return chatStateError(c, "end")
		}
		q, err := w.queue(c.Queue)
		if err != nil {
			return err
		}
		if err := w.withdrawInvitation(c, Cancelled); err != nil {
			return err
		}
		if err := w.dropConsultants(c, ReasonChatEnded); err != nil {
			return err
		}
		if err := w.releaseLicence(c); err != nil {
			return err
		}
		c.EndedAt = w.now
		c.OnHoldUntil = time.Time{} // a chat ended on hold wraps up with no slot (SPEC O4)
		if q.WrapUp <= 0 {
			return w.finishWrapUp(c)
		}
		a, err := w.agent(c.Agent)
		if err != nil {
			return err
		}
		c.State, c.WrapUpUntil = InWrapUp, w.now.Add(q.WrapUp)
		w.touchChat(c)
		a.WrapUps++
		w.touchAgent(a)
		w.emit(Event{Type: ChatWrapUp, Chat: c.ID, Queue: c.Queue, Agent: c.Agent})
		if a.State == Available {
			return w.setAgentState(a, WrapUp, ReasonWrapUp)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("routing: end %s: %w", id, err)
	}
	return nil
}

// CompleteWrapUp completes agent's wrap-up of a chat: the wrap-up of the
// chat's own agent (the chat is then done), or the [Hold] of an agent who
// handed the chat over. Either way the agent's slot is free, and an agent in
// WrapUp with no other wrap-up returns to Available. A chat agent has no
// wrap-up of gets a [*StateError].
func (r *Router) CompleteWrapUp(ctx context.Context, id switchboard.ChatID, agent switchboard.AgentID) error {
	if err := validateID("chat ID", id); err != nil {
		return err
	}
	if err := validateID("agent ID", agent); err != nil {
		return err
	}
	err := r.do(ctx, func(w *work) error {
		c, err := w.chat(id)
		if err != nil {
			return err
		}
		if i := c.HoldIndex(agent); i >= 0 {
			return w.finishHold(c, i)
		}
		if c.State != InWrapUp || c.Agent != agent {
			return chatStateError(c, "complete wrap-up by "+string(agent)+" of")
		}
		return w.finishWrapUp(c)
	})
	if err != nil {
		return fmt.Errorf("routing: complete wrap-up of %s: %w", id, err)
	}
	return nil
}

// offerID numbers the n-th offer of a chat.
func offerID(c switchboard.ChatID, n int) OfferID {
	var buf [96]byte
	b := append(append(buf[:0], c...), '#')
	return OfferID(strconv.AppendInt(b, int64(n), 10))
}

func isNotFound(err error) bool {
	return errors.Is(err, ErrAgentNotFound) || errors.Is(err, ErrChatNotFound) ||
		errors.Is(err, ErrQueueNotFound) || errors.Is(err, ErrOfferNotFound)
}
