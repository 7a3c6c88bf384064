package bizcal

import (
	"fmt"
	"time"
)

// Date is a civil date with no time zone. Holidays are Dates rather than instants because a
// holiday is the same calendar day wherever the calendar is used: 2026-12-25 is a holiday in
// Berlin from Berlin's midnight and in New York from New York's midnight.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses the ISO form "YYYY-MM-DD" used by policy files.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not a valid YYYY-MM-DD date", s)
	}
	return DateOf(t), nil
}

// ParseDates parses a holiday list; the error names the position and the value so a policy
// linter can point at the offending entry.
func ParseDates(ss []string) ([]Date, error) {
	out := make([]Date, 0, len(ss))
	for i, s := range ss {
		d, err := ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("holidays[%d]: %w", i, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD, the form ParseDate reads.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return d.num().weekday()
}

// AddDays returns the date n days after d (before, if n is negative).
func (d Date) AddDays(n int) Date {
	return (d.num() + dayNum(n)).date()
}

// valid reports whether d names a real day; a hand-built Date{2026, 2, 30} must not silently
// become March 2nd.
func (d Date) valid() bool {
	return d.num().date() == d
}

// dayNum counts days since 1970-01-01. The arithmetic core works on day numbers because they
// are cheap to step through and compare, and they carry no zone.
type dayNum int64

const secondsPerDay = 24 * 60 * 60

func (d Date) num() dayNum {
	return dayNum(floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay))
}

func (n dayNum) date() Date {
	return DateOf(time.Unix(int64(n)*secondsPerDay, 0).UTC())
}

func (n dayNum) weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(int64(n)+int64(time.Thursday), 7))
}

// naiveMidnight is the instant whose UTC wall clock reads midnight of day n. Local wall clocks
// are handled as such "naive" instants: the local wall time of u is u shifted by its offset.
func (n dayNum) naiveMidnight() time.Time {
	return time.Unix(int64(n)*secondsPerDay, 0).UTC()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
