package bizcal

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"github.com/stretchr/testify/require"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func mustCal(t testing.TB, loc *time.Location, hours map[string]string, holidays ...string) *Calendar {
	t.Helper()
	w, err := ParseHours(hours)
	require.NoError(t, err)
	hs, err := ParseDates(holidays)
	require.NoError(t, err)
	c, err := New(loc, w, hs)
	require.NoError(t, err)
	return c
}

// wall parses "2006-01-02 15:04[:05]" in loc; only for wall times that exist exactly once.
func wall(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	v, err := time.ParseInLocation(layout, s, loc)
	require.NoError(t, err)
	return v
}

// requireInstant compares instants and shows both in the calendar's zone on failure.
func requireInstant(t testing.TB, want, got time.Time) {
	t.Helper()
	require.True(t, want.Equal(got), "want %s, got %s", want, got)
}

// berlinOffice is open 09:00-17:00 on weekdays with May Day (Fri 2026-05-01) and Ascension
// (Thu 2026-05-14) off; May 2026 has no DST change, so these tests are about the rules alone.
func berlinOffice(t testing.TB) (*Calendar, func(string) time.Time) {
	loc := mustLoc(t, "Europe/Berlin")
	c := mustCal(t, loc, map[string]string{"mon-fri": "09:00-17:00"}, "2026-05-01", "2026-05-14")
	return c, func(s string) time.Time { return wall(t, loc, s) }
}

func TestIsOpen(t *testing.T) {
	t.Parallel()
	c, at := berlinOffice(t)
	tests := []struct {
		at   time.Time
		want bool
	}{
		{at("2026-04-30 09:00"), true},
		{at("2026-04-30 08:59:59").Add(999 * time.Millisecond), false},
		{at("2026-04-30 16:59:59"), true},
		{at("2026-04-30 17:00"), false}, // intervals are half-open
		{at("2026-05-01 10:00"), false}, // holiday
		{at("2026-05-02 10:00"), false}, // Saturday
		{at("2026-05-04 12:00"), true},
		{time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC), true}, // 09:00 in Berlin
		{time.Date(2026, 5, 4, 6, 59, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, c.IsOpen(tt.at))
		})
	}
}

func TestNextOpen(t *testing.T) {
	t.Parallel()
	c, at := berlinOffice(t)
	lunch := mustCal(t, c.Location(), map[string]string{"mon-fri": "09:00-12:00,13:00-17:00"})
	tests := []struct {
		name     string
		cal      *Calendar
		from, to time.Time
	}{
		{"open is itself", c, at("2026-05-04 12:00"), at("2026-05-04 12:00")},
		{"at opening", c, at("2026-05-04 09:00"), at("2026-05-04 09:00")},
		{"before opening", c, at("2026-05-04 07:00"), at("2026-05-04 09:00")},
		{"at closing", c, at("2026-05-04 17:00"), at("2026-05-05 09:00")},
		{"after closing before holiday and weekend", c, at("2026-04-30 18:00"), at("2026-05-04 09:00")},
		{"on holiday", c, at("2026-05-01 10:00"), at("2026-05-04 09:00")},
		{"on Saturday", c, at("2026-05-02 10:00"), at("2026-05-04 09:00")},
		{"in lunch break", lunch, at("2026-05-04 12:30"), at("2026-05-04 13:00")},
		{"from another zone", c, time.Date(2026, 5, 4, 5, 0, 0, 0, time.UTC), at("2026-05-04 09:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.cal.NextOpen(tt.from)
			requireInstant(t, tt.to, got)
			require.Equal(t, c.Location(), got.Location())
		})
	}
}

