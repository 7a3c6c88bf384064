package expr

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestHelperFunctions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want any
	}{
		{`now()`, fixedNow},
		{`date("2026-07-01")`, utc("2026-07-01T00:00:00Z")},
		{`days(3)`, 72 * time.Hour},
		{`days(-1)`, -24 * time.Hour},
		{`hours(1.5)`, 90 * time.Minute},
		{`hours(2)`, 2 * time.Hour},
		{`minutes(15)`, 15 * time.Minute},
		{`minutes(0.5)`, 30 * time.Second},
		{`dur("1d12h")`, 36 * time.Hour},
		{`dur("-2w")`, -14 * 24 * time.Hour},
		{`dur("90s")`, 90 * time.Second},
		{`dur("1h30m") == duration("90m")`, true},
		{`now() + dur("3d") == now() + days(3)`, true},

		// at_local: 09:00 on the timestamp's local date, across Berlin's DST changes.
		{`at_local(timestamp("2026-03-28T12:00:00Z"), "09:00", "Europe/Berlin")`, utc("2026-03-28T08:00:00Z")},    // CET
		{`at_local(timestamp("2026-03-29T12:00:00Z"), "09:00", "Europe/Berlin")`, utc("2026-03-29T07:00:00Z")},    // CEST from 02:00
		{`at_local(timestamp("2026-10-24T12:00:00Z"), "09:00", "Europe/Berlin")`, utc("2026-10-24T07:00:00Z")},    // CEST
		{`at_local(timestamp("2026-10-25T12:00:00Z"), "09:00", "Europe/Berlin")`, utc("2026-10-25T08:00:00Z")},    // CET from 03:00
		{`at_local(timestamp("2026-03-28T23:30:00Z"), "09:00", "Europe/Berlin")`, utc("2026-03-29T07:00:00Z")},    // already the 29th in Berlin
		{`at_local(timestamp("2026-03-29T12:00:00Z"), "02:30", "Europe/Berlin")`, utc("2026-03-29T01:30:00Z")},    // skipped: 03:30 CEST
		{`at_local(timestamp("2026-10-25T12:00:00Z"), "02:30", "Europe/Berlin")`, utc("2026-10-25T00:30:00Z")},    // twice: the first, CEST
		{`at_local(timestamp("2026-10-25T12:00:00Z"), "03:30", "Europe/Berlin")`, utc("2026-10-25T02:30:00Z")},    // once, CET
		{`at_local(timestamp("2026-03-08T15:00:00Z"), "09:00", "America/New_York")`, utc("2026-03-08T13:00:00Z")}, // EDT
		{`at_local(deal_close - days(3), "09:00", "Europe/Berlin")`, utc("2026-03-27T08:00:00Z")},

		{`local_date(timestamp("2026-03-28T23:30:00Z"), "Europe/Berlin")`, "2026-03-29"},
		{`local_date(timestamp("2026-03-28T23:30:00Z"), "America/New_York")`, "2026-03-28"},
		{`local_hour(now(), "Europe/Berlin")`, int64(15)},
		{`local_hour(now(), "Asia/Kolkata")`, int64(20)},
		{`now().getHours("Europe/Berlin") == local_hour(now(), "Europe/Berlin")`, true},

		// Business time on the fake Mon–Fri 09:00–17:00 UTC calendar; now() is Friday 14:30.
		{`add_business_hours(now(), 4, "support")`, utc("2026-03-30T10:30:00Z")},
		{`add_business_hours(now(), 1.5, "support")`, utc("2026-03-27T16:00:00Z")},
		{`add_business_days(now(), 1, "support")`, utc("2026-03-30T14:30:00Z")},
		{`business_hours_between(timestamp("2026-03-27T09:00:00Z"), now(), "support")`, 5.5},
		{`business_hours_between(now(), timestamp("2026-03-27T09:00:00Z"), "support")`, -5.5},

		{`find("VP of Sales", "(?i)vp|director")`, "VP"},
		{`find("Engineer", "(?i)vp|director")`, ""},
		{`find("ann@acme.com", "@(.+)$")`, "@acme.com"},
		{`"VP of Sales".matches("(?i)^vp\\b")`, true},

		{`is_free_mail("ann@gmail.com")`, true},
		{`is_free_mail("ann@GMail.com")`, true},
		{`is_free_mail("ann@mail.gmail.com")`, true},
		{`is_free_mail("gmx.de")`, true},
		{`is_free_mail("ann@acme.com")`, false},
		{`is_free_mail("")`, false},

		{`domain_of("ann@eu.Acme.co.uk")`, "acme.co.uk"},
		{`domain_of("https://www.acme.com/pricing")`, "acme.com"},
		{`domain_of("acme.com/x")`, "acme.com"},
		{`domain_of("")`, ""},
		{`domain_of("not a domain")`, ""},

		{`"  Acme ".trim().lowerAscii().upperAscii()`, "ACME"},
	}
	sc := Scope{Extra: map[string]Type{"deal_close": Timestamp()}}
	vars := Vars{"deal_close": "2026-03-30"}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := eval(t, env, tc.src, sc, Any(), vars)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestHelperRunTimeErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sc := Scope{Extra: map[string]Type{"s": String(), "n": Number()}}
	tests := []struct {
		src  string
		vars Vars
		msg  string
	}{
		{`dur(s)`, Vars{"s": "3 days"}, `"3 days" is not a duration`},
		{`date(s)`, Vars{"s": "soon"}, `date("soon"): not a YYYY-MM-DD date`},
		{`at_local(now(), s, "UTC")`, Vars{"s": "25:00"}, `"25:00" is not a time of day`},
		{`local_date(now(), s)`, Vars{"s": "Nowhere/City"}, `unknown time zone "Nowhere/City"`},
		{`local_hour(now(), s)`, Vars{"s": "Local"}, `name an IANA zone`},
		{`find("x", s)`, Vars{"s": "("}, `find: invalid regular expression`},
		{`add_business_days(now(), 1, s)`, Vars{"s": "nope"}, `add_business_days: calendar "nope": no calendar "nope"`},
		{`days(n)`, Vars{"n": 1e12}, `duration out of range`},
		{`days(100000000)`, nil, `duration out of range`},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := eval(t, env, tc.src, sc, Any(), tc.vars)
			require.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestBusinessFunctionsWithoutResolver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *Options) { o.Calendars = nil })
	for _, src := range []string{
		`add_business_hours(now(), 4, "support")`,
		`add_business_days(now(), 1, "support")`,
		`business_hours_between(now(), now(), "support")`,
	} {
		p := mustCompile(t, env, src, Scope{}, Any()) // lint time: type-checks
		_, err := p.Eval(context.Background(), nil)
		require.ErrorContains(t, err, "no calendar resolver configured", src)
	}
}

