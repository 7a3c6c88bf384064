// Package bizcal answers business-calendar questions exactly: is this instant within working
// hours, when do they next open, what is "4 business hours" or "2 business days" after an
// instant, and how much working time lies between two instants. Workflow delays, task SLAs and
// routing share it so that they agree to the nanosecond.
//
// A Calendar is a weekly schedule of wall-clock intervals in one location, minus holidays
// (local dates). Working time is defined on the local wall clock, so DST transitions neither
// lose nor invent working time: an interval that spans a spring-forward gap is shorter by the
// gap, and one that spans a fall-back repeat includes both passes.
//
// Rules chosen here, in one place:
//   - Overnight intervals ("22:00-06:00") are rejected; write the two halves per day.
//   - Intervals are half-open: with 09:00-17:00, 17:00 is closed.
//   - AddBusinessHours counts from NextOpen(t), accepts negative hours (counting back from t)
//     and lands on the earliest instant that completes the amount, so Friday 16:00 + 1 h with
//     09:00-17:00 is Friday 17:00, not Monday 09:00.
//   - AddBusinessDays keeps the local time of day and clamps to NextOpen when that is outside
//     hours; see its comment.
package bizcal

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Calendar is a weekly schedule of working intervals in one time zone, minus holidays. It is
// immutable and safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	week     Week
	holidays map[dayNum]struct{}
}

// New builds a calendar. The week is validated (intervals within 00:00-24:00, non-empty, not
// overlapping, some working time in total) because a Week may be built by hand; holidays are
// local dates in loc.
func New(loc *time.Location, week Week, holidays []Date) (*Calendar, error) {
	if loc == nil {
		return nil, errors.New("bizcal: nil location")
	}
	w, err := week.normalize()
	if err != nil {
		return nil, fmt.Errorf("bizcal: %w", err)
	}
	hs := make(map[dayNum]struct{}, len(holidays))
	for i, d := range holidays {
		if !d.valid() {
			return nil, fmt.Errorf("bizcal: holidays[%d]: %d-%02d-%02d is not a date", i, d.Year, int(d.Month), d.Day)
		}
		hs[d.num()] = struct{}{}
	}
	return &Calendar{loc: loc, week: w, holidays: hs}, nil
}

