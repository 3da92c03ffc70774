package compliance

import "unicode/utf8"

// The scanner makes one pass over the text. Digits (of any script) and the
// mask character '*' form groups; groups joined by runs of one to three
// separators form a chain. Within a chain, a card is a run of whole groups,
// never part of a group: a number glued to further digits is never cut into
// a shorter one. Candidates are evaluated over a sliding window of at most
// maxPAN digits, so every byte is looked at a bounded number of times and
// the scan is linear in the length of the text.

// A chain may hold a few digits before its first card (a count, "2 cards
// 4111 ..."); more than looseAtStart such "loose" digits mean the chain is
// one long number, such as a tracking number, and nothing inside it is a
// card. After a card, any number of other digits may come before the next.
const (
	looseAtStart     = 3
	maxQueued        = 32 // groups waiting; a window holds at most maxPAN+1
	digitRing        = 64 // digit values waiting; at most 2*maxPAN
	shortMin         = 3  // digits of a security code
	shortMax         = 4
	keywordLookback  = 40
	keywordFillerMax = 2
)

// cardHit is one card found: the byte offsets of its first and one past its
// last digit, its brand and its number of digits.
type cardHit struct {
	start, end int
	brand      int
	digits     int
}

// span is a half-open byte range.
type span struct{ start, end int }

// chainInfo describes the last chain of the text, for split detection.
type chainInfo struct {
	start, end int
	digits     int
	open       bool // plain digits that could continue in the next message
	valid      bool
}

// scanOut collects what a scan finds.
type scanOut struct {
	first   bool // stop at the first finding
	stopped bool
	wantCVV bool // report security codes after a security-code word
	cards   []cardHit
	cvvs    []span
	last    chainInfo
}

// queued is a group of digits waiting for a decision.
type queued struct {
	start, end int
	nd, d0     int
	dotBefore  bool // the separator before it is a lone full stop
	dotAfter   bool // the separator after it is a lone full stop
	noEnd      bool // a card may not end here (glued to a letter)
}

// scanner holds the state of one scan.
type scanner[T text] struct {
	s    T
	tab  *brandTable
	trap *trapWords
	out  *scanOut

	// Current chain.
	dead        bool
	trapChecked bool
	trapped     bool
	afterCard   bool
	loose       int
	groups      int
	glued       bool
	firstND     int
	lastStart   int
	lastND      int
	lastStar    bool
	cardsInCh   int
	stars       bool
	chDigits    int
	q           [maxQueued]queued
	qh, qn      int
	qDigits     int
	dig         [digitRing]byte
	dn          int

	// The last URL check: the offset checked, the start of its token and
	// the verdict.
	urlSet        bool
	urlAt, urlTok int
	urlRes        bool
}

// scan runs the card scanner over s.
func scan[T text](s T, tab *brandTable, trap *trapWords, out *scanOut) {
	sc := scanner[T]{s: s, tab: tab, trap: trap, out: out}
	n := len(s)
	i := 0
	for i < n {
		for i < n && !interesting[s[i]] {
			i++
		}
		if i >= n {
			return
		}
		if b := s[i]; b >= utf8.RuneSelf {
			r, size := decodeAt(s, i)
			if digitValue(r) < 0 {
				i += size
				continue
			}
		}
		i = sc.chain(i)
		if out.stopped {
			return
		}
	}
}

