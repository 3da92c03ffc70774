package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/transfer"
)

// Transfer transfers a chat blind (SPEC T1–T4) and records it in the
// session's history (SPEC T5).
//
// To an agent, the target gets a transfer offer with the queue's accept
// timeout, and the chat stays with From until the target accepts it with
// [Engine.Accept]. Then the target owns the chat and reads its whole
// history, and the routing chat still carries the bot transcript (SPEC
// T5); From leaves the session, sees nothing written afterwards, and goes
// to wrap-up; the customer is told From left and the target joined (SPEC
// T1, T4). If the target declines or does not answer in time, the queue's
// [routing.Queue].TransferFallback decides (SPEC T3): by default the chat
// goes back to its queue for another agent, From goes to wrap-up, and the
// customer waits; with [routing.TransferEnd] the chat ends and the
// customer is told the agent has left. The engine's event processing
// ([Engine.Run]) carries these outcomes to the session.
//
// To a queue, the chat leaves From at once (From goes to wrap-up and leaves
// the session) and waits in that queue, keeping its place by its original
// arrival, until an agent of the queue accepts it.
//
// Transfer is idempotent for a transfer to an agent: asked for again after
// an error (or a crash), it finishes what the first call began, returns
// the same offer and records the transfer once.
//
// It returns the offer made to a target agent, or the zero Offer for a
// queue. Every refusal changes nothing and matches one of package
// transfer's errors: [transfer.ErrInvalid], [transfer.ErrSessionEnded],
// [transfer.ErrNotOwner], [transfer.ErrAgentUnavailable],
// [transfer.ErrAgentNotFound], [transfer.ErrSameAgent],
// [transfer.ErrNotInTeam], [transfer.ErrAlreadyInChat],
// [transfer.ErrQueueNotFound], [transfer.ErrTransferPending],
// [transfer.ErrInvitePending], [transfer.ErrChatEnded].
func (e *Engine) Transfer(ctx context.Context, req transfer.Request) (o routing.Offer, err error) {
	ctx, end, err := e.op(ctx, "engine.Transfer", slog.String(KeyChat, string(req.Chat)), slog.String(KeyAgent, string(req.From)))
	if err != nil {
		return routing.Offer{}, err
	}
	defer func() { end(err) }()
	if err := req.Validate(); err != nil {
		return routing.Offer{}, fmt.Errorf("engine: transfer %s: %w", req.Chat, err)
	}
	s, err := e.sessions.Session(ctx, req.Chat)
	if err != nil {
		return routing.Offer{}, fmt.Errorf("engine: transfer %s: %w", req.Chat, err)
	}
	if err := transfer.CanTransfer(&s); err != nil {
		return routing.Offer{}, fmt.Errorf("engine: transfer %s: %w", req.Chat, err)
	}
	var name string
	if req.Agent != "" {
		a, err := e.router.Agent(ctx, req.Agent)
		if err != nil {
			return routing.Offer{}, fmt.Errorf("engine: transfer %s: %w", req.Chat, transfer.Refusal(err))
		}
		name = a.Profile.DisplayName
	}
	o, err = e.router.Transfer(ctx, routing.TransferRequest{Chat: req.Chat, From: req.From, Agent: req.Agent, Queue: req.Queue, Comment: req.Comment})
	if err != nil {
		// Asked for again after an error (or a crash): if routing already
		// made this transfer, finish what the first call began.
		if mine, ok := e.transferMade(ctx, &req); ok {
			o, err = mine, nil
		}
	}
	if err != nil {
		return routing.Offer{}, fmt.Errorf("engine: transfer %s: %w", req.Chat, transfer.Refusal(err))
	}
	var errs []error
	if err := e.sessions.RecordTransfer(ctx, req.Chat, transfer.Note(&req, name, o.ID)); err != nil {
		errs = append(errs, fmt.Errorf("record: %w", err))
	}
	if _, err := e.sync(ctx, req.Chat); err != nil {
		errs = append(errs, fmt.Errorf("sync: %w", err))
	}
	if len(errs) > 0 {
		return o, fmt.Errorf("engine: transfer %s: the chat is transferred in routing but its session is not in step (call again): %w", req.Chat, errors.Join(errs...))
	}
	return o, nil
}

