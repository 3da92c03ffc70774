package stats

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// MaxThresholds is how many service-level thresholds a [Config] may set.
const MaxThresholds = 4

// Dim is what a row of figures is about: a queue, a team, an agent or a
// tenant.
type Dim uint8

const (
	// ByQueue figures are about one queue.
	ByQueue Dim = iota + 1
	// ByTeam figures are about the agents of one team.
	ByTeam
	// ByAgent figures are about one agent.
	ByAgent
	// ByTenant figures are about every queue and agent of one tenant.
	ByTenant
)

var dimNames = [...]string{"", "queue", "team", "agent", "tenant"}

// String returns the dimension's name, such as "queue".
func (d Dim) String() string {
	if int(d) < len(dimNames) && d != 0 {
		return dimNames[d]
	}
	return "Dim(" + strconv.Itoa(int(d)) + ")"
}

// Key names one row of figures: the interval starting at Start (Unix
// nanoseconds, a multiple of the interval length), the dimension, and the
// queue, team, agent or tenant ID.
type Key struct {
	Start int64
	Dim   Dim
	ID    string
}

// MarshalText encodes the key as "start/dim/id", so maps keyed by it
// encode as JSON objects.
func (k Key) MarshalText() ([]byte, error) {
	return []byte(strconv.FormatInt(k.Start, 10) + "/" + strconv.Itoa(int(k.Dim)) + "/" + k.ID), nil
}

// ErrBadKey is wrapped by the error of [Key.UnmarshalText] for text that is
// not a key.
var ErrBadKey = switchboard.NewError(switchboard.ErrInvalid, "stats: malformed key")

// UnmarshalText decodes a key encoded by MarshalText.
func (k *Key) UnmarshalText(b []byte) error {
	parts := strings.SplitN(string(b), "/", 3)
	if len(parts) != 3 {
		return fmt.Errorf("%w: %q", ErrBadKey, b)
	}
	start, err1 := strconv.ParseInt(parts[0], 10, 64)
	dim, err2 := strconv.Atoi(parts[1])
	if err := errors.Join(err1, err2); err != nil || dim < 1 || dim > int(ByTenant) {
		return fmt.Errorf("%w: %q", ErrBadKey, b)
	}
	*k = Key{Start: start, Dim: Dim(dim), ID: parts[2]}
	return nil
}

// Figures are the cumulative figures of one queue, team, agent or tenant
// over one interval or a window of them. docs/statistics.md defines each
// one: what is counted, and in which interval.
type Figures struct {
	// Chats that entered (once per queue per contact), were offered (once
	// per queue per contact), were answered, abandoned, short-abandoned
	// (abandoned within Config.ShortAbandon; also counted in Abandoned),
	// abandoned while an offer was pending, timed out, escalated,
	// withdrawn, overflowed out of and into the queue, transferred out
	// and in, and put in conference.
	Entered, Offered, Answered                  int64
	Abandoned, ShortAbandoned, AbandonedOffered int64
	TimedOut, Escalated, Withdrawn              int64
	OverflowedOut, OverflowedIn                 int64
	TransferredOut, TransferredIn, Conferenced  int64
	// Offers made, and how they were resolved.
	Offers, OffersAccepted, OffersRejected, OffersTimedOut, OffersRescinded, OffersCancelled int64
	// AnswerTime is the sum of the answered chats' waits, AnswerMax the
	// longest; AnsweredWithin[i] counts those answered within
	// Config.ServiceLevels[i]; AnswerSketch holds their distribution
	// (nil for agents).
	AnswerTime     time.Duration
	AnswerMax      time.Duration
	AnsweredWithin [MaxThresholds]int64
	AnswerSketch   *Sketch `json:",omitempty"`
	// AbandonTime is the sum of the abandoned chats' waits.
	AbandonTime time.Duration
	// Handled counts chats done; HandleTime, TalkTime and WrapUpTime are
	// the sums of their handle, talk and wrap-up times.
	Handled                          int64
	HandleTime, TalkTime, WrapUpTime time.Duration
	// StateTime is the time agents spent in each routing.State, cut at
	// interval boundaries; SlotTime is logged-in time × slots (the
	// agent's capacity summed over channels); ChatTime is the time agents
	// held chats (owner from assignment to done), summed over chats.
	StateTime [5]time.Duration
	SlotTime  time.Duration
	ChatTime  time.Duration
	// Responded counts agents' first responses: an agent's first message
	// in a chat after it became the chat's owner (agents only, from the
	// sessions' feed); ResponseTime is the sum of the times from becoming
	// owner to that message.
	Responded    int64
	ResponseTime time.Duration

	// Timers after assignment (SPEC D10). Reassigned counts chats taken
	// from an owner who did not answer in time (queue, agent, team and
	// tenant rows, from routing's log); the rest are agents only, from the
	// sessions' feed: first responses missed, reply-promise breaches,
	// silences reported while a customer waited, and chats closed for the
	// customer's silence.
	Reassigned                                int64
	FirstResponsesMissed, ResponseSLABreaches int64
	AgentIdleAlerts, CustomerIdleCloses       int64
}

