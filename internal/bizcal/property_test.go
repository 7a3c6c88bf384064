package bizcal

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Zones with ordinary DST, DST at midnight (Santiago, Havana), half-hour DST (Lord Howe),
// a skipped date (Apia), a fall-back to the previous date (Goose Bay), negative DST (Dublin,
// Casablanca) and odd offsets (Kathmandu, Chatham, St Johns).
var propZones = []string{
	"UTC", "Europe/Berlin", "America/New_York", "America/Santiago", "America/Havana",
	"Australia/Lord_Howe", "Pacific/Apia", "America/Goose_Bay", "Europe/Dublin",
	"Africa/Casablanca", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns",
}

type propEnv struct {
	zones []*time.Location
}

func newPropEnv(t *testing.T) propEnv {
	var env propEnv
	for _, z := range propZones {
		env.zones = append(env.zones, mustLoc(t, z))
	}
	return env
}

// drawWeek draws a schedule on whole minutes, so that in zones with whole-minute offsets the
// open state is constant over each UTC minute: that is what lets the minute-stepping oracles
// below count working time independently of the span machinery. Days mix office hours, split
// shifts, whole days and arbitrary fragments, because rapid favours small numbers and would
// otherwise crowd every interval next to midnight.
func drawWeek(t *rapid.T) Week {
	var w Week
	for day := range w {
		switch rapid.IntRange(0, 4).Draw(t, dayNames[day]+"Kind") {
		case 0: // closed
		case 1:
			start := rapid.IntRange(5*60, 12*60).Draw(t, dayNames[day]+"Start")
			w[day] = []Interval{minutes(start, start+rapid.IntRange(1, 12*60).Draw(t, dayNames[day]+"Len"))}
		case 2:
			w[day] = []Interval{minutes(9*60, 12*60), minutes(13*60, 17*60+30)}
		case 3:
			w[day] = []Interval{minutes(0, 24*60)}
		default:
			ends := rapid.SliceOfNDistinct(rapid.IntRange(0, 24*60), 0, 6, rapid.ID[int]).Draw(t, dayNames[day])
			slices.Sort(ends)
			for i := 0; i+1 < len(ends); i += 2 {
				w[day] = append(w[day], minutes(ends[i], ends[i+1]))
			}
		}
	}
	return w
}

func minutes(from, to int) Interval {
	return Interval{time.Duration(from) * time.Minute, time.Duration(to) * time.Minute}
}

// draw returns a random calendar and an instant near which to probe it: anywhere in 1985-2035,
// or within days of one of the zone's transitions, with holidays close by.
func (env propEnv) draw(t *rapid.T) (*Calendar, time.Time) {
	loc := rapid.SampledFrom(env.zones).Draw(t, "zone")
	w := drawWeek(t)
	base := time.Date(rapid.IntRange(1985, 2035).Draw(t, "year"), 1, 1+rapid.IntRange(0, 364).Draw(t, "day"),
		0, 0, rapid.IntRange(0, secondsPerDay-1).Draw(t, "second"), 0, time.UTC)
	if rapid.Bool().Draw(t, "nearTransition") {
		if _, end := base.In(loc).ZoneBounds(); !end.IsZero() {
			base = end
		}
		base = base.Add(time.Duration(rapid.Int64Range(-3*secondsPerDay, 3*secondsPerDay).Draw(t, "shift")) * time.Second)
	}
	if rapid.Bool().Draw(t, "fraction") {
		base = base.Add(time.Duration(rapid.Int64Range(0, int64(time.Minute)-1).Draw(t, "nanos")))
	}
	var holidays []Date
	for _, off := range rapid.SliceOfN(rapid.IntRange(-10, 20), 0, 8).Draw(t, "holidays") {
		holidays = append(holidays, DateOf(base.In(loc)).AddDays(off))
	}
	c, err := New(loc, w, holidays)
	if err != nil {
		t.Skip("no working time")
	}
	return c, base
}

// countOpenMinutes is the oracle: the working time in [a, b) for minute-aligned a and b,
// found by asking IsOpen, which reads the wall clock directly, once per UTC minute.
func countOpenMinutes(c *Calendar, a, b time.Time) time.Duration {
	var n time.Duration
	for m := a; m.Before(b); m = m.Add(time.Minute) {
		if c.IsOpen(m) {
			n += time.Minute
		}
	}
	return n
}

func TestPropBetweenMatchesWallClock(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, base := env.draw(t)
		a := base.Truncate(time.Minute)
		b := a.Add(time.Duration(rapid.IntRange(0, 4*24*60).Draw(t, "minutes")) * time.Minute)
		require.Equal(t, countOpenMinutes(c, a, b), c.BusinessDuration(a, b))
	})
}

