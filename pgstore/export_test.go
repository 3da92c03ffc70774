package pgstore

import (
	"context"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/session"
)

// FaultPoint exports faultPoint to the tests.
type FaultPoint = faultPoint

// The fault points, for the tests.
const (
	BeforeCommit = beforeCommit
	AfterCommit  = afterCommit
	BeforeWrite  = beforeWrite
	AfterWrite   = afterWrite
)

// SetRoutingFaults makes s ask f at each fault point.
func SetRoutingFaults(s *RoutingStore, f func(FaultPoint) error) { s.faults = f }

// SetSessionFaults makes s ask f at each fault point.
func SetSessionFaults(s *SessionStore, f func(FaultPoint) error) { s.faults = f }

// NotifyNotes announces n deliveries of chat to participant p in one round
// trip, as Live's sender does with a batch.
func NotifyNotes(l *Live, p string, chat string, n int) error {
	notes := make([]note, n)
	for i := range notes {
		notes[i] = note{to: session.ParticipantID(p), chat: switchboard.ChatID(chat), seq: uint64(i + 1)}
	}
	return l.notify(context.Background(), notes)
}
