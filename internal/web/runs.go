package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

type runFilter struct {
	Workflow, Status, Record string
	Workflows                []string // the names to pick from
}

type runRow struct{ ID, Workflow, Status, Record, RecordHref, Started, Error string }

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
	defs, err := u.defs.List(r.Context(), "workflow")
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	for _, d := range defs {
		f.Workflows = append(f.Workflows, d.Name)
	}
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
		RecordHref: "/" + run.RecordType + "s/" + run.RecordID, Started: run.StartedAt.UTC().Format(time.RFC3339), Error: run.Error}
}

func (u *UI) run(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	d, err := u.eng.Detail(r.Context(), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, a, err)
		return
	}
	u.showRun(w, r, a, d, notices[r.URL.Query().Get("done")])
}

func (u *UI) showRun(w http.ResponseWriter, r *http.Request, a auth.Actor, d engine.RunDetail, notice string) {
	steps := make([]stepRow, 0, len(d.Steps))
	for _, s := range d.Steps {
		name := s.StepID
		if name == "" || name == s.Addr { // an unnamed step (its id is its address): where it sits
			name = "at " + strings.ReplaceAll(s.Addr, "/", " › ")
		}
		steps = append(steps, stepRow{Seq: s.Seq, Name: name, Type: s.Type, Status: s.Status, At: s.StartedAt.UTC().Format(time.RFC3339),
			Input: lines(s.Input), Output: lines(s.Output), Decision: lines(s.Decision), Error: s.Error, Attempts: s.Attempts})
	}
	canRetry := d.Status == store.RunFailed && (a.IsAdmin() || a.Role == auth.Manager)
	rr := runRowOf(d.Run)
	n := &names{u: u, ctx: r.Context(), cache: map[string]string{}}
	rr.Record = d.RecordType + " " + n.of(d.RecordType, d.RecordID)
	u.render(w, r, http.StatusOK, "Run", u.who(r.Context(), a), runPage(rr, steps, canRetry, notice))
}

// lines shows a step's inputs, outputs or decision one "key: value" a line, keys in order, strings
// as they are (no JSON quoting or HTML escapes).
func lines(m map[string]any) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, plain(m[k]))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func plain(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "∅"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(buf.String())
}

// retry restarts a failed run from its failed step, on its own version.
func (u *UI) retry(w http.ResponseWriter, r *http.Request, a auth.Actor) {
	id := r.PathValue("id")
	if _, err := u.eng.Retry(r.Context(), a, id, engine.OnOriginal); err != nil {
		u.fail(w, r, a, err)
		return
	}
	http.Redirect(w, r, "/runs/"+id+"?done=retried", http.StatusSeeOther)
}

// notices are what a page says after a form sent the browser back to it (?done=…): fixed texts, so a
// link cannot put words of its own on the page.
var notices = map[string]string{
	"retried": "Retried: the run goes on from the step that failed.",
	"paused":  "Paused: it starts no new runs; records that meet its trigger meanwhile are not enrolled later. Runs already going carry on.",
	"resumed": "Resumed: it starts runs again from now on.",
}
