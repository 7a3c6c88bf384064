package scoring

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/workflow"
)

const model = `kind: scoring
name: inbound-fit
fit:
  - when: lead.title.matches("(?i)\\b(vp|vice president|head|director)\\b")
    points: 20
  - when: lead.employees >= 200.0
    points: 15
    group: firmographic
  - when: lead.country in ["US", "DE"]
    points: 10
    group: firmographic
  - when: is_free_mail(lead.email)
    points: -25
engagement:
  half_life: 30d
  rules:
    - on: activity.type == "form_submitted" && activity.form == "demo_request"
      points: 30
    - on: activity.type == "email_received"
      points: 5
      max: 12
caps: { firmographic: 20 }
grades: { A: 70, B: 50, C: 30 }
thresholds:
  - { name: mql, at: 60 }
  - { name: sql, at: 90 }
`

func compile(t *testing.T, src string) *Model {
	t.Helper()
	l, err := workflow.NewLinter(records.NewCatalog(), nil, nil)
	require.NoError(t, err)
	defs, diags := l.Lint(context.Background(), []workflow.Source{{File: "m.yaml", Content: []byte(src)}})
	require.False(t, workflow.HasErrors(diags), "%v", diags)
	m, err := Compile(defs[0], 3)
	require.NoError(t, err)
	return m
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func lead(fields map[string]any) expr.Vars {
	l := map[string]any{"title": nil, "employees": nil, "country": nil, "email": nil}
	for k, v := range fields {
		l[k] = v
	}
	return expr.Vars{"lead": l}
}

func act(typ, form string, ago time.Duration) Activity {
	return Activity{Values: map[string]any{"type": typ, "form": form}, At: now.Add(-ago)}
}

func TestScoreFitCapsAndGrades(t *testing.T) {
	m := compile(t, model)
	cases := []struct {
		name   string
		lead   map[string]any
		score  float64
		grade  string
		capped bool
	}{
		{"vp at a big US company: firmographics capped at 20", map[string]any{"title": "VP Sales", "employees": 500.0, "country": "US", "email": "a@acme.com"}, 40, "C", true},
		{"nothing matches", map[string]any{"title": "Intern", "employees": 5.0, "country": "FR", "email": "a@acme.com"}, 0, "D", false},
		{"free mail is negative", map[string]any{"title": "Head of Ops", "email": "x@gmail.com"}, -5, "D", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := m.Score(context.Background(), lead(c.lead), nil, 0, now)
			require.NoError(t, err)
			require.Equal(t, c.score, r.Score)
			require.Equal(t, c.grade, r.Grade)
			sum := 0.0
			hasCap := false
			for _, l := range r.Breakdown {
				sum += l.Points
				hasCap = hasCap || l.Kind == "cap"
			}
			require.Equal(t, c.score, sum, "the breakdown adds up to the score: %+v", r.Breakdown)
			require.Equal(t, c.capped, hasCap)
		})
	}
}

func TestScoreEngagementDecaysWithHalfLife(t *testing.T) {
	m := compile(t, model)
	l := lead(map[string]any{"title": "VP Marketing", "email": "a@acme.com"})
	fresh, err := m.Score(context.Background(), l, []Activity{act("form_submitted", "demo_request", 0)}, 0, now)
	require.NoError(t, err)
	require.Equal(t, 50.0, fresh.Score) // 20 fit + 30 engagement
	old, err := m.Score(context.Background(), l, []Activity{act("form_submitted", "demo_request", 30*24*time.Hour)}, 0, now)
	require.NoError(t, err)
	require.Equal(t, 35.0, old.Score) // one half-life: 30 → 15
	older, err := m.Score(context.Background(), l, []Activity{act("form_submitted", "demo_request", 60*24*time.Hour)}, 0, now)
	require.NoError(t, err)
	require.Equal(t, 27.5, older.Score) // two: 30 → 7.5
	require.Contains(t, older.Breakdown[1].Note, "half-life")
}

func TestScoreRuleMaxCapsRepeats(t *testing.T) {
	m := compile(t, model)
	acts := []Activity{act("email_received", "", 0), act("email_received", "", 0), act("email_received", "", 0), act("note", "", 0)}
	r, err := m.Score(context.Background(), lead(nil), acts, 0, now)
	require.NoError(t, err)
	require.Equal(t, 12.0, r.Score) // 3 × 5 = 15, capped at 12; the note matches nothing
	require.Equal(t, 3, r.Breakdown[0].Matches)
	require.Contains(t, r.Breakdown[0].Note, "capped at 12")
}

func TestThresholdsCrossOnlyUpward(t *testing.T) {
	m := compile(t, model)
	hot := lead(map[string]any{"title": "VP", "employees": 1000.0, "country": "US", "email": "a@acme.com"})
	acts := []Activity{act("form_submitted", "demo_request", 0)}
	r, err := m.Score(context.Background(), hot, acts, 10, now) // 20 + 20 + 30 = 70
	require.NoError(t, err)
	require.Equal(t, 70.0, r.Score)
	require.Equal(t, "A", r.Grade)
	require.Equal(t, []Threshold{{Name: "mql", At: 60}}, r.Crossed)

	again, err := m.Score(context.Background(), hot, acts, 70, now)
	require.NoError(t, err)
	require.Empty(t, again.Crossed, "already above: no second crossing")

	down, err := m.Score(context.Background(), lead(nil), nil, 70, now)
	require.NoError(t, err)
	require.Empty(t, down.Crossed, "falling through a threshold emits nothing")

	exact, err := m.Score(context.Background(), hot, acts, 59.9, now)
	require.NoError(t, err)
	require.Len(t, exact.Crossed, 1, "reaching the threshold counts as crossing it")
}

func TestReadsNameFitFields(t *testing.T) {
	m := compile(t, model)
	require.Subset(t, m.Reads(), []string{"title", "employees", "country", "email"})
}

func TestRulesOnEmptyFieldsGiveNothingAndSaySo(t *testing.T) {
	m := compile(t, model)
	r, err := m.Score(context.Background(), lead(map[string]any{"email": "a@acme.com"}), nil, 0, now)
	require.NoError(t, err)
	require.Equal(t, 0.0, r.Score)
	require.Len(t, r.Unscored, 2, "title and employees are empty: %v", r.Unscored)
	require.Contains(t, r.Unscored[0], "lead.title")
}
