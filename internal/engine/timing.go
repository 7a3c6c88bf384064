package engine

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// delayUntil computes when a delay step ends, and what it was computed from (for the history).
func (e *Engine) delayUntil(ctx context.Context, s *segment, d any) (time.Time, map[string]any, error) {
	m, _ := d.(map[string]any)
	now := e.now()
	detail := map[string]any{}
	switch {
	case m["duration"] != nil:
		detail["duration"] = textOf(m["duration"])
		return now.Add(durationOf(m["duration"])), detail, nil
	case m["until"] != nil:
		v, err := e.eval(ctx, s.p, m["until"], s.vars())
		if err != nil {
			return time.Time{}, nil, err
		}
		t, ok := v.(time.Time)
		if !ok {
			return time.Time{}, nil, fmt.Errorf("until gave %v, not a time", v)
		}
		detail["until_expr"], detail["offset"] = exprSource(m["until"]), textOf(m["offset"])
		return t.Add(durationOf(m["offset"])), detail, nil
	case m["time"] != nil:
		loc, zone, err := e.zone(ctx, s.tx, m["timezone"], s.rec)
		if err != nil {
			return time.Time{}, nil, err
		}
		detail["time"], detail["timezone"] = m["time"], zone
		return nextClock(now, fmt.Sprint(m["time"]), loc, asList(m["days"]))
	}
	cal, name, err := e.stepCalendar(ctx, s.tx, m["calendar"], s.rec)
	if err != nil {
		return time.Time{}, nil, err
	}
	detail["calendar"] = name
	if n, ok := m["business_hours"].(int); ok {
		detail["business_hours"] = n
		return cal.AddBusinessHours(now, float64(n)), detail, nil
	}
	n, _ := m["business_days"].(int)
	detail["business_days"] = n
	return cal.AddBusinessDays(now, n), detail, nil
}

func textOf(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["text"]
	}
	return v
}

// nextClock is the first moment after now when the clock in loc shows hh:mm, on one of days (all
// days when empty). A time skipped by a DST change moves forward with it, as time.Date does.
func nextClock(now time.Time, clock string, loc *time.Location, days []any) (time.Time, map[string]any, error) {
	h, m, err := parseClock(clock)
	if err != nil {
		return time.Time{}, nil, err
	}
	local := now.In(loc)
	for i := 0; i < 8; i++ {
		d := local.AddDate(0, 0, i)
		t := time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
		day := strings.ToLower(t.Weekday().String()[:3])
		if t.After(now) && (len(days) == 0 || slices.ContainsFunc(days, func(x any) bool { return fmt.Sprint(x) == day })) {
			return t.UTC(), map[string]any{"time": clock, "timezone": loc.String()}, nil
		}
	}
	return time.Time{}, nil, fmt.Errorf("no day matches %v", days)
}

func parseClock(s string) (int, int, error) {
	hs, ms, ok := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return h, m, nil
}

// zone resolves a timezone setting: an IANA name, "owner" (the record owner's, the default) or
// "record" (the record's timezone field); UTC when the person or record has none.
func (e *Engine) zone(ctx context.Context, tx *store.Tx, setting any, rec map[string]any) (*time.Location, string, error) {
	name, _ := setting.(string)
	switch name {
	case "", "owner", "recipient":
		name = ""
		if id, _ := rec["owner_id"].(string); id != "" {
			if u, err := (loader{e: e, tx: tx}).record(ctx, "user", id, nil); err == nil {
				name = u.String("timezone")
			}
		}
	case "record":
		name, _ = rec["timezone"].(string)
	}
	if name == "" {
		name = "UTC"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, "", fmt.Errorf("timezone %q: %w", name, err)
	}
	return loc, name, nil
}

// stepCalendar is the named business calendar in the record owner's zone (when it says owner), or,
// with no name, the owner's own working hours.
func (e *Engine) stepCalendar(ctx context.Context, tx *store.Tx, name any, rec map[string]any) (*bizcal.Calendar, string, error) {
	loc, zone, err := e.zone(ctx, tx, "owner", rec)
	if err != nil {
		return nil, "", err
	}
	if n, _ := name.(string); n != "" {
		c, err := e.cals.load(ctx, tx, n)
		if err != nil {
			return nil, "", err
		}
		if c.perPerson {
			return c.cal.In(loc), n + " in " + zone, nil
		}
		return c.cal, n, nil
	}
	hours := "mon-fri 09:00-17:00"
	if id, _ := rec["owner_id"].(string); id != "" {
		if u, err := (loader{e: e, tx: tx}).record(ctx, "user", id, nil); err == nil && u.String("working_hours") != "" {
			hours = u.String("working_hours")
		}
	}
	week, err := bizcal.ParseWorkingHours(hours)
	if err != nil {
		return nil, "", fmt.Errorf("the owner's working hours %q: %w", hours, err)
	}
	c, err := bizcal.New(loc, week, nil)
	return c, "the owner's working hours (" + hours + ", " + zone + ")", err
}

