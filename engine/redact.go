package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/switchboard-cc/switchboard/compliance"
	"github.com/switchboard-cc/switchboard/session"
)

// RedactingFilter returns the [session.InboundFilter] that masks payment card data
// (and the personal data r is configured for) in every inbound message
// before it is stored, delivered or put in an event (SPEC P1, P3, P5).
//
// A card number split over consecutive messages of one sender ("4111 1111"
// then "1111 1111") is masked whole before anyone sees any of it: digits at
// the end of a message that might begin a card number are stored and
// delivered masked ("**** ****"), and their unmasked text is held back in
// the session's [session.FragmentStore] (Session.Fragments of [Config])
// until r's split window closes. If the sender's next message completes a
// card number the mask stays; if it does not, or the window closes first
// ([Engine.Settle], [Engine.Run]), a correction reveals the digits. Without
// a FragmentStore such digits stay masked.
//
// The filter keeps no state: the sender's recent messages, which the session
// gives it from the stored log and the fragment store, are replayed to
// rebuild what [compliance.Redactor.RedactNext] needs. So it works the same
// in every process sharing the stores.
func RedactingFilter(r *compliance.Redactor) session.InboundFilter { return redacting{r} }

type redacting struct{ r *compliance.Redactor }

// newID names the new message in the replay; earlier ones are named by Seq.
const newID = "new"

func (f redacting) Filter(ctx context.Context, in session.FilterInput) (session.FilterOutput, error) {
	if err := ctx.Err(); err != nil {
		return session.FilterOutput{}, err
	}
	sender := string(in.Sender)
	var tail compliance.Tail
	held := map[uint64]bool{}
	for _, m := range in.Recent {
		var err error
		_, tail, err = f.r.RedactNext(tail, compliance.Message{ID: seqID(m.Seq), Sender: sender, Text: m.Text, At: m.At})
		if err != nil {
			return session.FilterOutput{}, err
		}
		held[m.Seq] = m.Held
	}
	next, after, err := f.r.RedactNext(tail, compliance.Message{ID: newID, Sender: sender, Text: in.Text, At: in.At})
	if err != nil {
		return session.FilterOutput{}, err
	}
	out := session.FilterOutput{Text: next.Text}
	completed := map[uint64]bool{}
	for _, c := range next.Corrections {
		seq, err := strconv.ParseUint(c.ID, 10, 64)
		if err != nil {
			return session.FilterOutput{}, fmt.Errorf("%w: correction of an unknown message %q", ErrInvalid, c.ID)
		}
		if held[seq] {
			// Stored and delivered with all its pending digits masked
			// already: the mask stays.
			completed[seq] = true
			continue
		}
		out.Corrections = append(out.Corrections, session.Correction{Seq: seq, Text: c.Text})
	}
	for _, m := range in.Recent {
		switch _, pending := after.Pending(seqID(m.Seq)); {
		case !m.Held || completed[m.Seq]:
		case pending:
			out.Holding = append(out.Holding, m.Seq)
		default:
			// No card number was split: reveal what was held back.
			out.Corrections = append(out.Corrections, session.Correction{Seq: m.Seq, Text: m.Text})
		}
	}
	if masked, ok := after.Pending(newID); ok {
		out.Held, out.HeldUntil, out.Text = next.Text, after.Until(), masked
	}
	return out, nil
}

func seqID(seq uint64) string { return strconv.FormatUint(seq, 10) }

// fragmentPage is how many due fragments one pass reveals at most.
const fragmentPage = 256

// expireFragments reveals the held-back messages whose split window
// closed, and reports how many it revealed.
func (e *Engine) expireFragments(ctx context.Context) (n int, err error) {
	ctx, end := e.cfg.Tracer.Start(ctx, "engine.expireFragments")
	defer func() { end(err) }()
	return e.sessions.ExpireFragments(ctx, fragmentPage)
}