func TestAddBusinessHours(t *testing.T) {
	t.Parallel()
	c, at := berlinOffice(t)
	lunch := mustCal(t, c.Location(), map[string]string{"mon-fri": "09:00-12:00,13:00-17:00"})
	tests := []struct {
		name string
		cal  *Calendar
		from time.Time
		h    float64
		want time.Time
	}{
		{"Friday 16:00 + 2h is Monday 10:00", c, at("2026-05-08 16:00"), 2, at("2026-05-11 10:00")},
		{"ending at closing stays there", c, at("2026-05-08 16:00"), 1, at("2026-05-08 17:00")},
		{"across holiday and weekend", c, at("2026-04-30 16:00"), 2, at("2026-05-04 10:00")},
		{"across midweek holiday", c, at("2026-05-13 16:30"), 1, at("2026-05-15 09:30")},
		{"before opening", c, at("2026-05-04 06:00"), 1.5, at("2026-05-04 10:30")},
		{"after closing", c, at("2026-05-04 20:00"), 8, at("2026-05-05 17:00")},
		{"on holiday", c, at("2026-05-01 10:00"), 0.25, at("2026-05-04 09:15")},
		{"zero is NextOpen", c, at("2026-05-02 10:00"), 0, at("2026-05-04 09:00")},
		{"full week", c, at("2026-05-04 09:00"), 40, at("2026-05-08 17:00")},
		{"a week and an hour", c, at("2026-05-04 09:00"), 41, at("2026-05-11 10:00")},
		{"a third of an hour", c, at("2026-05-04 09:00"), 1.0 / 3, at("2026-05-04 09:20")},
		{"over lunch", lunch, at("2026-05-04 11:30"), 1, at("2026-05-04 13:30")},
		{"back over the weekend", c, at("2026-05-11 10:00"), -2, at("2026-05-08 16:00")},
		{"back over a holiday", c, at("2026-05-04 09:00"), -1, at("2026-04-30 16:00")},
		{"back from before opening", c, at("2026-05-04 08:00"), -0.5, at("2026-04-30 16:30")},
		{"back to opening", c, at("2026-05-04 10:00"), -1, at("2026-05-04 09:00")},
		{"back over lunch", lunch, at("2026-05-04 13:30"), -1, at("2026-05-04 11:30")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.cal.AddBusinessHours(tt.from, tt.h)
			requireInstant(t, tt.want, got)
			require.InDelta(t, tt.h, tt.cal.BusinessHoursBetween(tt.from, got), 1e-9)
		})
	}
}

func TestAddBusinessHoursOddAmounts(t *testing.T) {
	t.Parallel()
	c, at := berlinOffice(t)
	from := at("2026-05-04 10:00")
	requireInstant(t, from, c.AddBusinessHours(from, nan()))
	requireInstant(t, at("2026-05-04 10:00").Add(time.Nanosecond), c.AddBusinessHours(from, 1.0/3600e9))
	requireInstant(t, from, c.AddBusinessDuration(from, 0))
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func TestHoursToDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		h    float64
		want time.Duration
	}{
		{1.5, 90 * time.Minute},
		{-0.25, -15 * time.Minute},
		{1.0 / 3, 20 * time.Minute},
		{nan(), 0},
		{math.Inf(1), math.MaxInt64},
		{math.Inf(-1), math.MinInt64 + 1},
		{1e300, math.MaxInt64},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, hoursToDuration(tt.h), "%v", tt.h)
	}
}

func TestAddBusinessDays(t *testing.T) {
	t.Parallel()
	c, at := berlinOffice(t)
	loc := c.Location()
	xmas := mustCal(t, loc, map[string]string{"mon-fri": "09:00-17:30"},
		"2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01")
	tests := []struct {
		name string
		cal  *Calendar
		from time.Time
		d    int
		want time.Time
	}{
		{"next day", c, at("2026-05-04 10:00"), 1, at("2026-05-05 10:00")},
		{"over the weekend", c, at("2026-05-08 10:00"), 1, at("2026-05-11 10:00")},
		{"over a midweek holiday", c, at("2026-05-13 10:00"), 1, at("2026-05-15 10:00")},
		{"over holiday and weekend", c, at("2026-04-30 10:00"), 1, at("2026-05-04 10:00")},
		{"from Saturday", c, at("2026-05-02 10:00"), 1, at("2026-05-04 10:00")},
		{"from a holiday", c, at("2026-05-01 10:00"), 1, at("2026-05-04 10:00")},
		{"after hours clamps to next opening", c, at("2026-05-04 20:00"), 1, at("2026-05-06 09:00")},
		{"before hours clamps to that opening", c, at("2026-05-04 07:00"), 1, at("2026-05-05 09:00")},
		{"five days is a week", c, at("2026-05-04 10:00"), 5, at("2026-05-11 10:00")},
		{"zero when open", c, at("2026-05-04 10:00"), 0, at("2026-05-04 10:00")},
		{"zero when closed", c, at("2026-05-02 10:00"), 0, at("2026-05-04 09:00")},
		{"holiday week", xmas, wall(t, loc, "2026-12-23 10:00"), 1, wall(t, loc, "2027-01-04 10:00")},
		{"holiday week, two days", xmas, wall(t, loc, "2026-12-23 10:00"), 2, wall(t, loc, "2027-01-05 10:00")},
		{"back one day", c, at("2026-05-05 10:00"), -1, at("2026-05-04 10:00")},
		{"back over holiday and weekend", c, at("2026-05-04 10:00"), -1, at("2026-04-30 10:00")},
		{"back, after hours clamps to closing", c, at("2026-05-05 20:00"), -1, at("2026-05-04 17:00")},
		{"back, before hours clamps to previous closing", c, at("2026-05-05 07:00"), -1, at("2026-04-30 17:00")},
		{"back over the holiday week", xmas, wall(t, loc, "2027-01-04 10:00"), -1, wall(t, loc, "2026-12-23 10:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireInstant(t, tt.want, tt.cal.AddBusinessDays(tt.from, tt.d))
		})
	}
}

