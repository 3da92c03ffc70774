package compliance

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redactor finds and masks payment card data and other configured personal
// data. It is immutable and safe for concurrent use.
type Redactor struct {
	tab       *brandTable
	trap      *trapWords
	set       settings
	detectors []Detector
	block     []Kind
}

// New returns a Redactor for cfg. It returns an error wrapping
// [ErrKeepTooMany], [ErrKeepNegative], [ErrBrand], [ErrPolicy],
// [ErrDetector] or [ErrSplitWindow] for an invalid configuration.
func New(cfg Config) (*Redactor, error) {
	set, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	brands := cfg.Brands
	if brands == nil {
		brands = DefaultBrands()
	}
	tab, err := compileBrands(brands)
	if err != nil {
		return nil, err
	}
	words := cfg.TrapWords
	if words == nil {
		words = DefaultTrapWords()
	}
	return &Redactor{
		tab:       tab,
		trap:      newTrapWords(words),
		set:       set,
		detectors: slices.Clone(cfg.Detectors),
		block:     slices.Clone(cfg.Block),
	}, nil
}

// Redact masks every card number in text (each digit but the visible ones
// becomes '*', separators stay), applies the security-code and expiry
// policies, and masks what the configured detectors find. Every other byte
// is kept. When nothing is found, the result's Text is text itself and
// nothing is allocated.
func (r *Redactor) Redact(text string) Result {
	marks, ops, _ := r.analyze(text, false)
	if len(marks) == 0 {
		return Result{Text: text}
	}
	out, findings := apply(text, 0, len(text), ops, marks)
	return Result{Text: out, Findings: findings}
}

// Contains reports whether [Redactor.Redact] would find anything in text.
// It stops at the first finding and does not allocate.
func (r *Redactor) Contains(text string) bool {
	out := scanOut{first: true, wantCVV: r.set.cvv != CVVKeep}
	scan(text, r.tab, r.trap, &out)
	if out.stopped {
		return true
	}
	for _, d := range r.detectors {
		if len(d.Find(text, nil)) > 0 {
			return true
		}
	}
	return false
}

// ScanText reports whether text holds a payment card number, or data of a
// kind listed in [Config.Block], with a short human-readable reason such as
// "payment card number". The reason never includes the data. It reads text
// once, in linear time, without copying it unless a blocking detector is
// configured; it is meant for attachments and other large inputs.
func (r *Redactor) ScanText(text []byte) (reason string, blocked bool) {
	out := scanOut{first: true, wantCVV: slices.Contains(r.block, KindCVV)}
	scan(text, r.tab, r.trap, &out)
	if len(out.cards) > 0 {
		return string(KindCard), true
	}
	if len(out.cvvs) > 0 {
		return string(KindCVV), true
	}
	var s string
	for _, d := range r.detectors {
		if !slices.Contains(r.block, d.Kind()) {
			continue
		}
		if s == "" {
			s = string(text)
		}
		if len(d.Find(s, nil)) > 0 {
			return string(d.Kind()), true
		}
	}
	return "", false
}

// mark is one finding in input coordinates.
type mark struct {
	kind       Kind
	brand      string
	digits     int
	start, end int
	split      bool // part of a number split over messages
}

// op is one edit in input coordinates: every rune in [start, end) becomes
// '*', or, with del, the range is deleted.
type op struct {
	start, end int
	del        bool
}

// analyze finds everything in s and returns the findings and the edits,
// both in increasing order, and, if wantLast, the description of the last
// chain.
func (r *Redactor) analyze(s string, wantLast bool) ([]mark, []op, chainInfo) {
	out := scanOut{wantCVV: r.set.cvv != CVVKeep, wantLast: wantLast}
	scan(s, r.tab, r.trap, &out)
	if len(out.cards) == 0 && len(out.cvvs) == 0 && len(r.detectors) == 0 {
		return nil, nil, out.last
	}
	// Room for each card with an expiry date and a code, and the codes.
	marks := make([]mark, 0, 3*len(out.cards)+len(out.cvvs))
	for k, c := range out.cards {
		marks = append(marks, mark{kind: KindCard, brand: r.tab.names[c.brand], digits: c.digits, start: c.start, end: c.end})
		limit := len(s)
		if k+1 < len(out.cards) {
			limit = out.cards[k+1].start
		}
		marks = r.cardContext(s, c.end, limit, marks)
	}
	for _, c := range out.cvvs {
		marks = append(marks, mark{kind: KindCVV, start: c.start, end: c.end})
	}
	slices.SortStableFunc(marks, func(a, b mark) int { return a.start - b.start })
	marks = dropOverlaps(marks)
	if len(out.maybeCVVs) > 0 {
		marks = chainCVVs(marks, out.maybeCVVs)
	}

	if len(r.detectors) > 0 {
		var pii []mark
		var spans []Span
		for _, d := range r.detectors {
			spans = d.Find(s, spans[:0])
			for _, sp := range spans {
				if sp.Start >= 0 && sp.Start < sp.End && sp.End <= len(s) {
					pii = append(pii, mark{kind: d.Kind(), start: sp.Start, end: sp.End})
				}
			}
		}
		if len(pii) > 0 {
			marks = mergePII(marks, pii)
		}
	}
	if len(marks) == 0 {
		return nil, nil, out.last
	}
	ops := make([]op, 0, len(marks)*4) // a card is masked in up to a few runs
	for _, m := range marks {
		ops = r.opsFor(s, m, ops)
	}
	return marks, ops, out.last
}

