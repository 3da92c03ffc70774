package session

import (
	"context"
	"fmt"

	"github.com/switchboard-cc/switchboard"
)

// TransferNote describes one transfer of a customer session, for the
// session's record ([Manager.RecordTransfer]). Exactly one of Agent and
// Queue is set.
type TransferNote struct {
	// ID identifies the record in the session's log, so that recording
	// the same transfer again (a call retried after an error) stores it
	// once. Defaults to empty: an ID is derived from the write.
	ID string `json:"id"`
	// By is the agent who transferred the chat.
	By switchboard.AgentID `json:"by,omitzero"`
	// Agent is the target agent, and AgentName its display name.
	Agent     switchboard.AgentID `json:"agent,omitzero"`
	AgentName string              `json:"agent_name,omitzero"`
	// Queue is the target queue.
	Queue switchboard.QueueID `json:"queue,omitzero"`
	// Comment is the transferring agent's note for the target.
	Comment string `json:"comment,omitzero"`
}

// maxTransferComment bounds a transfer comment, as routing does.
const maxTransferComment = switchboard.MaxCommentBytes

func (n *TransferNote) validate() error {
	switch {
	case n.By == "":
		return fmt.Errorf("%w: a transfer record needs the transferring agent", ErrInvalid)
	case (n.Agent == "") == (n.Queue == ""):
		return fmt.Errorf("%w: a transfer record names exactly one of a target agent and a queue", ErrInvalid)
	case len(n.Comment) > maxTransferComment:
		return fmt.Errorf("%w: transfer comment longer than %d bytes", ErrInvalid, maxTransferComment)
	}
	return nil
}

// RecordTransfer writes the record of a transfer into the session's log
// (SPEC T5): an [EntryTransfer] for agents only, saying who transferred the
// chat, when, to which agent or queue, and with what comment. The customer
// never sees it; agents in the session then, and every later owner (who
// reads the whole history), do; the organisation's log keeps it as an
// internal note. note.By must be an agent who is or was in the session: a
// transfer to a queue has taken it out of routing's chat already.
//
// It returns ErrInvalid for a bad note, ErrNotParticipant when By never was
// in the session, and a *StatusError for a closed or agent-to-agent session.
func (m *Manager) RecordTransfer(ctx context.Context, chat switchboard.ChatID, note TransferNote) error {
	if err := note.validate(); err != nil {
		return err
	}
	err := m.write(ctx, chat, func(s *Session) ([]Entry, bool, error) {
		if s.Kind != KindCustomer || s.Status == StatusClosed {
			return nil, false, &StatusError{From: s.Status, Trigger: TriggerMessage}
		}
		by := s.Participant(AgentParticipant(note.By))
		if by == nil || !by.Role.IsAgent() {
			return nil, false, fmt.Errorf("%w: %s in %s", ErrNotParticipant, note.By, chat)
		}
		e := event(EntryTransfer, Agents(), by, nil)
		e.ID = note.ID
		if note.Agent != "" {
			e.Subject, e.SubjectName = AgentParticipant(note.Agent), note.AgentName
		}
		e.Reason, e.Text = string(note.Queue), note.Comment
		return []Entry{e}, false, nil
	})
	return err
}
