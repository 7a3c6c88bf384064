package bizcal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// utc parses "2006-01-02 15:04" as UTC; DST tests name instants in UTC because the local wall
// times they care about are the ones that happen twice or never.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	require.NoError(t, err)
	return v
}

func TestDSTIntervalLengths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, zone, day, hours string
		from, to               string // local dates bounding the measurement
		want                   time.Duration
	}{
		{"Berlin spring forward loses the gap", "Europe/Berlin", "sun", "01:30-03:30", "2026-03-28", "2026-03-30", time.Hour},
		{"Berlin fall back counts both passes", "Europe/Berlin", "sun", "01:30-03:30", "2026-10-24", "2026-10-26", 3 * time.Hour},
		{"Berlin interval ending in the gap", "Europe/Berlin", "sun", "00:00-02:30", "2026-03-28", "2026-03-30", 2 * time.Hour},
		{"Berlin interval starting in the gap", "Europe/Berlin", "sun", "02:30-04:00", "2026-03-28", "2026-03-30", time.Hour},
		{"Berlin interval inside the gap", "Europe/Berlin", "sun", "02:00-03:00", "2026-03-28", "2026-03-30", 0},
		{"Berlin interval inside the repeat", "Europe/Berlin", "sun", "02:15-02:45", "2026-10-24", "2026-10-26", time.Hour},
		{"Berlin whole days, spring", "Europe/Berlin", "mon-sun", "00:00-24:00", "2026-03-28", "2026-03-30", 47 * time.Hour},
		{"Berlin whole days, autumn", "Europe/Berlin", "mon-sun", "00:00-24:00", "2026-10-24", "2026-10-26", 49 * time.Hour},
		{"New York spring forward", "America/New_York", "sun", "01:30-03:30", "2026-03-07", "2026-03-09", time.Hour},
		{"New York fall back", "America/New_York", "sun", "01:30-03:30", "2026-10-31", "2026-11-02", 150 * time.Minute},
		{"New York fall back around the repeat", "America/New_York", "sun", "00:30-02:30", "2026-10-31", "2026-11-02", 3 * time.Hour},
		{"New York whole days, spring", "America/New_York", "mon-sun", "00:00-24:00", "2026-03-07", "2026-03-09", 47 * time.Hour},
		{"New York whole days, autumn", "America/New_York", "mon-sun", "00:00-24:00", "2026-10-31", "2026-11-02", 49 * time.Hour},
		{"Santiago has no midnight in September", "America/Santiago", "sun", "00:00-02:00", "2026-09-05", "2026-09-07", time.Hour},
		{"Santiago repeats Saturday's last hour", "America/Santiago", "sat", "23:00-24:00", "2026-04-04", "2026-04-05", 2 * time.Hour},
		{"Lord Howe moves by half an hour", "Australia/Lord_Howe", "sun", "01:00-03:00", "2026-04-04", "2026-04-06", 150 * time.Minute},
		{"Apia skipped a Friday", "Pacific/Apia", "mon-sun", "09:00-17:00", "2011-12-29", "2012-01-01", 16 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoc(t, tt.zone)
			c := mustCal(t, loc, map[string]string{tt.day: tt.hours})
			a, b := wall(t, loc, tt.from+" 00:00"), wall(t, loc, tt.to+" 00:00")
			require.Equal(t, tt.want, c.BusinessDuration(a, b))
			require.Equal(t, -tt.want, c.BusinessDuration(b, a))
			if tt.want > 0 {
				end := c.AddBusinessDuration(a, tt.want)
				require.Equal(t, tt.want, c.BusinessDuration(a, end))
				require.True(t, end.Before(b) || end.Equal(b))
			}
		})
	}
}

func TestDSTBerlinSpringForward(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Europe/Berlin")
	c := mustCal(t, loc, map[string]string{"sun": "01:30-03:30"})
	// 01:30 CET is 00:30Z; the clock jumps 02:00 CET -> 03:00 CEST at 01:00Z; 03:30 CEST is 01:30Z.
	require.True(t, c.IsOpen(utc(t, "2026-03-29 00:45")))
	require.True(t, c.IsOpen(utc(t, "2026-03-29 01:15")))
	require.False(t, c.IsOpen(utc(t, "2026-03-29 01:30")))
	requireInstant(t, utc(t, "2026-03-29 00:30"), c.NextOpen(wall(t, loc, "2026-03-28 12:00")))
	requireInstant(t, utc(t, "2026-03-29 01:15"), c.AddBusinessHours(wall(t, loc, "2026-03-28 12:00"), 0.75))
	// After the short Sunday the next opening is a week later, in summer time.
	requireInstant(t, wall(t, loc, "2026-04-05 01:30"), c.NextOpen(utc(t, "2026-03-29 01:30")))
	// A schedule that lies wholly in the gap is skipped that day, not moved.
	gap := mustCal(t, loc, map[string]string{"sun": "02:00-03:00"})
	requireInstant(t, wall(t, loc, "2026-04-05 02:00"), gap.NextOpen(wall(t, loc, "2026-03-28 12:00")))
}

func TestDSTBerlinFallBack(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Europe/Berlin")
	c := mustCal(t, loc, map[string]string{"sun": "02:15-02:45"})
	// 02:15 CEST is 00:15Z and 02:15 CET is 01:15Z: the interval happens twice.
	require.True(t, c.IsOpen(utc(t, "2026-10-25 00:20")))
	require.False(t, c.IsOpen(utc(t, "2026-10-25 00:50")))
	require.True(t, c.IsOpen(utc(t, "2026-10-25 01:20")))
	requireInstant(t, utc(t, "2026-10-25 01:15"), c.NextOpen(utc(t, "2026-10-25 00:45")))
	requireInstant(t, utc(t, "2026-10-25 01:30"), c.AddBusinessHours(utc(t, "2026-10-24 12:00"), 0.75))
	requireInstant(t, utc(t, "2026-10-25 00:15"), c.AddBusinessHours(utc(t, "2026-10-25 01:30"), -0.75))
}

