// Command wallboard runs a busy hour of two queues on a mock clock through
// an engine.Engine, with statistics folded from routing's event log, and
// prints what a supervisor's wallboard shows: the real-time board at a
// few moments of the hour, then the cumulative table of each queue and
// team by 15-minute interval.
//
//	go run ./examples/wallboard
package main

import (
	"container/heap"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine"
	"github.com/switchboard-cc/switchboard/routing"
	"github.com/switchboard-cc/switchboard/routing/routingmem"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
	"github.com/switchboard-cc/switchboard/stats"
	"github.com/switchboard-cc/switchboard/stats/statsmem"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// happening is something due in the simulated hour.
type happening struct {
	at    time.Time
	what  string // "arrive", "finish", "leave", "break", "back", "logout", "show"
	chat  switchboard.ChatID
	queue switchboard.QueueID
	agent switchboard.AgentID
}

type agenda []happening

func (a agenda) Len() int           { return len(a) }
func (a agenda) Less(i, j int) bool { return a[i].at.Before(a[j].at) }
func (a agenda) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }
func (a *agenda) Push(x any)        { *a = append(*a, x.(happening)) }
func (a *agenda) Pop() any {
	old := *a
	x := old[len(old)-1]
	*a = old[:len(old)-1]
	return x
}

type hour struct {
	ctx     context.Context
	out     io.Writer
	clk     *clock.Mock
	eng     *engine.Engine
	routes  *routingmem.Store
	figures *statsmem.Store
	rnd     *rand.Rand
	todo    agenda
	agents  []switchboard.AgentID
}

func run(ctx context.Context, out io.Writer) error {
	start := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	h := &hour{ctx: ctx, out: out, clk: clock.NewMock(), routes: routingmem.New(routingmem.Config{}),
		figures: statsmem.New(), rnd: rand.New(rand.NewPCG(3, 4))}
	h.clk.Set(start)
	cons, err := stats.NewConsumer(stats.Config{}, h.figures, nil)
	if err != nil {
		return err
	}
	h.eng, err = engine.New(ctx, engine.Config{Routing: h.routes, Sessions: sessionmem.NewStore(),
		Desktops:     routing.TransportFunc(func(context.Context, ...routing.Event) error { return nil }),
		Participants: session.Discard{}, Clock: h.clk, Manual: true, Consumers: []engine.EventConsumer{cons}})
	if err != nil {
		return err
	}
	r := h.eng.Router()
	for _, q := range []routing.Queue{
		{ID: "sales", Tenant: "acme", AcceptTimeout: 30 * time.Second, WrapUp: 30 * time.Second},
		{ID: "support", Tenant: "acme", AcceptTimeout: 30 * time.Second, WrapUp: time.Minute},
	} {
		if _, err := r.PutQueue(ctx, q); err != nil {
			return err
		}
	}
	staff := []struct {
		id     switchboard.AgentID
		team   string
		queues []switchboard.QueueID
		slots  int
	}{
		{"ada", "red", []switchboard.QueueID{"sales"}, 2}, {"bea", "red", []switchboard.QueueID{"sales"}, 2},
		{"cy", "red", []switchboard.QueueID{"sales", "support"}, 2}, {"dan", "blue", []switchboard.QueueID{"support"}, 2},
		{"eve", "blue", []switchboard.QueueID{"support"}, 2}, {"fay", "blue", []switchboard.QueueID{"support", "sales"}, 1},
	}
	for _, s := range staff {
		p := routing.Profile{Tenant: "acme", Team: s.team, Queues: s.queues,
			Capacity: []routing.Capacity{{Channel: switchboard.DefaultChannel, Max: s.slots}}}
		if _, err := r.Login(ctx, s.id, p); err != nil {
			return err
		}
		h.agents = append(h.agents, s.id)
	}
	// Arrivals: Poisson, 1.4 a minute for sales and 1 for support.
	n := 0
	for _, a := range []struct {
		q         switchboard.QueueID
		perMinute float64
	}{{"sales", 1.4}, {"support", 1}} {
		q, perMinute := a.q, a.perMinute
		for t := start; ; {
			t = t.Add(time.Duration(h.rnd.ExpFloat64() / perMinute * float64(time.Minute)))
			if !t.Before(start.Add(time.Hour)) {
				break
			}
			n++
			h.todo = append(h.todo, happening{at: t, what: "arrive", chat: switchboard.ChatID(fmt.Sprintf("%s-%03d", q, n)), queue: q})
		}
	}
	h.todo = append(h.todo,
		happening{at: start.Add(20 * time.Minute), what: "break", agent: "dan"},
		happening{at: start.Add(35 * time.Minute), what: "back", agent: "dan"},
		happening{at: start.Add(40 * time.Minute), what: "logout", agent: "fay"})
	for _, m := range []time.Duration{15, 30, 45} {
		h.todo = append(h.todo, happening{at: start.Add(m * time.Minute), what: "show"})
	}
	heap.Init(&h.todo)
	end := start.Add(time.Hour)
	for h.todo.Len() > 0 && h.todo[0].at.Before(end) {
		next := heap.Pop(&h.todo).(happening)
		h.clk.Set(next.at)
		if err := h.do(next); err != nil {
			return fmt.Errorf("%s at %s: %w", next.what, next.at.Format("15:04:05"), err)
		}
		if err := h.eng.Settle(ctx); err != nil {
			return err
		}
		if err := h.take(); err != nil {
			return err
		}
	}
	h.clk.Set(end)
	if err := h.eng.Settle(ctx); err != nil {
		return err
	}
	if err := h.show(); err != nil {
		return err
	}
	return h.table(start)
}

