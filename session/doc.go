// Package session runs everything that happens inside a chat once it
// exists: who is in it, who may see what, messages and events, the life
// cycle from active to closed, wrap-up, agent-to-agent chat and
// transcripts. Routing (queues, offers, agent states) lives in package
// routing; a wiring layer connects the two by calling the [Manager]
// methods listed under "Wiring" below.
//
// # Sessions and participants
//
// A [Session] is customer-to-agent ([KindCustomer], about a queue) or
// agent-to-agent ([KindA2A]); it records who initiated it and what it is
// about ([Session.About]: the queue, or "A2A"). Its ID is the chat's
// [github.com/switchboard-cc/switchboard.ChatID].
//
// Each [Participant] has a [Role]: the customer (at most one, never
// removable by an agent), the owner agent, consulted agents, supervisors
// (monitor, coach or barge: [SupervisorMode]) and bots. Participant IDs
// ([ParticipantID]) are internal; customers only ever see display names.
// Config.MaxParticipants caps how many are in a session at once.
//
// # Audience and visibility
//
// Every log entry (a message or an event) gets an [Audience] when it is
// created, and the audience never changes: everyone; agents only (a
// whisper, a private attachment, an internal event); or a named set of
// agents (a supervisor coaching one agent). Private audiences never admit a
// customer or a bot.
//
// One function, [Visible], decides whether a participant may see an
// entry. Every output is built from it: live delivery through the
// [Transport], [Manager.History] and [Manager.CatchUp], the customer
// transcript ([CustomerTranscript]) and events. No output takes a flag to
// skip it, and entries leave the package only as per-viewer views
// ([View]). The one unfiltered projection is the organisation's log ([OrganisationLog]),
// which marks private entries as internal notes.
//
// Visible also applies time. Each participant has stints ([Stint]): from
// joining to leaving, in session state versions. A participant who left
// sees nothing written after it left. A late joiner (a consulted agent or
// supervisor) reads history as the session's [switchboard.HistoryRule] says: all of
// it, from its invitation, or from its join. Customers, bots and owners
// read the whole history (a new owner takes over the conversation).
//
// # Messages
//
// Messages ([Message]) carry text (emoticons are Unicode emoji) and files
// referenced by metadata ([File]; pictures are image/* files), in normal,
// whisper or coach [Mode]. Each entry gets a per-session sequence number
// with no gaps; a reconnecting participant calls [Manager.CatchUp] with the
// last number it saw. Agents offer structured options the customer picks
// from ([Manager.OfferOptions], [Manager.Choose]), insert predefined
// responses ([Manager.Responses], [Manager.InsertResponse]) and run a video
// leg inside the chat ([Manager.StartVideo], [Manager.EndVideo]).
//
// Each participant's read position is stored on it ([Participant].Read,
// [Manager.MarkRead]) and shown to the others through the same rule: agents
// see every position, a customer only the last entry of its own transcript
// an agent has read, never where a whisper lies ([Manager.Receipts],
// [EntryRead] deliveries, [Manager.Unread]).
//
// Every inbound message passes through Config.Filter ([InboundFilter])
// before it is stored, delivered or put in an event; engine.RedactingFilter
// masks payment card data with the compliance package. The filter may
// rewrite the text and correct the sender's earlier messages (a card
// number split over two messages): corrections are applied to the stored
// log and announced, as [EntryCorrection], to exactly those who could see
// the corrected message. Digits ending a message that may begin a card
// number split over messages are stored and delivered masked; the filter
// hands their unmasked text back, and the Manager keeps it in
// Config.Fragments ([FragmentStore]) until the sender's next message or
// [Manager.ExpireFragments] shows whether they began one, then keeps the
// mask or reveals them by a correction. A filter error rejects the message;
// nothing is stored.
//
// # Life cycle
//
// The life cycle is a table of transitions ([Next]):
//
//	Active ──customer leaves──▶ CustomerLeft
//	Active, CustomerLeft ──End (wrap-up reason)──▶ Ended ──Close──▶ Closed
//	Ended ──the owner's wrap-up is over (CloseWrappedUp)──▶ Closed
//	Active, CustomerLeft ──Close (ends first)──▶ Closed
//	Closed ──customer writes, switchboard.PolicyReopen──▶ Active
//
// When the customer leaves, agents are told "customer has left" and can no
// longer send. Ending tells a connected customer "agent has left"; while
// the customer is connected, ending or closing needs EndOptions.Confirm. The
// wrap-up reason must come from the queue's list. Closing twice returns
// ErrAlreadyClosed and writes nothing. Once the owner's wrap-up is over
// (the engine learns it from routing), [Manager.CloseWrappedUp] closes an
// ended session on the system's behalf, keeping its wrap-up. After close, the queue's
// [switchboard.AfterClosePolicy] decides what a new customer message does: reopen the
// session, start a new linked session, or refuse it (read-only).
//
// # Agent-to-agent chat
//
// [Manager.Directory] lists, searches and pages the logged-in agents an
// agent may chat with ([CanSee]: same tenant and functional group;
// supervisors across groups; never across tenants). [Manager.StartA2A]
// starts a session at once, without accept or reject, and marks each
// recipient AwaitingReply until it answers. A whisper in an A2A session
// reaches every agent in it: there is no one-to-one private message.
// Agents may hold any number of A2A sessions.
//
// # Ports
//
// The host implements small interfaces; each has an in-memory default in
// [github.com/switchboard-cc/switchboard/session/sessionmem]:
//
//   - [Store] ([StateStore] + [LogStore]): versioned session state with
//     compare-and-set, and the append-only log with gapless sequence
//     numbers and entry IDs stored once, so a write whose outcome was
//     unknown ([ErrOutcomeUnknown]) or a client's repeated message is
//     stored once; check an implementation with
//     [github.com/switchboard-cc/switchboard/session/sessiontest.RunStoreTests].
//     Optionally [FeedStore], the logs of all sessions in commit order
//     for statistics and live transport, [RetentionStore], for
//     [Manager.ForgetClosed], and [DeadlineStore], which finds the
//     sessions whose timers after assignment are due ([Manager.FireTimers],
//     SPEC D9; the engine requires it).
//   - [Transport]: live delivery to one participant.
//   - [Directory]: logged-in agents, for A2A chat.
//   - [Contacts]: contact information and history from the host's CRM.
//   - [InboundFilter]: content filtering (payment-card masking).
//   - [FragmentStore]: the held-back digits of card numbers split over
//     messages, for the split window only; check an implementation with
//     [github.com/switchboard-cc/switchboard/session/sessiontest.RunFragmentStoreTests].
//
// Time comes from Config.Clock.
//
// # Wiring
//
// A wiring layer connects routing and sessions; it calls:
//
//   - [Manager.Create] when a chat enters routing (the customer, and a bot
//     if one talks first; [Manager.AddCustomer] brings the customer in
//     later);
//   - [Manager.AssignOwner] when an agent accepts the offer, and again
//     when a reopened or handed-over session gets its next owner;
//   - [Manager.End] and [Manager.Close], whose [WrapUp] (and
//     [Closure].Ended) say when to free the owner's capacity
//     (EndOptions.WrapUpUntil sets that time when routing owns it);
//   - [Manager.Send] for customer messages; Sent.AfterClose reports a
//     reopened session (route it to its queue) or a new linked session
//     (route Sent.Chat);
//   - [Manager.Leave] with the customer's ID when the customer disconnects;
//   - [Manager.ActiveCount] and [Manager.ActiveSessions] for an agent's
//     sessions (to walk them when it logs out);
//   - [Manager.RecordTransfer] when a chat is transferred, for the
//     transfer history ([EntryTransfer], agents only);
//
// and implements [Directory] from routing's agent presence. Package
// [github.com/switchboard-cc/switchboard/engine] is that wiring layer: it
// turns routing's durable events into these calls, and sends attachments
// through the attachment policy of the session's queue. Membership
// changes ([Manager.Invite], [Manager.Join], [Manager.Supervise],
// [Manager.Remove]) are the building blocks for conference and transfer.
//
//	m, _ := session.NewManager(sessionmem.NewStore(), session.Config{})
//	s, _ := m.Create(ctx, session.CustomerSession{ID: "c1", Queue: "sales", Customer: "u1", CustomerName: "Carol"})
//	_, _ = m.AssignOwner(ctx, s.ID, session.AgentRef{ID: "a1", Name: "Ann"})
//
// # Concurrency
//
// A [Manager] keeps no session state; every change is a compare-and-set
// on the session's version in the [Store], retried on conflict, so it is
// safe for concurrent use and several Managers may share one Store. It
// holds no lock while calling a port. Deliveries of concurrent messages
// may arrive out of order; recipients order them by sequence number.
package session