// calendars loads business calendar definitions; it also serves the expression functions.
type calendars struct {
	e  *Engine
	mu sync.Mutex
	m  map[string]*calendarDef // by name/version
}

type calendarDef struct {
	cal       *bizcal.Calendar
	perPerson bool // timezone: owner / recipient — shifted into each person's zone
}

// load returns the current version of a calendar, built once per version (see built).
func (c *calendars) load(ctx context.Context, tx *store.Tx, name string) (*calendarDef, error) {
	sd, err := tx.Definition(ctx, "calendar", name)
	if err != nil {
		return nil, permanent(fmt.Errorf("calendar %s: %w", name, err))
	}
	return built(tx, &c.mu, &c.m, fmt.Sprintf("calendar/%s/%d", name, sd.Version), func() (*calendarDef, error) {
		d, err := c.e.definition(ctx, tx, "calendar", name, sd.Version)
		if err != nil {
			return nil, err
		}
		return newCalendar(name, d.Plan())
	})
}

// newCalendar builds a calendar from its definition's plan.
func newCalendar(name string, plan map[string]any) (*calendarDef, error) {
	zone, _ := plan["timezone"].(string)
	cd := &calendarDef{perPerson: zone == "owner" || zone == "recipient"}
	loc := time.UTC
	if !cd.perPerson {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil {
			return nil, permanent(fmt.Errorf("calendar %s: %w", name, err))
		}
	}
	hours := map[string]string{}
	for k, v := range plan["hours"].(map[string]any) {
		hours[k] = fmt.Sprint(v)
	}
	week, err := bizcal.ParseHours(hours)
	if err != nil {
		return nil, permanent(fmt.Errorf("calendar %s: %w", name, err))
	}
	var days []string
	for _, h := range asList(plan["holidays"]) {
		days = append(days, fmt.Sprint(h))
	}
	hol, err := bizcal.ParseDates(days)
	if err != nil {
		return nil, permanent(fmt.Errorf("calendar %s: %w", name, err))
	}
	if cd.cal, err = bizcal.New(loc, week, hol); err != nil {
		return nil, permanent(fmt.Errorf("calendar %s: %w", name, err))
	}
	return cd, nil
}

// Calendar serves business-time functions in expressions (add_business_hours(t, 4, "sales-hours")),
// through the transaction ctx carries (see withTx), or else in a read of its own. A per-person
// calendar is taken in UTC here: an expression names no person.
func (c *calendars) Calendar(ctx context.Context, name string) (expr.BusinessCalendar, error) {
	var cd *calendarDef
	load := func(tx *store.Tx) (err error) {
		cd, err = c.load(ctx, tx, name)
		return err
	}
	var err error
	if tx := txOf(ctx); tx != nil {
		err = load(tx)
	} else {
		err = c.e.st.Read(ctx, load)
	}
	if err != nil {
		return nil, err
	}
	return cd.cal, nil
}

// dateValue reads a date or datetime field as a time (dates at midnight UTC).
func dateValue(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		if t, err := time.Parse(time.DateOnly, x); err == nil {
			return t, true
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateMoment is when a date trigger fires for a field value: the value plus the offset (whole days
// move the calendar date), at the time of day in loc when `at` is given.
func dateMoment(v time.Time, isDate bool, offset time.Duration, at string, loc *time.Location) (time.Time, error) {
	if at == "" && !isDate {
		return v.Add(offset), nil
	}
	y, mo, d := v.In(loc).Date()
	if isDate {
		y, mo, d = v.UTC().Date()
	}
	days := int(offset / (24 * time.Hour))
	rest := offset - time.Duration(days)*24*time.Hour
	h, m := 0, 0
	if at != "" {
		var err error
		if h, m, err = parseClock(at); err != nil {
			return time.Time{}, err
		}
	}
	return time.Date(y, mo, d+days, h, m, 0, 0, loc).Add(rest).UTC(), nil
}

func isDateField(o *records.Object, name string) bool {
	f, ok := o.Field(name)
	return ok && f.Type == records.Date
}