func (h *hour) do(x happening) error {
	r := h.eng.Router()
	switch x.what {
	case "arrive":
		if _, err := h.eng.Start(h.ctx, engine.StartRequest{ID: x.chat, Tenant: "acme", Queue: x.queue,
			Customer: switchboard.CustomerID("u-" + string(x.chat)), CustomerName: "Customer"}); err != nil {
			return err
		}
		heap.Push(&h.todo, happening{at: x.at.Add(time.Duration(h.rnd.ExpFloat64() * float64(4*time.Minute))), what: "leave", chat: x.chat})
	case "leave": // the customer's patience ran out: it leaves if still waiting
		c, err := r.Chat(h.ctx, x.chat)
		if err != nil || (c.State != routing.Queued && c.State != routing.Offered) {
			return err
		}
		return h.eng.CustomerLeft(h.ctx, x.chat, switchboard.CustomerID("u-"+string(x.chat)))
	case "finish":
		c, err := r.Chat(h.ctx, x.chat)
		if err != nil || c.State != routing.Assigned {
			return err
		}
		_, err = h.eng.End(h.ctx, x.chat, c.Agent, session.EndOptions{Confirm: true, Forced: true})
		return err
	case "break":
		return r.SetState(h.ctx, x.agent, routing.NotReady, "break")
	case "back":
		return r.SetState(h.ctx, x.agent, routing.Available, "")
	case "logout":
		return h.eng.Logout(h.ctx, x.agent)
	case "show":
		return h.show()
	}
	return nil
}

