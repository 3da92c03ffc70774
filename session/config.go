package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/switchboard-cc/switchboard"
)

// QueueConfig holds per-queue session settings: the queue's chat settings
// (wrap-up reasons, predefined responses, history rule, after-close
// policy), which an engine keeps in the routing queue's record, and the
// wrap-up time for hosts that run sessions without routing.
type QueueConfig struct {
	switchboard.ChatSettings
	// WrapUpTime is how long the owner stays in wrap-up after ending; it
	// sets WrapUp.Until. Defaults to 0. Under the engine it is refused: the
	// routing queue's WrapUp time, which holds the owner's slot, decides.
	WrapUpTime time.Duration
}

// Config holds a Manager's optional settings. The zero value is valid.
type Config struct {
	// Clock is the time source. Defaults to clock.New().
	Clock clock.Clock
	// Transport delivers entries live. Defaults to Discard.
	Transport Transport
	// Directory lists agents for agent-to-agent chat (SPEC S6). Defaults to
	// nil: the directory and StartA2A report ErrUnavailable.
	Directory Directory
	// Contacts provides contact info and history (SPEC S15). Defaults to
	// nil: ContactInfo and ContactHistory report ErrUnavailable.
	Contacts Contacts
	// Filter inspects every inbound message before it is stored. Defaults
	// to nil: messages are stored as sent.
	Filter InboundFilter
	// Fragments holds, outside the session log, the unmasked text of
	// messages the filter masks only in case they begin a split card
	// number (FilterOutput.Held), until the next message or
	// [Manager.ExpireFragments] reveals them. Defaults to nil: such
	// messages stay masked for good.
	Fragments FragmentStore
	// FilterWindow is how many of the sender's latest messages the filter
	// sees. Defaults to 10.
	FilterWindow int
	// TypingInterval is the least time between two typing indicators of one
	// participant in one session ([Manager.Typing]); those sooner are
	// dropped. The limit is kept in the Manager's memory, not the store:
	// indicators are ephemeral. Defaults to 2s; negative is invalid.
	TypingInterval time.Duration
	// Queues holds per-queue settings. Defaults to none.
	Queues map[switchboard.QueueID]QueueConfig
	// QueueSettings, when set, reads a queue's chat settings at the moment
	// they apply, in place of Queues, so a change made at run time reaches
	// every process: the engine reads them from the routing queue's record.
	// Defaults to nil: Queues holds the settings.
	QueueSettings func(ctx context.Context, q switchboard.QueueID) (switchboard.ChatSettings, error)
	// History is the late-joiner history rule of new sessions. Defaults to
	// switchboard.HistoryAll.
	History switchboard.HistoryRule
	// AfterClose is the after-close policy. Defaults to switchboard.PolicyReopen.
	AfterClose switchboard.AfterClosePolicy
	// MaxParticipants caps the participants present or invited at once.
	// Defaults to 16.
	MaxParticipants int
	// MaxTextBytes caps a message's text. Defaults to 4096.
	MaxTextBytes int
	// MaxFiles caps a message's files. Defaults to 5.
	MaxFiles int
	// MaxRetries caps retries after a version conflict. Defaults to 16.
	MaxRetries int
	// NewID returns the ID of a session created by the Manager (linked and
	// agent-to-agent sessions). Defaults to 128 random bits in hex.
	NewID func() switchboard.ChatID
	// OnDeliveryError is called, without locks held, when Transport.Deliver
	// fails. Defaults to ignoring the error.
	OnDeliveryError func(ctx context.Context, chat switchboard.ChatID, to ParticipantID, err error)
}

func (c Config) withDefaults() (Config, error) {
	if c.Clock == nil {
		c.Clock = clock.New()
	}
	if c.Transport == nil {
		c.Transport = Discard{}
	}
	if c.FilterWindow == 0 {
		c.FilterWindow = 10
	}
	if c.History == 0 {
		c.History = switchboard.HistoryAll
	}
	if c.AfterClose == 0 {
		c.AfterClose = switchboard.PolicyReopen
	}
	if c.MaxParticipants == 0 {
		c.MaxParticipants = 16
	}
	if c.MaxTextBytes == 0 {
		c.MaxTextBytes = 4096
	}
	if c.MaxFiles == 0 {
		c.MaxFiles = 5
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 16
	}
	if c.TypingInterval == 0 {
		c.TypingInterval = 2 * time.Second
	}
	if c.NewID == nil {
		c.NewID = randomID
	}
	if c.OnDeliveryError == nil {
		c.OnDeliveryError = func(context.Context, switchboard.ChatID, ParticipantID, error) {}
	}
	switch {
	case c.FilterWindow < 0, c.MaxParticipants < 2, c.MaxTextBytes < 0, c.MaxFiles < 0, c.MaxRetries < 0, c.TypingInterval < 0:
		return c, fmt.Errorf("%w: negative limit or MaxParticipants below 2", ErrInvalid)
	case c.History > switchboard.HistoryFromJoin:
		return c, fmt.Errorf("%w: history rule %d", ErrInvalid, c.History)
	case c.AfterClose > switchboard.PolicyReadOnly:
		return c, fmt.Errorf("%w: after-close policy %d", ErrInvalid, c.AfterClose)
	}
	queues := make(map[switchboard.QueueID]QueueConfig, len(c.Queues))
	for q, qc := range c.Queues {
		if qc.History > switchboard.HistoryFromJoin || qc.AfterClose > switchboard.PolicyReadOnly || qc.WrapUpTime < 0 || qc.Timers.Validate() != nil {
			return c, fmt.Errorf("%w: queue %q settings", ErrInvalid, q)
		}
		qc.WrapUpReasons = slices.Clone(qc.WrapUpReasons)
		qc.WrapUpTags = slices.Clone(qc.WrapUpTags)
		qc.Responses = slices.Clone(qc.Responses)
		queues[q] = qc
	}
	c.Queues = queues // the Manager keeps its own copy
	return c, nil
}

// queue returns queue q's settings, with the defaults filled in.
func (c *Config) queue(ctx context.Context, q switchboard.QueueID) (QueueConfig, error) {
	qc := c.Queues[q]
	if c.QueueSettings != nil {
		cs, err := c.QueueSettings(ctx, q)
		if err != nil {
			return QueueConfig{}, fmt.Errorf("session: settings of queue %s: %w", q, err)
		}
		qc = QueueConfig{ChatSettings: cs}
	}
	if qc.History == 0 {
		qc.History = c.History
	}
	if qc.AfterClose == 0 {
		qc.AfterClose = c.AfterClose
	}
	return qc, nil
}

// queueOf returns the settings of s's queue. An agent-to-agent session
// belongs to no queue: it has none (no wrap-up rules, time or responses),
// and nothing is looked up for it.
func (m *Manager) queueOf(ctx context.Context, s *Session) (QueueConfig, error) {
	if s.Kind == KindA2A {
		return QueueConfig{}, nil
	}
	return m.cfg.queue(ctx, s.Queue)
}

func randomID() switchboard.ChatID {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return switchboard.ChatID(hex.EncodeToString(b[:]))
}