func TestPropAddThenBetween(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, from := env.draw(t)
		h := rapid.Float64Range(-120, 120).Draw(t, "hours")
		got := c.AddBusinessHours(from, h)
		require.InDelta(t, h, c.BusinessHoursBetween(from, got), float64(time.Microsecond)/float64(time.Hour))
		require.Equal(t, hoursToDuration(h), c.BusinessDuration(from, got), "exact to the nanosecond")
		switch d := hoursToDuration(h); {
		case d > 0: // the earliest such instant: the last nanosecond before it was worked
			require.True(t, c.IsOpen(got.Add(-time.Nanosecond)))
			require.True(t, got.After(from))
		case d < 0: // the latest such instant: it is itself worked
			require.True(t, c.IsOpen(got))
			require.True(t, got.Before(from))
		default:
			require.True(t, got.Equal(c.NextOpen(from)))
		}
	})
}

func TestPropAddIsMonotonic(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, from := env.draw(t)
		h1 := rapid.Float64Range(-80, 80).Draw(t, "h1")
		h2 := rapid.Float64Range(h1, 80).Draw(t, "h2")
		u1, u2 := c.AddBusinessHours(from, h1), c.AddBusinessHours(from, h2)
		require.False(t, u2.Before(u1), "h1=%v -> %s, h2=%v -> %s", h1, u1, h2, u2)
	})
}

func TestPropNextOpen(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, from := env.draw(t)
		next := c.NextOpen(from)
		require.True(t, c.IsOpen(next))
		require.False(t, next.Before(from))
		require.Equal(t, c.IsOpen(from), next.Equal(from))
		require.Zero(t, c.BusinessDuration(from, next))
		// No open minute in between, checked independently for up to a week.
		stop := from.Add(7 * 24 * time.Hour)
		if next.Before(stop) {
			stop = next
		}
		for m := from; m.Before(stop); m = m.Truncate(time.Minute).Add(time.Minute) {
			require.False(t, c.IsOpen(m), "open at %s", m)
		}
	})
}

func TestPropIsOpenMatchesTinyWindows(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, at := env.draw(t)
		width := time.Duration(rapid.Int64Range(1, int64(time.Second)).Draw(t, "width"))
		open := c.IsOpen(at)
		require.Equal(t, open, c.BusinessDuration(at, at.Add(time.Nanosecond)) == time.Nanosecond)
		// On a minute grid the state cannot change within a window that stays in one minute.
		if at.Add(width).Truncate(time.Minute).Equal(at.Truncate(time.Minute)) {
			want := time.Duration(0)
			if open {
				want = width
			}
			require.Equal(t, want, c.BusinessDuration(at, at.Add(width)))
		}
	})
}

func TestPropBetweenIsAdditive(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, a := env.draw(t)
		b := a.Add(time.Duration(rapid.Int64Range(-int64(5*24*time.Hour), int64(5*24*time.Hour)).Draw(t, "b")))
		x := a.Add(time.Duration(rapid.Int64Range(-int64(5*24*time.Hour), int64(5*24*time.Hour)).Draw(t, "x")))
		require.Equal(t, c.BusinessDuration(a, b), c.BusinessDuration(a, x)+c.BusinessDuration(x, b))
		require.Equal(t, c.BusinessDuration(a, b), -c.BusinessDuration(b, a))
	})
}

func TestPropAddBusinessDays(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, from := env.draw(t)
		d1 := rapid.IntRange(-8, 8).Draw(t, "d1")
		d2 := rapid.IntRange(d1, 8).Draw(t, "d2")
		u1, u2 := c.AddBusinessDays(from, d1), c.AddBusinessDays(from, d2)
		require.False(t, u2.Before(u1), "d1=%d -> %s, d2=%d -> %s", d1, u1, d2, u2)
		if d1 > 0 {
			require.True(t, c.IsOpen(u1))
			require.True(t, u1.After(from))
			// At least d1 working days lie strictly between the start date and the result.
			n0, _ := c.local(from)
			n1, _ := c.local(u1)
			working := 0
			for n := n0 + 1; n <= n1; n++ {
				if c.workingDay(n) {
					working++
				}
			}
			require.GreaterOrEqual(t, working, d1)
		}
		if d1 < 0 {
			require.True(t, u1.Before(from))
		}
	})
}

func TestPropAlwaysOpenIsElapsedTime(t *testing.T) {
	t.Parallel()
	env := newPropEnv(t)
	rapid.Check(t, func(t *rapid.T) {
		c, a := env.draw(t)
		var w Week
		for d := range w {
			w[d] = []Interval{{0, 24 * time.Hour}}
		}
		always, err := New(c.Location(), w, nil)
		require.NoError(t, err)
		b := a.Add(time.Duration(rapid.Int64Range(-int64(10*24*time.Hour), int64(10*24*time.Hour)).Draw(t, "b")))
		require.Equal(t, b.Sub(a), always.BusinessDuration(a, b))
		require.True(t, always.AddBusinessDuration(a, b.Sub(a)).Equal(b))
	})
}

func TestPropWeekStringRoundTrips(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w, err := drawWeek(t).normalize()
		if err != nil {
			t.Skip("no working time")
		}
		got, err := ParseWorkingHours(w.String())
		require.NoError(t, err, w.String())
		require.Equal(t, w, got)
	})
}
