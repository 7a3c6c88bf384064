package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/routing"
	"github.com/salesflow/salesflow/internal/scoring"
)

type defRow struct {
	Name, State, Description string
	Version                  int
}

// definitionList lists the definitions of one kind (routing rulesets, scoring models).
func (u *UI) definitionList(kind, title, empty string) page {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) {
		defs, err := u.defs.List(r.Context(), kind)
		if err != nil {
			u.fail(w, r, a, err)
			return
		}
		rows := make([]defRow, 0, len(defs))
		for _, d := range defs {
			rows = append(rows, defRow{Name: d.Name, State: d.State, Version: d.Version})
		}
		u.render(w, r, http.StatusOK, title, u.who(r.Context(), a), definitionsPage(kind, title, empty, rows))
	}
}

type ruleView struct{ Name, When, Target string }

type memberView struct {
	Name, Status, Why, Hours, Note string
	AssignedToday                  int
	Load                           string
	Next                           bool
}

type poolView struct {
	Rule, Team, Method string
	Members            []memberView
}

type assignmentView struct {
	At, Record, Href, Rule, Who, Summary string
}

type routingView struct {
	Name, PoolRules, Fallback string
	Version                   int
	Rules                     []ruleView
	Pools                     []poolView
	Recent                    []assignmentView
}

func (u *UI) routingPage(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	ctx, name := r.Context(), r.PathValue("name")
	o, err := u.eng.RoutingOverview(ctx, name, 25)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	now := u.svc.Now()
	rs := o.Ruleset
	v := routingView{Name: name, Version: rs.Version, PoolRules: poolRules(rs.Pool), Fallback: rs.Fallback.Queue}
	if rs.Fallback.Notify != "" {
		v.Fallback += " (tells " + rs.Fallback.Notify + ")"
	}
	for _, rule := range rs.Rules {
		rv := ruleView{Name: rule.Name, When: rule.When, Target: "assign " + rule.Assign}
		if rule.When == "" {
			rv.When = "always"
		}
		if p := rule.Pool; p != nil {
			rv.Target = fmt.Sprintf("%s of team %s", strings.ReplaceAll(p.Method, "_", " "), p.Team)
		}
		v.Rules = append(v.Rules, rv)
	}
	for _, p := range o.Pools {
		pv := poolView{Rule: p.Rule, Team: p.Pool.Team, Method: p.Pool.Method}
		st := o.State[p.Rule]
		for _, m := range p.Members {
			pv.Members = append(pv.Members, member(rs, m, p.Pool, st, now))
		}
		v.Pools = append(v.Pools, pv)
	}
	n := &names{u: u, ctx: ctx, cache: map[string]string{}}
	for _, as := range o.Recent {
		av := assignmentView{At: as.At.UTC().Format(time.RFC3339), Record: n.of(as.RecordType, as.RecordID),
			Href: "/" + as.RecordType + "s/" + as.RecordID, Rule: as.Rule, Summary: text(as.Trace["summary"]), Who: "queue " + as.Queue}
		if as.UserID != "" {
			av.Who = n.of("user", as.UserID)
		}
		v.Recent = append(v.Recent, av)
	}
	u.render(w, r, http.StatusOK, name, u.who(ctx, a), routingRulesetPage(v))
}

// member is one pool member as routing sees them now, for the reasons routing itself gives.
func member(rs *routing.Ruleset, m routing.Person, p routing.Pool, st *routing.RuleState, now time.Time) memberView {
	mv := memberView{Name: m.Name, Status: "available", Hours: m.HoursText, AssignedToday: m.AssignedToday}
	if why := rs.Unavailable(m, now); why != "" {
		mv.Status, mv.Why = "unavailable", why
	}
	switch p.Method {
	case "least_loaded":
		mv.Load = fmt.Sprintf("%g %s", m.Load, strings.ReplaceAll(p.Load, "_", " "))
		if m.Load == 1 {
			mv.Load = strings.TrimSuffix(mv.Load, "s") // 1 open task
		}
	case "weighted":
		w := p.Weights[m.Email]
		if w == 0 {
			w = 1
		}
		mv.Load = fmt.Sprintf("weight %d", w)
	}
	if st != nil && st.Last == m.Email {
		mv.Note = "had the last turn"
	}
	return mv
}

func poolRules(p routing.PoolRules) string {
	var parts []string
	if p.WorkingHours {
		parts = append(parts, "within working hours ("+p.AfterHours+" when nobody is)")
	}
	if p.SkipAway {
		parts = append(parts, "skips people out of office (they rejoin the rotation where it stands)")
	}
	if p.DailyCap > 0 {
		parts = append(parts, fmt.Sprintf("at most %d a day each", p.DailyCap))
	}
	if p.Calendar != "" {
		parts = append(parts, "calendar "+p.Calendar)
	}
	if len(parts) == 0 {
		return "no pool rules"
	}
	return strings.Join(parts, "; ")
}

type gradeBar struct {
	Grade        string
	Min          string
	Leads, Width int
}

type scoringView struct {
	Name            string
	Version         int
	Fit, Engagement []scoring.Rule
	HalfLife, Caps  string
	Thresholds      []scoring.Threshold
	Grades          []gradeBar
	Scored          int
}

func (u *UI) scoringPage(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	ctx, name := r.Context(), r.PathValue("name")
	o, err := u.eng.ScoringOverview(ctx, name)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	m := o.Model
	v := scoringView{Name: name, Version: m.Version, Fit: m.Fit, Engagement: m.Engagement, Thresholds: m.Thresholds, HalfLife: "none"}
	if m.HalfLife > 0 {
		v.HalfLife = span(int64(m.HalfLife.Seconds()))
	}
	var caps []string
	for g, c := range m.Caps {
		caps = append(caps, fmt.Sprintf("%s ≤ %g", g, c))
	}
	slices.Sort(caps)
	v.Caps = strings.Join(caps, ", ")
	most := 0
	for _, n := range o.Grades {
		v.Scored += n
		most = max(most, n)
	}
	bar := func(g, min string, n int) gradeBar {
		w := 0
		if most > 0 {
			w = n * 100 / most
		}
		return gradeBar{Grade: g, Min: min, Leads: n, Width: w}
	}
	known := map[string]bool{"": true}
	for _, g := range m.Grades {
		known[g.Name] = true
		v.Grades = append(v.Grades, bar(g.Name, fmt.Sprintf("%g", g.Min), o.Grades[g.Name]))
	}
	if below := m.Below(); below != "" {
		known[below] = true
		v.Grades = append(v.Grades, bar(below, fmt.Sprintf("under %g", m.Grades[len(m.Grades)-1].Min), o.Grades[below]))
	}
	var gone []string // grades an earlier version gave that this one no longer has
	for g := range o.Grades {
		if !known[g] {
			gone = append(gone, g)
		}
	}
	slices.Sort(gone)
	for _, g := range gone {
		v.Grades = append(v.Grades, bar(g+" (not in this version; kept until the lead is rescored)", "", o.Grades[g]))
	}
	if n := o.Grades[""]; n > 0 || len(m.Grades) == 0 {
		v.Grades = append(v.Grades, bar("no grade", "", n))
	}
	u.render(w, r, http.StatusOK, name, u.who(ctx, a), scoringModelPage(v))
}
