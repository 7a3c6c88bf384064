package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

type runFilter struct{ Workflow, Status, Record string }

type runRow struct{ ID, Workflow, Status, Record, Started, Error string }

type stepRow struct {
	Seq                                                    int
	Name, Type, Status, At, Input, Output, Decision, Error string
	Attempts                                               int
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

func (u *UI) runs(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	q := r.URL.Query()
	f := runFilter{Workflow: q.Get("workflow"), Status: q.Get("status"), Record: q.Get("record")}
	list, err := u.eng.Runs(r.Context(), store.RunFilter{Workflow: f.Workflow, Status: f.Status, RecordID: f.Record, Limit: 100})
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	rows := make([]runRow, 0, len(list))
	for _, run := range list {
		rows = append(rows, runRowOf(run))
	}
	u.render(w, r, http.StatusOK, "Runs", u.who(r.Context(), a), runsPage(f, rows))
}

func runRowOf(run store.Run) runRow {
	return runRow{ID: run.ID, Workflow: run.Workflow, Status: run.Status, Record: run.RecordType + " " + run.RecordID,
		Started: run.StartedAt.UTC().Format(time.RFC3339), Error: run.Error}
}

func (u *UI) run(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	d, err := u.eng.Detail(r.Context(), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	u.showRun(w, r, a, d, r.URL.Query().Get("notice"))
}

func (u *UI) showRun(w http.ResponseWriter, r *http.Request, a auth.Actor, d engine.RunDetail, notice string) {
	steps := make([]stepRow, 0, len(d.Steps))
	for _, s := range d.Steps {
		name := s.StepID
		if name == "" {
			name = s.Addr
		}
		steps = append(steps, stepRow{Seq: s.Seq, Name: name, Type: s.Type, Status: s.Status, At: s.StartedAt.UTC().Format(time.RFC3339),
			Input: compact(s.Input), Output: compact(s.Output), Decision: compact(s.Decision), Error: s.Error, Attempts: s.Attempts})
	}
	canRetry := d.Status == store.RunFailed && (a.IsAdmin() || a.Role == auth.Manager)
	u.render(w, r, http.StatusOK, "Run", u.who(r.Context(), a), runPage(runRowOf(d.Run), steps, canRetry, notice))
}

func compact(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// retry restarts a failed run from its failed step, on its own version.
func (u *UI) retry(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	id := r.PathValue("id")
	if _, err := u.eng.Retry(r.Context(), a, id, engine.OnOriginal); err != nil {
		u.fail(w, r, a, err)
		return
	}
	http.Redirect(w, r, "/runs/"+id+"?notice=Retried:+the+run+goes+on+from+the+step+that+failed.", http.StatusSeeOther)
}
