package stats

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// The wire form of a [Board], what a host sends to a wallboard: snake_case
// names, agents by state keyed by the state's wire text ("not_ready"),
// durations in milliseconds with the unit in the name, as every wire form
// of the library (docs/wire.md).

type agentsWire struct {
	LoggedIn  int                         `json:"logged_in"`
	ByState   map[string]int              `json:"by_state,omitzero"`
	ByReason  map[string]int              `json:"by_reason,omitzero"`
	Slots     int                         `json:"slots"`
	InUse     int                         `json:"in_use"`
	Reserved  int                         `json:"reserved"`
	FreeSlots map[switchboard.Channel]int `json:"free_slots,omitzero"`
}

type chatsWire struct {
	Waiting           int                `json:"waiting_chats"`
	Offered           int                `json:"offered_chats"`
	WaitingByPriority map[int]int        `json:"waiting_chats_by_priority,omitzero"`
	OfferedByPriority map[int]int        `json:"offered_chats_by_priority,omitzero"`
	LongestMS         int64              `json:"longest_ms"`
	LongestChat       switchboard.ChatID `json:"longest_chat,omitzero"`
	Talking           int                `json:"talking_chats"`
	WrappingUp        int                `json:"wrapping_up_chats"`
	OnHold            int                `json:"on_hold_chats,omitzero"`
}

type queueNowWire struct {
	chatsWire
	Agents   agentsWire `json:"agents"`
	Eligible int        `json:"eligible"`
}

type groupNowWire struct {
	chatsWire
	Agents agentsWire `json:"agents"`
}

type boardWire struct {
	At      time.Time                             `json:"at"`
	Queues  map[switchboard.QueueID]queueNowWire  `json:"queues"`
	Teams   map[string]groupNowWire               `json:"teams"`
	Tenants map[switchboard.TenantID]groupNowWire `json:"tenants"`
}

func agentsToWire(a *Agents) agentsWire {
	w := agentsWire{LoggedIn: a.LoggedIn, ByReason: a.ByReason, Slots: a.Slots, InUse: a.InUse,
		Reserved: a.Reserved, FreeSlots: a.FreeSlots}
	for s, n := range a.ByState {
		if n == 0 {
			continue
		}
		text, err := routing.State(s).MarshalText()
		if err != nil {
			continue // ByState has one cell per state, each with a text
		}
		if w.ByState == nil {
			w.ByState = map[string]int{}
		}
		w.ByState[string(text)] = n
	}
	return w
}

func agentsFromWire(w *agentsWire) (Agents, error) {
	a := Agents{LoggedIn: w.LoggedIn, ByReason: w.ByReason, Slots: w.Slots, InUse: w.InUse,
		Reserved: w.Reserved, FreeSlots: w.FreeSlots}
	for text, n := range w.ByState {
		var s routing.State
		if err := s.UnmarshalText([]byte(text)); err != nil {
			return Agents{}, fmt.Errorf("stats: board: %w", err)
		}
		if int(s) >= len(a.ByState) {
			return Agents{}, fmt.Errorf("stats: board: state %q: %w", text, ErrInvalid)
		}
		a.ByState[s] = n
	}
	return a, nil
}

func chatsToWire(c *Chats) chatsWire {
	return chatsWire{Waiting: c.Waiting, Offered: c.Offered, WaitingByPriority: c.WaitingByPriority,
		OfferedByPriority: c.OfferedByPriority, LongestMS: c.Longest.Milliseconds(), LongestChat: c.LongestChat,
		Talking: c.Talking, WrappingUp: c.WrappingUp, OnHold: c.OnHold}
}

func chatsFromWire(w *chatsWire) Chats {
	return Chats{Waiting: w.Waiting, Offered: w.Offered, WaitingByPriority: w.WaitingByPriority,
		OfferedByPriority: w.OfferedByPriority, Longest: time.Duration(w.LongestMS) * time.Millisecond,
		LongestChat: w.LongestChat, Talking: w.Talking, WrappingUp: w.WrappingUp, OnHold: w.OnHold}
}

// MarshalJSON gives the board's wire form: what a host sends to a
// wallboard (see docs/statistics.md).
func (b Board) MarshalJSON() ([]byte, error) {
	w := boardWire{At: b.At, Queues: make(map[switchboard.QueueID]queueNowWire, len(b.Queues)),
		Teams: make(map[string]groupNowWire, len(b.Teams)), Tenants: make(map[switchboard.TenantID]groupNowWire, len(b.Tenants))}
	for id, q := range b.Queues {
		w.Queues[id] = queueNowWire{chatsWire: chatsToWire(&q.Chats), Agents: agentsToWire(&q.Agents), Eligible: q.Eligible}
	}
	for id, g := range b.Teams {
		w.Teams[id] = groupNowWire{chatsWire: chatsToWire(&g.Chats), Agents: agentsToWire(&g.Agents)}
	}
	for id, g := range b.Tenants {
		w.Tenants[id] = groupNowWire{chatsWire: chatsToWire(&g.Chats), Agents: agentsToWire(&g.Agents)}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the wire form of [Board.MarshalJSON]. An unknown
// agent state is an error wrapping [ErrInvalid], and *b is left unchanged.
func (b *Board) UnmarshalJSON(data []byte) error {
	var w boardWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := Board{At: w.At, Queues: make(map[switchboard.QueueID]*QueueNow, len(w.Queues)),
		Teams: make(map[string]*GroupNow, len(w.Teams)), Tenants: make(map[switchboard.TenantID]*GroupNow, len(w.Tenants))}
	for id, q := range w.Queues {
		a, err := agentsFromWire(&q.Agents)
		if err != nil {
			return err
		}
		out.Queues[id] = &QueueNow{Chats: chatsFromWire(&q.chatsWire), Agents: a, Eligible: q.Eligible}
	}
	for id, g := range w.Teams {
		a, err := agentsFromWire(&g.Agents)
		if err != nil {
			return err
		}
		out.Teams[id] = &GroupNow{Chats: chatsFromWire(&g.chatsWire), Agents: a}
	}
	for id, g := range w.Tenants {
		a, err := agentsFromWire(&g.Agents)
		if err != nil {
			return err
		}
		out.Tenants[id] = &GroupNow{Chats: chatsFromWire(&g.chatsWire), Agents: a}
	}
	*b = out
	return nil
}
