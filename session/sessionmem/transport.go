package sessionmem

import (
	"context"
	"sync"

	"github.com/switchboard-cc/switchboard/session"
)

var _ session.Transport = (*Transport)(nil)

// Transport is an in-memory session.Transport that records every delivery
// per participant, in the order Deliver was called. The zero value is
// ready to use. It is safe for concurrent use.
type Transport struct {
	mu    sync.Mutex
	inbox map[session.ParticipantID][]session.Delivery
	// Fail, if set, is called for each delivery; a non-nil result is
	// returned from Deliver and the delivery is not recorded. Set it before
	// first use. It lets tests inject transport faults.
	Fail func(to session.ParticipantID, d session.Delivery) error
}

// NewTransport returns an empty Transport.
func NewTransport() *Transport { return &Transport{} }

// Deliver implements session.Transport.
func (t *Transport) Deliver(ctx context.Context, to session.ParticipantID, d session.Delivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.Fail != nil {
		if err := t.Fail(to, d); err != nil {
			return err
		}
	}
	d.Item.Files = append([]session.File(nil), d.Item.Files...)
	d.Item.Options = append([]session.Option(nil), d.Item.Options...)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inbox == nil {
		t.inbox = map[session.ParticipantID][]session.Delivery{}
	}
	t.inbox[to] = append(t.inbox[to], d)
	return nil
}

// Received returns a copy of the deliveries made to p, oldest first.
func (t *Transport) Received(p session.ParticipantID) []session.Delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]session.Delivery, len(t.inbox[p]))
	for i, d := range t.inbox[p] {
		d.Item.Files = append([]session.File(nil), d.Item.Files...)
		d.Item.Options = append([]session.Option(nil), d.Item.Options...)
		out[i] = d
	}
	return out
}

// Reset forgets every recorded delivery.
func (t *Transport) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inbox = nil
}
