package scoring

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/salesflow/salesflow/internal/expr"
)

// Line is one rule's part of a score: what the breakdown stored with the lead shows.
type Line struct {
	Kind    string  `json:"kind"` // fit | engagement | cap
	Rule    string  `json:"rule"`
	Group   string  `json:"group,omitempty"`
	Points  float64 `json:"points"`
	Matches int     `json:"matches,omitempty"` // engagement: the activities that matched
	Note    string  `json:"note,omitempty"`    // decay and caps, in words
}

// Result is a lead's score under a model.
type Result struct {
	Model     string      `json:"model"`
	Version   int         `json:"version"`
	Score     float64     `json:"score"`
	Grade     string      `json:"grade"`
	Breakdown []Line      `json:"breakdown"`
	Crossed   []Threshold `json:"crossed,omitempty"` // thresholds risen through since the previous score
	// Unscored lists rules that could not be evaluated on this lead (a field they read is empty, say):
	// they give no points, and the breakdown says so instead of failing the whole score.
	Unscored []string `json:"unscored,omitempty"`
}

// Activity is one of the lead's activities with the time it happened (decay runs from it).
type Activity struct {
	Values map[string]any
	At     time.Time
}

// Score scores a lead. lead holds the expression variables for the lead (as the engine builds them:
// `lead` with its relations); previous is the score before, for threshold crossings.
func (m *Model) Score(ctx context.Context, lead expr.Vars, acts []Activity, previous float64, now time.Time) (Result, error) {
	res := Result{Model: m.Name, Version: m.Version, Breakdown: []Line{}}
	groups := map[string]float64{}
	for _, r := range m.Fit {
		ok, err := test(ctx, r, lead)
		if err != nil {
			res.Unscored = append(res.Unscored, err.Error())
			continue
		}
		if ok {
			res.Breakdown = append(res.Breakdown, Line{Kind: "fit", Rule: r.Label, Group: r.Group, Points: r.Points})
			groups[r.Group] += r.Points
		}
	}
	for _, r := range m.Engagement {
		line, err := m.engage(ctx, r, lead, acts, now)
		if err != nil {
			res.Unscored = append(res.Unscored, err.Error())
		}
		if line.Matches > 0 {
			res.Breakdown = append(res.Breakdown, line)
			groups[r.Group] += line.Points
		}
	}
	total := 0.0
	for _, g := range slices.Sorted(maps.Keys(groups)) { // in order: the breakdown reads the same every time
		pts := groups[g]
		if limit, ok := m.Caps[g]; ok && g != "" && pts > limit {
			res.Breakdown = append(res.Breakdown, Line{Kind: "cap", Rule: "caps." + g, Group: g, Points: round1(limit - pts),
				Note: fmt.Sprintf("group %s gave %g points, capped at %g", g, round1(pts), limit)})
			pts = limit
		}
		total += pts
	}
	res.Score = round1(total)
	res.Grade = m.gradeOf(res.Score)
	for _, t := range m.Thresholds {
		if previous < t.At && res.Score >= t.At {
			res.Crossed = append(res.Crossed, t)
		}
	}
	return res, nil
}

// engage sums one engagement rule over the activities, each worth points × ½^(age / half-life).
func (m *Model) engage(ctx context.Context, r Rule, lead expr.Vars, acts []Activity, now time.Time) (Line, error) {
	line := Line{Kind: "engagement", Rule: r.Label, Group: r.Group}
	vars := make(expr.Vars, len(lead)+1)
	for k, v := range lead {
		vars[k] = v
	}
	sum := 0.0
	for _, a := range acts {
		vars["activity"] = a.Values
		ok, err := test(ctx, r, vars)
		if err != nil {
			line.Matches = 0
			return line, err
		}
		if !ok {
			continue
		}
		line.Matches++
		sum += r.Points * m.decay(now.Sub(a.At))
	}
	raw := r.Points * float64(line.Matches)
	if m.HalfLife > 0 && round1(sum) != round1(raw) {
		line.Note = fmt.Sprintf("%d × %g points, %g after decay (half-life %s)", line.Matches, r.Points, round1(sum), m.HalfLife)
	}
	if r.Max > 0 && sum > r.Max {
		line.Note = joinNote(line.Note, fmt.Sprintf("capped at %g", r.Max))
		sum = r.Max
	}
	line.Points = round1(sum)
	return line, nil
}

// decay is the share of its points an activity keeps after age; a future activity keeps all.
func (m *Model) decay(age time.Duration) float64 {
	if m.HalfLife <= 0 || age <= 0 {
		return 1
	}
	return math.Pow(0.5, float64(age)/float64(m.HalfLife))
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func test(ctx context.Context, r Rule, vars expr.Vars) (bool, error) {
	v, err := r.prog.Eval(ctx, vars)
	if err != nil {
		return false, fmt.Errorf("rule %q: %w", r.Label, err)
	}
	b, _ := v.(bool)
	return b, nil
}
