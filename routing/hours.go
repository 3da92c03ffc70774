package routing

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// TimeOfDay is a local time of day in minutes after midnight: 0 ("00:00")
// to 1439 ("23:59"), and 1440 ("24:00"), which only closes an interval at
// the end of its day. Its wire text is "HH:MM".
type TimeOfDay int

// HM returns the time of day hour:minute, such as HM(9, 30) for "09:30".
func HM(hour, minute int) TimeOfDay { return TimeOfDay(hour*60 + minute) }

// String returns the time of day as "HH:MM".
func (t TimeOfDay) String() string {
	if t < 0 || t > minutesPerDay {
		return "TimeOfDay(" + strconv.Itoa(int(t)) + ")"
	}
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

// MarshalText returns the time of day as "HH:MM", or an error wrapping
// [ErrInvalid] outside 00:00 to 24:00.
func (t TimeOfDay) MarshalText() ([]byte, error) {
	if t < 0 || t > minutesPerDay {
		return nil, fmt.Errorf("%w: time of day %d is out of range", ErrInvalid, int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText parses "HH:MM" (00:00 to 24:00).
func (t *TimeOfDay) UnmarshalText(text []byte) error {
	s := string(text)
	if len(s) != 5 || s[2] != ':' {
		return fmt.Errorf("%w: time of day %q is not HH:MM", ErrInvalid, s)
	}
	h, herr := strconv.Atoi(s[:2])
	m, merr := strconv.Atoi(s[3:])
	v := TimeOfDay(h*60 + m)
	if herr != nil || merr != nil || m > 59 || h < 0 || m < 0 || v > minutesPerDay {
		return fmt.Errorf("%w: time of day %q is not HH:MM from 00:00 to 24:00", ErrInvalid, s)
	}
	*t = v
	return nil
}

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	// hoursHorizon is how many days ahead [BusinessHours.OpenAt] looks for
	// the next change.
	hoursHorizon = 366
)

// Date is a local calendar date. Its wire text is "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String returns the date as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// valid reports whether d is a date of the calendar.
func (d Date) valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.add(0) == d
}

// add returns the date n days after d.
func (d Date) add(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// weekday returns the day of the week of d.
func (d Date) weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// MarshalText returns the date as "YYYY-MM-DD", or an error wrapping
// [ErrInvalid] for a date that is not in the calendar.
func (d Date) MarshalText() ([]byte, error) {
	if !d.valid() {
		return nil, fmt.Errorf("%w: date %s is not in the calendar", ErrInvalid, d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses "YYYY-MM-DD".
func (d *Date) UnmarshalText(text []byte) error {
	t, err := time.Parse(time.DateOnly, string(text))
	if err != nil {
		return fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrInvalid, text)
	}
	*d = DateOf(t)
	return nil
}

// Interval is a span of local time during which a queue is open. It opens
// at Open and closes at Close of the same day, or of the next day when
// Close is not after Open: {HM(22, 0), HM(2, 0)} is open from 22:00 to
// 02:00 the next morning, and {HM(0, 0), HM(24, 0)} all day.
type Interval struct {
	Open  TimeOfDay `json:"open"`
	Close TimeOfDay `json:"close"`
}

// length returns the interval's length in minutes.
func (iv Interval) length() int {
	if iv.Close > iv.Open {
		return int(iv.Close - iv.Open)
	}
	return int(iv.Close) + minutesPerDay - int(iv.Open)
}

// check reports what is wrong with the interval, in field.
func (iv Interval) check(field string) error {
	switch {
	case iv.Open < 0 || iv.Open >= minutesPerDay:
		return invalid(field, "opening time "+iv.Open.String()+" is not from 00:00 to 23:59")
	case iv.Close < 0 || iv.Close > minutesPerDay:
		return invalid(field, "closing time "+iv.Close.String()+" is not from 00:00 to 24:00")
	case iv.Open == iv.Close:
		return invalid(field, "interval "+iv.Open.String()+"-"+iv.Close.String()+" is empty")
	}
	return nil
}

// WeeklyInterval is an interval a queue is open every week, starting on
// Day.
type WeeklyInterval struct {
	Day time.Weekday `json:"day"`
	Interval
}

// DateHours are the intervals a queue is open that start on one date,
// replacing that date's weekly intervals. No intervals: closed all day.
type DateHours struct {
	Date      Date       `json:"date"`
	Intervals []Interval `json:"intervals,omitzero"`
}

// BusinessHours say when a queue is open, in the local time of one time
// zone. The zero value means no business hours: the queue is always open.
//
// Each local date has the intervals that start on it: those of an
// override for the date if there is one, none on a holiday, and otherwise
// the weekly intervals of its weekday. An interval that runs past midnight
// keeps the queue open into the next date, whatever that date's own hours
// are; intervals that meet or overlap across dates make one opening.
//
// Daylight saving time is followed through the zone's rules: an opening
// or closing time that falls in the hour the clocks skip takes effect when
// they jump forward, and one that falls in the hour they repeat takes
// effect at its first occurrence. The zone is loaded with
// [time.LoadLocation], which needs the IANA time zone database: a host
// that may run where none is installed imports [time/tzdata].
type BusinessHours struct {
	// Zone is the IANA name of the time zone the hours are in, such as
	// "Europe/London"; required with any hours. "Local" is refused, as it
	// differs from one process to another.
	Zone string `json:"zone,omitzero"`
	// Weekly are the intervals the queue is open every week. They may not
	// overlap (an interval crossing midnight included); intervals that
	// meet, such as Monday 00:00-24:00 and Tuesday 00:00-06:00, join.
	Weekly []WeeklyInterval `json:"weekly,omitzero"`
	// Holidays are dates on which no interval starts: the queue is closed
	// all day, but for an interval of the day before running past
	// midnight.
	Holidays []Date `json:"holidays,omitzero"`
	// Overrides replace the weekly intervals of single dates. A date may
	// not be both a holiday and overridden, nor overridden twice.
	Overrides []DateHours `json:"overrides,omitzero"`
}

// IsZero reports whether h sets no business hours: the queue is always
// open.
func (h BusinessHours) IsZero() bool {
	return h.Zone == "" && len(h.Weekly) == 0 && len(h.Holidays) == 0 && len(h.Overrides) == 0
}

// zones caches the time zones loaded, by name.
var zones sync.Map // string -> *time.Location

// loadZone returns the time zone named name.
func loadZone(name string) (*time.Location, error) {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// Location returns the time zone the hours are kept in, loaded once per
// process and shared (it needs the IANA time zone database, as
// [BusinessHours.Validate] does), or an error for a zone that does not
// load.
func (h BusinessHours) Location() (*time.Location, error) { return loadZone(h.Zone) }

// Validate reports what is wrong with h: an unknown time zone, an interval
// out of range, empty or overlapping another, a date not in the calendar,
// a date listed twice. The error is an [*InvalidError], which matches
// [ErrInvalid]. The zero BusinessHours is valid.
func (h BusinessHours) Validate() error {
	_, err := normaliseHours(h)
	return err
}

// normaliseHours validates h and returns a copy whose lists are sorted:
// weekly intervals by start within the week, dates in calendar order.
func normaliseHours(h BusinessHours) (BusinessHours, error) {
	if h.IsZero() {
		return BusinessHours{}, nil
	}
	if _, err := loadZone(h.Zone); err != nil {
		return h, invalid("hours zone", err.Error())
	}
	h.Weekly = slices.Clone(h.Weekly)
	for _, iv := range h.Weekly {
		if iv.Day < time.Sunday || iv.Day > time.Saturday {
			return h, invalid("hours weekly", "unknown weekday "+strconv.Itoa(int(iv.Day)))
		}
		if err := iv.check("hours weekly"); err != nil {
			return h, err
		}
	}
	weekStart := func(iv WeeklyInterval) int { return int(iv.Day)*minutesPerDay + int(iv.Open) }
	slices.SortFunc(h.Weekly, func(a, b WeeklyInterval) int { return cmp.Compare(weekStart(a), weekStart(b)) })
	for i, iv := range h.Weekly {
		// On the circle of the week: each interval must end by the start
		// of the next, the last by the first's start a week later.
		next, shift := i+1, 0
		if next == len(h.Weekly) {
			next, shift = 0, minutesPerWeek
		}
		if weekStart(iv)+iv.length() > weekStart(h.Weekly[next])+shift {
			n := h.Weekly[next]
			return h, invalid("hours weekly", fmt.Sprintf("%s %s-%s overlaps %s %s-%s",
				iv.Day, iv.Open, iv.Close, n.Day, n.Open, n.Close))
		}
	}
	h.Holidays = slices.Clone(h.Holidays)
	for _, d := range h.Holidays {
		if !d.valid() {
			return h, invalid("hours holidays", "date "+d.String()+" is not in the calendar")
		}
	}
	slices.SortFunc(h.Holidays, compareDates)
	for i := 1; i < len(h.Holidays); i++ {
		if h.Holidays[i] == h.Holidays[i-1] {
			return h, invalid("hours holidays", "date "+h.Holidays[i].String()+" listed twice")
		}
	}
	h.Overrides = slices.Clone(h.Overrides)
	for i := range h.Overrides {
		o := &h.Overrides[i]
		if !o.Date.valid() {
			return h, invalid("hours overrides", "date "+o.Date.String()+" is not in the calendar")
		}
		if _, ok := slices.BinarySearchFunc(h.Holidays, o.Date, compareDates); ok {
			return h, invalid("hours overrides", "date "+o.Date.String()+" is also a holiday")
		}
		o.Intervals = slices.Clone(o.Intervals)
		for _, iv := range o.Intervals {
			if err := iv.check("hours overrides"); err != nil {
				return h, err
			}
		}
		slices.SortFunc(o.Intervals, func(a, b Interval) int { return cmp.Compare(a.Open, b.Open) })
		for j := 1; j < len(o.Intervals); j++ {
			p, n := o.Intervals[j-1], o.Intervals[j]
			if int(p.Open)+p.length() > int(n.Open) {
				return h, invalid("hours overrides", fmt.Sprintf("on %s %s-%s overlaps %s-%s",
					o.Date, p.Open, p.Close, n.Open, n.Close))
			}
		}
	}
	slices.SortFunc(h.Overrides, func(a, b DateHours) int { return compareDates(a.Date, b.Date) })
	for i := 1; i < len(h.Overrides); i++ {
		if h.Overrides[i].Date == h.Overrides[i-1].Date {
			return h, invalid("hours overrides", "date "+h.Overrides[i].Date.String()+" overridden twice")
		}
	}
	return h, nil
}

func compareDates(a, b Date) int {
	return cmp.Or(cmp.Compare(a.Year, b.Year), cmp.Compare(a.Month, b.Month), cmp.Compare(a.Day, b.Day))
}

// OpenAt reports whether the hours are open at t, and when that next
// changes: the next closing when open, the next opening when closed, in
// t's location. next is the zero time when nothing changes within a year
// of t. The zero
// BusinessHours are always open.
//
// OpenAt is a plain function of h and t. It expects hours that passed
// [BusinessHours.Validate], as every stored queue's did; hours whose zone
// does not load (a process without the time zone database) are read in
// UTC.
func (h BusinessHours) OpenAt(t time.Time) (open bool, next time.Time) {
	return h.openAt(t, true)
}

// openAt is OpenAt; with wantNext false, an open answer comes without the
// closing time, at less cost.
func (h *BusinessHours) openAt(t time.Time, wantNext bool) (bool, time.Time) {
	if h.IsZero() {
		return true, time.Time{}
	}
	if !h.sorted() {
		// As a host built them, not as stored: sorted, they are searched
		// by date and read in order of time.
		if n, err := normaliseHours(*h); err == nil {
			h = &n
		}
	}
	loc, err := loadZone(h.Zone)
	if err != nil {
		loc = time.UTC
	}
	today := DateOf(t.In(loc))
	// ms and me bound the opening being joined: intervals come in order of
	// their start, so a gap before one ends it.
	var ms, me time.Time
	have := false
	for i := -1; i <= hoursHorizon+1; i++ {
		d := today.add(i)
		ivs, ws := h.intervalsOn(d)
		for k := range len(ivs) + len(ws) {
			var iv Interval
			if ivs != nil {
				iv = ivs[k]
			} else {
				iv = ws[k].Interval
			}
			s := wallTime(d, iv.Open, loc)
			ed := d
			if iv.Close <= iv.Open {
				ed = d.add(1)
			}
			e := wallTime(ed, iv.Close, loc)
			if !e.After(s) {
				continue // inside a skipped hour
			}
			if have && !s.After(me) {
				if e.After(me) {
					me = e
				}
				continue
			}
			if have && t.Before(me) {
				return true, me.In(t.Location())
			}
			if t.Before(s) {
				return false, s.In(t.Location())
			}
			ms, me, have = s, e, true
			if !wantNext && t.Before(me) && !t.Before(ms) {
				return true, time.Time{}
			}
		}
	}
	// Intervals not looked at start after the last date's end.
	end := wallTime(today.add(hoursHorizon+2), 0, loc)
	if have && t.Before(me) {
		if me.Before(end) {
			return true, me.In(t.Location())
		}
		return true, time.Time{}
	}
	return false, time.Time{}
}

// sorted reports whether h's lists are in the order normaliseHours puts
// them in.
func (h *BusinessHours) sorted() bool {
	if !slices.IsSortedFunc(h.Weekly, func(a, b WeeklyInterval) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Open, b.Open))
	}) || !slices.IsSortedFunc(h.Holidays, compareDates) ||
		!slices.IsSortedFunc(h.Overrides, func(a, b DateHours) int { return compareDates(a.Date, b.Date) }) {
		return false
	}
	for _, o := range h.Overrides {
		if !slices.IsSortedFunc(o.Intervals, func(a, b Interval) int { return cmp.Compare(a.Open, b.Open) }) {
			return false
		}
	}
	return true
}

// intervalsOn returns the intervals that start on date d: those of its
// override in ivs, or its weekly ones in ws.
func (h *BusinessHours) intervalsOn(d Date) (ivs []Interval, ws []WeeklyInterval) {
	if _, ok := slices.BinarySearchFunc(h.Holidays, d, compareDates); ok {
		return nil, nil
	}
	if i, ok := slices.BinarySearchFunc(h.Overrides, d, func(o DateHours, d Date) int { return compareDates(o.Date, d) }); ok {
		return h.Overrides[i].Intervals, nil
	}
	wd := d.weekday()
	lo, _ := slices.BinarySearchFunc(h.Weekly, wd, func(iv WeeklyInterval, wd time.Weekday) int { return cmp.Compare(iv.Day, wd) })
	hi := lo
	for hi < len(h.Weekly) && h.Weekly[hi].Day == wd {
		hi++
	}
	return nil, h.Weekly[lo:hi]
}

// wallTime returns the instant the wall clocks of loc show time of day m
// on date d: when the clocks jump over it, the instant of the jump; when
// they show it twice, the first time.
func wallTime(d Date, m TimeOfDay, loc *time.Location) time.Time {
	if m >= minutesPerDay {
		d, m = d.add(1), m-minutesPerDay
	}
	hh, mm := int(m)/60, int(m)%60
	t := time.Date(d.Year, d.Month, d.Day, hh, mm, 0, 0, loc)
	want := time.Date(d.Year, d.Month, d.Day, hh, mm, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if !got.Equal(want) {
		// Skipped: t is on one side of the jump; the jump is the edge of
		// t's zone period on the other side.
		start, end := t.ZoneBounds()
		if got.After(want) {
			return start
		}
		return end
	}
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, off := t.Zone()
	_, prev := start.Add(-time.Nanosecond).Zone()
	if prev > off {
		// The clocks went back at start: the same wall time came first
		// before it.
		if e := t.Add(-time.Duration(prev-off) * time.Second); e.Before(start) {
			return e
		}
	}
	return t
}