// In returns the same schedule and holidays in another location, for calendars declared with
// `timezone: owner` or `recipient`: one parsed policy, one Calendar per person's zone. It
// panics on a nil location, as time.Time.In does.
func (c *Calendar) In(loc *time.Location) *Calendar {
	if loc == nil {
		panic("bizcal: Calendar.In with nil location")
	}
	return &Calendar{loc: loc, week: c.week, holidays: c.holidays}
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Week returns a copy of the normalised weekly schedule.
func (c *Calendar) Week() Week {
	var w Week
	for i := range c.week {
		w[i] = slices.Clone(c.week[i])
	}
	return w
}

// Holidays returns the holidays in date order.
func (c *Calendar) Holidays() []Date {
	ns := make([]dayNum, 0, len(c.holidays))
	for n := range c.holidays {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	out := make([]Date, len(ns))
	for i, n := range ns {
		out[i] = n.date()
	}
	return out
}

// IsWorkingDay reports whether d has working hours and is not a holiday; these are the days
// AddBusinessDays counts.
func (c *Calendar) IsWorkingDay(d Date) bool {
	return c.workingDay(d.num())
}

func (c *Calendar) workingDay(n dayNum) bool {
	return len(c.week[n.weekday()]) > 0 && !c.isHoliday(n)
}

func (c *Calendar) isHoliday(n dayNum) bool {
	_, ok := c.holidays[n]
	return ok
}

// local returns the local date and wall-clock time of day of t in the calendar's zone.
func (c *Calendar) local(t time.Time) (dayNum, time.Duration) {
	_, off := t.In(c.loc).Zone()
	naive := t.Unix() + int64(off)
	n := floorDiv(naive, secondsPerDay)
	tod := time.Duration(naive-n*secondsPerDay)*time.Second + time.Duration(t.Nanosecond())
	return dayNum(n), tod
}

// IsOpen reports whether t is within working hours. It reads the wall clock directly, which
// makes it the definition the other methods are tested against.
func (c *Calendar) IsOpen(t time.Time) bool {
	n, tod := c.local(t)
	if c.isHoliday(n) {
		return false
	}
	for _, iv := range c.week[n.weekday()] {
		if iv.Start <= tod && tod < iv.End {
			return true
		}
	}
	return false
}

// NextOpen returns t if it is open, else the start of the next working interval. Results of
// this and the other methods are in the calendar's location.
func (c *Calendar) NextOpen(t time.Time) time.Time {
	for s := range c.forward(t) {
		return s.start.In(c.loc)
	}
	panic("unreachable: a valid calendar always opens again")
}

// prevClose returns t if it is open, else the end of the latest working interval before t.
func (c *Calendar) prevClose(t time.Time) time.Time {
	if c.IsOpen(t) {
		return t.In(c.loc)
	}
	for s := range c.backward(t) {
		return s.end.In(c.loc)
	}
	panic("unreachable: a valid calendar was open before")
}

// AddBusinessHours returns the instant at which h hours of working time have elapsed, counting
// from NextOpen(t). h is rounded to the nanosecond; NaN counts as 0 and amounts beyond
// time.Duration saturate. A negative h counts back from t: the latest instant from which -h
// working hours reach t. Either way BusinessHoursBetween(t, result) == h.
func (c *Calendar) AddBusinessHours(t time.Time, h float64) time.Time {
	return c.AddBusinessDuration(t, hoursToDuration(h))
}

// AddBusinessDuration is AddBusinessHours with an exact duration.
func (c *Calendar) AddBusinessDuration(t time.Time, d time.Duration) time.Time {
	if d == math.MinInt64 {
		d++ // so that -d exists
	}
	if d >= 0 {
		// Earliest completion: when the amount runs out exactly at a closing time, the
		// result is that closing time rather than the next opening.
		for s := range c.forward(t) {
			n := s.end.Sub(s.start)
			if n >= d {
				return s.start.Add(d).In(c.loc)
			}
			d -= n
		}
	}
	left := -d
	for s := range c.backward(t) {
		n := s.end.Sub(s.start)
		if n >= left {
			return s.end.Add(-left).In(c.loc)
		}
		left -= n
	}
	panic("unreachable: a valid calendar has working time in both directions")
}

func hoursToDuration(h float64) time.Duration {
	ns := math.Round(h * float64(time.Hour))
	switch {
	case math.IsNaN(ns):
		return 0
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= math.MinInt64:
		return math.MinInt64 + 1 // keep -d representable
	}
	return time.Duration(ns)
}

// AddBusinessDays returns the same local time of day d working days later (a working day has
// working hours and is not a holiday; the day of t itself is not counted). When that time is
// outside working hours the result is the next opening, so "1 business day" from Monday 20:00
// is Wednesday 09:00: Tuesday 20:00 is after hours. d == 0 gives NextOpen(t).
//
// A negative d counts working days back and clamps the other way, to the end of the latest
// working interval at or before that time, so a result never lands after t.
//
// A time of day that the target date skips (spring-forward) means the end of the gap; one it
// repeats (fall-back) means the first pass.
func (c *Calendar) AddBusinessDays(t time.Time, d int) time.Time {
	if d == 0 {
		return c.NextOpen(t)
	}
	n, tod := c.local(t)
	step, left := dayNum(1), d
	if d < 0 {
		step, left = -1, -d
	}
	for left > 0 {
		n += step
		if c.workingDay(n) {
			left--
		}
	}
	target := c.firstAtOrAfter(n, tod)
	if d > 0 {
		return c.NextOpen(target)
	}
	return c.prevClose(target)
}

// BusinessHoursBetween returns the working time in [a, b) in hours, negative when b is before a.
func (c *Calendar) BusinessHoursBetween(a, b time.Time) float64 {
	return c.BusinessDuration(a, b).Hours()
}

// BusinessDuration is BusinessHoursBetween as an exact duration. It saturates after about 292
// years of working time, like time.Duration itself.
func (c *Calendar) BusinessDuration(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.BusinessDuration(b, a)
	}
	var total time.Duration
	for s := range c.forward(a) {
		if !s.start.Before(b) {
			break
		}
		end := s.end
		if end.After(b) {
			end = b
		}
		total += end.Sub(s.start)
		if total < 0 {
			return math.MaxInt64
		}
	}
	return total
}
