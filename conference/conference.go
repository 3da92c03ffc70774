package conference

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/session"
)

// EndPolicy decides what ending a conference does to the chat (SPEC C7).
type EndPolicy uint8

const (
	// ChatContinues drops the consulted agents; the chat goes on between
	// the owner and the customer. The default.
	ChatContinues EndPolicy = iota
	// EndEverything drops the consulted agents and ends the chat as well,
	// with the wrap-up reason given to [Service.End]: the customer is told
	// the agent has left and the owner goes to wrap-up.
	EndEverything
)

var policyNames = [...]string{"chat-continues", "end-everything"}

// String returns the policy's name.
func (p EndPolicy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "invalid"
}

// Config holds the settings of a [Service]. The zero value is valid.
type Config struct {
	// EndPolicy decides whether ending a conference also ends the chat.
	// Defaults to [ChatContinues].
	EndPolicy EndPolicy
}

// Service runs conferences over a [engine.Engine]. It keeps no state of its
// own and is safe for concurrent use.
type Service struct {
	eng *engine.Engine
	cfg Config
}

// New returns a Service over eng.
func New(eng *engine.Engine, cfg Config) (*Service, error) {
	if eng == nil {
		return nil, fmt.Errorf("%w: a conference service needs an engine", ErrInvalid)
	}
	if cfg.EndPolicy > EndEverything {
		return nil, fmt.Errorf("%w: end policy %d", ErrInvalid, cfg.EndPolicy)
	}
	return &Service{eng: eng, cfg: cfg}, nil
}

// Request asks an agent into a chat. Exactly one of Agent and Queue is
// set.
type Request struct {
	// Chat to invite into; it must be assigned to an agent.
	Chat switchboard.ChatID
	// From is the inviting agent: the owner or a consulted agent present in
	// the session.
	From switchboard.AgentID
	// Agent names the invitee, who must be available now (SPEC C2).
	Agent switchboard.AgentID
	// Queue names a queue an available agent is chosen from; if the chosen
	// agent does not accept in time, the next one of the queue is invited
	// (SPEC C3).
	Queue switchboard.QueueID
}

// Invite invites an agent into a chat as a consulted agent (SPEC C1–C4). Only
// an agent present in the chat's session as its owner or a consulted agent
// may invite: anyone else (the customer, a bot, a monitoring supervisor, an
// agent who left) gets [ErrNotInConference]. Once the customer has left
// nobody may invite ([session.ErrCustomerLeft], SPEC C9), nor after the
// chat ended ([routing.ErrChatEnded]). Routing then makes the offer:
// to the named agent, who must be available, or to an available agent of
// the queue; if it is declined or not accepted in time, routing offers it to
// another available agent of the invitee's queue and, when nobody is left,
// tells the inviter with a [routing.InviteFailed] event. One invite or
// transfer is pending at a time ([routing.ErrInvitePending]). The invitee
// shows as invited in the session; it joins by accepting the offer with
// [engine.Engine.Accept], and everyone, the customer included, is told (SPEC
// C6).
//
// It returns the offer made.
func (s *Service) Invite(ctx context.Context, req Request) (routing.Offer, error) {
	if req.Chat == "" || req.From == "" || (req.Agent == "") == (req.Queue == "") {
		return routing.Offer{}, fmt.Errorf("%w: an invite names a chat, the inviting agent and exactly one of an agent and a queue", ErrInvalid)
	}
	if err := s.present(ctx, req.Chat, req.From); err != nil {
		return routing.Offer{}, err
	}
	o, err := s.eng.Router().Invite(ctx, routing.InviteRequest{Chat: req.Chat, From: req.From, Agent: req.Agent, Queue: req.Queue})
	if errors.Is(err, routing.ErrNotInChat) {
		err = fmt.Errorf("%w: %w", ErrNotInConference, err)
	}
	if err != nil {
		return routing.Offer{}, fmt.Errorf("conference: invite into %s: %w", req.Chat, err)
	}
	if _, err := s.eng.Sync(ctx, req.Chat); err != nil {
		return o, fmt.Errorf("conference: invite into %s: the offer is made but the session is not in step; call Sync: %w", req.Chat, err)
	}
	return o, nil
}

// present checks that chat's session is active and that agent takes part in
// it as its owner or a consulted agent who joined.
func (s *Service) present(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	ss, err := s.eng.Sessions().Session(ctx, chat)
	if err != nil {
		return fmt.Errorf("conference: %s: %w", chat, err)
	}
	switch ss.Status {
	case session.StatusActive:
	case session.StatusCustomerLeft:
		// The interaction is over for everyone but the owner (SPEC C9).
		return fmt.Errorf("conference: %s: %w", chat, session.ErrCustomerLeft)
	default:
		return fmt.Errorf("conference: %s is %s: %w", chat, ss.Status, routing.ErrChatEnded)
	}
	p := ss.Participant(session.AgentParticipant(agent))
	if p == nil || !p.Present() || (p.Role != session.RoleOwner && p.Role != session.RoleConsulted) {
		return fmt.Errorf("%w: %s in %s", ErrNotInConference, agent, chat)
	}
	return nil
}

