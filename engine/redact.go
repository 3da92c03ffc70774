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
// before it is stored, delivered or put in an event (SPEC P1, P3, P5). A card
// number split over consecutive messages of one sender ("4111 1111" then
// "1111 1111") is caught within r's split window, and the earlier fragments
// are corrected in the stored log and for everyone who saw them.
//
// The filter keeps no state: the sender's recent messages, which the session
// gives it from the stored log, are replayed to rebuild what
// [compliance.Redactor.RedactNext] needs. So it works the same in every
// process sharing a session store, and nothing but the log holds a fragment.
func RedactingFilter(r *compliance.Redactor) session.InboundFilter { return redacting{r} }

type redacting struct{ r *compliance.Redactor }

func (f redacting) Filter(ctx context.Context, in session.FilterInput) (session.FilterOutput, error) {
	if err := ctx.Err(); err != nil {
		return session.FilterOutput{}, err
	}
	sender := string(in.Sender)
	var tail compliance.Tail
	for _, m := range in.Recent {
		var err error
		_, tail, err = f.r.RedactNext(tail, compliance.Message{ID: seqID(m.Seq), Sender: sender, Text: m.Text, At: m.At})
		if err != nil {
			return session.FilterOutput{}, err
		}
	}
	next, _, err := f.r.RedactNext(tail, compliance.Message{ID: "new", Sender: sender, Text: in.Text, At: in.At})
	if err != nil {
		return session.FilterOutput{}, err
	}
	out := session.FilterOutput{Text: next.Text}
	for _, c := range next.Corrections {
		seq, err := strconv.ParseUint(c.ID, 10, 64)
		if err != nil {
			return session.FilterOutput{}, fmt.Errorf("engine: correction of an unknown message %q", c.ID)
		}
		out.Corrections = append(out.Corrections, session.Correction{Seq: seq, Text: c.Text})
	}
	return out, nil
}

func seqID(seq uint64) string { return strconv.FormatUint(seq, 10) }