// take has each agent accept its offers, most of the time; now and then
// an agent lets one ring out or rejects it.
func (h *hour) take() error {
	for _, a := range h.agents {
		offers, err := h.eng.Router().Offers(h.ctx, a)
		if err != nil {
			return err
		}
		for _, o := range offers {
			switch h.rnd.IntN(12) {
			case 0: // rings out: the offer times out and the agent goes to RONA
			case 1:
				if err := h.eng.Reject(h.ctx, a, o.ID); err != nil {
					return err
				}
			default:
				if _, _, err := h.eng.Accept(h.ctx, a, o.ID); err != nil {
					return err
				}
				talk := time.Duration((0.5 + h.rnd.ExpFloat64()) * float64(4*time.Minute))
				heap.Push(&h.todo, happening{at: h.clk.Now().Add(talk), what: "finish", chat: o.Chat})
			}
		}
		if ag, err := h.eng.Router().Agent(h.ctx, a); err == nil && ag.State == routing.RONA {
			if err := h.eng.Router().SetState(h.ctx, a, routing.Available, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// show prints the real-time board.
func (h *hour) show() error {
	b, err := stats.LoadBoard(h.ctx, h.figures, h.routes.Partitions(), h.clk.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(h.out, "\n== board at %s\n", h.clk.Now().Format("15:04:05"))
	fmt.Fprintf(h.out, "%-8s %7s %7s %8s %9s %8s %8s %9s\n", "queue", "waiting", "offered", "longest", "talking", "wrap-up", "eligible", "occupancy")
	for _, id := range sorted(b.Queues) {
		q := b.Queues[id]
		occ, _ := q.Agents.Occupancy()
		fmt.Fprintf(h.out, "%-8s %7d %7d %8s %9d %8d %8d %8.0f%%\n", id, q.Waiting, q.Offered, q.Longest.Round(time.Second),
			q.Talking, q.WrappingUp, q.Eligible, 100*occ)
	}
	t := b.Tenants["acme"]
	var states []string
	for s, n := range t.Agents.ByState {
		if n > 0 {
			states = append(states, fmt.Sprintf("%s %d", routing.State(s), n))
		}
	}
	fmt.Fprintf(h.out, "agents: %s; free slots %d\n", strings.Join(states, ", "), t.Agents.FreeSlots[switchboard.DefaultChannel])
	return nil
}

// table prints the cumulative figures of each queue and team by interval.
func (h *hour) table(start time.Time) error {
	states, err := stats.LoadAll(h.ctx, h.figures, h.routes.Partitions())
	if err != nil {
		return err
	}
	fmt.Fprintf(h.out, "\n== the hour by 15 minutes\n")
	fmt.Fprintf(h.out, "%-13s %-6s %7s %8s %9s %6s %6s %6s %7s %7s\n", "row", "from", "entered", "answered", "abandoned", "ASA", "p90", "SL20s", "AHT", "handled")
	for _, row := range []struct {
		dim stats.Dim
		id  string
	}{{stats.ByQueue, "sales"}, {stats.ByQueue, "support"}, {stats.ByTeam, "red"}, {stats.ByTeam, "blue"}} {
		for from := start; from.Before(start.Add(time.Hour)); from = from.Add(15 * time.Minute) {
			f := stats.Window(row.dim, row.id, from, from.Add(15*time.Minute), states...)
			asa, _ := f.AverageSpeedOfAnswer()
			p90, _ := f.SpeedOfAnswer(0.9)
			aht, _ := f.AverageHandleTime()
			sl := "-"
			if v, ok := f.ServiceLevel(0); ok && row.dim == stats.ByQueue {
				sl = fmt.Sprintf("%.0f%%", 100*v)
			}
			fmt.Fprintf(h.out, "%-13s %-6s %7d %8d %9d %6s %6s %6s %7s %7d\n", row.dim.String()+" "+row.id, from.Format("15:04"),
				f.Entered, f.Answered, f.Abandoned, asa.Round(time.Second), p90.Round(time.Second), sl, aht.Round(time.Second), f.Handled)
		}
		f := stats.Window(row.dim, row.id, start, start.Add(time.Hour), states...)
		occ := "-"
		if v, ok := f.Occupancy(); ok {
			occ = fmt.Sprintf("%.0f%%", 100*v)
		}
		asa, _ := f.AverageSpeedOfAnswer()
		fmt.Fprintf(h.out, "%-13s %-6s %7d %8d %9d %6s  occupancy %s\n", row.dim.String()+" "+row.id, "hour", f.Entered, f.Answered, f.Abandoned, asa.Round(time.Second), occ)
	}
	return nil
}

func sorted[K ~string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
