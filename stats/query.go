package stats

import (
	"slices"
	"time"
)

// Window returns the figures of one queue, team, agent or tenant over the
// intervals that start in [from, to), merged across the states of every
// partition. A window that does not start and end on interval boundaries
// takes the intervals that start in it.
func Window(dim Dim, id string, from, to time.Time, states ...*State) Figures {
	var out Figures
	lo, hi := from.UnixNano(), to.UnixNano()
	for _, st := range states {
		for k, f := range st.Figures {
			if k.Dim == dim && k.ID == id && k.Start >= lo && k.Start < hi {
				out.Merge(f)
			}
		}
	}
	return out
}

// IDs returns, in order, the IDs of dimension dim that have figures in an
// interval starting in [from, to) in any of the states.
func IDs(dim Dim, from, to time.Time, states ...*State) []string {
	lo, hi := from.UnixNano(), to.UnixNano()
	seen := map[string]bool{}
	for _, st := range states {
		for k := range st.Figures {
			if k.Dim == dim && k.Start >= lo && k.Start < hi {
				seen[k.ID] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// MergeFigures returns the figures of every key across the states, each
// key's figures merged: what one state folded from the whole log would
// hold.
func MergeFigures(states ...*State) map[Key]*Figures {
	out := map[Key]*Figures{}
	for _, st := range states {
		for k, f := range st.Figures {
			g := out[k]
			if g == nil {
				g = new(Figures)
				out[k] = g
			}
			g.Merge(f)
		}
	}
	return out
}
