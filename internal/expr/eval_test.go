package expr

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
)

func eval(t *testing.T, env *Env, src string, sc Scope, want Type, vars Vars) (any, error) {
	t.Helper()
	return mustCompile(t, env, src, sc, want).Eval(context.Background(), vars)
}

func TestEvalRecordsAndRelations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	lead := sampleLead()
	tests := []struct {
		src  string
		want any
	}{
		{`lead.first_name`, "Ann"},
		{`lead.score`, 42.0},
		{`lead.employees >= 200`, true},
		{`lead.score == 42`, true},
		{`lead.score + 8`, 50.0},
		{`lead.score in [1, 42]`, true},
		{`lead.status == "working"`, true},
		{`lead.cf_budget / 2`, 2500.0}, // custom number
		{`lead.cf_tier`, "a"},          // custom enum
		{`lead.cf_vip`, true},          // custom bool
		{`lead.cf_qualified_on`, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)}, // custom date, midnight UTC
		{`lead.cf_qualified_on - days(3) == date("2026-03-17")`, true},
		{`lead.owner.name`, "Olga"},
		{`lead.owner.manager.email`, "max@salesflow.test"},
		{`lead.owner.manager.email.size() > 3`, true},
		{`size(lead.first_name) + 1`, 4.0}, // an int where a Number is wanted comes back as float64
		{`[lead.first_name, lead.owner.name]`, []any{"Ann", "Olga"}},
		{`{"who": lead.first_name}`, map[string]any{"who": "Ann"}},
		{`now() - lead.created_at`, 30*time.Hour + 30*time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := eval(t, env, tc.src, leadScope(), Any(), Vars{"lead": lead})
			require.NoError(t, err)
			if _, isNum := tc.want.(float64); isNum {
				got, err = eval(t, env, tc.src, leadScope(), Number(), Vars{"lead": lead})
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestEvalNulls(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	full := sampleLead()
	full["matched_account"] = map[string]any{"name": "Acme", "owner": map[string]any{"active": true}}
	empty := map[string]any{"id": "l2", "email": nil} // a nil value and a missing key are both null
	tests := []struct {
		src         string
		full, empty any
	}{
		{`lead.email != null`, true, false},
		{`lead.email == null`, false, true},
		{`lead.owner == null`, false, true},
		{`lead.matched_account != null && lead.matched_account.owner.active`, true, false},
		{`has(lead.email)`, true, false},
		{`has(lead.owner.manager)`, true, false}, // has() on a field of a null relation is false
		{`lead.?industry.orValue("none")`, "none", "none"},
		{`lead.?company.orValue("none")`, "Acme GmbH", "none"},
		{`lead.?owner.?manager.?name.orValue("-")`, "Max", "-"},
		{`lead.score`, 42.0, nil},
		{`lead.cf_qualified_on`, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), nil},
		{`is_free_mail(lead.email)`, false, false},
		{`domain_of(lead.email)`, "acme.co.uk", ""},
		{`find(lead.title, "VP")`, "VP", ""},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p := mustCompile(t, env, tc.src, leadScope(), Any())
			got, err := p.Eval(context.Background(), Vars{"lead": full})
			require.NoError(t, err)
			require.Equal(t, tc.full, got)
			got, err = p.Eval(context.Background(), Vars{"lead": empty})
			require.NoError(t, err)
			require.Equal(t, tc.empty, got)
		})
	}
}

func TestEvalNullErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	empty := Vars{"lead": map[string]any{}}
	tests := []struct{ src, msg string }{
		{`lead.owner.email == "x"`, "cannot read email of a null user"},
		{`lead.score > 10`, "is a field null?"},
		{`lead.email.endsWith("@acme.com")`, "is a field null?"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := eval(t, env, tc.src, leadScope(), Bool(), empty)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	// A null where a condition is wanted is an error, not false.
	_, err := eval(t, env, `lead.cf_vip`, leadScope(), Bool(), empty)
	require.ErrorContains(t, err, "produced null, not a bool")
}

func TestEvalStepsEventExtra(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	vars := Vars{
		"lead": records.Values(sampleLead()), // the store's type works as well as a plain map
		"steps": map[string]map[string]any{
			"first-call": {"outcome": "connected", "attempts": 2}, // an int output declared Number
			"handoff":    {"owner": map[string]any{"name": "Bo"}},
		},
		"event": map[string]any{"activity": map[string]any{
			"type": "meeting_booked", "meeting_start": "2026-03-30T10:00:00Z", "data": map[string]any{"k": 1.0},
		}},
		"threshold": 40, // an int variable declared Number
	}
	tests := []struct {
		src  string
		want any
	}{
		{`steps.first-call.outcome == "connected"`, true},
		{`steps.first-call.attempts + 1 == 3`, true},
		{`steps.handoff.owner.name`, "Bo"},
		{`event.activity.type`, "meeting_booked"},
		{`event.activity.meeting_start - hours(24)`, time.Date(2026, 3, 29, 10, 0, 0, 0, time.UTC)},
		{`event.activity.data.k`, 1.0}, // json is dynamic
		{`lead.score > threshold`, true},
		{`threshold + 0.5`, 40.5},
		{`has(steps.first-call.note)`, nil}, // unknown output: compile error, checked below
	}
	for _, tc := range tests[:len(tests)-1] {
		t.Run(tc.src, func(t *testing.T) {
			got, err := eval(t, env, tc.src, fullScope(), Any(), vars)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, iss := env.Compile(tests[len(tests)-1].src, fullScope(), Bool())
	require.Equal(t, []string{"1:22: unknown output note of step first-call (its outputs: attempts, outcome)"}, messages(iss))
}

func TestEvalTypeMismatchInData(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	_, err := eval(t, env, `lead.score > 1`, leadScope(), Bool(), Vars{"lead": map[string]any{"score": "high"}})
	require.ErrorContains(t, err, "score of lead: holds a string, not a number")
	_, err = eval(t, env, `event.activity.data`, fullScope(), Bool(), Vars{"event": map[string]any{"activity": map[string]any{"data": "x"}}})
	require.ErrorContains(t, err, "not a bool")
	_, err = eval(t, env, `lead.score > 1`, leadScope(), Bool(), Vars{})
	require.ErrorContains(t, err, "a variable has no value")
	_, err = eval(t, env, `threshold > 1`, fullScope(), Bool(), Vars{"threshold": "x"})
	require.ErrorContains(t, err, "variable threshold: holds a string, not a number")
}

func TestEvalCostLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *Options) { o.CostLimit = 1000 })
	long := make([]any, 5000)
	for i := range long {
		long[i] = float64(i)
	}
	sc := Scope{Extra: map[string]Type{"xs": List(Number())}}
	p := mustCompile(t, env, `xs.map(x, x * 2).exists(y, y < 0)`, sc, Bool())
	start := time.Now()
	_, err := p.Eval(context.Background(), Vars{"xs": long})
	require.ErrorContains(t, err, "exceeded its cost limit of 1000")
	require.Less(t, time.Since(start), 5*time.Second)
	// The same program within the limit.
	got, err := p.Eval(context.Background(), Vars{"xs": long[:10]})
	require.NoError(t, err)
	require.Equal(t, false, got)

	// The default limit stops a quadratic loop too.
	def := newTestEnv(t)
	p = mustCompile(t, def, `xs.all(a, xs.all(b, a + b >= 0))`, sc, Bool())
	_, err = p.Eval(context.Background(), Vars{"xs": long})
	require.ErrorContains(t, err, fmt.Sprintf("cost limit of %d", DefaultCostLimit))
}

func TestEvalHonoursContext(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *Options) { o.CostLimit = 1 << 62 })
	long := make([]any, 3000)
	for i := range long {
		long[i] = float64(i)
	}
	sc := Scope{Extra: map[string]Type{"xs": List(Number())}}
	p := mustCompile(t, env, `xs.all(a, xs.all(b, a + b >= 0))`, sc, Bool())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Eval(ctx, Vars{"xs": long})
	require.ErrorIs(t, err, context.Canceled)
}

func TestEvalConcurrently(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	p := mustCompile(t, env, `lead.first_name + " " + string(lead.score) + " " + (lead.owner != null ? lead.owner.name : "-")`, leadScope(), String())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				lead := map[string]any{"first_name": fmt.Sprint("n", g), "score": float64(i)}
				want := fmt.Sprintf("n%d %d -", g, i)
				if i%2 == 0 {
					lead["owner"] = map[string]any{"name": "o"}
					want = strings.TrimSuffix(want, "-") + "o"
				}
				got, err := p.Eval(context.Background(), Vars{"lead": lead})
				if err != nil || got != want {
					errs <- fmt.Errorf("got %v, %v; want %q", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestCompileConcurrently(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for g := range 8 {
		wg.Go(func() {
			for range 20 {
				if _, iss := env.Compile(`lead.scroe > 1`, fullScope(), Bool()); len(iss) != 1 ||
					iss[0].Message != "unknown field scroe of lead (did you mean score?)" {
					errs <- fmt.Sprint(g, iss)
					return
				}
				p, iss := env.Compile(`steps.first-call.attempts + lead.score > 1`, fullScope(), Bool())
				if p == nil {
					errs <- fmt.Sprint(g, iss)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		require.Empty(t, e)
	}
}
