package bizcal

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Interval is one stretch of working time on a local day, [Start, End), measured on the wall
// clock from local midnight. Wall-clock offsets rather than instants are what people write
// ("09:00-17:30") and what stays meaningful across DST changes; End may be 24h so that a
// schedule can run up to midnight.
type Interval struct {
	Start, End time.Duration
}

// String formats i as "HH:MM-HH:MM", the form ParseHours reads.
func (i Interval) String() string {
	return formatClock(i.Start) + "-" + formatClock(i.End)
}

// Week is a weekly schedule indexed by time.Weekday (Sunday is 0, as in package time). Each
// day's intervals are sorted and disjoint once they have passed New or a Parse function.
type Week [7][]Interval

// ErrNoWorkingTime is returned for a week without working time: adding business hours on it
// could never finish.
var ErrNoWorkingTime = errors.New("the week has no working time")

// HoursError reports a problem with one entry of an hours specification. Key is the day part
// as written ("mon-fri"), so that policy linters can point at the entry.
type HoursError struct {
	Key    string
	Reason string
}

// Error implements error.
func (e *HoursError) Error() string {
	return fmt.Sprintf("hours %q: %s", e.Key, e.Reason)
}

// ParseHours reads the `hours` map of a calendar document: keys name days ("mon-fri", "sat",
// "mon,wed", "fri-mon" wraps over the weekend), values list intervals ("09:00-17:30" or
// "09:00-12:00,13:00-17:30"). Overnight intervals such as "22:00-06:00" are rejected rather
// than split at midnight: a split shift would make the morning after a working day, which
// changes what "N business days" means in ways nobody asked for; write the two halves
// explicitly instead. Every problem is reported, each as an *HoursError, in key order.
func ParseHours(spec map[string]string) (Week, error) {
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b weekBuilder
	for _, k := range keys {
		b.add(k, k, spec[k])
	}
	return b.finish()
}

// ParseWorkingHours reads the users.working_hours form: "mon-fri 09:00-17:30". Several groups
// may be separated by ";" ("mon-fri 09:00-17:30; sat 10:00-14:00"), which is also the form
// Week.String writes, so that any Week round-trips through a user record.
func ParseWorkingHours(s string) (Week, error) {
	var b weekBuilder
	for group := range strings.SplitSeq(s, ";") {
		group = strings.TrimSpace(group)
		fields := strings.Fields(group)
		if len(fields) != 2 {
			b.errs = append(b.errs, &HoursError{Key: group, Reason: `is not like "mon-fri 09:00-17:30"`})
			continue
		}
		b.add(group, fields[0], fields[1])
	}
	return b.finish()
}

// String writes w in the ParseWorkingHours form, one group per working day, Monday first.
func (w Week) String() string {
	var groups []string
	for i := range 7 {
		day := time.Weekday((i + 1) % 7)
		if len(w[day]) == 0 {
			continue
		}
		parts := make([]string, len(w[day]))
		for j, iv := range w[day] {
			parts[j] = iv.String()
		}
		groups = append(groups, dayNames[day]+" "+strings.Join(parts, ","))
	}
	return strings.Join(groups, "; ")
}

// normalize validates a Week that may have been built by hand, sorts each day and merges
// intervals that touch, so the rest of the package can rely on sorted disjoint intervals.
func (w Week) normalize() (Week, error) {
	var out Week
	var errs []error
	total := time.Duration(0)
	for day := range w {
		ivs := slices.Clone(w[day])
		slices.SortFunc(ivs, func(a, b Interval) int { return cmp.Compare(a.Start, b.Start) })
		for _, iv := range ivs {
			n := len(out[day])
			switch {
			case iv.Start < 0 || iv.End > 24*time.Hour:
				errs = append(errs, fmt.Errorf("%s %s: outside 00:00-24:00", dayNames[day], iv))
				continue
			case iv.End <= iv.Start:
				errs = append(errs, fmt.Errorf("%s %s: ends before it starts", dayNames[day], iv))
				continue
			case n > 0 && out[day][n-1].End > iv.Start:
				errs = append(errs, fmt.Errorf("%s %s overlaps %s", dayNames[day], iv, out[day][n-1]))
				continue
			}
			total += iv.End - iv.Start
			if n > 0 && out[day][n-1].End == iv.Start {
				out[day][n-1].End = iv.End
				continue
			}
			out[day] = append(out[day], iv)
		}
	}
	if len(errs) == 0 && total == 0 {
		errs = append(errs, ErrNoWorkingTime)
	}
	return out, errors.Join(errs...)
}

var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// weekBuilder gathers entries, remembering which key each interval came from so that an
// overlap can name both entries involved.
type weekBuilder struct {
	days [7][]keyedInterval
	errs []error
}

