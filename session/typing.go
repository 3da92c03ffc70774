package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cc/switchboard"
)

// typingLimiter remembers when each participant's typing indicator was last
// delivered in each session.
type typingLimiter struct {
	mu   sync.Mutex
	last map[typingKey]time.Time
}

type typingKey struct {
	chat switchboard.ChatID
	from ParticipantID
}

// typingPrune is the size past which the limiter forgets stale entries.
const typingPrune = 4096

// allow reports whether k may show typing at now, and if so remembers now.
func (l *typingLimiter) allow(k typingKey, now time.Time, every time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[k]; ok && now.Sub(t) < every {
		return false
	}
	if l.last == nil {
		l.last = make(map[typingKey]time.Time)
	}
	if len(l.last) >= typingPrune {
		for key, t := range l.last {
			if now.Sub(t) >= every {
				delete(l.last, key)
			}
		}
	}
	l.last[k] = now
	return true
}

// Typing tells the other participants who could see what from is writing
// that it is typing: an [EntryTyping] delivery through the Transport, never
// stored. The visibility rule of messages applies: typing a whisper (whisper
// true) shows to agents only, never to the customer or a bot, and a
// participant who may not send the message (a customer whispering, a
// silent supervisor) gets the error Send would give. Indicators of one
// participant in one session closer than Config.TypingInterval are dropped
// without error. It returns ErrNotParticipant or ErrLeft for a participant
// not in the session, and a *StatusError when the session takes no
// messages.
func (m *Manager) Typing(ctx context.Context, chat switchboard.ChatID, from ParticipantID, whisper bool) error {
	s, err := m.store.GetSession(ctx, chat)
	if err != nil {
		return fmt.Errorf("session: get %s: %w", chat, err)
	}
	p, err := actor(&s, from)
	if err != nil {
		return err
	}
	if err := open(&s, TriggerMessage); err != nil {
		return err
	}
	msg := Message{From: from, Mode: ModeNormal}
	if whisper {
		msg.Mode = ModeWhisper
	}
	aud, err := audienceFor(&s, p, &msg)
	if err != nil {
		return err
	}
	now := m.now()
	if !m.typing.allow(typingKey{chat, from}, now, m.cfg.TypingInterval) {
		return nil
	}
	e := event(EntryTyping, aud, p, nil)
	e.At, e.Version = now, s.Version
	for i := range s.Participants {
		to := &s.Participants[i]
		if to.ID == from || !to.Present() || !Visible(s.History, to, &e) {
			continue
		}
		if err := m.cfg.Transport.Deliver(ctx, to.ID, Delivery{Chat: s.ID, Item: project(to, &e)}); err != nil {
			m.cfg.OnDeliveryError(ctx, s.ID, to.ID, err)
		}
	}
	return nil
}
