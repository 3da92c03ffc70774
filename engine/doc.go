// Package engine runs customer chats end to end: it routes them with
// package routing and runs their sessions with package session, and it is
// the only place where the two meet.
//
// # The model
//
// Each fact has one home. Routing is the authority on who holds a chat:
// which agent it is offered to, who owns it, who is consulted, when the
// owner's wrap-up ends, and whether the chat is waiting, ended or done. The
// session is the authority on the conversation: who said what to whom, what
// each participant may see, and why the conversation ended (the wrap-up
// reason). The session's participants follow routing, never the other way
// round. A queue's settings, for routing and for its conversations alike,
// live in its one routing record (routing.Queue, with its Chat settings),
// so every process reads the same; a chat's tenant is its queue's. An
// agent-to-agent chat takes no slot, so routing holds nothing of it and the
// session is its one home ([Engine.StartA2A]).
//
// They follow it through a durable log, not a best-effort pipe. Every
// routing transition commits its events in the same transaction as the
// records that caused them (routing's event log, an outbox). The engine is
// a registered consumer of that log: it processes each chat's events in
// order, at least once, and carries out their session consequences (the
// owner joins when an offer is accepted, consultants come and go, a chat
// routing gave up on ends its session and tells the customer why). The
// consequences are idempotent, since each makes the session agree with
// routing as it is now, so a crash, a repeated event or a second process
// changes nothing. Live transports to desktops and participants stay
// best-effort; nothing depends on them.
//
// An operation that changes both sides changes its authority first and
// derives the other: [Engine.Accept] commits the assignment in routing and
// then applies its consequence at once, so the caller sees the owner join;
// if that step fails, the event is still in the log and the engine finishes
// it. [Engine.End] ends the session (where the reason lives) and then
// routing; the session's entry is durable too (the sessions' feed, which
// the engine follows as it follows routing's log), so routing's side is
// finished even if the host never calls again. [Engine.Start] checks the request before it creates anything, and
// called again with the same request it finishes what the first call began.
//
// A session's life cycle follows routing's to its end: once routing
// finishes the owner's wrap-up ([Engine.CompleteWrapUp], or the queue's
// WrapUp time passing in any engine's Run or Settle), the session closes
// as a consequence, keeping the wrap-up its owner recorded (SPEC K3). A
// closed session is what [Config].Retention forgets (SPEC K4) and what a
// customer's later message meets with the queue's after-close policy
// (SPEC K5). A host need not call [Engine.Close] after the wrap-up; one
// that does gets the closure back, and nothing changes.
//
// # Conferences and transfers
//
// The rules of conferences and transfers live in packages conference and
// transfer, as types and plain functions; the engine runs them against
// routing and the session. [Engine.Invite], [Engine.Leave],
// [Engine.HandOver] and [Engine.EndConference] run conferences (SPEC
// C1–C11), with the end policy of [Config].Conference; [Engine.Transfer],
// [Engine.CancelTransfer], [Engine.TransferQueues],
// [Engine.TransferTargets] and [Engine.TransferHistory] run blind
// transfers (SPEC T1–T5). Their refusals match the errors of those
// packages.
//
// # Running it
//
// A host builds one Engine per process with [New] from its stores and one
// [Config], and calls [Engine.Run], which expires deadlines (offers, queue
// timeouts, wrap-ups, digits held back in case they began a split card
// number), processes events and returns when its context ends:
//
//	eng, err := engine.New(ctx, engine.Config{
//		Routing: routingStore, Sessions: sessionStore,
//		Desktops: desktops, Participants: participants,
//	})
//	if err != nil { ... } // names every missing part
//	go eng.Run(ctx)
//
// Nothing works half-wired: a missing store or transport is an error from
// New, and an engine whose Run never started makes every operation return
// [ErrNotRunning] rather than leaving offers that never expire.
//
// Tests set [Config].Manual and a mock clock, and call [Engine.Settle]
// after moving the clock on: it expires what is due and processes every
// pending event, then returns, with no sleeps.
//
// Several processes may run engines over the same stores. The event log is
// split into partitions (every event of one chat in one partition); a
// process takes a lease on a partition before processing it, so each
// chat's events are processed in order by one process at a time, and a
// process that dies loses its leases when they run out.
//
// # Presence and what a waiting customer is told
//
// An agent may log in NotReady (routing.Profile.LoginState). With
// routing's DisconnectGrace ([Config].Router), [Engine.Disconnect] keeps
// the agent and its sessions until [Engine.Reconnect] or the stored
// deadline, which any engine's Run or Settle expires as a logout (SPEC
// H1–H4).
//
// A waiting customer is told, in session notices only it sees
// (session.EntryNotice): its position when queued, the new position when
// it moved (at most once per [Config].PositionEvery, computed per queue per
// interval), why it is back in the queue, and a transfer; with
// [Config].Wait each position carries an estimated wait (SPEC H5–H7). The
// notices follow routing's event log like every consequence, so they
// survive a crash. [NoticeText] gives their English words.
//
// # On hold
//
// [Engine.PutOnHold] puts an owner's chat on hold: routing frees the
// owner's slot while it keeps the chat (routing.Router.PutOnHold), and the
// session follows, marked on hold (session.Session.OnHold) with the
// customer told; what the customer writes meanwhile reaches the owner
// flagged (session.View.OnHold). [Engine.Resume] takes it off hold. The
// queue's maximum on-hold time ends a hold in any engine's Run or Settle,
// resuming the chat or taking it back to its queue, and the customer is
// told which (SPEC O1–O8).
//
// # Observing it
//
// Every operation and every event the engine processes passes through
// [Config].Tracer, with stable attribute keys ([KeyChat], [KeyAgent], ...),
// so logs, metrics and traces attach in one place. [LogTracer] logs them.
package engine
