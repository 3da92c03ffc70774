package routing_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the hours' zones load on a machine without zoneinfo

	"github.com/stretchr/testify/require"

	"github.com/switchboard-cc/switchboard/routing"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// weekdays returns the interval open to close on Monday to Friday.
func weekdays(open, close routing.TimeOfDay) []routing.WeeklyInterval {
	var out []routing.WeeklyInterval
	for d := time.Monday; d <= time.Friday; d++ {
		out = append(out, routing.WeeklyInterval{Day: d, Interval: routing.Interval{Open: open, Close: close}})
	}
	return out
}

type openCase struct {
	name string
	at   time.Time
	open bool
	next time.Time
}

func checkOpen(t *testing.T, h routing.BusinessHours, cases []openCase) {
	t.Helper()
	require.NoError(t, h.Validate())
	for _, c := range cases {
		open, next := h.OpenAt(c.at)
		require.Equal(t, c.open, open, "%s: open at %s", c.name, c.at)
		require.True(t, c.next.Equal(next), "%s: next change after %s is %s, want %s", c.name, c.at, next, c.next)
	}
}

// SPEC B1: weekly intervals in a named zone, crossing midnight, joining.
func TestOpenAtWeekly(t *testing.T) {
	ny := zone(t, "America/New_York")
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, ny) } // 2026-11-30 is a Monday
	h := routing.BusinessHours{Zone: "America/New_York", Weekly: append(weekdays(routing.HM(9, 0), routing.HM(17, 0)),
		routing.WeeklyInterval{Day: time.Saturday, Interval: routing.Interval{Open: routing.HM(22, 0), Close: routing.HM(2, 0)}})}
	checkOpen(t, h, []openCase{
		{"before opening", at(30, 8, 0), false, at(30, 9, 0)},
		{"at opening", at(30, 9, 0), true, at(30, 17, 0)},
		{"during", at(30, 12, 30), true, at(30, 17, 0)},
		{"at closing", at(30, 17, 0), false, time.Date(2026, 12, 1, 9, 0, 0, 0, ny)},
		{"friday night", at(27, 18, 0), false, at(28, 22, 0)},
		{"saturday night past midnight", at(29, 1, 0), true, at(29, 2, 0)},
		{"sunday", at(29, 12, 0), false, at(30, 9, 0)},
		{"in UTC", time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC), true, at(30, 17, 0)},
	})
	// Intervals that meet across midnight make one opening.
	joined := routing.BusinessHours{Zone: "UTC", Weekly: []routing.WeeklyInterval{
		{Day: time.Monday, Interval: routing.Interval{Open: routing.HM(8, 0), Close: routing.HM(24, 0)}},
		{Day: time.Tuesday, Interval: routing.Interval{Open: routing.HM(0, 0), Close: routing.HM(6, 0)}},
	}}
	checkOpen(t, joined, []openCase{
		{"joined", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), true, time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)},
	})
	// Always open, and never open: nothing changes within a year.
	var always []routing.WeeklyInterval
	for d := time.Sunday; d <= time.Saturday; d++ {
		always = append(always, routing.WeeklyInterval{Day: d, Interval: routing.Interval{Open: 0, Close: routing.HM(24, 0)}})
	}
	checkOpen(t, routing.BusinessHours{Zone: "UTC", Weekly: always}, []openCase{{"always", at(30, 3, 0), true, time.Time{}}})
	checkOpen(t, routing.BusinessHours{Zone: "UTC"}, []openCase{{"never", at(30, 3, 0), false, time.Time{}}})
	checkOpen(t, routing.BusinessHours{}, []openCase{{"no hours", at(30, 3, 0), true, time.Time{}}})
}

