package web

import (
	"net/http"

	"github.com/salesflow/salesflow/internal/auth"
)

type workflowRow struct {
	Name, State, Owner, Review string
	Version                    int
}

func (u *UI) workflows(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	defs, err := u.defs.List(r.Context(), "workflow")
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	rows := make([]workflowRow, 0, len(defs))
	for _, d := range defs {
		rows = append(rows, workflowRow{Name: d.Name, State: d.State, Owner: d.Owner, Review: d.ReviewEvery, Version: d.Version})
	}
	u.render(w, r, http.StatusOK, "Workflows", u.who(r.Context(), a), workflowsPage(rows))
}

// workflow draws a workflow's current version with the runs waiting at each step.
func (u *UI) workflow(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	name := r.PathValue("name")
	defs, err := u.defs.List(r.Context(), "workflow")
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	var row *workflowRow
	for _, d := range defs {
		if d.Name == name {
			row = &workflowRow{Name: d.Name, State: d.State, Owner: d.Owner, Review: d.ReviewEvery, Version: d.Version}
		}
	}
	if row == nil {
		u.render(w, r, http.StatusNotFound, "Not found", u.who(r.Context(), a), notFound("No workflow named "+name+"."))
		return
	}
	p, err := u.eng.CurrentProgram(r.Context(), name)
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	waiting := map[string]int{}
	total := 0
	if ws, err := u.eng.Waiting(r.Context(), name); err == nil {
		for _, s := range ws {
			if s.Version == row.Version {
				waiting[s.Addr] += s.Runs
			}
			total += s.Runs
		}
	}
	steps, _ := p.Plan["steps"].([]any)
	u.render(w, r, http.StatusOK, name, u.who(r.Context(), a), workflowPage(*row, drawGraph(steps, waiting), total))
}