func TestParseDur(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{"90s": 90 * time.Second, "15m": 15 * time.Minute, "4h": 4 * time.Hour,
		"2d": 48 * time.Hour, "1w": 7 * 24 * time.Hour, "1h30m": 90 * time.Minute, "-1d": -24 * time.Hour}
	for s, want := range good {
		got, err := parseDur(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "-", "1", "1y", "h", "1.5h", "1h 30m", "100001d", "99999999999999999999s"} {
		_, err := parseDur(s)
		require.Error(t, err, s)
	}
}

// TestDocumentedExamples compiles and runs every example in Functions and StandardFunctions, so the
// docs cannot show something that does not work.
func TestDocumentedExamples(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *Options) {
		o.Calendars = fakeResolver{"support": fakeCalendar{}, "emea-support": fakeCalendar{}}
	})
	sc := Scope{Object: "lead", Extra: map[string]Type{"deal": Object("deal")}}
	lead := sampleLead()
	lead["industry"] = "software"
	lead["timezone"] = "Europe/Berlin"
	vars := Vars{"lead": lead, "deal": map[string]any{"close_date": "2026-04-15", "owner": map[string]any{"timezone": "America/New_York"}}}
	docs := append(Functions(), StandardFunctions()...)
	seen := map[string]bool{}
	for _, d := range docs {
		t.Run(d.Name, func(t *testing.T) {
			require.NotEmpty(t, d.Signature)
			require.NotEmpty(t, d.Doc)
			require.False(t, seen[d.Name], "documented twice")
			seen[d.Name] = true
			_, err := eval(t, env, d.Example, sc, Any(), vars)
			require.NoError(t, err)
		})
	}
	for _, d := range Functions() {
		require.True(t, env.base.HasFunction(d.Name), d.Name)
	}
}

// ctxResolver answers every calendar and notes what the evaluation's context carried under ctxMark.
type ctxResolver struct{ seen *[]any }

type ctxMark struct{}

func (r ctxResolver) Calendar(ctx context.Context, _ string) (BusinessCalendar, error) {
	*r.seen = append(*r.seen, ctx.Value(ctxMark{}))
	return fakeCalendar{}, nil
}

// TestBusinessTimeResolvesInTheEvaluationsContext: the business-time functions ask for their calendar
// with the context given to Eval, through which the engine passes its transaction. Each evaluation
// gets its own: two in turn on one Program see their own values.
func TestBusinessTimeResolvesInTheEvaluationsContext(t *testing.T) {
	t.Parallel()
	var seen []any
	env := newTestEnv(t, func(o *Options) { o.Calendars = ctxResolver{seen: &seen} })
	p := mustCompile(t, env, `add_business_hours(now(), 4, "a") > now() &&
		add_business_days(now(), 1, "b") > now() && business_hours_between(now(), now(), "c") == 0.0`,
		Scope{Object: "lead"}, Bool())
	seen = nil // compiling checked that the three names exist, outside any evaluation
	for _, mark := range []string{"first", "second"} {
		v, err := p.Eval(context.WithValue(t.Context(), ctxMark{}, mark), Vars{"lead": sampleLead()})
		require.NoError(t, err)
		require.Equal(t, true, v)
	}
	require.Equal(t, []any{"first", "first", "first", "second", "second", "second"}, seen)
}