// SPEC B2: opening and closing follow daylight saving time: a time the
// clocks skip takes effect when they jump, a time they repeat at its first
// occurrence.
func TestOpenAtDST(t *testing.T) {
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	sunday := func(open, close routing.TimeOfDay) routing.WeeklyInterval {
		return routing.WeeklyInterval{Day: time.Sunday, Interval: routing.Interval{Open: open, Close: close}}
	}
	// London: 2026-03-29 01:00 GMT the clocks go to 02:00 BST; 2026-10-25
	// 02:00 BST they go back to 01:00 GMT.
	london := routing.BusinessHours{Zone: "Europe/London", Weekly: append(weekdays(routing.HM(9, 0), routing.HM(17, 0)),
		sunday(routing.HM(1, 30), routing.HM(3, 0)))}
	checkOpen(t, london, []openCase{
		{"friday in winter time", utc(3, 27, 8, 30), false, utc(3, 27, 9, 0)},
		{"opening in the skipped hour", utc(3, 29, 0, 59), false, utc(3, 29, 1, 0)},
		{"after the jump", utc(3, 29, 1, 0), true, utc(3, 29, 2, 0)},
		{"monday in summer time", utc(3, 30, 7, 30), false, utc(3, 30, 8, 0)},
	})
	londonFall := routing.BusinessHours{Zone: "Europe/London", Weekly: []routing.WeeklyInterval{
		sunday(routing.HM(0, 0), routing.HM(1, 30)), sunday(routing.HM(4, 0), routing.HM(5, 0))}}
	checkOpen(t, londonFall, []openCase{
		{"closes at the first 01:30", utc(10, 25, 0, 15), true, utc(10, 25, 0, 30)},
		{"closed in the repeated hour", utc(10, 25, 1, 15), false, utc(10, 25, 4, 0)},
		{"winter time after", utc(10, 25, 4, 30), true, utc(10, 25, 5, 0)},
	})
	// New York: 2026-03-08 02:00 EST the clocks go to 03:00 EDT (07:00
	// UTC); 2026-11-01 02:00 EDT they go back to 01:00 EST (06:00 UTC).
	ny := routing.BusinessHours{Zone: "America/New_York", Weekly: []routing.WeeklyInterval{
		sunday(routing.HM(2, 30), routing.HM(4, 0)), sunday(routing.HM(12, 0), routing.HM(13, 0))}}
	checkOpen(t, ny, []openCase{
		{"opening in the skipped hour", utc(3, 8, 6, 0), false, utc(3, 8, 7, 0)},
		{"open after the jump", utc(3, 8, 7, 30), true, utc(3, 8, 8, 0)},
		{"noon in summer time", utc(3, 8, 15, 0), false, utc(3, 8, 16, 0)},
	})
	nyFall := routing.BusinessHours{Zone: "America/New_York", Weekly: []routing.WeeklyInterval{
		sunday(routing.HM(1, 30), routing.HM(2, 30))}}
	checkOpen(t, nyFall, []openCase{
		{"opens at the first 01:30", utc(10, 31, 12, 0), false, utc(11, 1, 5, 30)},
		{"open through the repeated hour", utc(11, 1, 6, 45), true, utc(11, 1, 7, 30)},
		{"an hour longer that night", utc(11, 1, 7, 30), false, utc(11, 8, 6, 30)},
	})
}

// SPEC B3: holidays close a whole local date; overrides replace a date's
// intervals, or close it.
func TestOpenAtHolidaysAndOverrides(t *testing.T) {
	lon := zone(t, "Europe/London")
	at := func(mo time.Month, d, h int) time.Time { return time.Date(2026, mo, d, h, 0, 0, 0, lon) }
	h := routing.BusinessHours{Zone: "Europe/London",
		Weekly: append(weekdays(routing.HM(9, 0), routing.HM(17, 0)),
			routing.WeeklyInterval{Day: time.Thursday, Interval: routing.Interval{Open: routing.HM(22, 0), Close: routing.HM(2, 0)}}),
		Holidays: []routing.Date{{Year: 2026, Month: 12, Day: 25}, {Year: 2026, Month: 12, Day: 28}, {Year: 2027, Month: 1, Day: 8}},
		Overrides: []routing.DateHours{
			{Date: routing.Date{Year: 2026, Month: 12, Day: 24}, Intervals: []routing.Interval{{Open: routing.HM(10, 0), Close: routing.HM(12, 0)}}},
			{Date: routing.Date{Year: 2026, Month: 12, Day: 31}},
			{Date: routing.Date{Year: 2026, Month: 12, Day: 27}, Intervals: []routing.Interval{{Open: routing.HM(11, 0), Close: routing.HM(13, 0)}}},
		}}
	checkOpen(t, h, []openCase{
		{"override replaces thursday", at(12, 24, 9), false, at(12, 24, 10)},
		{"override's interval", at(12, 24, 11), true, at(12, 24, 12)},
		{"no night on the overridden thursday", at(12, 24, 23), false, at(12, 27, 11)},
		{"holiday", at(12, 25, 10), false, at(12, 27, 11)},
		{"override opens a sunday", at(12, 27, 12), true, at(12, 27, 13)},
		{"holiday monday", at(12, 28, 10), false, at(12, 29, 9)},
		{"closed override, night included", at(12, 31, 10), false, time.Date(2027, 1, 1, 9, 0, 0, 0, lon)},
		{"the night before a holiday still runs", time.Date(2027, 1, 8, 1, 0, 0, 0, lon), true, time.Date(2027, 1, 8, 2, 0, 0, 0, lon)},
		{"but the holiday is closed", time.Date(2027, 1, 8, 10, 0, 0, 0, lon), false, time.Date(2027, 1, 11, 9, 0, 0, 0, lon)},
	})
}

