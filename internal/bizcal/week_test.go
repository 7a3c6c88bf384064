package bizcal

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func iv(from, to string) Interval {
	f, ok1 := parseClock(from)
	t, ok2 := parseClock(to)
	if !ok1 || !ok2 {
		panic("bad clock in test: " + from + "-" + to)
	}
	return Interval{f, t}
}

func TestParseHours(t *testing.T) {
	t.Parallel()
	nine := []Interval{iv("09:00", "17:30")}
	tests := []struct {
		name string
		spec map[string]string
		want Week
	}{
		{"mon-fri", map[string]string{"mon-fri": "09:00-17:30"},
			Week{time.Monday: nine, time.Tuesday: nine, time.Wednesday: nine, time.Thursday: nine, time.Friday: nine}},
		{"list and single", map[string]string{"mon,wed": "09:00-17:30", "sat": "10:00-14:00"},
			Week{time.Monday: nine, time.Wednesday: nine, time.Saturday: {iv("10:00", "14:00")}}},
		{"wrapping range", map[string]string{"fri-mon": "9:00-17:30"},
			Week{time.Friday: nine, time.Saturday: nine, time.Sunday: nine, time.Monday: nine}},
		{"split day sorted", map[string]string{"tue": "13:00-17:30, 09:00-12:00"},
			Week{time.Tuesday: {iv("09:00", "12:00"), iv("13:00", "17:30")}}},
		{"touching intervals merge", map[string]string{"tue": "09:00-12:00", "mon-tue": "12:00-13:00"},
			Week{time.Monday: {iv("12:00", "13:00")}, time.Tuesday: {iv("09:00", "13:00")}}},
		{"ends at midnight, case and spaces", map[string]string{" SUN ": "00:00-24:00"},
			Week{time.Sunday: {iv("00:00", "24:00")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseHours(tt.spec)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseHoursErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec map[string]string
		want []string // substrings of the error
	}{
		{"unknown day", map[string]string{"mon-fry": "09:00-17:00"}, []string{`hours "mon-fry"`, `unknown day "fry"`}},
		{"hour out of range", map[string]string{"mon": "09:00-25:00"}, []string{`hours "mon"`, `"09:00-25:00" is not an interval`}},
		{"minute form", map[string]string{"mon": "9-17"}, []string{`"9-17" is not an interval like 09:00-17:30`}},
		{"sign", map[string]string{"mon": "+9:00-17:00"}, []string{`is not an interval`}},
		{"no dash", map[string]string{"mon": "09:00"}, []string{`"09:00" is not an interval`}},
		{"overnight", map[string]string{"fri": "22:00-06:00"}, []string{`hours "fri"`, "overnight shifts are not supported", "split them at midnight"}},
		{"empty", map[string]string{"fri": "09:00-09:00"}, []string{`"09:00-09:00" is empty`}},
		{"starts at 24:00", map[string]string{"fri": "24:00-24:00"}, []string{"24:00 can only end an interval"}},
		{"24:30", map[string]string{"fri": "09:00-24:30"}, []string{"is not an interval"}},
		{"overlap across keys", map[string]string{"mon-fri": "09:00-12:00", "wed": "11:00-13:00"},
			[]string{`hours "wed": 11:00-13:00 overlaps 09:00-12:00 from "mon-fri" on wed`}},
		{"overlap in one value", map[string]string{"mon": "09:00-12:00,11:00-13:00"},
			[]string{`hours "mon": 11:00-13:00 overlaps 09:00-12:00 on mon`}},
		{"overlap hidden behind a shorter one", map[string]string{"mon": "09:00-17:00", "mon,tue": "10:00-11:00", "mon,wed": "12:00-13:00"},
			[]string{`hours "mon,tue": 10:00-11:00 overlaps 09:00-17:00 from "mon"`, `hours "mon,wed": 12:00-13:00 overlaps 09:00-17:00 from "mon"`}},
		{"day twice", map[string]string{"mon-wed,tue": "09:00-12:00"}, []string{`hours "mon-wed,tue": tue is listed twice`}},
		{"no working time", map[string]string{}, []string{"no working time"}},
		{"every problem reported", map[string]string{"mon": "x", "tue": "y"}, []string{`hours "mon"`, `hours "tue"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseHours(tt.spec)
			require.Error(t, err)
			for _, s := range tt.want {
				require.Contains(t, err.Error(), s)
			}
		})
	}
}

func TestHoursErrorIsTyped(t *testing.T) {
	t.Parallel()
	_, err := ParseHours(map[string]string{"mon": "17:00-09:00"})
	var he *HoursError
	require.ErrorAs(t, err, &he)
	require.Equal(t, "mon", he.Key)

	_, err = ParseHours(nil)
	require.ErrorIs(t, err, ErrNoWorkingTime)
}

func TestParseWorkingHours(t *testing.T) {
	t.Parallel()
	nine := []Interval{iv("09:00", "17:30")}
	tests := []struct {
		in   string
		want Week
	}{
		{"mon-fri 09:00-17:30", Week{time.Monday: nine, time.Tuesday: nine, time.Wednesday: nine, time.Thursday: nine, time.Friday: nine}},
		{"sat 10:00-14:00", Week{time.Saturday: {iv("10:00", "14:00")}}},
		{"mon-fri 09:00-17:30; sat 10:00-14:00", Week{time.Monday: nine, time.Tuesday: nine, time.Wednesday: nine,
			time.Thursday: nine, time.Friday: nine, time.Saturday: {iv("10:00", "14:00")}}},
		{"Sun 00:00-24:00", Week{time.Sunday: {iv("00:00", "24:00")}}},
		{"mon 09:00-12:00; mon 13:00-17:00", Week{time.Monday: {iv("09:00", "12:00"), iv("13:00", "17:00")}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseWorkingHours(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			again, err := ParseWorkingHours(got.String())
			require.NoError(t, err)
			require.Equal(t, got, again, "String round-trips: %s", got)
		})
	}
}

func TestParseWorkingHoursErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", `hours "": is not like "mon-fri 09:00-17:30"`},
		{"mon-fri", `hours "mon-fri": is not like`},
		{"mon-fri 09:00 - 17:30", `is not like`},
		{"weekdays 09:00-17:30", `unknown day "weekdays"`},
		{"mon-fri 22:00-06:00", "overnight shifts are not supported"},
		{"mon-fri 09:00-17:30; fri 17:00-18:00", `hours "fri 17:00-18:00": 17:00-18:00 overlaps 09:00-17:30 from "mon-fri 09:00-17:30" on fri`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseWorkingHours(tt.in)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestWeekString(t *testing.T) {
	t.Parallel()
	w := Week{
		time.Sunday: {iv("10:00", "12:00")},
		time.Monday: {iv("09:00", "12:00"), iv("13:00", "24:00")},
		time.Friday: {{Start: 9*time.Hour + 30*time.Second + 500*time.Millisecond, End: 10 * time.Hour}},
	}
	require.Equal(t, "mon 09:00-12:00,13:00-24:00; fri 09:00:30.5-10:00; sun 10:00-12:00", w.String())
}

func TestNewValidatesWeek(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		week Week
		want string
	}{
		{"empty", Week{}, "no working time"},
		{"overlap", Week{time.Monday: {iv("09:00", "12:00"), iv("11:00", "13:00")}}, "mon 11:00-13:00 overlaps 09:00-12:00"},
		{"backwards", Week{time.Monday: {{Start: 10 * time.Hour, End: 9 * time.Hour}}}, "ends before it starts"},
		{"past midnight", Week{time.Monday: {{Start: 10 * time.Hour, End: 25 * time.Hour}}}, "outside 00:00-24:00"},
		{"negative", Week{time.Monday: {{Start: -time.Hour, End: time.Hour}}}, "outside 00:00-24:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(time.UTC, tt.week, nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
		})
	}

	_, err := New(nil, Week{time.Monday: {iv("09:00", "10:00")}}, nil)
	require.Error(t, err)
	_, err = New(time.UTC, Week{time.Monday: {iv("09:00", "10:00")}}, []Date{{2026, time.February, 30}})
	require.ErrorContains(t, err, "holidays[0]: 2026-02-30 is not a date")

	// New sorts and merges a hand-built week and does not alias the caller's slices.
	in := Week{time.Monday: {iv("13:00", "17:00"), iv("09:00", "13:00")}}
	c, err := New(time.UTC, in, nil)
	require.NoError(t, err)
	require.Equal(t, Week{time.Monday: {iv("09:00", "17:00")}}, c.Week())
	require.Equal(t, iv("13:00", "17:00"), in[time.Monday][0])
	require.False(t, errors.Is(err, ErrNoWorkingTime))
}
