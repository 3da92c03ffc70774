// Package show prints what the participants of a chat were delivered,
// side by side, for the example programs: one row per entry of the chat,
// one column per participant, blank where a participant was not shown the
// entry (a whisper, an internal note, an entry from before it joined).
package show

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/engine/enginetest"
	"github.com/switchboard-cc/switchboard/session"
	"github.com/switchboard-cc/switchboard/session/sessionmem"
)

// Column is one participant whose deliveries are shown, under Title.
type Column struct {
	Title string
	Who   session.ParticipantID
}

// Customer is the column of customer id, titled "customer".
func Customer(id switchboard.CustomerID) Column {
	return Column{Title: "customer", Who: session.CustomerParticipant(id)}
}

// Agent is the column of agent id, titled by its ID.
func Agent(id switchboard.AgentID) Column {
	return Column{Title: string(id), Who: session.AgentParticipant(id)}
}

// SideBySide writes what each column's participant was delivered in chat
// by t, as a client shows it (in order, each entry once, corrections
// applied: see enginetest.Lines), one row per entry any of them was shown.
func SideBySide(w io.Writer, t *sessionmem.Transport, chat switchboard.ChatID, cols ...Column) {
	cells := make([]map[uint64]string, len(cols))
	var seqs []uint64
	widths := make([]int, len(cols))
	for i, c := range cols {
		cells[i] = map[uint64]string{}
		widths[i] = len(c.Title)
		var views []session.View
		for _, d := range t.Received(c.Who) {
			if d.Chat == chat {
				views = append(views, d.Item)
			}
		}
		slices.SortStableFunc(views, func(a, b session.View) int { return cmp.Compare(a.Seq, b.Seq) })
		views = slices.CompactFunc(views, func(a, b session.View) bool { return a.Seq == b.Seq })
		var shown []session.View
		for _, v := range views {
			if v.Type != session.EntryCorrection {
				shown = append(shown, v)
			}
		}
		lines := enginetest.Lines(views)
		for j, v := range shown {
			cells[i][v.Seq] = lines[j]
			widths[i] = max(widths[i], len([]rune(lines[j])))
			seqs = append(seqs, v.Seq)
		}
	}
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	row := func(get func(i int) string) {
		parts := make([]string, len(cols))
		for i := range cols {
			s := get(i)
			parts[i] = s + strings.Repeat(" ", widths[i]-len([]rune(s)))
		}
		fmt.Fprintln(w, "  "+strings.TrimRight(strings.Join(parts, " | "), " "))
	}
	row(func(i int) string { return cols[i].Title })
	row(func(i int) string { return strings.Repeat("-", widths[i]) })
	for _, s := range seqs {
		row(func(i int) string { return cells[i][s] })
	}
}

// Lines returns what p was delivered in chat by t, as a client shows it.
func Lines(t *sessionmem.Transport, chat switchboard.ChatID, p session.ParticipantID) []string {
	var views []session.View
	for _, d := range t.Received(p) {
		if d.Chat == chat {
			views = append(views, d.Item)
		}
	}
	return enginetest.Lines(views)
}