func TestBusinessHoursBetween(t *testing.T) {
	t.Parallel()
	c, at := berlinOffice(t)
	tests := []struct {
		name string
		a, b time.Time
		want float64
	}{
		{"working week", at("2026-05-04 09:00"), at("2026-05-08 17:00"), 40},
		{"over the weekend", at("2026-05-08 16:00"), at("2026-05-11 10:00"), 2},
		{"over a holiday", at("2026-04-30 00:00"), at("2026-05-04 00:00"), 8},
		{"weekend only", at("2026-05-02 00:00"), at("2026-05-03 23:59"), 0},
		{"empty", at("2026-05-04 12:00"), at("2026-05-04 12:00"), 0},
		{"one second", at("2026-05-04 12:00"), at("2026-05-04 12:00:01"), 1.0 / 3600},
		{"overnight", at("2026-05-04 16:30"), at("2026-05-05 09:30"), 1},
		{"mixed zones", time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC), at("2026-05-04 10:00"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.InDelta(t, tt.want, c.BusinessHoursBetween(tt.a, tt.b), 1e-12)
			require.InDelta(t, -tt.want, c.BusinessHoursBetween(tt.b, tt.a), 1e-12)
		})
	}
}

func TestInOwnerTimezone(t *testing.T) {
	t.Parallel()
	// The default policy's `timezone: owner` calendar: parsed once, placed in each rep's zone.
	hours, err := ParseHours(map[string]string{"mon-fri": "09:00-17:30"})
	require.NoError(t, err)
	holidays, err := ParseDates([]string{"2026-12-25", "2026-12-26", "2027-01-01"})
	require.NoError(t, err)
	base, err := New(time.UTC, hours, holidays)
	require.NoError(t, err)
	berlin, ny := base.In(mustLoc(t, "Europe/Berlin")), base.In(mustLoc(t, "America/New_York"))

	at := time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC) // 16:00 in Berlin, 10:00 in New York
	require.True(t, berlin.IsOpen(at))
	require.True(t, ny.IsOpen(at))
	at = at.Add(2 * time.Hour) // 18:00 in Berlin, 12:00 in New York
	require.False(t, berlin.IsOpen(at))
	require.True(t, ny.IsOpen(at))
	// Christmas is a local date: it starts at each zone's own midnight.
	requireInstant(t, wall(t, ny.Location(), "2026-12-28 09:00"), ny.NextOpen(wall(t, ny.Location(), "2026-12-24 17:30")))
	require.True(t, ny.IsOpen(time.Date(2026, 12, 24, 22, 0, 0, 0, time.UTC))) // 17:00 on the 24th in New York

	require.Equal(t, holidays, berlin.Holidays())
	require.Equal(t, hours, ny.Week())
	require.True(t, ny.IsWorkingDay(Date{2026, 12, 24}))
	require.False(t, ny.IsWorkingDay(Date{2026, 12, 25}))
	require.False(t, ny.IsWorkingDay(Date{2026, 12, 27}))
	require.Panics(t, func() { base.In(nil) })
}