// chainCVVs adds the short numbers labelled through a security code
// ("CVV 123 / 456"): a number whose look-back stopped at a security code is
// one too. Without this, removing the first code would bring the label next
// to the second, and masking twice would not give the same text.
func chainCVVs(marks []mark, maybes []maybeCVV) []mark {
	ends := make(map[int]bool)
	for _, m := range marks {
		if m.kind == KindCVV {
			ends[m.end] = true
		}
	}
	added := false
	for _, mb := range maybes { // in text order, so chains of codes resolve
		if ends[mb.after] {
			marks = append(marks, mark{kind: KindCVV, start: mb.start, end: mb.end})
			ends[mb.end] = true
			added = true
		}
	}
	if added {
		slices.SortStableFunc(marks, func(a, b mark) int { return a.start - b.start })
		marks = dropOverlaps(marks)
	}
	return marks
}

// dropOverlaps removes, from marks sorted by start, each mark that
// overlaps an earlier one.
func dropOverlaps(marks []mark) []mark {
	kept := marks[:0]
	lastEnd := -1
	for _, m := range marks {
		if m.start < lastEnd {
			continue
		}
		kept = append(kept, m)
		lastEnd = m.end
	}
	return kept
}

// mergePII adds the PII marks to the card-related marks (sorted, not
// overlapping). The part of a PII mark that overlaps a card-related mark or
// an earlier PII mark is left to that mark, and the rest is still masked.
func mergePII(marks, pii []mark) []mark {
	slices.SortStableFunc(pii, func(a, b mark) int { return a.start - b.start })
	merged := slices.Clone(marks)
	lastEnd := -1
	for _, p := range pii {
		// What an earlier PII mark covers is masked already; the rest of
		// this one is masked too, so that a second pass finds nothing.
		p.start = max(p.start, lastEnd)
		if p.start >= p.end {
			continue
		}
		lastEnd = p.end
		// The first card-related mark that ends after p starts.
		i, _ := slices.BinarySearchFunc(marks, p.start, func(m mark, start int) int {
			if m.end <= start {
				return -1
			}
			return 1
		})
		pos := p.start
		for ; i < len(marks) && marks[i].start < p.end; i++ {
			if marks[i].start > pos {
				merged = append(merged, mark{kind: p.kind, start: pos, end: marks[i].start})
			}
			pos = max(pos, marks[i].end)
		}
		if pos < p.end {
			merged = append(merged, mark{kind: p.kind, start: pos, end: p.end})
		}
	}
	slices.SortStableFunc(merged, func(a, b mark) int { return a.start - b.start })
	return merged
}

// opsFor appends the edits that mask m.
func (r *Redactor) opsFor(s string, m mark, ops []op) []op {
	switch m.kind {
	case KindCard:
		first, last := r.set.visible(m.digits)
		d := 0
		for i := m.start; i < m.end; {
			c, size := utf8.DecodeRuneInString(s[i:])
			if digitValue(c) >= 0 {
				if d >= first && d < m.digits-last {
					ops = addStar(ops, i, i+size)
				}
				d++
			}
			i += size
		}
	case KindCVV:
		switch {
		case r.set.cvv == CVVRemove && !splices(s, m.start, m.end):
			ops = append(ops, op{start: m.start, end: m.end, del: true})
		case r.set.cvv != CVVKeep:
			ops = starDigits(s, m, ops)
		}
	case KindExpiry:
		switch {
		case r.set.expiry == ExpiryRemove && !splices(s, m.start, m.end):
			ops = append(ops, op{start: m.start, end: m.end, del: true})
		case r.set.expiry != ExpiryKeep:
			ops = starDigits(s, m, ops)
		}
	default:
		for i := m.start; i < m.end; {
			c, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				ops = addStar(ops, i, i+size)
			}
			i += size
		}
	}
	return ops
}

