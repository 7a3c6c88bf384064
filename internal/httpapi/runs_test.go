package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// callWorkflow is the workflow the API tests run: a task for the lead's owner, then a branch on its outcome.
var callWorkflow = map[string]any{
	"kind": "workflow", "name": "call", "owner": "ops@example.com", "review_every": "90d", "object": "lead",
	"trigger": map[string]any{"on": "lead.created", "when": `lead.source == "web"`},
	"steps": []any{
		map[string]any{"id": "call", "task": map[string]any{"type": "call", "owner": "lead.owner", "title": "Call {{ lead.email }}",
			"why": "new web lead", "due": "15m", "outcomes": []any{"connected", "voicemail"}}},
		map[string]any{"if": `steps.call.outcome == "connected"`, "then": []any{map[string]any{"action": "set", "with": map[string]any{"status": "working"}}}},
	},
}

func (h *harness) drain() {
	h.t.Helper()
	_, err := h.app.Engine.Drain(h.t.Context())
	require.NoError(h.t, err)
}

func TestRunsAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.must(http.StatusCreated, "POST", "/api/v1/users", adminToken, map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"})
		repID, repTok := h.user("rep@example.com", "rep", "")
		_, otherTok := h.user("other@example.com", "rep", "")
		h.drain() // the engine starts reading events here
		h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, callWorkflow)
		lead := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "a@acme.com", "source": "web", "owner_id": repID})
		skipped := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "b@acme.com", "source": "fair"})
		h.drain()

		runs := h.must(http.StatusOK, "GET", "/api/v1/runs?workflow=call&record="+lead.Body["id"].(string), repTok, nil).Items()
		require.Len(t, runs, 1)
		require.Equal(t, "waiting", runs[0]["status"])
		runID := runs[0]["id"].(string)
		require.Len(t, h.must(http.StatusOK, "GET", "/api/v1/runs?status=waiting", adminToken, nil).Items(), 1)
		require.Contains(t, h.call("GET", "/api/v1/runs?status=asleep", adminToken, nil).FieldErrors()["status"], "waiting")

		why := h.must(http.StatusOK, "GET", "/api/v1/records/lead/"+skipped.Body["id"].(string)+"/enrollment?workflow=call", adminToken, nil)
		require.Contains(t, why.Body["summary"], "the filter (when) is false")
		require.Equal(t, http.StatusBadRequest, h.call("GET", "/api/v1/records/lead/"+skipped.Body["id"].(string)+"/enrollment", adminToken, nil).Status)

		tasks := h.must(http.StatusOK, "GET", "/api/v1/tasks?run_id="+runID, adminToken, nil).Items()
		require.Len(t, tasks, 1)
		task := tasks[0]
		require.Equal(t, "new web lead", task["why"])
		path := "/api/v1/tasks/" + task["id"].(string) + "/complete"
		require.Equal(t, http.StatusForbidden, h.call("POST", path, otherTok, map[string]any{"outcome": "connected"}).Status, "not their task")
		bad := h.call("POST", path, repTok, map[string]any{"outcome": "busy"})
		require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		require.Contains(t, bad.FieldErrors()["outcome"], "connected")
		h.must(http.StatusOK, "POST", path, repTok, map[string]any{"outcome": "connected"})
		require.Equal(t, http.StatusConflict, h.call("POST", path, repTok, map[string]any{"outcome": "connected"}).Status, "done already")
		h.drain()

		run := h.must(http.StatusOK, "GET", "/api/v1/runs/"+runID, adminToken, nil)
		require.Equal(t, "completed", run.Body["status"])
		steps := run.Body["steps"].([]any)
		require.Len(t, steps, 3)
		branch := steps[1].(map[string]any)["decision"].(map[string]any)
		require.Equal(t, "then", branch["chosen"])
		require.Equal(t, "working", h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead.Body["id"].(string), adminToken, nil).Body["status"])
		require.Equal(t, http.StatusNotFound, h.call("GET", "/api/v1/runs/nope", adminToken, nil).Status)

		// manual enrollment: the re-enrollment rule (never) refuses a second run, saying why
		again := h.must(http.StatusOK, "POST", "/api/v1/workflows/call/enroll", adminToken, map[string]any{"record_id": lead.Body["id"]})
		require.Equal(t, false, again.Body["enrolled"])
		require.Contains(t, again.Body["reason"], "re-enrollment is never")
		require.Equal(t, http.StatusForbidden, h.call("POST", "/api/v1/workflows/call/enroll", repTok, map[string]any{"record_id": lead.Body["id"]}).Status)
		require.Equal(t, http.StatusNotFound, h.call("POST", "/api/v1/workflows/nope/enroll", adminToken, map[string]any{"record_id": lead.Body["id"]}).Status)

		// custom events are validated and accepted
		require.Equal(t, http.StatusAccepted, h.call("POST", "/api/v1/events", adminToken, map[string]any{"name": "trial.started", "record_type": "lead", "record_id": lead.Body["id"], "payload": map[string]any{"plan": "pro"}}).Status)
		badEvent := h.call("POST", "/api/v1/events", adminToken, map[string]any{"name": "Bad Name", "record_type": "planet", "record_id": "x"})
		require.Equal(t, http.StatusUnprocessableEntity, badEvent.Status)
		require.Contains(t, badEvent.FieldErrors(), "name")
		require.Contains(t, badEvent.FieldErrors(), "record_type")

		// retry: only failed runs
		require.Equal(t, http.StatusConflict, h.call("POST", "/api/v1/runs/"+runID+"/retry", adminToken, nil).Status)
		retried := h.must(http.StatusOK, "POST", "/api/v1/runs/retry", adminToken, map[string]any{"workflow": "call"})
		require.Equal(t, float64(0), retried.Body["retried"])
		require.Len(t, h.must(http.StatusOK, "GET", "/api/v1/workflows/call/waiting", adminToken, nil).Items(), 0)

		metrics := string(h.call("GET", "/metrics", "", nil).Raw)
		require.Contains(t, metrics, "salesflow_engine_runs_started_total 1\n")
		require.Contains(t, metrics, `salesflow_engine_runs_finished_total{status="completed"} 1`)
		require.Contains(t, metrics, "salesflow_engine_jobs_due 0\n")
		require.Contains(t, metrics, "salesflow_engine_feed_behind ")
	})
}
