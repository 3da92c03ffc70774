package session

import (
	"context"
	"fmt"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/attachment"
)

// FileStore keeps the content of accepted attachments for a [Desk]; a
// message carries only a reference to it. The host implements it over its
// blob storage. PutFile must be safe for concurrent use, return ctx.Err()
// when ctx is done, and return a reference that the host can resolve to the
// content later. It is called only for files that passed the attachment
// policy, content scan included.
type FileStore interface {
	PutFile(ctx context.Context, chat switchboard.ChatID, file attachment.Accepted) (ref string, err error)
}

// AttachmentPolicy returns the attachment policy for a session, typically
// by its tenant and queue. The zero [attachment.Policy] switches attachments
// off (SPEC A3).
type AttachmentPolicy func(s *Session) attachment.Policy

// SendFiles sends a message with attachments. Every upload goes through the
// session's attachment policy (DeskConfig.Attachments): the count and sizes
// counted while reading, the type sniffed from the content and matched to
// the name, names cleaned, and text-bearing content scanned for payment card
// data, which refuses the whole message (SPEC A1–A3, A5, P2). Only when
// every file passes is each stored (DeskConfig.Files) and the message sent;
// files sent in whisper mode are as private as the text (SPEC A4). A
// refusal returns the policy's [*attachment.RejectedError], which names the
// file and a reason an agent can show, and sends nothing.
func (d *Desk) SendFiles(ctx context.Context, chat switchboard.ChatID, msg Message, uploads []attachment.Upload) (Sent, error) {
	if d.cfg.Files == nil || d.cfg.Attachments == nil {
		return Sent{}, fmt.Errorf("session: send files in %s: %w", chat, attachment.ErrDisabled)
	}
	s, err := d.sessions.Session(ctx, chat)
	if err != nil {
		return Sent{}, err
	}
	if _, err := actor(&s, msg.From); err != nil {
		return Sent{}, fmt.Errorf("session: send files in %s: %w", chat, err)
	}
	accepted, err := d.cfg.Attachments(&s).Check(ctx, uploads)
	if err != nil {
		return Sent{}, fmt.Errorf("session: send files in %s: %w", chat, err)
	}
	for _, f := range accepted {
		ref, err := d.cfg.Files.PutFile(ctx, chat, f)
		if err != nil {
			return Sent{}, fmt.Errorf("session: store %s: %w", f.Name, err)
		}
		msg.Files = append(msg.Files, File{Name: f.Name, MIMEType: f.MIME, Size: f.Size, Ref: ref})
	}
	return d.Send(ctx, chat, msg)
}
