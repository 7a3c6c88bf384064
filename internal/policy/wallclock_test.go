package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/bizcal"
)

func TestWallTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, zone, date, clock string
		after                   string // UTC; "" for no lower bound
		want                    string // UTC
	}{
		{"an ordinary morning", "America/New_York", "2026-06-11", "08:00", "", "2026-06-11 12:00"},
		{"after a spring-forward night", "America/New_York", "2026-03-08", "08:00", "", "2026-03-08 12:00"},
		{"a time the spring-forward skips is the end of the gap", "America/New_York", "2026-03-08", "02:30", "", "2026-03-08 07:00"},
		{"Berlin's gap too", "Europe/Berlin", "2026-03-29", "02:15", "", "2026-03-29 01:00"},
		{"a repeated time means its first pass", "America/New_York", "2026-11-01", "01:30", "", "2026-11-01 05:30"},
		{"or the second, from inside the repeat", "America/New_York", "2026-11-01", "01:30", "2026-11-01 06:10", "2026-11-01 06:30"},
		{"Berlin's repeat", "Europe/Berlin", "2026-10-25", "02:30", "", "2026-10-25 00:30"},
		{"Santiago has no midnight in September", "America/Santiago", "2026-09-06", "00:00", "", "2026-09-06 04:00"},
		{"after a fall-back night", "Europe/Berlin", "2026-10-25", "08:00", "", "2026-10-25 07:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := bizcal.ParseDate(tt.date)
			require.NoError(t, err)
			var after time.Time
			if tt.after != "" {
				after = utc(t, tt.after)
			}
			c, err := clock(parse(t, `"`+tt.clock+`"`), "clock")
			require.NoError(t, err)
			got := wallTime(d, c, zone(t, tt.zone), after)
			require.Equal(t, utc(t, tt.want), got.UTC(), "got %s", got)
			require.Equal(t, zone(t, tt.zone).String(), got.Location().String())
		})
	}
}

func TestNextMidnight(t *testing.T) {
	t.Parallel()
	ny := zone(t, "America/New_York")
	// The fall-back day is 25 hours long: its midnight is 25 hours after the one before.
	got := nextMidnight(utc(t, "2026-11-01 12:00"), ny)
	require.Equal(t, utc(t, "2026-11-02 05:00"), got.UTC())
	require.Equal(t, 25*time.Hour, got.Sub(utc(t, "2026-11-01 04:00")))
}
