// Package routing routes customer chats to contact-centre agents: queues,
// agent states, offers and RONA, strategies, skills, priorities, capacity and
// a licence limit.
//
// A [Router] does the work. It keeps no state of its own: agents, queues,
// chats and offers are records in a [Store], and events go out through a
// [Transport]. Package routingmem provides in-memory implementations of both;
// a host application implements them over its own database and websocket
// layer, and checks its store with the suite in package routingtest.
//
//	store, bus := routingmem.New(routingmem.Config{}), routingmem.NewBus()
//	router, err := routing.New(store, bus, routing.Config{})
//	router.PutQueue(ctx, routing.Queue{ID: "support", AcceptTimeout: 30 * time.Second})
//	router.Login(ctx, "ada", routing.Profile{Queues: []switchboard.QueueID{"support"}})
//	router.Enqueue(ctx, routing.ChatRequest{ID: "chat-1", Queue: "support"})
//	go router.Run(ctx) // expires deadlines: offer timeouts, queue timeouts, wrap-ups
//
// # Agents
//
// An agent logs in with a [Profile]: the queues it serves, its capacity per
// channel, its skills, display name and team. Its [State] is one of
// [LoggedOut], [Available], [NotReady] (with a reason code), [RONA] and
// [WrapUp]; "at capacity" is derived ([Agent.AtCapacity]). Only an Available
// agent with a free slot is offered chats. Agents set themselves Available or
// NotReady ([Router.SetState]); the router puts them in RONA when an offer
// times out and in WrapUp while they wrap up a chat.
//
// An agent logs in Available unless its profile's LoginState says NotReady
// with a reason (SPEC H1). With [Config].DisconnectGrace, an agent whose
// connection was lost ([Router.Disconnect]) keeps its state and chats,
// offered nothing, until it reconnects ([Router.Reconnect]) or the grace
// stored in its record passes and a sweep logs it out (SPEC H2–H4).
//
// # Chats
//
// A chat is always in exactly one [ChatState]: [Queued] → [Offered] →
// [Assigned] → [InWrapUp] → [Done], or [Ended] with an [EndReason]
// (abandoned, timed out, escalated, withdrawn). Within a queue, chats are
// served by priority, then first in, first out ([CompareChats]); a chat that
// goes back to its queue keeps its original age and position. Across the
// queues an agent serves, queues of higher priority are served first.
//
// # Offers
//
// An [Offer] gives one agent the chance to accept one chat within the queue's
// AcceptTimeout, and reserves one of its slots meanwhile. Its outcomes have
// distinct consequences: [Accepted] assigns the chat; [Rejected] keeps that
// agent out of the chat's next offers; [TimedOut] puts the agent in RONA;
// [Rescinded] (another agent won a ring-all, or the agent paused or logged
// out) and [Cancelled] (the customer left) cost the agent nothing. After a
// queue's MaxUnanswered rejected or timed-out rounds a chat escalates to the
// queue's overflow queue, or ends.
//
// The queue's [Strategy] picks the agent: [LongestIdle] (the default),
// [RingAll], [LeastBusy], [RoundRobin] (remembered in the queue record, so it
// continues across routers) or [Random]; a [Manual] queue offers its chats
// to nobody: agents list the chats they may take ([Router.Pickable]) and
// pick one ([Router.Pick]). The owner of any assigned chat may put it back
// in its queue, at its place, with a reason ([Router.Return]). A chat may
// name a preferred agent (such as the customer's last agent) whom it waits
// for up to the queue's PreferredWait before the strategy applies.
//
// # Conferences and transfers
//
// An [Assigned] chat has one owner (Chat.Agent) and may have consultants:
// agents who joined through an accepted invite ([Router.Invite]). An invite
// or a transfer to an agent ([Router.Transfer]) is an [Offer] of kind
// [InviteOffer] or [TransferOffer]: it reserves one of the target's slots,
// expires after the queue's AcceptTimeout (the target goes to RONA) and is
// answered with [Router.Accept] or [Router.Reject] like any offer. A chat
// has at most one pending invite or transfer ([Chat.Invitation]); the next
// can be made once it is answered. An invite nobody accepts moves on to
// another Available agent of the queue it named (or of the chat's queue)
// who is not in the chat and has not declined it, until none is left and
// the inviter gets [InviteFailed].
//
// Every consultant holds one slot of the chat's channel. It leaves with
// [Router.Exit]; the owner ends the conference with
// [Router.DropConsultants]; [Router.End] drops consultants too. None of
// them wraps up. A transfer changes the owner only when the target accepts;
// a hand-over to a consultant ([Router.HandOver]) changes it at once. The
// agent who handed the chat over keeps a wrap-up [Hold] of the queue's
// WrapUp time on the chat record, whose end is part of
// [Chat.NextDeadline], so the sweeper completes it, or the agent does with
// [Router.CompleteWrapUp]. A transfer the target rejects or lets time out
// re-queues the chat, or ends it with [EndAgentLeft], by the queue's
// TransferFallback ([TransferPolicy]). A transfer to a queue re-queues the
// chat there at once, keeping its original EnqueuedAt.
//
// An agent's load on a channel is always its pending offers of every kind,
// plus the chats it owns (assigned or in wrap-up), the chats it is a
// consultant in, and its holds. When an owner logs out, its longest-present
// consultant becomes the owner; with none, the chat is re-queued.
//
// # Deadlines and several routers
//
// Every deadline (offer expiry, queue timeout, sticky fallback, wrap-up end,
// the end of a [Hold]) is a field of a stored record, indexed by the store ([DeadlineStore]).
// [Router.Sweep] expires the due ones and routes waiting chats;
// [Router.Run] calls it periodically on the router's clock. Tests advance a
// mock clock and call Sweep.
//
// Every transition reads the records it needs, decides with plain functions,
// and commits all its writes as one compare-and-set [Txn]: a write carries the
// version it read, and the whole transaction fails with [ErrConflict] if any
// record changed meanwhile, in which case the router reads again and retries.
// So several routers, in one process or in several processes over one SQL
// database, can serve the same queues: exactly one accept of a chat wins, and
// no agent goes over its capacity. A router that starts after another crashed
// finds every deadline in the store.
//
// # Events
//
// Every transition emits [Event]s: offers, their outcomes, assignments, state
// changes, overflows and ends. They are appended to the store's [EventLog] in
// the transition's own commit, and published through the [Transport] after
// it. An event names the agent it concerns, so a transport can deliver it to
// that agent's desktop.
//
// The transport is a live feed, best effort: a crash after the commit, or a
// failed Publish, loses what it carries. A component that must act on every
// event (such as one that turns routing events into session consequences)
// reads the event log instead. It registers a [Cursor] per partition with
// [EventLog.SaveCursor], then repeatedly reads [EventLog.Events] after its
// position, acts, and saves the new position; the log keeps what some cursor
// has not passed, so a consumer that crashes resumes where it left off and
// sees at-least-once delivery. Events of one chat share a partition
// ([PartitionOf]) and keep their order.
//
// # Errors
//
// Bad input returns an error matching [ErrInvalid] (an [*InvalidError] naming
// the field); unknown IDs match [ErrAgentNotFound], [ErrQueueNotFound],
// [ErrChatNotFound] or [ErrOfferNotFound]; an action the current state does
// not allow returns a [*StateError]; an accept or reject that comes too late
// returns [ErrOfferExpired], [ErrOfferTaken], [ErrOfferWithdrawn],
// [ErrOfferCancelled] or [ErrOfferAnswered]. Invites and transfers are
// refused with [ErrNotInChat], [ErrNotOwner], [ErrNotConsultant],
// [ErrAlreadyInChat], [ErrAgentUnavailable], [ErrNoAgentAvailable],
// [ErrSameAgent], [ErrNotInTeam], [ErrInvitePending], [ErrTransferPending]
// or [ErrChatEnded]. A call that returns an error changes nothing and emits
// no event, except one wrapping [ErrOutcomeUnknown]: the store lost the
// outcome of the commit and could not say afterwards whether it applied, so
// the transition may have happened (its events are then in the log).
//
// # Agent-to-agent chats
//
// Agent-to-agent chats are not routed: they are never offered and take no
// slot (SPEC R10), so routing holds nothing of them. Their one home is the
// session (session.Manager.StartA2A, with its pending-reply marker).
package routing
