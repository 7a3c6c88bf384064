package bizcal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	d, err := ParseDate("2026-12-25")
	require.NoError(t, err)
	require.Equal(t, Date{2026, time.December, 25}, d)
	require.Equal(t, "2026-12-25", d.String())
	require.Equal(t, time.Friday, d.Weekday())

	for _, bad := range []string{"2026-02-30", "2026-13-01", "26-12-25", "2026-12-25T00:00:00Z", ""} {
		_, err := ParseDate(bad)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "YYYY-MM-DD")
	}
}

func TestParseDates(t *testing.T) {
	t.Parallel()
	ds, err := ParseDates([]string{"2026-12-25", "2026-12-26", "2027-01-01"})
	require.NoError(t, err)
	require.Equal(t, []Date{{2026, 12, 25}, {2026, 12, 26}, {2027, 1, 1}}, ds)

	_, err = ParseDates([]string{"2026-12-25", "2026-12-32"})
	require.ErrorContains(t, err, `holidays[1]: date "2026-12-32"`)
}

func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    Date
		n    int
		want Date
		wd   time.Weekday
	}{
		{Date{2026, 12, 31}, 1, Date{2027, 1, 1}, time.Thursday},
		{Date{2028, 2, 28}, 1, Date{2028, 2, 29}, time.Monday},
		{Date{1970, 1, 1}, -1, Date{1969, 12, 31}, time.Thursday},
		{Date{1969, 12, 31}, 0, Date{1969, 12, 31}, time.Wednesday},
		{Date{1900, 3, 1}, -1, Date{1900, 2, 28}, time.Thursday},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.d.AddDays(tt.n))
			require.Equal(t, tt.wd, tt.d.Weekday())
			require.Equal(t, time.Date(tt.d.Year, tt.d.Month, tt.d.Day, 0, 0, 0, 0, time.UTC).Weekday(), tt.d.Weekday())
		})
	}
}
