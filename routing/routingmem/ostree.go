package routingmem

import "github.com/switchboard-cc/switchboard/routing"

// ostree is an order-statistic tree of chats in queue order
// ([routing.CompareChats]): a treap whose nodes count their subtree, so a
// chat's rank (how many chats come before it) takes O(log n) expected time
// however long the queue.
type ostree struct {
	root *osNode
	rng  uint64    // xorshift state for node priorities
	free []*osNode // nodes of deleted chats, for the next inserts
}

type osNode struct {
	c           *routing.Chat
	left, right *osNode
	prio        uint64
	size        int
}

// maxFreeNodes bounds the nodes a tree keeps for reuse, so that a queue
// that was long once does not hold its memory.
const maxFreeNodes = 1024

func newOSTree() *ostree { return &ostree{rng: 0x9e3779b97f4a7c15} }

func size(n *osNode) int {
	if n == nil {
		return 0
	}
	return n.size
}

func (n *osNode) fix() { n.size = 1 + size(n.left) + size(n.right) }

func (t *ostree) nextPrio() uint64 {
	t.rng ^= t.rng << 13
	t.rng ^= t.rng >> 7
	t.rng ^= t.rng << 17
	return t.rng
}

// Len returns the number of chats in the tree.
func (t *ostree) Len() int { return size(t.root) }

// Insert adds c, which must not be in the tree.
func (t *ostree) Insert(c *routing.Chat) { t.root = t.insert(t.root, c) }

func (t *ostree) insert(n *osNode, c *routing.Chat) *osNode {
	if n == nil {
		if k := len(t.free); k > 0 {
			n, t.free = t.free[k-1], t.free[:k-1]
			*n = osNode{c: c, prio: t.nextPrio(), size: 1}
			return n
		}
		return &osNode{c: c, prio: t.nextPrio(), size: 1}
	}
	if routing.CompareChats(c, n.c) < 0 {
		n.left = t.insert(n.left, c)
		if n.left.prio > n.prio {
			l := n.left
			n.left, l.right = l.right, n
			n.fix()
			l.fix()
			return l
		}
	} else {
		n.right = t.insert(n.right, c)
		if n.right.prio > n.prio {
			r := n.right
			n.right, r.left = r.left, n
			n.fix()
			r.fix()
			return r
		}
	}
	n.fix()
	return n
}

// Delete removes the chat ordered equal to c, if there is one.
func (t *ostree) Delete(c *routing.Chat) { t.root = t.delete(t.root, c) }

func (t *ostree) delete(n *osNode, c *routing.Chat) *osNode {
	if n == nil {
		return nil
	}
	switch cmp := routing.CompareChats(c, n.c); {
	case cmp < 0:
		n.left = t.delete(n.left, c)
	case cmp > 0:
		n.right = t.delete(n.right, c)
	default:
		m := merge(n.left, n.right)
		if len(t.free) < maxFreeNodes {
			*n = osNode{}
			t.free = append(t.free, n)
		}
		return m
	}
	n.fix()
	return n
}

// merge joins two treaps, every chat of a ordered before every chat of b.
func merge(a, b *osNode) *osNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		a.fix()
		return a
	}
	b.left = merge(a, b.left)
	b.fix()
	return b
}

// Rank returns how many chats of the tree are ordered before c.
func (t *ostree) Rank(c *routing.Chat) int {
	r := 0
	for n := t.root; n != nil; {
		if routing.CompareChats(c, n.c) <= 0 {
			n = n.left
		} else {
			r += size(n.left) + 1
			n = n.right
		}
	}
	return r
}