// chain reads the chain starting at i and returns the offset after its last
// group.
func (sc *scanner[T]) chain(i int) int {
	s := sc.s
	n := len(s)
	sc.dead, sc.trapChecked, sc.trapped, sc.afterCard = false, false, false, false
	sc.loose, sc.groups, sc.cardsInCh, sc.chDigits, sc.stars = 0, 0, 0, 0, false
	sc.qh, sc.qn, sc.qDigits = 0, 0, 0

	// A number glued to a letter is part of an identifier (an IBAN, a hash,
	// a hexadecimal constant); one after '+' is a phone number; one in a URL
	// path is an identifier.
	sc.dead = sc.leadGlued(i)
	sc.glued = sc.dead

	chainStart := i
	pos := i
	dotBefore := false
	for {
		gStart := pos
		nd := 0
		star := false
		d0 := sc.dn
		for pos < n {
			b := s[pos]
			if b-'0' <= 9 {
				if nd < maxPAN {
					sc.dig[(d0+nd)&(digitRing-1)] = b - '0'
				}
				nd++
				pos++
				continue
			}
			if b == '*' {
				star = true
				nd++
				pos++
				continue
			}
			if b < utf8.RuneSelf {
				break
			}
			r, size := decodeAt(s, pos)
			v := digitValue(r)
			if v < 0 {
				break
			}
			if nd < maxPAN {
				sc.dig[(d0+nd)&(digitRing-1)] = byte(v)
			}
			nd++
			pos += size
		}
		gEnd := pos

		// The separator run after the group.
		sepEnd, count, dots := pos, 0, 0
		for sepEnd < n && count <= 3 {
			r, size := decodeAt(s, sepEnd)
			c := sepClass(r)
			if c == sepNone {
				break
			}
			count++
			if c == sepDot {
				dots++
			}
			sepEnd += size
		}
		more := count >= 1 && count <= 3 && sepEnd < n && sc.chainRuneAt(sepEnd)
		noEnd := false
		if !more && gEnd < n {
			if r, _ := decodeAt(s, gEnd); r < utf8.RuneSelf && isLetterByte(byte(r)) {
				noEnd = true
			}
		}
		sc.group(gStart, gEnd, nd, star, dotBefore, !more, noEnd)
		if sc.out.stopped {
			return gEnd
		}
		if !more {
			sc.endChain(chainStart, gEnd, noEnd)
			return gEnd
		}
		dotBefore = count == 1 && dots == 1
		pos = sepEnd
	}
}

// chainRuneAt reports whether a digit or the mask character starts at i.
func (sc *scanner[T]) chainRuneAt(i int) bool {
	b := sc.s[i]
	if b-'0' <= 9 || b == '*' {
		return true
	}
	if b < utf8.RuneSelf {
		return false
	}
	r, _ := decodeAt(sc.s, i)
	return digitValue(r) >= 0
}

// group takes the next group of the current chain.
func (sc *scanner[T]) group(start, end, nd int, star, dotBefore, last, noEnd bool) {
	sc.groups++
	if sc.groups == 1 {
		sc.firstND = nd
	}
	sc.lastStart, sc.lastND, sc.lastStar = start, nd, star
	sc.chDigits += nd
	sc.stars = sc.stars || star
	if sc.dead {
		return
	}
	if sc.qn > 0 {
		sc.q[(sc.qh+sc.qn-1)&(maxQueued-1)].dotAfter = dotBefore
	}
	if star || nd > maxPAN {
		// Already masked, or too long to be a card: no card contains this
		// group. Decide everything before it, then count it as loose.
		sc.flush()
		if sc.dead || sc.out.stopped {
			return
		}
		sc.addLoose(nd)
		return
	}
	sc.q[(sc.qh+sc.qn)&(maxQueued-1)] = queued{start: start, end: end, nd: nd, d0: sc.dn, dotBefore: dotBefore, noEnd: last && noEnd}
	sc.qn++
	sc.qDigits += nd
	sc.dn = (sc.dn + nd) & (digitRing - 1)
	for sc.qn > 0 && sc.qDigits > maxPAN && !sc.dead && !sc.out.stopped {
		sc.evalHead()
	}
	if last {
		sc.flush()
	}
}

// flush decides every queued group.
func (sc *scanner[T]) flush() {
	for sc.qn > 0 && !sc.dead && !sc.out.stopped {
		sc.evalHead()
	}
	sc.qn, sc.qDigits = 0, 0
}

func (sc *scanner[T]) addLoose(nd int) {
	sc.loose += nd
	if !sc.afterCard && sc.loose > looseAtStart {
		// Loose digits only grow until a card is found, and no card can
		// start any more: nothing else in this chain is a card.
		sc.dead = true
		sc.qn, sc.qDigits = 0, 0
	}
}

func (sc *scanner[T]) pop(k int) {
	for ; k > 0; k-- {
		sc.qDigits -= sc.q[sc.qh].nd
		sc.qh = (sc.qh + 1) & (maxQueued - 1)
		sc.qn--
	}
}

