package compliance

import (
	"math/bits"
	"unicode/utf8"
)

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
	minMixedGroup    = 3  // digits of each group of a number with mixed separators
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
	first    bool // stop at the first finding
	stopped  bool
	wantCVV  bool // report security codes after a security-code word
	wantLast bool // describe the last chain
	cards    []cardHit
	cvvs     []span
	// maybeCVVs are short numbers whose label is hidden behind another
	// short number; each is a security code if that number is one.
	maybeCVVs []maybeCVV
	last      chainInfo
}

// maybeCVV is a short number that is a security code if the one that ends
// at after is.
type maybeCVV struct {
	span
	after int
}

// queued is a group of digits waiting for a decision.
type queued struct {
	start, end int
	nd, d0     int
	sepKind    int  // kinds of the separator run before it
	dotBefore  bool // the separator before it is a lone full stop
	dotAfter   bool // the separator after it is a lone full stop
	noEnd      bool // a card may not end here (glued to a letter)
	glueEnd    bool // a word is glued after it
	glueStart  bool // a word is glued before it
}

// scanner holds the state of one scan.
type scanner[T text] struct {
	s    T
	tab  *brandTable
	trap *trapWords
	out  *scanOut

	// Current chain.
	dead        bool
	leftGlued   bool // a word is glued before the chain
	leftCard    bool // that word is a card word
	trapChecked bool
	trapped     bool
	afterCard   bool
	loose       int
	q           [maxQueued]queued
	qh, qn      int
	qDigits     int
	dig         [digitRing]byte
	dn          int

	lastChain int    // start of the last chain read, or -1
	sv        survey // summary of the current chain

	// The last URL check: the offset checked, the start of its token and
	// the verdict.
	urlSet        bool
	urlAt, urlTok int
	urlRes        bool
}

// scan runs the card scanner over s.
func scan[T text](s T, tab *brandTable, trap *trapWords, out *scanOut) {
	// Fields set one by one: a composite literal of this large struct is
	// built in a temporary and copied, which costs short messages dearly.
	var sc scanner[T]
	sc.s, sc.tab, sc.trap, sc.out, sc.lastChain = s, tab, trap, out, -1
	n := len(s)
	i := 0
	for i < n {
		// Plain text and the short numbers of chat text (times, prices,
		// dates, counts) are read in one tight loop; anything else comes
		// back here.
		i = sc.skipShort(i)
		if i >= n || out.stopped {
			break
		}
		if s[i] >= utf8.RuneSelf {
			// Text in other scripts: step over whole runes until a digit
			// or an ASCII byte.
			digit := false
			for i < n && s[i] >= utf8.RuneSelf {
				r, size := decodeAt(s, i)
				if digitValue(r) >= 0 {
					digit = true
					break
				}
				i += size
			}
			if !digit {
				continue
			}
		}
		i = sc.chain(i)
		if out.stopped {
			return
		}
	}
	if out.stopped {
		return
	}
	if out.wantLast {
		out.last = sc.lastChainInfo()
	}
}

