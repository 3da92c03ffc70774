package routingmem

import (
	"slices"

	"github.com/google/btree"

	"github.com/switchboard-cc/switchboard"
	"github.com/switchboard-cc/switchboard/routing"
)

// pool holds the agents that may be offered a queue's chats now (Available,
// logged in to the queue, room for an item of its channel by
// [routing.Agent.HasRoom]: a free slot, budget, interrupt rules), in the queue's
// strategy order, and the same agents again per skill and level, so that a
// query requiring skills looks up the agents that have them instead of
// walking the pool.
type pool struct {
	order   routing.Order
	channel switchboard.Channel
	tree    *btree.BTreeG[*routing.Agent]
	skills  map[string]map[int]*btree.BTreeG[*routing.Agent] // skill → level → agents
}

func newPool(order routing.Order, channel switchboard.Channel) *pool {
	p := &pool{order: order, channel: channel, skills: make(map[string]map[int]*btree.BTreeG[*routing.Agent])}
	p.tree = btree.NewG(degree, p.less)
	return p
}

func (p *pool) less(a, b *routing.Agent) bool { return routing.Compare(p.order, p.channel, a, b) < 0 }

// insert adds a to the pool and to the tree of each of its skills.
func (p *pool) insert(a *routing.Agent) {
	p.tree.ReplaceOrInsert(a)
	for _, s := range a.Profile.Skills {
		levels := p.skills[s.Name]
		if levels == nil {
			levels = make(map[int]*btree.BTreeG[*routing.Agent])
			p.skills[s.Name] = levels
		}
		t := levels[s.Level]
		if t == nil {
			t = btree.NewG(degree, p.less)
			levels[s.Level] = t
		}
		t.ReplaceOrInsert(a)
	}
}

// delete takes a out of the pool; a's order key and skills must be those it
// was inserted with.
func (p *pool) delete(a *routing.Agent) {
	if _, ok := p.tree.Delete(a); !ok {
		return
	}
	for _, s := range a.Profile.Skills {
		levels := p.skills[s.Name]
		t := levels[s.Level]
		if t == nil {
			continue
		}
		t.Delete(a)
		if t.Len() == 0 {
			delete(levels, s.Level)
			if len(levels) == 0 {
				delete(p.skills, s.Name)
			}
		}
	}
}

// holders returns the trees of the agents of the pool meeting r, and how
// many agents they hold.
func (p *pool) holders(r routing.SkillRequirement, dst []*btree.BTreeG[*routing.Agent]) ([]*btree.BTreeG[*routing.Agent], int) {
	n := 0
	for level, t := range p.skills[r.Skill] {
		if level >= r.Min {
			dst = append(dst, t)
			n += t.Len()
		}
	}
	return dst, n
}

// candidates answers q, whose order and channel are the pool's. Without
// required skills it walks the pool in order, stopping at the limit. With
// them it walks only the agents meeting the requirement fewest agents meet,
// and answers at once when no agent meets one: its cost is O(log n + m) for
// the m agents of that requirement it passes over, not O(n).
func (p *pool) candidates(q *routing.CandidateQuery) []switchboard.AgentID {
	var out []switchboard.AgentID
	visit := func(a *routing.Agent) bool {
		if q.Matches(a) {
			out = append(out, a.ID)
		}
		return q.Limit == 0 || len(out) < q.Limit
	}
	walk := func(t *btree.BTreeG[*routing.Agent], visit func(*routing.Agent) bool) {
		if q.Order == routing.ByID && q.After != "" {
			t.AscendGreaterOrEqual(&routing.Agent{ID: q.After}, visit)
		} else {
			t.Ascend(visit)
		}
	}
	if len(q.Require) == 0 {
		walk(p.tree, visit)
		return out
	}
	var best []*btree.BTreeG[*routing.Agent]
	bestN := -1
	var bufs [2][4]*btree.BTreeG[*routing.Agent]
	cur := 0
	for _, r := range q.Require {
		trees, n := p.holders(r, bufs[cur][:0])
		if n == 0 {
			return nil // nobody meets r
		}
		if bestN < 0 || n < bestN {
			best, bestN = trees, n
			cur ^= 1 // keep best's buffer
		}
	}
	if len(best) == 1 {
		walk(best[0], visit)
		return out
	}
	// Several levels meet the requirement: the first Limit matches of each
	// level's tree, merged, are the first Limit matches of all.
	var found []*routing.Agent
	for _, t := range best {
		k := 0
		walk(t, func(a *routing.Agent) bool {
			if q.Matches(a) {
				found = append(found, a)
				k++
			}
			return q.Limit == 0 || k < q.Limit
		})
	}
	slices.SortFunc(found, func(a, b *routing.Agent) int { return routing.Compare(p.order, p.channel, a, b) })
	if q.Limit > 0 && len(found) > q.Limit {
		found = found[:q.Limit]
	}
	for _, a := range found {
		out = append(out, a.ID)
	}
	return out
}
