package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/conference"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// Invite invites an agent into a chat as a consulted agent (SPEC C1–C4).
// Only an agent present in the chat's session as its owner or a consulted
// agent may invite: anyone else (the customer, a bot, a monitoring
// supervisor, an agent who left) gets [conference.ErrNotInConference]. Once
// the customer has left nobody may invite ([conference.ErrCustomerLeft],
// SPEC C9), nor after the chat ended ([conference.ErrChatEnded]). Routing
// then makes the offer: to the named agent, who must be available, or to an
// available agent of the queue; if it is declined or not accepted in time,
// routing offers it to another available agent of the invitee's queue and,
// when nobody is left, tells the inviter with a [routing.InviteFailed]
// event. One invite or transfer is pending at a time
// ([conference.ErrInvitePending]). The invitee shows as invited in the
// session; it joins by accepting the offer with [Engine.Accept], and
// everyone, the customer included, is told (SPEC C6).
//
// It returns the offer made. Every refusal changes nothing and matches one
// of package conference's errors, and routing's or the session's sentinel
// as well where they decided.
func (e *Engine) Invite(ctx context.Context, req conference.Request) (o routing.Offer, err error) {
	ctx, end, err := e.op(ctx, "engine.Invite", slog.String(KeyChat, string(req.Chat)), slog.String(KeyAgent, string(req.From)))
	if err != nil {
		return routing.Offer{}, err
	}
	defer func() { end(err) }()
	if err := req.Validate(); err != nil {
		return routing.Offer{}, fmt.Errorf("engine: invite into %s: %w", req.Chat, err)
	}
	s, err := e.sessions.Session(ctx, req.Chat)
	if err == nil {
		err = conference.CanInvite(&s, req.From)
	}
	if err == nil {
		o, err = e.router.Invite(ctx, routing.InviteRequest{Chat: req.Chat, From: req.From, Agent: req.Agent, Queue: req.Queue})
	}
	if err != nil {
		return routing.Offer{}, fmt.Errorf("engine: invite into %s: %w", req.Chat, conference.Refusal(err))
	}
	if _, err := e.sync(ctx, req.Chat); err != nil {
		return o, fmt.Errorf("engine: invite into %s: the offer is made: %w", req.Chat, err)
	}
	return o, nil
}

// Leave takes agent out of the conference; the inviter chooses to stay or
// to leave (SPEC C5). A consulted agent exits: its slot is free at once,
// with no wrap-up, and the chat goes on (SPEC C8). The owner hands the chat
// over to the consulted agent present longest ([conference.Successor]),
// then leaves and goes to wrap-up; the customer is told one agent left
// (SPEC C6). An owner with no consulted agent yet gets
// [conference.ErrNobodyToTakeOver] and stays: a chat is never left with no
// agent. Anyone else gets [conference.ErrNotInConference].
func (e *Engine) Leave(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.Leave", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(agent)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	c, err := e.router.Chat(ctx, chat)
	if err != nil {
		return fmt.Errorf("engine: %s leaves %s: %w", agent, chat, conference.Refusal(err))
	}
	var sp *session.Session
	if s, err := e.sessions.Session(ctx, chat); err == nil {
		sp = &s
	}
	how, to, err := conference.Leave(sp, &c, agent)
	if err != nil {
		return fmt.Errorf("engine: %s leaves %s: %w", agent, chat, err)
	}
	if how == conference.HandOver {
		err = e.router.HandOver(ctx, chat, agent, to)
	} else {
		err = e.router.Exit(ctx, chat, agent)
	}
	if err != nil {
		return fmt.Errorf("engine: %s leaves %s: %w", agent, chat, conference.Refusal(err))
	}
	_, err = e.sync(ctx, chat)
	return err
}

// HandOver completes a warm (consult) transfer (SPEC C11): the owner from,
// having consulted agent to privately (whispers reach agents only, SPEC
// C10), hands it the customer. to becomes the owner at once and reads the
// whole history; from leaves the session, sees nothing written afterwards
// and goes to wrap-up. Other consulted agents stay. Errors match
// [conference.ErrNotOwner], [conference.ErrNotConsultant] (to has not
// joined), [conference.ErrTransferPending] and [conference.ErrChatEnded],
// and routing's sentinels of the same names.
func (e *Engine) HandOver(ctx context.Context, chat switchboard.ChatID, from, to switchboard.AgentID) (err error) {
	ctx, end, err := e.op(ctx, "engine.HandOver", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(from)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	if err := e.router.HandOver(ctx, chat, from, to); err != nil {
		return fmt.Errorf("engine: hand %s over to %s: %w", chat, to, conference.Refusal(err))
	}
	_, err = e.sync(ctx, chat)
	return err
}

// EndConference ends the conference of a chat (SPEC C7): only its owner,
// Agent 1, may; a consulted agent gets [conference.ErrCannotEnd] (SPEC
// C8). Every consulted agent is dropped with no wrap-up and a pending
// invite is withdrawn; everyone is told. Under [Config].Conference's
// [conference.ChatContinues] the chat goes on with the customer and opts
// is not used. Under [conference.EndEverything] the chat ends too, as
// [Engine.End] with opts: the wrap-up reason and confirmation are checked
// first, and a refusal ([session.ErrConfirmationRequired], a
// [*session.WrapUpError]) changes nothing.
func (e *Engine) EndConference(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, opts session.EndOptions) (err error) {
	ctx, end, err := e.op(ctx, "engine.EndConference", slog.String(KeyChat, string(chat)), slog.String(KeyAgent, string(by)))
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	c, err := e.router.Chat(ctx, chat)
	if err == nil {
		err = conference.CheckEnd(&c, by)
	}
	if err == nil && e.cfg.Conference.EndPolicy.EndsChat() {
		// Ending the chat drops its consultants in routing, and the session
		// follows.
		_, err = e.End(ctx, chat, by, opts)
	} else if err == nil {
		if err = e.router.DropConsultants(ctx, chat, by); err == nil {
			_, err = e.sync(ctx, chat)
		}
	}
	if err != nil {
		return fmt.Errorf("engine: end the conference of %s: %w", chat, conference.Refusal(err))
	}
	return nil
}
