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

// AfterClosePolicy decides what a customer message to a closed session
// does.
type AfterClosePolicy uint8

// After-close policies.
const (
	// PolicyReopen reopens the session; the wiring layer routes it to the
	// first free agent of its queue (SPEC R9).
	PolicyReopen AfterClosePolicy = iota + 1
	// PolicyNewLinked starts a new session linked to the closed one.
	PolicyNewLinked
	// PolicyReadOnly refuses the message with ErrReadOnly.
	PolicyReadOnly
)

var policyNames = [...]string{"default", "reopen", "new-linked", "read-only"}

// String returns the policy's name.
func (p AfterClosePolicy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "invalid"
}

// Response is a predefined response (SPEC S12). Its text may hold the
// placeholders {customer}, {agent} and {queue}, resolved for the agent who
// inserts it.
type Response struct {
	// ID identifies the response within its queue.
	ID string
	// Title is what the agent picks from.
	Title string
	// Text is the response itself.
	Text string
}

// QueueConfig holds per-queue session settings.
type QueueConfig struct {
	// WrapUpReasons is the list a wrap-up reason must come from (SPEC S11).
	// Defaults to none: any reason, even empty, is accepted.
	WrapUpReasons []string
	// WrapUpTime is how long the owner stays in wrap-up after ending; it
	// sets WrapUp.Until. Defaults to 0. Under the engine it is ignored: the
	// routing queue's WrapUp time, which holds the owner's slot, decides.
	WrapUpTime time.Duration
	// Responses are the queue's predefined responses. Defaults to none:
	// the feature reports ErrUnavailable.
	Responses []Response
	// History overrides Config.History for the queue's sessions. Defaults
	// to Config.History.
	History HistoryRule
	// AfterClose overrides Config.AfterClose for the queue. Defaults to
	// Config.AfterClose.
	AfterClose AfterClosePolicy
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
	// Queues holds per-queue settings. Defaults to none.
	Queues map[switchboard.QueueID]QueueConfig
	// History is the late-joiner history rule of new sessions. Defaults to
	// HistoryAll.
	History HistoryRule
	// AfterClose is the after-close policy. Defaults to PolicyReopen.
	AfterClose AfterClosePolicy
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
		c.History = HistoryAll
	}
	if c.AfterClose == 0 {
		c.AfterClose = PolicyReopen
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
	if c.NewID == nil {
		c.NewID = randomID
	}
	if c.OnDeliveryError == nil {
		c.OnDeliveryError = func(context.Context, switchboard.ChatID, ParticipantID, error) {}
	}
	switch {
	case c.FilterWindow < 0, c.MaxParticipants < 2, c.MaxTextBytes < 0, c.MaxFiles < 0, c.MaxRetries < 0:
		return c, fmt.Errorf("%w: negative limit or MaxParticipants below 2", ErrInvalid)
	case c.History > HistoryFromJoin:
		return c, fmt.Errorf("%w: history rule %d", ErrInvalid, c.History)
	case c.AfterClose > PolicyReadOnly:
		return c, fmt.Errorf("%w: after-close policy %d", ErrInvalid, c.AfterClose)
	}
	queues := make(map[switchboard.QueueID]QueueConfig, len(c.Queues))
	for q, qc := range c.Queues {
		if qc.History > HistoryFromJoin || qc.AfterClose > PolicyReadOnly || qc.WrapUpTime < 0 {
			return c, fmt.Errorf("%w: queue %q settings", ErrInvalid, q)
		}
		qc.WrapUpReasons = slices.Clone(qc.WrapUpReasons)
		qc.Responses = slices.Clone(qc.Responses)
		queues[q] = qc
	}
	c.Queues = queues // the Manager keeps its own copy
	return c, nil
}

func (c *Config) queue(q switchboard.QueueID) QueueConfig {
	qc := c.Queues[q]
	if qc.History == 0 {
		qc.History = c.History
	}
	if qc.AfterClose == 0 {
		qc.AfterClose = c.AfterClose
	}
	return qc
}

func randomID() switchboard.ChatID {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return switchboard.ChatID(hex.EncodeToString(b[:]))
}