// splices reports whether removing s[start:end] would join the bytes on
// either side into a character neither side held: text that is not valid
// UTF-8 before it, and a continuation byte after (an incomplete sequence
// split by the removed digits). Such an item is masked rather than removed,
// so that masking the output again changes nothing.
func splices(s string, start, end int) bool {
	if start == 0 || end >= len(s) || utf8.RuneStart(s[end]) {
		return false
	}
	c, size := utf8.DecodeLastRuneInString(s[:start])
	return c == utf8.RuneError && size == 1
}

func starDigits(s string, m mark, ops []op) []op {
	for i := m.start; i < m.end; {
		c, size := utf8.DecodeRuneInString(s[i:])
		if digitValue(c) >= 0 {
			ops = addStar(ops, i, i+size)
		}
		i += size
	}
	return ops
}

// addStar appends a '*' edit of [start, end), joining it to the previous
// edit when they touch.
func addStar(ops []op, start, end int) []op {
	if n := len(ops); n > 0 && !ops[n-1].del && ops[n-1].end == start {
		ops[n-1].end = end
		return ops
	}
	return append(ops, op{start: start, end: end})
}

// Security codes and expiry dates are looked for in the few characters
// after a card number.
const contextGap = 24

// cardContext looks, after a card that ends at end, for an expiry date and a
// security code, in either order, each within contextGap bytes of the
// previous item and before limit.
func (r *Redactor) cardContext(s string, end, limit int, marks []mark) []mark {
	pos := end
	haveExpiry, haveCVV := false, false
	for range 2 {
		j := pos
		for j < limit && j-pos < contextGap {
			c := s[j]
			if c == '\n' {
				return marks
			}
			if c < utf8.RuneSelf {
				if isDigitByte(c) {
					break
				}
				if c == '*' {
					return marks
				}
				j++
				continue
			}
			rr, size := utf8.DecodeRuneInString(s[j:])
			if digitValue(rr) >= 0 {
				break
			}
			j += size
		}
		if j >= limit || j-pos >= contextGap {
			return marks
		}
		if j > 0 && isLetterByte(s[j-1]) {
			return marks // glued to a word: not a date or a code
		}
		if e, ok := expiryAt(s, j, limit); ok && !haveExpiry {
			haveExpiry = true
			if r.set.expiry != ExpiryKeep {
				marks = append(marks, mark{kind: KindExpiry, start: j, end: e})
			}
			pos = e
			continue
		}
		if e, ok := cvvAt(s, j, limit); ok && !haveCVV {
			haveCVV = true
			if r.set.cvv != CVVKeep {
				marks = append(marks, mark{kind: KindCVV, start: j, end: e})
			}
			pos = e
			continue
		}
		return marks
	}
	return marks
}

// digitRun reads the decimal digits (any script) at i, before limit.
func digitRun(s string, i, limit int) (end, n, value int) {
	end = i
	for end < limit {
		c, size := utf8.DecodeRuneInString(s[end:])
		v := digitValue(c)
		if v < 0 {
			break
		}
		value = value*10 + v
		n++
		end += size
		if n > maxPAN {
			break
		}
	}
	return end, n, value
}

// numberEndsAt reports whether the number that ends at i is a whole run of
// digits on its own: not continued by a letter, a digit, a mask character,
// a '/' and a digit, or a run of up to three separators and a digit (which
// would make it a group of a longer number).
func numberEndsAt(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	c, size := utf8.DecodeRuneInString(s[i:])
	if c < utf8.RuneSelf && isWordByte(byte(c)) || c == '*' || digitValue(c) >= 0 {
		return false
	}
	if c == '/' && i+size < len(s) {
		n, _ := utf8.DecodeRuneInString(s[i+size:])
		return digitValue(n) < 0
	}
	j, count := i, 0
	for j < len(s) && count <= 3 {
		r, sz := utf8.DecodeRuneInString(s[j:])
		if sepClass(r) == sepNone {
			break
		}
		count++
		j += sz
	}
	if count >= 1 && count <= 3 && j < len(s) {
		if n, _ := utf8.DecodeRuneInString(s[j:]); n == '*' || digitValue(n) >= 0 {
			return false
		}
	}
	return true
}