// evalHead decides the group at the head of the queue: either the longest
// valid card starting with it, or a loose group.
func (sc *scanner[T]) evalHead() {
	h := sc.q[sc.qh]
	if !h.dotBefore { // no card starts right after a decimal point
		var d [maxPAN]byte
		c, a, b := 0, 0, 0 // digits; Luhn sums doubling odd, even indexes
		best, bestBrand, bestLen := -1, -1, 0
		for k := 0; k < sc.qn; k++ {
			g := &sc.q[(sc.qh+k)&(maxQueued-1)]
			if c+g.nd > maxPAN {
				break
			}
			for t := 0; t < g.nd; t++ {
				v := sc.dig[(g.d0+t)&(digitRing-1)]
				d[c] = v
				if c&1 == 1 {
					a += int(luhnDouble[v])
					b += int(v)
				} else {
					a += int(v)
					b += int(luhnDouble[v])
				}
				c++
			}
			if c < minPAN || g.dotAfter || g.noEnd {
				continue
			}
			sum := b
			if c&1 == 1 {
				sum = a
			}
			if sum%10 != 0 {
				continue
			}
			if br := sc.tab.match(d[:c]); br >= 0 {
				best, bestBrand, bestLen = k, br, c
			}
		}
		if best >= 0 {
			if !sc.trapChecked {
				sc.trapChecked = true
				sc.trapped = trapBefore(sc.trap, sc.s, h.start)
			}
			if sc.trapped {
				sc.dead = true
				sc.qn, sc.qDigits = 0, 0
				return
			}
			end := sc.q[(sc.qh+best)&(maxQueued-1)].end
			sc.out.cards = append(sc.out.cards, cardHit{start: h.start, end: end, brand: bestBrand, digits: bestLen})
			sc.cardsInCh++
			if sc.out.first {
				sc.out.stopped = true
				return
			}
			sc.pop(best + 1)
			sc.afterCard = true
			sc.loose = 0
			return
		}
	}
	sc.pop(1)
	sc.addLoose(h.nd)
}

// endChain records the last chain and checks a lone short number for a
// security code.
func (sc *scanner[T]) endChain(start, end int, noEnd bool) {
	// A security code is a lone short number, or a short number after a
	// word ending in digits ("CVV2 123").
	lone := sc.groups == 1 && !sc.glued || sc.groups == 2 && sc.glued && sc.firstND <= 2
	if sc.out.wantCVV && lone && !sc.lastStar && sc.lastND >= shortMin && sc.lastND <= shortMax && !noEnd {
		if securityWordBefore(sc.s, sc.lastStart) {
			sc.out.cvvs = append(sc.out.cvvs, span{sc.lastStart, end})
			if sc.out.first {
				sc.out.stopped = true
			}
		}
	}
	sc.out.last = chainInfo{
		start:  start,
		end:    end,
		digits: sc.chDigits,
		open:   sc.cardsInCh == 0 && !sc.stars && !noEnd && sc.chDigits < maxPAN && !sc.glued,
		valid:  true,
	}
}

// leadGlued reports whether the chain at i cannot start a number: it is
// glued to a letter, follows '+', or sits in a URL path.
func (sc *scanner[T]) leadGlued(i int) bool {
	prev, _ := decodeBefore(sc.s, i)
	if prev <= 0 || prev >= utf8.RuneSelf {
		return false
	}
	switch c := byte(prev); {
	case isLetterByte(c), c == '+':
		return true
	case c == '/':
		return sc.urlBefore(i)
	}
	return false
}

// urlBefore reports whether the '/' before offset i belongs to a URL or an
// absolute path: the token it ends (the text since the last space or
// quote) contains "://", starts with '/' or starts with "www.". The
// verdict for the previous '/' is remembered, so that a long token with
// many numbers is read once: the whole scan stays linear.
func (sc *scanner[T]) urlBefore(i int) bool {
	s := sc.s
	k := i - 1 // the '/'
	for k > 0 {
		if sc.urlSet && k == sc.urlAt {
			// Same token as the previous check: only the new part may add
			// a "://".
			res := sc.urlRes || hasScheme(s, max(sc.urlTok, sc.urlAt-2), i)
			sc.urlAt, sc.urlRes = i, res
			return res
		}
		c := s[k-1]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '(' || c == '<' || c == '[' {
			break
		}
		k--
	}
	res := s[k] == '/' ||
		i-k >= 4 && lowerByte(s[k]) == 'w' && lowerByte(s[k+1]) == 'w' && lowerByte(s[k+2]) == 'w' && s[k+3] == '.' ||
		hasScheme(s, k, i)
	sc.urlSet, sc.urlAt, sc.urlTok, sc.urlRes = true, i, k, res
	return res
}

// hasScheme reports whether "://" occurs in s[from:to].
func hasScheme[T text](s T, from, to int) bool {
	for k := from; k+2 < to; k++ {
		if s[k] == ':' && s[k+1] == '/' && s[k+2] == '/' {
			return true
		}
	}
	return false
}
