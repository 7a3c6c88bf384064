package expr

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
)

// fixedNow is the clock of every test: Friday 2026-03-27 14:30 UTC.
var fixedNow = time.Date(2026, 3, 27, 14, 30, 0, 0, time.UTC)

// fakeCalendar is Mon–Fri 09:00–17:00 UTC with no holidays, computed hour by hour: slow and obvious,
// which is what a test double should be.
type fakeCalendar struct{}

func (fakeCalendar) open(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && t.Hour() >= 9 && t.Hour() < 17
}

func (c fakeCalendar) AddBusinessHours(t time.Time, h float64) time.Time {
	left := time.Duration(h * float64(time.Hour))
	for left > 0 {
		step := min(time.Minute, left)
		if c.open(t) {
			left -= step
		}
		t = t.Add(step)
	}
	return t
}

func (c fakeCalendar) AddBusinessDays(t time.Time, d int) time.Time {
	for d > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			d--
		}
	}
	return t
}

func (c fakeCalendar) BusinessHoursBetween(a, b time.Time) float64 {
	sign := 1.0
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	var n time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		if c.open(t) {
			n += time.Minute
		}
	}
	return sign * n.Hours()
}

type fakeResolver map[string]BusinessCalendar

func (r fakeResolver) Calendar(_ context.Context, name string) (BusinessCalendar, error) {
	if c, ok := r[name]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("no calendar %q", name)
}

// testCustom are the custom fields the tests' schema adds.
func testCustom() map[string][]records.Field {
	return map[string][]records.Field{
		"lead": {
			{Name: "cf_budget", Type: records.Number, Custom: true},
			{Name: "cf_tier", Type: records.Enum, Options: []string{"a", "b"}, Custom: true},
			{Name: "cf_vip", Type: records.Bool, Custom: true},
			{Name: "cf_qualified_on", Type: records.Date, Custom: true},
		},
		"activity": {{Name: "meeting_start", Type: records.DateTime, Custom: true}},
	}
}

// newTestEnv builds an Env over the built-in catalog plus testCustom, a fixed clock and one calendar.
func newTestEnv(t testing.TB, opts ...func(*Options)) *Env {
	t.Helper()
	o := Options{Now: func() time.Time { return fixedNow }, Calendars: fakeResolver{"support": fakeCalendar{}}}
	for _, f := range opts {
		f(&o)
	}
	env, err := NewEnv(NewSchema(records.NewCatalog(), testCustom()), o)
	require.NoError(t, err)
	return env
}

// mustCompile compiles src or fails the test with its issues.
func mustCompile(t testing.TB, env *Env, src string, sc Scope, want Type) *Program {
	t.Helper()
	p, iss := env.Compile(src, sc, want)
	require.Empty(t, iss, "compile %q", src)
	require.NotNil(t, p)
	return p
}

// messages are the issues as line:col: message strings, for comparisons.
func messages(iss []Issue) []string {
	out := make([]string, len(iss))
	for i, is := range iss {
		out[i] = is.String()
	}
	return out
}

func leadScope() Scope { return Scope{Object: "lead"} }

// sampleLead is a lead with an owner whose team has a manager, and no matched account.
func sampleLead() map[string]any {
	return map[string]any{
		"id": "l1", "first_name": "Ann", "last_name": "Lee", "email": "ann@acme.co.uk", "company": "Acme GmbH",
		"title": "VP Sales", "status": "working", "score": 42.0, "employees": 250.0, "country": "DE",
		"phone": "+49 30 1234", "website": "https://www.acme.co.uk",
		"created_at": time.Date(2026, 3, 26, 8, 0, 0, 0, time.UTC),
		"cf_budget":  5000.0, "cf_tier": "a", "cf_vip": true, "cf_qualified_on": "2026-03-20",
		"owner": map[string]any{"id": "u1", "name": "Olga", "email": "olga@salesflow.test", "timezone": "Europe/Berlin", "active": true,
			"manager": map[string]any{"id": "u2", "name": "Max", "email": "max@salesflow.test"}},
	}
}