// dateEndsAt reports whether a date that ends at i is not continued by
// more digits or letters, or by another date part ("12/25/2024").
func dateEndsAt(s string, i, limit int) bool {
	if i >= limit {
		return true
	}
	c, size := utf8.DecodeRuneInString(s[i:])
	if c < utf8.RuneSelf && isWordByte(byte(c)) || digitValue(c) >= 0 {
		return false
	}
	if c == '/' && i+size < limit {
		n, _ := utf8.DecodeRuneInString(s[i+size:])
		return digitValue(n) < 0
	}
	return true
}

// expiryAt matches an expiry date MM/YY or MM/YYYY (also with '-' or '.',
// and spaces around the separator) at i.
func expiryAt(s string, i, limit int) (int, bool) {
	e, n, month := digitRun(s, i, limit)
	if n < 1 || n > 2 || month < 1 || month > 12 {
		return 0, false
	}
	j := e
	for j < limit && s[j] == ' ' && j-e < 1 {
		j++
	}
	if j >= limit || s[j] != '/' && s[j] != '-' && s[j] != '.' {
		return 0, false
	}
	j++
	for j < limit && s[j] == ' ' && j-e < 3 {
		j++
	}
	e2, n2, _ := digitRun(s, j, limit)
	if n2 != 2 && n2 != 4 || !dateEndsAt(s, e2, limit) {
		return 0, false
	}
	return e2, true
}

// cvvAt matches a three- or four-digit security code at i.
func cvvAt(s string, i, limit int) (int, bool) {
	e, n, _ := digitRun(s, i, limit)
	if n < shortMin || n > shortMax || !numberEndsAt(s, e) {
		return 0, false
	}
	return e, true
}

// apply applies the edits that fall in [lo, hi) of s and returns that part
// of s edited, with the findings that overlap it, their offsets relative to
// lo in the edited text.
func apply(s string, lo, hi int, ops []op, marks []mark) (string, []Finding) {
	var b strings.Builder
	b.Grow(hi - lo)
	pos := lo
	for _, o := range ops {
		start, end := max(o.start, lo), min(o.end, hi)
		if start >= end {
			continue
		}
		b.WriteString(s[pos:start])
		if !o.del {
			for range utf8.RuneCountInString(s[start:end]) {
				b.WriteByte('*')
			}
		}
		pos = end
	}
	b.WriteString(s[pos:hi])
	out := b.String()

	findings := make([]Finding, 0, len(marks))
	pm := posMapper{s: s, lo: lo, hi: hi, ops: ops}
	for _, m := range marks {
		start, end := max(m.start, lo), min(m.end, hi)
		if start > end || start == end && m.start != m.end {
			continue // outside [lo, hi); a removed item has start == end
		}
		os := pm.at(start)
		oe := pm.at(end)
		findings = append(findings, Finding{
			Kind:   m.kind,
			Brand:  m.brand,
			Digits: m.digits,
			Start:  os,
			End:    oe,
			Masked: out[os:oe],
			Split:  m.split || m.kind == KindCard && (m.start < lo || m.end > hi),
		})
	}
	if len(findings) == 0 {
		findings = nil
	}
	return out, findings
}

// posMapper maps offsets of s in [lo, hi] to offsets in the edited text
// of [lo, hi). Asked for in nondecreasing order, as for marks that do not
// overlap, the whole walk is linear in the number of edits; an earlier
// offset restarts the walk.
type posMapper struct {
	s      string
	lo, hi int
	ops    []op
	k      int
	delta  int
	last   int
}

// change is how much the edit of [start, end) shrinks the text.
func (m *posMapper) change(o op, start, end int) int {
	if o.del {
		return end - start
	}
	return end - start - utf8.RuneCountInString(m.s[start:end])
}

func (m *posMapper) at(p int) int {
	if p < m.last {
		m.k, m.delta = 0, 0
	}
	m.last = p
	for m.k < len(m.ops) {
		o := m.ops[m.k]
		start, end := max(o.start, m.lo), min(o.end, m.hi)
		if start < end && end > p {
			break
		}
		if start < end {
			m.delta += m.change(o, start, end)
		}
		m.k++
	}
	q := p - m.lo - m.delta
	if m.k < len(m.ops) {
		o := m.ops[m.k]
		if start := max(o.start, m.lo); start < p {
			q -= m.change(o, start, p)
		}
	}
	return q
}
