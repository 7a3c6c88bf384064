package httpapi

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/store"
)

// engineRoutes are the workflow engine's routes: runs and their history, retries, enrollment and its
// explanation, custom events and task completion.
func engineRoutes(a *API) []route {
	return []route{
		{"GET /api/v1/runs", a.listRuns},
		{"POST /api/v1/runs/retry", a.retryRuns},
		{"GET /api/v1/runs/{id}", a.getRun},
		{"POST /api/v1/runs/{id}/retry", a.retryRun},
		{"GET /api/v1/records/{type}/{id}/enrollment", a.explainEnrollment},
		{"POST /api/v1/workflows/{name}/enroll", a.enroll},
		{"GET /api/v1/workflows/{name}/waiting", a.waiting},
		{"POST /api/v1/events", a.postEvent},
		{"POST /api/v1/tasks/{id}/complete", a.completeTask},
	}
}

var runStatuses = []string{store.RunRunning, store.RunWaiting, store.RunCompleted, store.RunFailed, store.RunCancelled, store.RunExited}

func (a *API) listRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.RunFilter{Workflow: q.Get("workflow"), RecordID: q.Get("record"), Status: q.Get("status")}
	if f.Status != "" && !slices.Contains(runStatuses, f.Status) {
		writeProblem(w, r, fieldProblem(http.StatusBadRequest, "status", "must be one of "+strings.Join(runStatuses, ", ")))
		return
	}
	limit, p := parseLimit(q.Get("limit"))
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	if c := q.Get("cursor"); c != "" {
		pos, ok := decodeRunCursor(c)
		if !ok {
			writeProblem(w, r, fieldProblem(http.StatusBadRequest, "cursor", "is not a next_cursor this server gave"))
			return
		}
		f.Before = pos
	}
	f.Limit = limit + 1
	runs, err := a.engine.Runs(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	next := ""
	if len(runs) > limit {
		runs = runs[:limit]
		last := runs[len(runs)-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(last.StartedAt.Format(time.RFC3339Nano) + "|" + last.ID))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(runs), "next_cursor": next})
}

func decodeRunCursor(c string) (*store.Position, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, false
	}
	at, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return nil, false
	}
	return &store.Position{Value: t, ID: id}, true
}

func (a *API) getRun(w http.ResponseWriter, r *http.Request) {
	d, err := a.engine.Detail(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// optionalBody decodes a JSON object body, or an empty one.
func optionalBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	b, p := readBody(r, 64<<10)
	if p == nil && len(strings.TrimSpace(string(b))) == 0 {
		return map[string]any{}, true
	}
	var m map[string]any
	if p == nil {
		m, p = decodeObject(b)
	}
	if p != nil {
		writeProblem(w, r, p)
		return nil, false
	}
	return m, true
}

// stringField reads an optional string member of a decoded body.
func stringField(w http.ResponseWriter, r *http.Request, m map[string]any, key string) (string, bool) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", true
	}
	s, ok := v.(string)
	if !ok {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, key, "must be a string"))
		return "", false
	}
	return s, true
}

func (a *API) retryRun(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	on, ok := stringField(w, r, m, "on")
	if !ok {
		return
	}
	run, err := a.engine.Retry(r.Context(), actorOf(r), r.PathValue("id"), on)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, run)
}

func (a *API) retryRuns(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	wf, ok1 := stringField(w, r, m, "workflow")
	on, ok2 := stringField(w, r, m, "on")
	if !ok1 || !ok2 {
		return
	}
	if wf == "" {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "workflow", "is required: the workflow whose failed runs to retry"))
		return
	}
	if st, _ := stringField(w, r, m, "status"); st != "" && st != store.RunFailed {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "status", "only failed runs are retried"))
		return
	}
	n, problems, err := a.engine.RetryMany(r.Context(), actorOf(r), wf, on)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"retried": n, "problems": nonNil(problems)})
}

func (a *API) explainEnrollment(w http.ResponseWriter, r *http.Request) {
	wf := r.URL.Query().Get("workflow")
	if wf == "" {
		writeProblem(w, r, fieldProblem(http.StatusBadRequest, "workflow", "is required: the workflow to explain"))
		return
	}
	o, ok := a.svc.Catalog().Get(r.PathValue("type"))
	if !ok {
		writeProblem(w, r, fieldProblem(http.StatusNotFound, "type", "is not a record type"))
		return
	}
	if _, err := a.svc.Get(r.Context(), o.Name, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	x, err := a.engine.Explain(r.Context(), o.Name, r.PathValue("id"), wf)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

func (a *API) enroll(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	id, ok := stringField(w, r, m, "record_id")
	if !ok {
		return
	}
	if id == "" {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "record_id", "is required"))
		return
	}
	out, err := a.engine.Enroll(r.Context(), actorOf(r), r.PathValue("name"), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if out["enrolled"] == true {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
}

func (a *API) postEvent(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	var vals [3]string
	for i, k := range []string{"name", "record_type", "record_id"} {
		if vals[i], ok = stringField(w, r, m, k); !ok {
			return
		}
	}
	payload, isMap := m["payload"].(map[string]any)
	if m["payload"] != nil && !isMap {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "payload", "must be a JSON object"))
		return
	}
	for k := range m {
		if !slices.Contains([]string{"name", "record_type", "record_id", "payload"}, k) {
			writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, k, "is not a member of an event (name, record_type, record_id, payload)"))
			return
		}
	}
	ev, err := a.svc.PostEvent(r.Context(), actorOf(r), vals[1], vals[2], vals[0], payload)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"id": ev.ID, "name": ev.Name, "record_type": ev.RecordType, "record_id": ev.RecordID, "occurred_at": ev.OccurredAt})
}

func (a *API) completeTask(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	outcome, ok := stringField(w, r, m, "outcome")
	if !ok {
		return
	}
	for k := range m {
		if k != "outcome" {
			writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, k, "is not accepted here (only outcome)"))
			return
		}
	}
	rec, err := a.svc.CompleteTask(r.Context(), actorOf(r), r.PathValue("id"), outcome)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, recordJSON(rec))
}

func (a *API) waiting(w http.ResponseWriter, r *http.Request) {
	steps, err := a.engine.Waiting(r.Context(), r.PathValue("name"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(steps)})
}