// Merge adds o's figures to f.
func (f *Figures) Merge(o *Figures) {
	f.Entered += o.Entered
	f.Offered += o.Offered
	f.Answered += o.Answered
	f.Abandoned += o.Abandoned
	f.ShortAbandoned += o.ShortAbandoned
	f.AbandonedOffered += o.AbandonedOffered
	f.TimedOut += o.TimedOut
	f.Escalated += o.Escalated
	f.Withdrawn += o.Withdrawn
	f.OverflowedOut += o.OverflowedOut
	f.OverflowedIn += o.OverflowedIn
	f.TransferredOut += o.TransferredOut
	f.TransferredIn += o.TransferredIn
	f.Conferenced += o.Conferenced
	f.Offers += o.Offers
	f.OffersAccepted += o.OffersAccepted
	f.OffersRejected += o.OffersRejected
	f.OffersTimedOut += o.OffersTimedOut
	f.OffersRescinded += o.OffersRescinded
	f.OffersCancelled += o.OffersCancelled
	f.AnswerTime += o.AnswerTime
	f.AnswerMax = max(f.AnswerMax, o.AnswerMax)
	for i := range f.AnsweredWithin {
		f.AnsweredWithin[i] += o.AnsweredWithin[i]
	}
	if o.AnswerSketch != nil {
		if f.AnswerSketch == nil {
			f.AnswerSketch = new(Sketch)
		}
		f.AnswerSketch.Merge(o.AnswerSketch)
	}
	f.AbandonTime += o.AbandonTime
	f.Handled += o.Handled
	f.HandleTime += o.HandleTime
	f.TalkTime += o.TalkTime
	f.WrapUpTime += o.WrapUpTime
	for i := range f.StateTime {
		f.StateTime[i] += o.StateTime[i]
	}
	f.SlotTime += o.SlotTime
	f.ChatTime += o.ChatTime
	f.Responded += o.Responded
	f.ResponseTime += o.ResponseTime
	f.Reassigned += o.Reassigned
	f.FirstResponsesMissed += o.FirstResponsesMissed
	f.ResponseSLABreaches += o.ResponseSLABreaches
	f.AgentIdleAlerts += o.AgentIdleAlerts
	f.CustomerIdleCloses += o.CustomerIdleCloses
}

func avg(sum time.Duration, n int64) (time.Duration, bool) {
	if n == 0 {
		return 0, false
	}
	return sum / time.Duration(n), true
}

// AverageSpeedOfAnswer is AnswerTime ÷ Answered; false with none answered.
func (f *Figures) AverageSpeedOfAnswer() (time.Duration, bool) { return avg(f.AnswerTime, f.Answered) }

// SpeedOfAnswer returns the q-quantile (0.9 for the 90th percentile) of
// the answered chats' waits, within [SketchError]; false with none
// answered (and always for agents, which keep no sketch).
func (f *Figures) SpeedOfAnswer(q float64) (time.Duration, bool) { return f.AnswerSketch.Quantile(q) }

// AverageHandleTime is HandleTime ÷ Handled; false with none handled.
func (f *Figures) AverageHandleTime() (time.Duration, bool) { return avg(f.HandleTime, f.Handled) }

// AverageTalkTime is TalkTime ÷ Handled; false with none handled.
func (f *Figures) AverageTalkTime() (time.Duration, bool) { return avg(f.TalkTime, f.Handled) }

// AverageWrapUpTime is WrapUpTime ÷ Handled; false with none handled.
func (f *Figures) AverageWrapUpTime() (time.Duration, bool) { return avg(f.WrapUpTime, f.Handled) }

// AverageFirstResponse is ResponseTime ÷ Responded; false with none.
func (f *Figures) AverageFirstResponse() (time.Duration, bool) {
	return avg(f.ResponseTime, f.Responded)
}

// ServiceLevel returns the share of chats answered within threshold i of
// the config: AnsweredWithin[i] ÷ (Answered + Abandoned − ShortAbandoned +
// TimedOut + Escalated). False when the denominator is 0 or i is out of
// range.
func (f *Figures) ServiceLevel(i int) (float64, bool) {
	if i < 0 || i >= MaxThresholds {
		return 0, false
	}
	den := f.Answered + f.Abandoned - f.ShortAbandoned + f.TimedOut + f.Escalated
	if den <= 0 {
		return 0, false
	}
	return float64(f.AnsweredWithin[i]) / float64(den), true
}

// Occupancy is ChatTime ÷ SlotTime: the share of the agents' chat slots
// that held a chat while they were logged in. False with no slot time.
func (f *Figures) Occupancy() (float64, bool) {
	if f.SlotTime <= 0 {
		return 0, false
	}
	return float64(f.ChatTime) / float64(f.SlotTime), true
}

// TimeIn returns the time agents spent in state s.
func (f *Figures) TimeIn(s routing.State) time.Duration {
	if int(s) < len(f.StateTime) {
		return f.StateTime[s]
	}
	return 0
}
