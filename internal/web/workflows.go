package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

type workflowRow struct {
	Name, State, Owner, Review, ReviewDue string
	Overdue                               bool
	Version, Enrolled, Failed             int
}

type versionRow struct {
	Version       int
	At, By, Label string
}

type workflowView struct {
	Row      workflowRow
	SVG      string
	Waiting  int
	Versions []versionRow
	Diff     *definitions.Diff
	Lint     []workflow.Diagnostic
	CanState bool
	Notice   string
}

// rowOf describes a workflow; its review is due review_every after its current version was applied
// (applied: zero when unknown).
func rowOf(d store.Definition, applied time.Time, stats map[string]store.RunStat, now time.Time) workflowRow {
	row := workflowRow{Name: d.Name, State: d.State, Owner: d.Owner, Review: d.ReviewEvery, Version: d.Version,
		Enrolled: stats[d.Name].Started, Failed: stats[d.Name].Failed}
	every, err := workflow.ParseDuration(d.ReviewEvery)
	if err != nil || every <= 0 || applied.IsZero() {
		return row
	}
	due := applied.Add(every)
	row.ReviewDue, row.Overdue = due.UTC().Format(time.RFC3339), due.Before(now)
	return row
}

// appliedOf is when a definition's current version was applied (zero when its versions do not say).
func appliedOf(d definitions.Detail) time.Time {
	for _, v := range d.Versions {
		if v.Version == d.Version {
			return v.CreatedAt
		}
	}
	return time.Time{}
}

func (u *UI) workflows(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	ctx, now := r.Context(), u.svc.Now()
	defs, err := u.defs.List(ctx, "workflow")
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	stats, err := u.eng.RunStats(ctx, now.AddDate(0, 0, -7), "")
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	applied, err := u.defs.AppliedAt(ctx, "workflow")
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	rows := make([]workflowRow, 0, len(defs))
	for _, d := range defs {
		rows = append(rows, rowOf(d, applied[d.Name], stats, now))
	}
	u.render(w, r, http.StatusOK, "Workflows", u.who(ctx, a), workflowsPage(rows))
}

// workflow draws a workflow's current version with the runs waiting at each step, its versions (with
// the diff of one when asked), what lint says of it today, and pause/resume for admins.
func (u *UI) workflow(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	ctx, name, now := r.Context(), r.PathValue("name"), u.svc.Now()
	det, err := u.defs.Get(ctx, "workflow", name)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	stats, err := u.eng.RunStats(ctx, now.AddDate(0, 0, -7), name)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	v := workflowView{Row: rowOf(det.Definition, appliedOf(det), stats, now), CanState: a.IsAdmin(), Notice: notices[r.URL.Query().Get("done")]}
	p, err := u.eng.CurrentProgram(ctx, name)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	waiting := map[string]int{}
	ws, err := u.eng.Waiting(ctx, name)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	for _, s := range ws {
		if s.Version == det.Version {
			waiting[s.Addr] += s.Runs
		}
		v.Waiting += s.Runs
	}
	steps, _ := p.Plan["steps"].([]any)
	v.SVG = drawGraph(steps, waiting)
	for i := len(det.Versions) - 1; i >= 0; i-- {
		dv := det.Versions[i]
		v.Versions = append(v.Versions, versionRow{Version: dv.Version, At: dv.CreatedAt.UTC().Format(time.RFC3339), By: dv.CreatedBy})
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("diff")); err == nil && n > 1 && n <= det.Version {
		d, err := u.defs.Diff(ctx, "workflow", name, n-1, n)
		if err != nil {
			u.fail(w, r, a, err)
			return
		}
		v.Diff = &d
	}
	if v.Lint, err = u.defs.LintCurrent(ctx, "workflow", name); err != nil {
		u.fail(w, r, a, err)
		return
	}
	u.render(w, r, http.StatusOK, name, u.who(ctx, a), workflowPage(v))
}

// setState pauses or resumes a workflow (admins only; the service says so to anyone else).
func (u *UI) setState(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	name, verb := r.PathValue("name"), r.PathValue("verb")
	var err error
	switch verb {
	case "pause":
		_, err = u.defs.Pause(r.Context(), a, "workflow", name)
	case "resume":
		_, err = u.defs.Resume(r.Context(), a, "workflow", name)
	default:
		u.render(w, r, http.StatusNotFound, "Not found", u.who(r.Context(), a), problemPage("Not found", "There is no "+verb+" for a workflow."))
		return
	}
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	http.Redirect(w, r, "/workflows/"+url.PathEscape(name)+"?done="+verb+"d", http.StatusSeeOther)
}

type diffLine struct{ Class, Text string }

// diffLines marks a unified diff's added and removed lines for colouring.
func diffLines(diff string) []diffLine {
	var out []diffLine
	for _, l := range strings.SplitAfter(diff, "\n") {
		if l == "" {
			continue
		}
		c := ""
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "@@"):
			c = "hunk"
		case strings.HasPrefix(l, "+"):
			c = "add"
		case strings.HasPrefix(l, "-"):
			c = "del"
		}
		out = append(out, diffLine{Class: c, Text: l})
	}
	return out
}
