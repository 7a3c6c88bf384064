// Package scoring computes lead scores from a `kind: scoring` model (S2): fit rules over the lead's
// fields, engagement rules over its activities with time decay, caps per rule and per group, grades and
// named thresholds. It is pure: the engine loads the lead and its activities and writes the result, so
// the arithmetic is tested here with fixed times and nothing else.
package scoring

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/workflow"
)

// Model is a compiled scoring model.
type Model struct {
	Name       string
	Version    int
	Fit        []Rule
	Engagement []Rule
	HalfLife   time.Duration // 0: engagement points never decay
	Caps       map[string]float64
	Grades     []Grade // highest minimum first
	Thresholds []Threshold
}

// Rule is one fit or engagement rule.
type Rule struct {
	Label  string // the condition as written: what the breakdown shows
	Points float64
	Max    float64 // engagement: the most this rule gives in total; 0 = no cap
	Group  string
	prog   *expr.Program
}

// Grade is a letter and the lowest score that earns it.
type Grade struct {
	Name string
	Min  float64
}

// Threshold is a named score; rising through it emits lead.score_crossed.
type Threshold struct {
	Name string  `json:"name"`
	At   float64 `json:"at"`
}

// Compile builds a model from a linted scoring definition; its expressions are already compiled.
func Compile(d *workflow.Definition, version int) (*Model, error) {
	if d.Kind != "scoring" {
		return nil, fmt.Errorf("%s is a %s, not a scoring model", d.Name, d.Kind)
	}
	root := d.Root
	m := &Model{Name: d.Name, Version: version, Caps: map[string]float64{}}
	var err error
	if m.Fit, err = rules(d, root.Get("fit"), "when"); err != nil {
		return nil, err
	}
	if eng := root.Get("engagement"); eng != nil {
		if hl := eng.Get("half_life"); hl != nil {
			if m.HalfLife, err = workflow.ParseDuration(hl.Str()); err != nil {
				return nil, fmt.Errorf("%s: engagement.half_life: %w", d.Name, err)
			}
		}
		if m.Engagement, err = rules(d, eng.Get("rules"), "on"); err != nil {
			return nil, err
		}
	}
	for _, p := range root.Get("caps").PairsOrNil() {
		m.Caps[p.Key] = number(p.Value.Str())
	}
	for _, p := range root.Get("grades").PairsOrNil() {
		m.Grades = append(m.Grades, Grade{Name: p.Key, Min: number(p.Value.Str())})
	}
	sort.SliceStable(m.Grades, func(i, j int) bool { return m.Grades[i].Min > m.Grades[j].Min })
	for _, t := range root.Get("thresholds").ItemsOrNil() {
		m.Thresholds = append(m.Thresholds, Threshold{Name: t.Get("name").Str(), At: number(t.Get("at").Str())})
	}
	return m, nil
}

func rules(d *workflow.Definition, list *workflow.Node, cond string) ([]Rule, error) {
	if list == nil {
		return nil, nil
	}
	out := make([]Rule, 0, len(list.Items))
	for _, it := range list.Items {
		c := it.Get(cond)
		prog, ok := d.Compiled[c.Pos.String()].(*expr.Program)
		if !ok {
			return nil, fmt.Errorf("%s: the rule at %s was not compiled", d.Name, c.Pos)
		}
		out = append(out, Rule{Label: strings.TrimSpace(c.Str()), Points: number(it.Get("points").Str()),
			Max: number(it.Get("max").Str()), Group: it.Get("group").Str(), prog: prog})
	}
	return out, nil
}

// number reads a linted integer; lint has already refused anything else.
func number(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// Reads are the lead fields and relations the fit rules read ("employees", "owner" for lead.owner.team):
// a change to one of them calls for a rescore.
func (m *Model) Reads() []string {
	var out []string
	for _, r := range m.Fit {
		for _, f := range r.prog.Reads() {
			if name, ok := strings.CutPrefix(f, "lead."); ok {
				name, _, _ = strings.Cut(name, ".")
				out = append(out, name)
			}
		}
	}
	return out
}

// gradeOf names the grade for a score: the first whose minimum it reaches; below every grade, the
// letter after the lowest one ("D" after A/B/C), or "" when the grades are not single letters.
func (m *Model) gradeOf(score float64) string {
	for _, g := range m.Grades {
		if score >= g.Min {
			return g.Name
		}
	}
	return m.Below()
}

// Below is the grade of a score under every named grade: the letter after the lowest one (grades
// A, B, C give D), or "" when the lowest is not a single letter before Z.
func (m *Model) Below() string {
	if n := len(m.Grades); n > 0 {
		last := m.Grades[n-1].Name
		if len(last) == 1 && last[0] >= 'A' && last[0] < 'Z' {
			return string(last[0] + 1)
		}
	}
	return ""
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
