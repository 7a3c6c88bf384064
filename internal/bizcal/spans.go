package bizcal

import (
	"iter"
	"slices"
	"time"
)

// The open set of a calendar is defined on the wall clock: an instant is open when its local
// date is not a holiday and its local time of day lies in one of that weekday's intervals
// (IsOpen tests exactly this). Everything else needs that set as instants, and the wall clock
// is not a monotonic function of the instant: it jumps forward at spring-forward (an hour of
// wall times never happens) and backward at fall-back (an hour happens twice). So the code
// below never converts a wall time with time.Date, whose choice in a gap is unspecified.
// Instead it splits time into zone segments of constant UTC offset, inside which the wall
// clock is the instant shifted by the offset, and takes the exact preimage of each wall
// interval segment by segment. Nothing is lost or invented: 01:30-03:30 on a spring-forward
// day is 1 h of instants, and on a fall-back day it is 3 h, because both passes through
// 02:00-03:00 are working time on the wall clock.

// span is a half-open range of instants [start, end).
type span struct {
	start, end time.Time
}

// zoneSeg is a range of instants [from, to) over which the location's offset is constant.
type zoneSeg struct {
	from, to time.Time
	off      time.Duration
}

// maxOffset bounds the UTC offset of any location. Real offsets stay within ±16 h; using a
// full day keeps the bookkeeping simple: the local date of an instant is its UTC date ±1.
const maxOffset = 24 * time.Hour

// chunkDays is how many UTC days the scanners materialise at a time; a week keeps each step
// small while making a typical weekend-and-holiday search a single step.
const chunkDays = 7

// zoneSegments returns the zone segments covering [a, b), clipped to it.
func (c *Calendar) zoneSegments(a, b time.Time) []zoneSeg {
	var segs []zoneSeg
	for u := a; u.Before(b); {
		lu := u.In(c.loc)
		_, off := lu.Zone()
		_, end := lu.ZoneBounds()
		to := b
		if !end.IsZero() && end.Before(b) && end.After(u) {
			to = end
		}
		segs = append(segs, zoneSeg{from: u, to: to, off: time.Duration(off) * time.Second})
		u = to
	}
	return segs
}

// utcDay is the UTC date of t as a day number.
func utcDay(t time.Time) dayNum {
	return dayNum(floorDiv(t.Unix(), secondsPerDay))
}

// wallPreimage appends the instants within segs whose local date is n and whose local time of
// day lies in [from, to).
func wallPreimage(out []span, segs []zoneSeg, n dayNum, from, to time.Duration) []span {
	mid := n.naiveMidnight()
	lo, hi := mid.Add(from), mid.Add(to)
	for _, sg := range segs {
		s, e := lo.Add(-sg.off), hi.Add(-sg.off)
		if s.Before(sg.from) {
			s = sg.from
		}
		if e.After(sg.to) {
			e = sg.to
		}
		if s.Before(e) {
			out = append(out, span{s, e})
		}
	}
	return out
}

// segmentsForDays returns zone segments covering every instant whose local date lies in
// [first, last].
func (c *Calendar) segmentsForDays(first, last dayNum) []zoneSeg {
	return c.zoneSegments(first.naiveMidnight().Add(-maxOffset), (last + 1).naiveMidnight().Add(maxOffset))
}

// spansIn returns the open instants in [a, b) as sorted, disjoint, non-touching spans.
func (c *Calendar) spansIn(a, b time.Time) []span {
	if !a.Before(b) {
		return nil
	}
	first, last := utcDay(a)-1, utcDay(b.Add(-time.Nanosecond))+1
	segs := c.segmentsForDays(first, last)
	var raw []span
	for n := first; n <= last; n++ {
		if c.isHoliday(n) {
			continue
		}
		for _, iv := range c.week[n.weekday()] {
			raw = wallPreimage(raw, segs, n, iv.Start, iv.End)
		}
	}
	// Preimages of different days or intervals interleave across a fall-back, so sort, clip
	// and merge only once everything is collected.
	slices.SortFunc(raw, func(x, y span) int { return x.start.Compare(y.start) })
	var out []span
	for _, s := range raw {
		if s.start.Before(a) {
			s.start = a
		}
		if s.end.After(b) {
			s.end = b
		}
		if !s.start.Before(s.end) {
			continue
		}
		if n := len(out); n > 0 && !out[n-1].end.Before(s.start) {
			if s.end.After(out[n-1].end) {
				out[n-1].end = s.end
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// forward yields the open time at or after t in chronological order. A span that crosses a
// chunk boundary arrives as two abutting pieces; callers sum or take the first start, which
// that does not disturb. The sequence is endless: a valid calendar always has more working time.
func (c *Calendar) forward(t time.Time) iter.Seq[span] {
	return func(yield func(span) bool) {
		for from := t; ; {
			to := (utcDay(from) + chunkDays).naiveMidnight()
			for _, s := range c.spansIn(from, to) {
				if !yield(s) {
					return
				}
			}
			from = to
		}
	}
}

// backward yields the open time before t, latest first, in the same pieces as forward.
func (c *Calendar) backward(t time.Time) iter.Seq[span] {
	return func(yield func(span) bool) {
		for to := t; ; {
			from := (utcDay(to.Add(-time.Nanosecond)) - chunkDays + 1).naiveMidnight()
			spans := c.spansIn(from, to)
			for i := len(spans) - 1; i >= 0; i-- {
				if !yield(spans[i]) {
					return
				}
			}
			to = from
		}
	}
}

// firstAtOrAfter returns the earliest instant whose local date is n and whose local time of
// day is at least tod. In a spring-forward gap that is the end of the gap; in a fall-back
// repeat it is the first pass. A day without such an instant (possible only where a zone
// skipped a date) moves on to the start of the following day.
func (c *Calendar) firstAtOrAfter(n dayNum, tod time.Duration) time.Time {
	for {
		found := wallPreimage(nil, c.segmentsForDays(n, n), n, tod, 24*time.Hour)
		if len(found) > 0 {
			return slices.MinFunc(found, func(x, y span) int { return x.start.Compare(y.start) }).start
		}
		n, tod = n+1, 0
	}
}