// SPEC B4: bad hours are refused with an error naming what is wrong.
func TestBusinessHoursValidate(t *testing.T) {
	iv := func(d time.Weekday, o, c routing.TimeOfDay) routing.WeeklyInterval {
		return routing.WeeklyInterval{Day: d, Interval: routing.Interval{Open: o, Close: c}}
	}
	for name, h := range map[string]routing.BusinessHours{
		"unknown zone":  {Zone: "Europe/Atlantis"},
		"local zone":    {Zone: "Local"},
		"no zone":       {Weekly: weekdays(routing.HM(9, 0), routing.HM(17, 0))},
		"overlap":       {Zone: "UTC", Weekly: []routing.WeeklyInterval{iv(time.Monday, routing.HM(9, 0), routing.HM(17, 0)), iv(time.Monday, routing.HM(16, 0), routing.HM(18, 0))}},
		"midnight":      {Zone: "UTC", Weekly: []routing.WeeklyInterval{iv(time.Monday, routing.HM(22, 0), routing.HM(2, 0)), iv(time.Tuesday, routing.HM(1, 0), routing.HM(3, 0))}},
		"week end":      {Zone: "UTC", Weekly: []routing.WeeklyInterval{iv(time.Saturday, routing.HM(23, 0), routing.HM(1, 0)), iv(time.Sunday, routing.HM(0, 30), routing.HM(3, 0))}},
		"empty":         {Zone: "UTC", Weekly: []routing.WeeklyInterval{iv(time.Monday, routing.HM(9, 0), routing.HM(9, 0))}},
		"hour 25":       {Zone: "UTC", Weekly: []routing.WeeklyInterval{iv(time.Monday, routing.HM(9, 0), routing.HM(25, 0))}},
		"weekday 7":     {Zone: "UTC", Weekly: []routing.WeeklyInterval{iv(7, routing.HM(9, 0), routing.HM(10, 0))}},
		"february 30":   {Zone: "UTC", Holidays: []routing.Date{{Year: 2026, Month: 2, Day: 30}}},
		"holiday twice": {Zone: "UTC", Holidays: []routing.Date{{Year: 2026, Month: 5, Day: 1}, {Year: 2026, Month: 5, Day: 1}}},
		"holiday and override": {Zone: "UTC", Holidays: []routing.Date{{Year: 2026, Month: 5, Day: 1}},
			Overrides: []routing.DateHours{{Date: routing.Date{Year: 2026, Month: 5, Day: 1}}}},
		"override twice": {Zone: "UTC", Overrides: []routing.DateHours{{Date: routing.Date{Year: 2026, Month: 5, Day: 1}}, {Date: routing.Date{Year: 2026, Month: 5, Day: 1}}}},
		"override overlap": {Zone: "UTC", Overrides: []routing.DateHours{{Date: routing.Date{Year: 2026, Month: 5, Day: 1},
			Intervals: []routing.Interval{{Open: routing.HM(9, 0), Close: routing.HM(12, 0)}, {Open: routing.HM(11, 0), Close: routing.HM(13, 0)}}}}},
	} {
		err := h.Validate()
		require.ErrorIs(t, err, routing.ErrInvalid, name)
		var ie *routing.InvalidError
		require.ErrorAs(t, err, &ie, name)
		require.Contains(t, ie.Field, "hours", name)
	}
	// Meeting is not overlapping.
	require.NoError(t, routing.BusinessHours{Zone: "UTC", Weekly: []routing.WeeklyInterval{
		iv(time.Saturday, routing.HM(22, 0), routing.HM(0, 0)), iv(time.Sunday, routing.HM(0, 0), routing.HM(3, 0))}}.Validate())
}

// The wire texts of times of day and dates.
func TestHoursText(t *testing.T) {
	h := routing.BusinessHours{Zone: "Europe/London",
		Weekly:    []routing.WeeklyInterval{{Day: time.Friday, Interval: routing.Interval{Open: routing.HM(22, 0), Close: routing.HM(24, 0)}}},
		Holidays:  []routing.Date{{Year: 2026, Month: 12, Day: 25}},
		Overrides: []routing.DateHours{{Date: routing.Date{Year: 2026, Month: 12, Day: 24}, Intervals: []routing.Interval{{Open: routing.HM(9, 5), Close: routing.HM(12, 0)}}}}}
	b, err := json.Marshal(h)
	require.NoError(t, err)
	require.JSONEq(t, `{"zone":"Europe/London","weekly":[{"day":5,"open":"22:00","close":"24:00"}],"holidays":["2026-12-25"],
		"overrides":[{"date":"2026-12-24","intervals":[{"open":"09:05","close":"12:00"}]}]}`, string(b))
	var back routing.BusinessHours
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, h, back)
	for _, bad := range []string{`"24:01"`, `"9:00"`, `"ab:cd"`, `"12:60"`} {
		var tod routing.TimeOfDay
		require.True(t, errors.Is(json.Unmarshal([]byte(bad), &tod), routing.ErrInvalid), bad)
	}
	var d routing.Date
	require.ErrorIs(t, json.Unmarshal([]byte(`"2026-02-30"`), &d), routing.ErrInvalid)
	_, err = routing.TimeOfDay(-1).MarshalText()
	require.ErrorIs(t, err, routing.ErrInvalid)
}

func TestBusinessHoursLocation(t *testing.T) {
	t.Parallel()
	// SPEC B1: the hours' zone, loaded once and shared; a zone that does
	// not load is an error.
	loc, err := routing.BusinessHours{Zone: "America/New_York"}.Location()
	require.NoError(t, err)
	require.Equal(t, "America/New_York", loc.String())
	again, err := routing.BusinessHours{Zone: "America/New_York"}.Location()
	require.NoError(t, err)
	require.Same(t, loc, again)
	_, err = routing.BusinessHours{Zone: "Europe/Atlantis"}.Location()
	require.Error(t, err)
}
