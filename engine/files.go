package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
	"github.com/switchboard-cc/switchboard/session"
)

// FileStore keeps the content of accepted attachments; a message carries
// only a reference to it. The host implements it over its blob storage.
// PutFile must be safe for concurrent use, return ctx.Err() when ctx is
// done, and return a reference that the host can resolve to the content
// later. It is called only for files that passed the attachment policy,
// content scan included.
type FileStore interface {
	PutFile(ctx context.Context, chat switchboard.ChatID, file attachment.Accepted) (ref string, err error)
}

// SendFiles sends a message with attachments. Every upload goes through the
// attachment policy its queue names (routing.Queue.Chat.Attachments, one
// of Config.AttachmentPolicies): the count and sizes
// counted while reading, the type sniffed from the content and matched to
// the name, names cleaned, and text-bearing content scanned for payment card
// data, which refuses the whole message (SPEC A1–A3, A5, P2). Only when
// every file passes is each stored (Config.Files) and the message sent;
// files sent in whisper mode are as private as the text (SPEC A4). A
// refusal returns the policy's [*attachment.RejectedError], which names the
// file and a reason an agent can show, and sends nothing.
func (e *Engine) SendFiles(ctx context.Context, chat switchboard.ChatID, msg session.Message, uploads []attachment.Upload) (sent session.Sent, err error) {
	ctx, end, err := e.op(ctx, "engine.SendFiles", slog.String(KeyChat, string(chat)))
	if err != nil {
		return session.Sent{}, err
	}
	defer func() { end(err) }()
	if e.cfg.Files == nil {
		return session.Sent{}, fmt.Errorf("engine: send files in %s: %w", chat, attachment.ErrDisabled)
	}
	s, err := e.sessions.Session(ctx, chat)
	if err != nil {
		return session.Sent{}, err
	}
	if p := s.Participant(msg.From); p == nil || !p.Present() {
		return session.Sent{}, fmt.Errorf("engine: send files in %s: %w: %s", chat, session.ErrNotParticipant, msg.From)
	}
	q, err := e.router.Queue(ctx, s.Queue)
	if err != nil {
		return session.Sent{}, fmt.Errorf("engine: send files in %s: %w", chat, err)
	}
	policy, ok := e.cfg.AttachmentPolicies[q.Chat.Attachments]
	if q.Chat.Attachments == "" || !ok {
		return session.Sent{}, fmt.Errorf("engine: send files in %s: queue %s names attachment policy %q: %w", chat, q.ID, q.Chat.Attachments, attachment.ErrDisabled)
	}
	accepted, err := policy.Check(ctx, uploads)
	if err != nil {
		return session.Sent{}, fmt.Errorf("engine: send files in %s: %w", chat, err)
	}
	for _, f := range accepted {
		ref, err := e.cfg.Files.PutFile(ctx, chat, f)
		if err != nil {
			return session.Sent{}, fmt.Errorf("engine: store %s: %w", f.Name, err)
		}
		msg.Files = append(msg.Files, session.File{Name: f.Name, MIMEType: f.MIME, Size: f.Size, Ref: ref})
	}
	sent, err = e.sessions.Send(ctx, chat, msg)
	return sent, err
}