type keyedInterval struct {
	Interval
	key string
}

func (b *weekBuilder) add(key, days, hours string) {
	ds, reason := parseDays(days)
	if reason != "" {
		b.errs = append(b.errs, &HoursError{Key: key, Reason: reason})
		return
	}
	ivs, reason := parseIntervals(hours)
	if reason != "" {
		b.errs = append(b.errs, &HoursError{Key: key, Reason: reason})
		return
	}
	for _, d := range ds {
		for _, iv := range ivs {
			b.days[d] = append(b.days[d], keyedInterval{iv, key})
		}
	}
}

func (b *weekBuilder) finish() (Week, error) {
	var w Week
	for day, kivs := range b.days {
		slices.SortStableFunc(kivs, func(a, b keyedInterval) int { return cmp.Compare(a.Start, b.Start) })
		var prev keyedInterval // the interval reaching furthest so far, which any overlap hits
		for j, kiv := range kivs {
			if j > 0 && prev.End > kiv.Start {
				reason := fmt.Sprintf("%s overlaps %s on %s", kiv.Interval, prev.Interval, dayNames[day])
				if prev.key != kiv.key {
					reason = fmt.Sprintf("%s overlaps %s from %q on %s", kiv.Interval, prev.Interval, prev.key, dayNames[day])
				}
				b.errs = append(b.errs, &HoursError{Key: kiv.key, Reason: reason})
			}
			if j == 0 || kiv.End > prev.End {
				prev = kiv
			}
			w[day] = append(w[day], kiv.Interval)
		}
	}
	if len(b.errs) > 0 {
		return Week{}, errors.Join(b.errs...)
	}
	return w.normalize()
}

// parseDays reads "mon-fri", "sat", "mon,wed" or "fri-mon"; it returns a reason on failure.
func parseDays(s string) ([]time.Weekday, string) {
	var out []time.Weekday
	seen := [7]bool{}
	for item := range strings.SplitSeq(strings.ToLower(strings.TrimSpace(s)), ",") {
		item = strings.TrimSpace(item)
		from, to, isRange := strings.Cut(item, "-")
		first, ok := parseDay(from)
		if !ok {
			return nil, fmt.Sprintf("unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", from)
		}
		last := first
		if isRange {
			if last, ok = parseDay(to); !ok {
				return nil, fmt.Sprintf("unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", to)
			}
		}
		for d := first; ; d = (d + 1) % 7 {
			if seen[d] {
				return nil, fmt.Sprintf("%s is listed twice", dayNames[d])
			}
			seen[d] = true
			out = append(out, d)
			if d == last {
				break
			}
		}
	}
	return out, ""
}

func parseDay(s string) (time.Weekday, bool) {
	i := slices.Index(dayNames[:], strings.TrimSpace(s))
	return time.Weekday(i), i >= 0
}

// parseIntervals reads "09:00-17:30" or "09:00-12:00,13:00-17:30"; it returns a reason on failure.
func parseIntervals(s string) ([]Interval, string) {
	var out []Interval
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Sprintf("%q is not an interval like 09:00-17:30", part)
		}
		start, okStart := parseClock(from)
		end, okEnd := parseClock(to)
		switch {
		case !okStart || !okEnd:
			return nil, fmt.Sprintf("%q is not an interval like 09:00-17:30 (times are HH:MM, 00:00 to 24:00)", part)
		case start == 24*time.Hour:
			return nil, fmt.Sprintf("%q starts at 24:00; 24:00 can only end an interval", part)
		case end == start:
			return nil, fmt.Sprintf("%q is empty", part)
		case end < start:
			return nil, fmt.Sprintf("%q ends before it starts; overnight shifts are not supported, "+
				"split them at midnight (mon 22:00-24:00 and tue 00:00-06:00)", part)
		}
		out = append(out, Interval{start, end})
	}
	return out, ""
}

// parseClock reads "H:MM" or "HH:MM" from 00:00 to 24:00.
func parseClock(s string) (time.Duration, bool) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !digits(hs) || !digits(ms) {
		return 0, false
	}
	h, errH := strconv.Atoi(hs)
	m, errM := strconv.Atoi(ms)
	if errH != nil || errM != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

func digits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// formatClock writes HH:MM, with seconds and fractions only when a hand-built Week has them.
func formatClock(d time.Duration) string {
	h, rest := d/time.Hour, d%time.Hour
	m, rest := rest/time.Minute, rest%time.Minute
	s := fmt.Sprintf("%02d:%02d", h, m)
	if rest != 0 {
		s += strings.TrimRight(strings.TrimRight(fmt.Sprintf(":%012.9f", rest.Seconds()), "0"), ".")
	}
	return s
}
