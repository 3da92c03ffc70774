package otel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/benbjohnson/clock"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/stats"
)

// ErrConfig is wrapped by the error of [RegisterMetrics] for a config it
// refuses.
var ErrConfig = errors.New("otel: invalid config")

// MetricsConfig says where [RegisterMetrics] reads the figures.
type MetricsConfig struct {
	// Store holds the folded states (the store a stats.Consumer saves
	// to). Required.
	Store stats.Store
	// Partitions is the number of partitions to load (stats.LoadAll):
	// routing's event log's, or the sessions' feed's when the consumer
	// folds it too and it has more. Required.
	Partitions int
	// Clock times the board. Defaults to the real clock.
	Clock clock.Clock
}

type instruments struct {
	waiting, offered, talking, wrapping, eligible metric.Int64ObservableGauge
	longest                                       metric.Float64ObservableGauge
	loggedIn, free                                metric.Int64ObservableGauge
	occupancy                                     metric.Float64ObservableGauge
	entered, answered, abandoned, timedOut        metric.Int64ObservableCounter
	handled                                       metric.Int64ObservableCounter
	answerTime, handleTime                        metric.Float64ObservableCounter
}

// RegisterMetrics registers the instruments the package documentation
// lists on meter, observed by one callback that loads the states from
// cfg.Store at each collection. Unregister the returned registration to
// stop.
func RegisterMetrics(meter metric.Meter, cfg MetricsConfig) (metric.Registration, error) {
	if cfg.Store == nil || cfg.Partitions < 1 {
		return nil, fmt.Errorf("%w: Store and Partitions (at least 1) are required", ErrConfig)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	var in instruments
	var errs []error
	gauge := func(name, unit, desc string) metric.Int64ObservableGauge {
		g, err := meter.Int64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	fgauge := func(name, unit, desc string) metric.Float64ObservableGauge {
		g, err := meter.Float64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	counter := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	fcounter := func(name, unit, desc string) metric.Float64ObservableCounter {
		c, err := meter.Float64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	in.waiting = gauge("switchboard.queue.chats.waiting", "{chat}", "Chats waiting in the queue with no offer pending.")
	in.offered = gauge("switchboard.queue.chats.offered", "{chat}", "Chats of the queue with an offer pending.")
	in.talking = gauge("switchboard.queue.chats.talking", "{chat}", "Chats of the queue assigned to an agent.")
	in.wrapping = gauge("switchboard.queue.chats.wrapping_up", "{chat}", "Chats of the queue in wrap-up.")
	in.eligible = gauge("switchboard.queue.agents.eligible", "{agent}", "Available agents with a free slot on the queue's channel.")
	in.longest = fgauge("switchboard.queue.wait.longest", "s", "Longest wait of a chat waiting or offered in the queue.")
	in.loggedIn = gauge("switchboard.agents.logged_in", "{agent}", "Agents logged in, by state.")
	in.free = gauge("switchboard.agents.slots.free", "{slot}", "Free slots of Available agents, by channel.")
	in.occupancy = fgauge("switchboard.agents.occupancy", "1", "Slots in use divided by slots.")
	in.entered = counter("switchboard.queue.chats.entered", "{chat}", "Contacts that entered the queue.")
	in.answered = counter("switchboard.queue.chats.answered", "{chat}", "Contacts answered in the queue.")
	in.abandoned = counter("switchboard.queue.chats.abandoned", "{chat}", "Contacts abandoned in the queue.")
	in.timedOut = counter("switchboard.queue.chats.timed_out", "{chat}", "Contacts that timed out in the queue.")
	in.handled = counter("switchboard.queue.chats.handled", "{chat}", "Contacts done in the queue.")
	in.answerTime = fcounter("switchboard.queue.answer.time", "s", "Sum of the answered contacts' waits.")
	in.handleTime = fcounter("switchboard.queue.handle.time", "s", "Sum of the handled contacts' handle times.")
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("otel: register metrics: %w", err)
	}
	return meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		states, err := stats.LoadAll(ctx, cfg.Store, cfg.Partitions)
		if err != nil {
			return err
		}
		in.observe(o, cfg.Clock.Now(), states)
		return nil
	}, in.waiting, in.offered, in.talking, in.wrapping, in.eligible, in.longest, in.loggedIn, in.free, in.occupancy,
		in.entered, in.answered, in.abandoned, in.timedOut, in.handled, in.answerTime, in.handleTime)
}

func (in *instruments) observe(o metric.Observer, now time.Time, states []*stats.State) {
	board := stats.Snapshot(now, states...)
	for _, id := range sortedKeys(board.Queues) {
		q := board.Queues[id]
		attrs := metric.WithAttributes(attribute.String("queue", string(id)))
		o.ObserveInt64(in.waiting, int64(q.Waiting), attrs)
		o.ObserveInt64(in.offered, int64(q.Offered), attrs)
		o.ObserveInt64(in.talking, int64(q.Talking), attrs)
		o.ObserveInt64(in.wrapping, int64(q.WrappingUp), attrs)
		o.ObserveInt64(in.eligible, int64(q.Eligible), attrs)
		o.ObserveFloat64(in.longest, q.Longest.Seconds(), attrs)
	}
	for _, id := range sortedKeys(board.Tenants) {
		g := board.Tenants[id]
		tenant := attribute.String("tenant", string(id))
		for s, n := range g.Agents.ByState {
			if s != int(routing.LoggedOut) {
				o.ObserveInt64(in.loggedIn, int64(n), metric.WithAttributes(tenant, attribute.String("state", routing.State(s).String())))
			}
		}
		for _, ch := range sortedKeys(g.Agents.FreeSlots) {
			o.ObserveInt64(in.free, int64(g.Agents.FreeSlots[ch]), metric.WithAttributes(tenant, attribute.String("channel", string(ch))))
		}
		if occ, ok := g.Agents.Occupancy(); ok {
			o.ObserveFloat64(in.occupancy, occ, metric.WithAttributes(tenant))
		}
	}
	totals := map[string]*stats.Figures{}
	for k, f := range stats.MergeFigures(states...) {
		if k.Dim != stats.ByQueue {
			continue
		}
		t := totals[k.ID]
		if t == nil {
			t = new(stats.Figures)
			totals[k.ID] = t
		}
		t.Merge(f)
	}
	for _, id := range sortedKeys(totals) {
		f := totals[id]
		attrs := metric.WithAttributes(attribute.String("queue", id))
		o.ObserveInt64(in.entered, f.Entered, attrs)
		o.ObserveInt64(in.answered, f.Answered, attrs)
		o.ObserveInt64(in.abandoned, f.Abandoned, attrs)
		o.ObserveInt64(in.timedOut, f.TimedOut, attrs)
		o.ObserveInt64(in.handled, f.Handled, attrs)
		o.ObserveFloat64(in.answerTime, f.AnswerTime.Seconds(), attrs)
		o.ObserveFloat64(in.handleTime, f.HandleTime.Seconds(), attrs)
	}
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