// Leave takes agent out of the conference; the inviter chooses to stay or to
// leave (SPEC C5). A consulted agent exits: its slot is free at once, with no
// wrap-up, and the chat goes on (SPEC C8). The owner hands the chat over to
// the consulted agent present longest, then leaves and goes to wrap-up; the
// customer is told one agent left (SPEC C6). An owner with no consulted
// agent yet gets [ErrNobodyToTakeOver] and stays: a chat is never left with
// no agent. Anyone else gets [routing.ErrNotInChat].
func (s *Service) Leave(ctx context.Context, chat switchboard.ChatID, agent switchboard.AgentID) error {
	c, err := s.eng.Router().Chat(ctx, chat)
	if err != nil {
		return fmt.Errorf("conference: %s leaves %s: %w", agent, chat, err)
	}
	if c.Owns(agent) {
		if len(c.Consultants) == 0 {
			return fmt.Errorf("conference: %s leaves %s: %w", agent, chat, ErrNobodyToTakeOver)
		}
		return s.HandOver(ctx, chat, agent, c.Consultants[0])
	}
	if err := s.eng.Router().Exit(ctx, chat, agent); err != nil {
		return fmt.Errorf("conference: %s leaves %s: %w", agent, chat, err)
	}
	return s.sync(ctx, chat)
}

// HandOver completes a warm (consult) transfer (SPEC C11): the owner from,
// having consulted agent to privately (whispers reach agents only, SPEC
// C10), hands it the customer. to becomes the owner at once and reads the
// whole history; from leaves the session, sees nothing written afterwards
// and goes to wrap-up. Other consulted agents stay. Errors wrap
// [routing.ErrNotOwner], [routing.ErrNotConsultant] (to has not joined),
// [routing.ErrTransferPending] and [routing.ErrChatEnded].
func (s *Service) HandOver(ctx context.Context, chat switchboard.ChatID, from, to switchboard.AgentID) error {
	if err := s.eng.Router().HandOver(ctx, chat, from, to); err != nil {
		return fmt.Errorf("conference: hand %s over to %s: %w", chat, to, err)
	}
	return s.sync(ctx, chat)
}

// End ends the conference of a chat (SPEC C7): only its owner, Agent 1, may;
// a consulted agent gets [ErrCannotEnd] (SPEC C8). Every consulted agent is
// dropped with no wrap-up and a pending invite is withdrawn; everyone is
// told. With [ChatContinues] the chat goes on with the customer and opts is
// not used. With [EndEverything] the chat ends too, as [engine.Engine.End]
// with opts: the wrap-up reason and confirmation are checked first, and a
// refusal ([session.ErrConfirmationRequired], a [*session.WrapUpError])
// changes nothing.
func (s *Service) End(ctx context.Context, chat switchboard.ChatID, by switchboard.AgentID, opts session.EndOptions) error {
	c, err := s.eng.Router().Chat(ctx, chat)
	if err != nil {
		return fmt.Errorf("conference: end %s: %w", chat, err)
	}
	if !c.Owns(by) {
		if c.In(by) {
			return fmt.Errorf("conference: end %s: %w: %w", chat, ErrCannotEnd, routing.ErrNotOwner)
		}
		if c.State == routing.InWrapUp || c.State.Final() {
			return fmt.Errorf("conference: end %s: %w", chat, routing.ErrChatEnded)
		}
		return fmt.Errorf("conference: end %s: %w", chat, routing.ErrNotOwner)
	}
	if s.cfg.EndPolicy == EndEverything {
		// Ending the chat drops its consultants in routing, and Sync takes
		// them out of the ended session.
		if _, err := s.eng.End(ctx, chat, by, opts); err != nil {
			return fmt.Errorf("conference: end %s: %w", chat, err)
		}
		return s.sync(ctx, chat)
	}
	if err := s.eng.Router().DropConsultants(ctx, chat, by); err != nil {
		return fmt.Errorf("conference: end %s: %w", chat, err)
	}
	return s.sync(ctx, chat)
}

func (s *Service) sync(ctx context.Context, chat switchboard.ChatID) error {
	if _, err := s.eng.Sync(ctx, chat); err != nil {
		return fmt.Errorf("conference: %s changed in routing but its session is not in step; call Sync: %w", chat, err)
	}
	return nil
}