// SWAR constants: a byte of ones and the high bit of every byte.
const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// load64 returns the eight bytes of s at i as a little-endian word.
func load64[T text](s T, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// chainStartMask sets the high bit of the bytes of w that can start a
// chain: ASCII digits, '*' and bytes >= 0x80. (v - lo8*k) &^ v sets the
// high bit of the bytes of v below k, but a borrow from a byte below k may
// also set the byte after it: the lowest set byte is always exact, which
// is all the skip needs.
func chainStartMask(w uint64) uint64 {
	x, y := w^(lo8*'0'), w^(lo8*'*')
	return (w | (x-lo8*10)&^x | (y-lo8)&^y) & hi8
}

// nonDigitMask sets the high bit of each byte of w that is not an ASCII
// digit. Unlike chainStartMask it is exact in every byte: no borrow
// crosses bytes.
func nonDigitMask(w uint64) uint64 {
	x := w ^ (lo8 * '0') // digits become 0..9, bytes >= 0x80 keep their high bit
	return ((x &^ hi8) + lo8*(0x80-10) | x) & hi8
}

// asciiDigitsEnd returns the offset of the first byte at or after pos that
// is not an ASCII digit.
func asciiDigitsEnd[T text](s T, pos int) int {
	n := len(s)
	for pos+8 <= n {
		if m := nonDigitMask(load64(s, pos)); m != 0 {
			return pos + bits.TrailingZeros64(m)>>3
		}
		pos += 8
	}
	for pos < n && s[pos]-'0' <= 9 {
		pos++
	}
	return pos
}

// packHigh gathers the high bits of the eight bytes of m, and only those,
// into the eight low bits of the result, byte k to bit k. The products
// of the multiplication land on distinct bits, so no carry disturbs them.
func packHigh(m uint64) uint32 {
	return uint32((m >> 7) * 0x0102040810204080 >> 56)
}

// starMask sets the high bit of each byte of w that is the mask
// character '*'. It is exact in every byte: for each byte v of w^'*',
// (v &^ 0x80) + 0x7f carries into the high bit unless the low seven bits
// are zero, or-ing v keeps bytes >= 0x80 nonzero, and no carry crosses
// bytes.
func starMask(w uint64) uint64 {
	v := w ^ (lo8 * '*')
	return ^(v&^hi8 + lo8*0x7f | v) & hi8
}

// shortChains steps over the short numbers in the 16 bytes w0, w1 at i,
// where an ASCII digit starts a chain, and returns the offset of the
// last byte among them that is neither a digit nor a separator: every
// chain before it ends there. It returns i when a chain there may hold a
// card or a security code or may go on past the 16 bytes, and when one
// of the 16 bytes is '*' or non-ASCII; such chains are read group by
// group.
//
// With the 16 bytes as bit masks (bit k for byte k): fewer than minPAN
// digits make no card (see skipShort), whatever the chains; a run of
// more than three separators may end one chain and start the next, which
// is left to the byte path; and the last group of each chain, which is
// a security code if anything is, is a run of digits not followed by one
// to three separators and a digit.
func (sc *scanner[T]) shortChains(i int, w0, w1 uint64) int {
	if (w0|w1)&hi8 != 0 || starMask(w0)|starMask(w1) != 0 {
		return i
	}
	// Every byte is ASCII, and so is each byte of w^c: adding 0x7f to it
	// sets its high bit exactly when it is not zero (not c), adding
	// 0x76 exactly when it is at least 10 (not a digit after w^'0'), and
	// no carry reaches the next byte.
	x, a, b, c := w0^(lo8*'0'), w0^(lo8*' '), w0^(lo8*'-'), w0^(lo8*'.')
	nd0 := (x + lo8*(0x80-10)) & hi8
	ns0 := (a + lo8*0x7f) & (b + lo8*0x7f) & (c + lo8*0x7f)
	x, a, b, c = w1^(lo8*'0'), w1^(lo8*' '), w1^(lo8*'-'), w1^(lo8*'.')
	nd1 := (x + lo8*(0x80-10)) & hi8
	ns1 := (a + lo8*0x7f) & (b + lo8*0x7f) & (c + lo8*0x7f)
	digits := packHigh(nd0^hi8) | packHigh(nd1^hi8)<<8
	other := packHigh(nd0&ns0) | packHigh(nd1&ns1)<<8
	last := bits.Len32(other) - 1
	if last < 1 {
		return i
	}
	below := uint32(1)<<last - 1
	d := digits & below
	sp := below &^ d &^ other // separators
	if bits.OnesCount32(d) >= minPAN || sp&(sp>>1)&(sp>>2)&(sp>>3) != 0 {
		return i
	}
	if sc.out.wantCVV {
		ends := d &^ (d >> 1)
		goesOn := sp >> 1 & (d>>2 | sp>>2&(d>>3|sp>>3&d>>4))
		three := d & (d << 1) & (d << 2) // bit k: digits at k-2 to k
		five := three & (d << 3) & (d << 4)
		// A security code is the last group of a chain of at most two
		// groups (see endChain): one whose chain, since the byte before
		// it that is neither a digit nor a separator, has at most one
		// group that goes on.
		for c := ends &^ goesOn & three &^ five; c != 0; c &= c - 1 {
			k := bits.TrailingZeros32(c)
			chain := uint32(1)<<k - 1&^(uint32(1)<<bits.Len32(other&(uint32(1)<<k-1))-1)
			if bits.OnesCount32(ends&goesOn&chain) < 2 {
				return i
			}
		}
	}
	// The last chain starts at a digit after neither a digit nor one to
	// three separators after a digit.
	joined := sp << 1 & (d<<2 | sp<<2&(d<<3|sp<<3&d<<4))
	sc.lastChain = i + bits.Len32(d&^(d<<1)&^joined) - 1
	return i + last
}

// asciiSepKind maps the ASCII separators to their kind, every other byte
// to sepNone.
var asciiSepKind = [256]uint8{' ': sepSpace, '-': sepDash, '.': sepDot}

// skipShort skips, from i, bytes that cannot start a chain and every
// chain that is plain ASCII and cannot hold a card, and returns the offset
// of the first byte it leaves to the caller: the start of any other chain,
// a '*' or a non-ASCII byte; or len(s).
//
// A card is a run of whole groups joined by separator runs of one kind,
// or of groups of at least minMixedGroup digits (see evalHead), so a chain
// holds none if no such run of groups has minPAN digits: "#123456
// 2024-01-06" has 14 digits, but at most 10 in a run of one kind and 10 in
// a run of long groups.
func (sc *scanner[T]) skipShort(i int) int {
	s := sc.s
	n := len(s)
	for {
		// Skip eight bytes at a time while none can start a chain, then
		// jump to the first that can.
		for {
			if i+8 > n {
				for i < n && !interesting[s[i]] {
					i++
				}
				if i >= n {
					return n
				}
				break
			}
			if m := chainStartMask(load64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if s[i]-'0' > 9 {
			return i // '*' or non-ASCII
		}
		if i+16 <= n {
			// Most numbers in chat text are short: the ones in the next
			// 16 bytes are read at once from two words, without a branch
			// per group or separator that the processor cannot foresee.
			if end := sc.shortChains(i, load64(s, i), load64(s, i+8)); end > i {
				i = end
				continue
			}
		}
		pos, groups := i, 0
		firstND, lastStart, lastND := 0, 0, 0
		// The digits of the current run of groups joined by separators of
		// one kind, and that kind (sepNone until the first separator); the
		// digits of the current run of groups of at least minMixedGroup
		// digits, joined by separators of any kinds.
		seg, segKind := 0, uint8(sepNone)
		long := 0
		for {
			start := pos
			if pos+8 <= n {
				if m := nonDigitMask(load64(s, pos)); m != 0 {
					pos += bits.TrailingZeros64(m) >> 3
				} else {
					pos = asciiDigitsEnd(s, pos+8)
				}
			} else {
				pos = asciiDigitsEnd(s, pos)
			}
			nd := pos - start
			seg += nd
			if nd >= minMixedGroup {
				long += nd
			} else {
				long = 0
			}
			if seg >= minPAN || long >= minPAN {
				return i
			}
			groups++
			if groups == 1 {
				firstND = nd
			}
			lastStart, lastND = start, nd
			if pos >= n {
				break
			}
			c := s[pos]
			kind := asciiSepKind[c]
			if kind == sepNone {
				if c >= utf8.RuneSelf || c == '*' {
					return i
				}
				break
			}
			k := pos + 1
			for k < n && k-pos <= 3 {
				kk := asciiSepKind[s[k]]
				if kk == sepNone {
					break
				}
				kind |= kk
				k++
			}
			if k >= n || k-pos > 3 {
				break
			}
			if d := s[k]; d-'0' > 9 {
				if d >= utf8.RuneSelf || d == '*' {
					return i
				}
				break
			}
			if kind != segKind {
				if groups > 1 {
					// A new run of one kind starts with the group before.
					seg = nd
				}
				segKind = kind
			}
			pos = k
		}
		sc.lastChain = i
		// A security code is a lone short number, or one after a word
		// ending in digits (see endChain).
		if uint(lastND-shortMin) <= shortMax-shortMin && groups <= 2 && sc.out.wantCVV {
			sc.sv = survey{groups: groups, firstND: firstND, lastStart: lastStart, lastND: lastND, noEnd: pos < n && isLetterByte(s[pos])}
			sc.endChain(i, pos, &sc.sv)
			if sc.out.stopped {
				return pos
			}
		}
		i = pos
	}
}

// survey summarises one chain.
type survey struct {
	groups, digits int // digits include mask characters
	firstND        int
	lastStart      int
	lastND         int
	lastStar       bool
	stars          bool
	noEnd          bool // the chain is glued to a letter at its end
}

// sepRun reads the separator run at pos and reports where it ends, how many
// separators it holds and their kinds, and whether the chain goes on after
// it.
func (sc *scanner[T]) sepRun(pos int) (end, count, kind int, more bool) {
	s := sc.s
	n := len(s)
	end = pos
	for end < n && count <= 3 {
		var c int
		if b := s[end]; b < utf8.RuneSelf {
			switch b {
			case ' ':
				c = sepSpace
			case '-':
				c = sepDash
			case '.':
				c = sepDot
			default:
				c = sepNone
			}
			if c == sepNone {
				break
			}
			end++
		} else {
			r, size := decodeAt(s, end)
			if c = sepClass(r); c == sepNone {
				break
			}
			end += size
		}
		count++
		kind |= c
	}
	more = count >= 1 && count <= 3 && end < n && sc.chainRuneAt(end)
	return end, count, kind, more
}

// survey reads the chain at i without deciding anything, returns the offset
// after its last group and leaves its summary in sc.sv. Most chains in chat text
// (times, prices, dates) are too short to hold a card and need nothing
// more.
func (sc *scanner[T]) survey(i int) int {
	s := sc.s
	n := len(s)
	sv := &sc.sv
	*sv = survey{}
	pos := i
	for {
		gStart := pos
		nd := 0
		star := false
		for pos < n {
			b := s[pos]
			if b-'0' <= 9 {
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
			if digitValue(r) < 0 {
				break
			}
			nd++
			pos += size
		}
		sv.groups++
		if sv.groups == 1 {
			sv.firstND = nd
		}
		sv.lastStart, sv.lastND, sv.lastStar = gStart, nd, star
		sv.digits += nd
		sv.stars = sv.stars || star
		gEnd := pos
		// Most numbers in chat end at a byte that cannot continue a chain.
		if pos >= n {
			return gEnd
		}
		if b := s[pos]; b < utf8.RuneSelf {
			if b != ' ' && b != '-' && b != '.' {
				sv.noEnd = isLetterByte(b)
				return gEnd
			}
			// An ASCII separator run: decide here unless non-ASCII follows.
			k := pos + 1
			for k < n && k-pos <= 3 && (s[k] == ' ' || s[k] == '-' || s[k] == '.') {
				k++
			}
			if k < n && k-pos <= 3 {
				if c := s[k]; c-'0' <= 9 || c == '*' {
					pos = k
					continue
				} else if c < utf8.RuneSelf {
					return gEnd
				}
			} else if k-pos > 3 || k >= n {
				return gEnd
			}
		}
		sepEnd, _, _, more := sc.sepRun(pos)
		if !more {
			if gEnd < n && isLetterByte(s[gEnd]) {
				sv.noEnd = true
			}
			return gEnd
		}
		pos = sepEnd
	}
}

// chain reads the chain starting at i and returns the offset after its last
// group.
func (sc *scanner[T]) chain(i int) int {
	sc.lastChain = i
	end := sc.survey(i)
	if sc.sv.digits >= minPAN {
		sc.decide(i, end, sc.sv.noEnd)
		if sc.out.stopped {
			return end
		}
	}
	sc.endChain(i, end, &sc.sv)
	return end
}

// decide reads the chain [i, end) again, group by group, and finds its
// cards. noEnd says a letter touches its end.
func (sc *scanner[T]) decide(i, end int, noEnd bool) {
	s := sc.s
	n := len(s)
	sc.trapChecked, sc.trapped, sc.afterCard = false, false, false
	sc.loose = 0
	sc.qh, sc.qn, sc.qDigits = 0, 0, 0

	// One after '+' is a phone number; one in a URL path is an identifier.
	// A number glued to a word is a card only as glue.go describes.
	left := sc.leftGlue(i)
	sc.dead = left == glueIdent
	if sc.dead {
		return
	}
	glueEnd := noEnd && sc.rightGlueOK(end)
	if (left != glueNone || glueEnd) && sc.tokenIdent(i, end) {
		if left != glueNone {
			sc.dead = true
			return
		}
		glueEnd = false
	}
	noEnd = noEnd && !glueEnd
	sc.leftGlued, sc.leftCard = left != glueNone, left == glueCardWord
	first := true

	pos := i
	dotBefore, sepKind := false, 0
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
		sepEnd, count, kind, more := sc.sepRun(pos)
		sc.group(gStart, gEnd, nd, star, dotBefore, sepKind, !more, noEnd, glueEnd, first && sc.leftGlued)
		first = false
		if sc.out.stopped || !more || sc.dead {
			return
		}
		dotBefore = count == 1 && kind == sepDot
		sepKind = kind
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
func (sc *scanner[T]) group(start, end, nd int, star, dotBefore bool, sepKind int, last, noEnd, glueEnd, glueStart bool) {
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
	sc.q[(sc.qh+sc.qn)&(maxQueued-1)] = queued{start: start, end: end, nd: nd, d0: sc.dn, sepKind: sepKind, dotBefore: dotBefore, noEnd: last && noEnd, glueEnd: last && glueEnd, glueStart: glueStart}
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
	if !sc.afterCard && (sc.loose > looseAtStart || sc.leftGlued) {
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
		mixed, minND := false, h.nd
		for k := 0; k < sc.qn; k++ {
			g := &sc.q[(sc.qh+k)&(maxQueued-1)]
			if c+g.nd > maxPAN {
				break
			}
			// Separators of several kinds ("5555 5555-5555 4444") join
			// groups of at least minMixedGroup digits only: a price, a
			// date and a time ("404.21 2024-01-06") are not one number.
			mixed = mixed || k > 1 && g.sepKind != sc.q[(sc.qh+1)&(maxQueued-1)].sepKind
			minND = min(minND, g.nd)
			if mixed && minND < minMixedGroup {
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
			if c < minPAN || g.dotAfter || g.noEnd || g.glueEnd && h.glueStart && !sc.leftCard {
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

// endChain checks a lone short number for a security code.
func (sc *scanner[T]) endChain(start, end int, sv *survey) {
	// A security code is a lone short number, or a short number after a
	// word ending in digits ("CVV2 123").
	if !sc.out.wantCVV || sv.lastND < shortMin || sv.lastND > shortMax || sv.groups > 2 || sv.lastStar || sv.noEnd {
		return
	}
	glued := sc.leadGlued(start)
	lone := sv.groups == 1 && !glued || sv.groups == 2 && glued && sv.firstND <= 2
	// For "CVV2 123" the word is the one glued to the chain: "CVV".
	if !lone {
		return
	}
	if ok, numEnd := securityWordBefore(sc.s, start); ok {
		sc.out.cvvs = append(sc.out.cvvs, span{sv.lastStart, end})
		if sc.out.first {
			sc.out.stopped = true
		}
	} else if numEnd >= 0 && !sc.out.first && (len(sc.out.cvvs) > 0 || len(sc.out.cards) > 0) {
		// Only after a code or a card can the number before be a code;
		// text with neither allocates nothing.
		sc.out.maybeCVVs = append(sc.out.maybeCVVs, maybeCVV{span{sv.lastStart, end}, numEnd})
	}
}

// lastChainInfo describes the last chain of the text: whether its digits
// could be the start of a card continued in a next message.
func (sc *scanner[T]) lastChainInfo() chainInfo {
	if sc.lastChain < 0 {
		return chainInfo{}
	}
	end := sc.survey(sc.lastChain)
	sv := sc.sv
	cards := len(sc.out.cards) > 0 && sc.out.cards[len(sc.out.cards)-1].end > sc.lastChain
	return chainInfo{
		start:  sc.lastChain,
		end:    end,
		digits: sv.digits,
		open:   !cards && !sv.stars && !sv.noEnd && sv.digits < maxPAN && !sc.leadGlued(sc.lastChain),
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