// transferMade returns the offer of the transfer req asks for if routing
// made it already ([transfer.Same]).
func (e *Engine) transferMade(ctx context.Context, req *transfer.Request) (routing.Offer, bool) {
	if req.Agent == "" {
		return routing.Offer{}, false
	}
	c, err := e.router.Chat(ctx, req.Chat)
	if err != nil || !c.Invitation.Pending() {
		return routing.Offer{}, false
	}
	o, err := e.router.Offer(ctx, c.Invitation.Offer)
	if err != nil || !transfer.Same(req, &c, &o) {
		return routing.Offer{}, false
	}
	return o, true
}

// CancelTransfer withdraws the chat's pending transfer to an agent before
// the target answers: the chat stays with its owner, by, and the target's
// offer is withdrawn. The record of the transfer stays in the history. A
// chat with no pending transfer is left as it is; a pending invite is not
// touched. Errors match [transfer.ErrNotOwner] and [transfer.ErrChatEnded].
func (e *Engine) CancelTransfer(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.CancelTransfer", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(by)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	c, err := e.router.Chat(ctx, chat)
	if err != nil {
		return fmt.Errorf("engine: cancel the transfer of %s: %w", chat, transfer.Refusal(err))
	}
	pending, err := transfer.CheckCancel(&c, by)
	if err != nil || !pending {
		if err != nil {
			err = fmt.Errorf("engine: cancel the transfer of %s: %w", chat, err)
		}
		return err
	}
	if err := e.router.CancelInvitation(ctx, chat, by); err != nil {
		return fmt.Errorf("engine: cancel the transfer of %s: %w", chat, transfer.Refusal(err))
	}
	_, err = e.sync(ctx, chat)
	return err
}

// TransferQueues lists the queues of tenant a chat can be transferred to,
// with their names and descriptions, ordered by ID (SPEC T2).
func (e *Engine) TransferQueues(ctx context.Context, tenant switchboard.TenantID) (qs []transfer.TargetQueue, err error) {
	ctx, end, err := e.op(ctx, "engine.TransferQueues", slog.String(KeyTenant, string(tenant)))
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	all, err := e.router.Queues(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: transfer queues: %w", err)
	}
	return transfer.Queues(all, tenant), nil
}

// TransferTargets lists the agents from can transfer chat to now (SPEC
// T2): agents of from's tenant and team, other than from, who are
// Available and have a free slot on the chat's channel, and are not in the
// chat already ([transfer.Targets]). They are ordered by ID. A target may
// become busy before the transfer is asked; [Engine.Transfer] then returns
// [transfer.ErrAgentUnavailable].
func (e *Engine) TransferTargets(ctx context.Context, chat switchboard.ChatID, from switchboard.AgentID) (ts []transfer.TargetAgent, err error) {
	ctx, end, err := e.op(ctx, "engine.TransferTargets", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(from)))
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	me, err := e.router.Agent(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("engine: transfer targets for %s: %w", from, err)
	}
	c, err := e.router.Chat(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("engine: transfer targets for %s: %w", chat, err)
	}
	all, err := e.router.LoggedIn(ctx, me.Profile.Tenant)
	if err != nil {
		return nil, fmt.Errorf("engine: transfer targets for %s: %w", from, err)
	}
	return transfer.Targets(&c, &me, all), nil
}

// TransferHistory returns the chat's transfers, oldest first (SPEC T5),
// from the organisation's log of its session ([transfer.History]). It is
// for agents and the host, never for the customer.
func (e *Engine) TransferHistory(ctx context.Context, chat switchboard.ChatID) (rs []transfer.Record, err error) {
	ctx, end, err := e.op(ctx, "engine.TransferHistory", slog.String(KeyChat, string(chat)))
	if err != nil {
		return nil, err
	}
	defer func() { end(err) }()
	log, err := e.sessions.OrganisationLog(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("engine: transfer history of %s: %w", chat, err)
	}
	return transfer.History(log), nil
}
