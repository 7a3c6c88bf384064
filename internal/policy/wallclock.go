package policy

import (
	"time"

	"github.com/salesflow/salesflow/internal/bizcal"
)

// wallTime returns the first instant at or after `after` at which the wall clock in loc reads
// date d at clock c, or, when a spring-forward skips that time, the instant the clock jumps past
// it (the end of the gap). When a fall-back repeats the time, the first pass at or after `after`
// wins: from the second pass of 01:10, 01:30 means the second 01:30.
//
// time.Date alone will not do: it resolves a skipped wall time by an unspecified rule (in
// practice to an instant before the gap) and a repeated one to either pass. So the wall time is
// tried with every UTC offset in force around it, and the valid instants and gap ends compared.
func wallTime(d bizcal.Date, c Clock, loc *time.Location, after time.Time) time.Time {
	want := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(c.sinceMidnight()) // the wall time, read as UTC
	guess := time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, loc)
	probes := []time.Time{guess}
	start, end := guess.ZoneBounds()
	if !start.IsZero() {
		probes = append(probes, start.Add(-time.Nanosecond))
	}
	if !end.IsZero() {
		probes = append(probes, end)
	}
	var best time.Time
	consider := func(u time.Time) {
		if !u.Before(after) && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	for _, p := range probes {
		_, off := p.Zone()
		u := want.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := u.Zone(); o == off {
			consider(u) // the wall clock reads want at u
			continue
		}
		// u lies in another offset's period: if want is in the gap at that period's start, the
		// clock first reads a later time there.
		if s, _ := u.ZoneBounds(); !s.IsZero() && !wall(s.In(loc)).Before(want) && wall(s.Add(-time.Nanosecond).In(loc)).Before(want) {
			consider(s.In(loc))
		}
	}
	if best.IsZero() { // not reached with real zone data; never go backwards
		if guess.Before(after) {
			return after
		}
		return guess
	}
	return best
}

// wall returns t's wall clock in its own location, read as a UTC instant, so that wall times
// compare as instants do.
func wall(t time.Time) time.Time {
	_, off := t.Zone()
	return t.UTC().Add(time.Duration(off) * time.Second)
}

// localDay returns t's date and time of day on the wall clock in loc.
func localDay(t time.Time, loc *time.Location) (bizcal.Date, time.Duration) {
	l := t.In(loc)
	tod := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute +
		time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond())
	return bizcal.DateOf(l), tod
}

// nextMidnight returns the start of the local day after t's in loc.
func nextMidnight(t time.Time, loc *time.Location) time.Time {
	d, _ := localDay(t, loc)
	return wallTime(d.AddDays(1), 0, loc, t)
}