func TestDSTOfficeWeekends(t *testing.T) {
	t.Parallel()
	berlin, ny := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	hours := map[string]string{"mon-fri": "09:00-17:00"}
	cb, cn := mustCal(t, berlin, hours), mustCal(t, ny, hours)
	tests := []struct {
		name      string
		got, want time.Time
	}{
		{"Berlin hours over spring forward", cb.AddBusinessHours(wall(t, berlin, "2026-03-27 16:00"), 2), wall(t, berlin, "2026-03-30 10:00")},
		{"Berlin hours over fall back", cb.AddBusinessHours(wall(t, berlin, "2026-10-23 16:00"), 2), wall(t, berlin, "2026-10-26 10:00")},
		{"Berlin days over spring forward", cb.AddBusinessDays(wall(t, berlin, "2026-03-27 10:00"), 1), wall(t, berlin, "2026-03-30 10:00")},
		{"Berlin days over fall back", cb.AddBusinessDays(wall(t, berlin, "2026-10-23 10:00"), 1), wall(t, berlin, "2026-10-26 10:00")},
		{"New York hours over spring forward", cn.AddBusinessHours(wall(t, ny, "2026-03-06 16:00"), 2), wall(t, ny, "2026-03-09 10:00")},
		{"New York hours over fall back", cn.AddBusinessHours(wall(t, ny, "2026-10-30 16:00"), 2), wall(t, ny, "2026-11-02 10:00")},
		{"New York days over spring forward", cn.AddBusinessDays(wall(t, ny, "2026-03-06 10:00"), 1), wall(t, ny, "2026-03-09 10:00")},
		{"New York days over fall back", cn.AddBusinessDays(wall(t, ny, "2026-10-30 10:00"), 1), wall(t, ny, "2026-11-02 10:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireInstant(t, tt.want, tt.got)
		})
	}
	require.Equal(t, 2*time.Hour, cb.BusinessDuration(wall(t, berlin, "2026-03-27 16:00"), wall(t, berlin, "2026-03-30 10:00")))
	require.Equal(t, 65*time.Hour, wall(t, berlin, "2026-03-30 10:00").Sub(wall(t, berlin, "2026-03-27 16:00")))
}

func TestDSTAddBusinessDaysIntoGapAndRepeat(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "Europe/Berlin")
	always := mustCal(t, loc, map[string]string{"mon-sun": "00:00-24:00"})
	// 02:30 does not exist on 2026-03-29: the end of the gap, 03:00 CEST, stands in for it.
	requireInstant(t, utc(t, "2026-03-29 01:00"), always.AddBusinessDays(wall(t, loc, "2026-03-28 02:30"), 1))
	// 02:30 happens twice on 2026-10-25: the first pass, in summer time, is used.
	requireInstant(t, utc(t, "2026-10-25 00:30"), always.AddBusinessDays(wall(t, loc, "2026-10-24 02:30"), 1))
	// From the second pass the same rule applies to the next day.
	requireInstant(t, wall(t, loc, "2026-10-26 02:30"), always.AddBusinessDays(utc(t, "2026-10-25 01:30"), 1))

	// Apia skipped Friday 2011-12-30: that working day has no 10:00, so the next opening counts.
	apia := mustLoc(t, "Pacific/Apia")
	office := mustCal(t, apia, map[string]string{"mon-fri": "09:00-17:00"})
	requireInstant(t, wall(t, apia, "2012-01-02 09:00"), office.AddBusinessDays(wall(t, apia, "2011-12-29 10:00"), 1))
	require.Equal(t, 8*time.Hour, office.BusinessDuration(wall(t, apia, "2011-12-29 09:00"), wall(t, apia, "2012-01-02 09:00")))
}

// TestDSTBackwardAcrossMidnight covers a fall-back that returns to the previous date
// (Goose Bay, 1987-2010: 00:01 ADT became 23:01 AST), where Sunday's first minute comes
// before Saturday's second last hour.
func TestDSTBackwardAcrossMidnight(t *testing.T) {
	t.Parallel()
	loc := mustLoc(t, "America/Goose_Bay")
	c := mustCal(t, loc, map[string]string{"sat": "23:30-24:00", "sun": "00:00-00:30"})
	a, b := utc(t, "2006-10-28 12:00"), utc(t, "2006-10-30 12:00")
	// [02:30Z, 03:01Z) = Sat 23:30 ADT .. Sun 00:01 ADT; [03:30Z, 04:30Z) = Sat 23:30 AST .. Sun 00:30 AST.
	require.Equal(t, 91*time.Minute, c.BusinessDuration(a, b))
	require.False(t, c.IsOpen(utc(t, "2006-10-29 03:15")))
	requireInstant(t, utc(t, "2006-10-29 03:30"), c.NextOpen(utc(t, "2006-10-29 03:01")))
	requireInstant(t, utc(t, "2006-10-29 03:31"), c.AddBusinessDuration(a, 32*time.Minute))

	always := mustCal(t, loc, map[string]string{"mon-sun": "00:00-24:00"})
	require.Equal(t, b.Sub(a), always.BusinessDuration(a, b))
}
