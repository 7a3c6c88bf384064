package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	guardrailsYAML = `kind: policy
name: default
applies_to: all_workflows
quiet_hours: { from: "19:00", to: "08:00", timezone: recipient }
---
kind: calendar
name: sales-hours
timezone: owner
hours: { mon-fri: "09:00-17:30" }
`
	intakeYAML = `kind: workflow
name: intake
owner: ops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
policy: default
steps:
  - action: set
    with: { status: working }
  - delay: { business_days: 2, calendar: sales-hours }
`
	welcomeJSON = `{"kind": "workflow", "name": "welcome", "owner": "ops@example.com", "review_every": "30d",
 "object": "contact", "trigger": {"on": "contact.created"}, "steps": [{"action": "set", "with": {"title": "Customer"}}]}`
)

const filesType = "application/vnd.salesflow.files+json"

type file struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

func envelope(files ...file) map[string]any { return map[string]any{"files": files} }

// applied returns an apply answer's results as "kind/name" → "vN status".
func applied(t *testing.T, r response) map[string]string {
	t.Helper()
	out := map[string]string{}
	list, ok := r.Body["results"].([]any)
	require.True(t, ok, "%s", r.Raw)
	for _, x := range list {
		m := x.(map[string]any)
		out[m["kind"].(string)+"/"+m["name"].(string)] = "v" + jsonNum(m["version"]) + " " + m["status"].(string)
	}
	return out
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

func (h *harness) defStates() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for _, it := range h.must(http.StatusOK, "GET", "/api/v1/definitions", adminToken, nil).Items() {
		s := "v" + jsonNum(it["version"]) + " " + it["state"].(string)
		if by := it["paused_by"].(string); by != "" {
			s += " by " + by
		}
		out[it["kind"].(string)+"/"+it["name"].(string)] = s
	}
	return out
}

func TestDefinitionsApplyAndVersions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		h.user("ops@example.com", "admin", "")
		all := envelope(file{"defs/guardrails.yaml", guardrailsYAML}, file{"defs/intake.yaml", intakeYAML})

		r := h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, all, "Content-Type", filesType)
		require.Equal(t, map[string]string{"policy/default": "v1 created", "calendar/sales-hours": "v1 created", "workflow/intake": "v1 created"}, applied(t, r))
		require.Equal(t, []any{}, r.Body["warnings"])
		r = h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, all, "Content-Type", filesType)
		require.Equal(t, map[string]string{"policy/default": "v1 unchanged", "calendar/sales-hours": "v1 unchanged", "workflow/intake": "v1 unchanged"}, applied(t, r))

		// One YAML document stream, and JSON, as plain bodies.
		r = h.must(http.StatusOK, "POST", "/api/v1/definitions?file=guardrails.yaml", adminToken, guardrailsYAML, "Content-Type", "application/yaml")
		require.Equal(t, map[string]string{"policy/default": "v1 unchanged", "calendar/sales-hours": "v1 unchanged"}, applied(t, r))
		r = h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, welcomeJSON)
		require.Equal(t, map[string]string{"workflow/welcome": "v1 created"}, applied(t, r))

		require.Equal(t, map[string]string{"policy/default": "v1 active", "calendar/sales-hours": "v1 active",
			"workflow/intake": "v1 active", "workflow/welcome": "v1 active"}, h.defStates())
		wfs := h.must(http.StatusOK, "GET", "/api/v1/definitions?kind=workflow", adminToken, nil).Items()
		require.Len(t, wfs, 2)
		require.Equal(t, "intake", wfs[0]["name"])
		require.Equal(t, "ops@example.com", wfs[0]["owner"])
		require.Equal(t, "90d", wfs[0]["review_every"])
		require.Equal(t, "lead", wfs[0]["object"])
		require.NotEmpty(t, wfs[0]["updated_at"])
		bad := h.must(http.StatusUnprocessableEntity, "GET", "/api/v1/definitions?kind=gadget", adminToken, nil)
		require.Contains(t, bad.FieldErrors(), "kind")

		// A changed file makes version 2; the diff shows the line.
		changed := strings.Replace(intakeYAML, "status: working", "status: qualified", 1)
		r = h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken,
			envelope(file{"defs/guardrails.yaml", guardrailsYAML}, file{"defs/intake.yaml", changed}), "Content-Type", filesType)
		require.Equal(t, "v2 updated", applied(t, r)["workflow/intake"])
		require.Equal(t, "v1 unchanged", applied(t, r)["policy/default"])

		show := h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake", adminToken, nil)
		require.Equal(t, "active", show.Body["state"])
		versions := show.Body["versions"].([]any)
		require.Len(t, versions, 2)
		require.Equal(t, "admin_token:SALESFLOW_ADMIN_TOKEN", versions[0].(map[string]any)["created_by"])
		require.NotContains(t, versions[0], "source")

		v1 := h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake/versions/1", adminToken, nil)
		require.Equal(t, intakeYAML, v1.Body["source"])
		h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake/versions/v2", adminToken, nil)
		h.must(http.StatusNotFound, "GET", "/api/v1/definitions/workflow/intake/versions/3", adminToken, nil)
		h.must(http.StatusBadRequest, "GET", "/api/v1/definitions/workflow/intake/versions/latest", adminToken, nil)

		diff := h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake/diff", adminToken, nil)
		require.Contains(t, diff.Body["diff"], "--- intake v1\n+++ intake v2\n")
		require.Contains(t, diff.Body["diff"], "-    with: { status: working }\n+    with: { status: qualified }\n")
		back := h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake/diff?from=2&to=1", adminToken, nil)
		require.Contains(t, back.Body["diff"], "+    with: { status: working }\n")
		h.must(http.StatusUnprocessableEntity, "GET", "/api/v1/definitions/workflow/intake/diff?from=1&to=5", adminToken, nil)

		// Rollback: a third version with the first one's text.
		rb := h.must(http.StatusOK, "POST", "/api/v1/definitions/workflow/intake/rollback", adminToken, map[string]any{"version": 1})
		require.Equal(t, float64(3), rb.Body["version"])
		require.Equal(t, "rolled_back", rb.Body["status"])
		v3 := h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake/versions/3", adminToken, nil)
		require.Equal(t, intakeYAML, v3.Body["source"])
		h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions/workflow/intake/rollback", adminToken, map[string]any{"version": 0})
		h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions/workflow/intake/rollback", adminToken, map[string]any{"version": 8})
		h.must(http.StatusNotFound, "POST", "/api/v1/definitions/workflow/nope/rollback", adminToken, map[string]any{"version": 1})
	})
}

func TestDefinitionsLintErrorsRejectEverything(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		h.user("ops@example.com", "admin", "")
		broken := strings.Replace(intakeYAML, "action: set", "action: teleport", 1)
		r := h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions", adminToken,
			envelope(file{"defs/guardrails.yaml", guardrailsYAML}, file{"defs/intake.yaml", broken}), "Content-Type", filesType)
		require.Equal(t, "urn:salesflow:problem:lint", r.Body["type"])
		errs := r.FieldErrors()
		require.Len(t, errs, 1, "%s", r.Raw)
		for field, msg := range errs {
			require.Regexp(t, `^defs/intake\.yaml:9:\d+$`, field, "FILE:LINE:COL")
			require.Contains(t, msg, "teleport")
		}
		diags := r.Body["diagnostics"].([]any)
		require.NotEmpty(t, diags)
		first := diags[0].(map[string]any)
		require.Equal(t, "defs/intake.yaml", first["file"])
		require.Equal(t, float64(9), first["line"])
		require.Greater(t, first["col"], float64(0))
		require.Equal(t, "error", first["severity"])
		require.Empty(t, h.defStates(), "the valid file was not applied either")

		// A name given with ?file= appears in the messages.
		r = h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions?file=mine.yaml", adminToken, "kind: gadget\nname: x\n", "Content-Type", "text/yaml")
		for field := range r.FieldErrors() {
			require.True(t, strings.HasPrefix(field, "mine.yaml:1:"), field)
		}
		r = h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions", adminToken, "kind: [", "Content-Type", "application/yaml")
		for field := range r.FieldErrors() {
			require.True(t, strings.HasPrefix(field, "request:"), field)
		}

		// Malformed requests.
		h.must(http.StatusUnsupportedMediaType, "POST", "/api/v1/definitions", adminToken, "kind: policy", "Content-Type", "application/x-www-form-urlencoded")
		h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions", adminToken, envelope(), "Content-Type", filesType)
		r = h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions", adminToken,
			envelope(file{"a.yaml", guardrailsYAML}, file{"a.yaml", guardrailsYAML}), "Content-Type", filesType)
		require.Contains(t, r.FieldErrors(), "files[1].name")
		h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions", adminToken, map[string]any{"files": []any{}, "extra": 1}, "Content-Type", filesType)
		h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/definitions", adminToken, "# only a comment\n", "Content-Type", "application/yaml")
	})
}

func TestDefinitionStatesAndKillSwitch(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		h.user("ops@example.com", "admin", "")
		h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken,
			envelope(file{"g.yaml", guardrailsYAML}, file{"i.yaml", intakeYAML}, file{"w.json", welcomeJSON}), "Content-Type", filesType)

		p := h.must(http.StatusOK, "POST", "/api/v1/definitions/workflow/welcome/pause", adminToken, nil)
		require.Equal(t, "paused", p.Body["state"])
		require.Equal(t, "user", p.Body["paused_by"])

		r := h.must(http.StatusOK, "POST", "/api/v1/definitions/pause-all", adminToken, nil)
		require.Equal(t, float64(1), r.Body["paused"])
		require.Equal(t, map[string]string{"policy/default": "v1 active", "calendar/sales-hours": "v1 active",
			"workflow/intake": "v1 paused by kill_switch", "workflow/welcome": "v1 paused by user"}, h.defStates())
		r = h.must(http.StatusOK, "POST", "/api/v1/definitions/resume-all", adminToken, nil)
		require.Equal(t, float64(1), r.Body["resumed"])
		require.Equal(t, "v1 active", h.defStates()["workflow/intake"])
		require.Equal(t, "v1 paused by user", h.defStates()["workflow/welcome"])

		h.must(http.StatusOK, "POST", "/api/v1/definitions/workflow/welcome/resume", adminToken, nil)
		a := h.must(http.StatusOK, "POST", "/api/v1/definitions/workflow/welcome/archive", adminToken, nil)
		require.Equal(t, "archived", a.Body["state"])
		c := h.must(http.StatusConflict, "POST", "/api/v1/definitions/workflow/welcome/resume", adminToken, nil)
		require.Contains(t, c.Body["detail"], "apply")
		h.must(http.StatusConflict, "POST", "/api/v1/definitions/workflow/welcome/pause", adminToken, nil)
		r = h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, welcomeJSON, "Content-Type", "application/json")
		require.Equal(t, map[string]string{"workflow/welcome": "v1 restored"}, applied(t, r))
		require.Equal(t, "v1 active", h.defStates()["workflow/welcome"])

		h.must(http.StatusNotFound, "POST", "/api/v1/definitions/workflow/nope/pause", adminToken, nil)
		h.must(http.StatusNotFound, "POST", "/api/v1/definitions/gadget/intake/pause", adminToken, nil)

		// The history of a definition is in the event log, one event per change.
		var kinds []string
		evs, err := h.svc.Store().DB().QueryContext(t.Context(), `SELECT kind FROM events WHERE record_type = 'definition' AND record_id = 'workflow/welcome' ORDER BY seq`)
		require.NoError(t, err)
		for evs.Next() {
			var k string
			require.NoError(t, evs.Scan(&k))
			kinds = append(kinds, k)
		}
		require.NoError(t, evs.Close())
		require.Equal(t, []string{"applied", "paused", "resumed", "archived", "restored"}, kinds)
	})
}

func TestDefinitionRoles(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		h.user("ops@example.com", "admin", "")
		_, rep := h.user("rep@example.com", "rep", "")
		_, manager := h.user("manager@example.com", "manager", "")
		h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken,
			envelope(file{"g.yaml", guardrailsYAML}, file{"i.yaml", intakeYAML}), "Content-Type", filesType)
		for _, tok := range []string{rep, manager} {
			h.must(http.StatusForbidden, "POST", "/api/v1/definitions", tok, welcomeJSON)
			h.must(http.StatusForbidden, "POST", "/api/v1/definitions", tok, envelope(file{"g.yaml", guardrailsYAML}), "Content-Type", filesType)
			h.must(http.StatusForbidden, "POST", "/api/v1/definitions/workflow/intake/rollback", tok, map[string]any{"version": 1})
			for _, verb := range []string{"pause", "resume", "archive"} {
				h.must(http.StatusForbidden, "POST", "/api/v1/definitions/workflow/intake/"+verb, tok, nil)
			}
			h.must(http.StatusForbidden, "POST", "/api/v1/definitions/pause-all", tok, nil)
			h.must(http.StatusForbidden, "POST", "/api/v1/definitions/resume-all", tok, nil)
			// Reading is open to every role.
			require.Len(t, h.must(http.StatusOK, "GET", "/api/v1/definitions", tok, nil).Items(), 3)
			h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake", tok, nil)
			h.must(http.StatusOK, "GET", "/api/v1/definitions/workflow/intake/versions/1", tok, nil)
		}
		h.must(http.StatusUnauthorized, "GET", "/api/v1/definitions", "", nil)
		h.must(http.StatusUnauthorized, "POST", "/api/v1/definitions/pause-all", "nope", nil)
		require.Equal(t, "v1 active", h.defStates()["workflow/intake"])
	})
}

// TestDefinitionRoutesBesideRecordRoutes checks the two route tables side by side: the record routes'
// wildcards would also match definition paths (/api/v1/definitions/x/timeline).
func TestDefinitionRoutesBesideRecordRoutes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		lead := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "a@example.com"})
		h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead.Body["id"].(string)+"/timeline", adminToken, nil)
		h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead.Body["id"].(string), adminToken, nil)
		h.must(http.StatusOK, "GET", "/api/v1/leads", adminToken, nil)

		h.must(http.StatusNotFound, "GET", "/api/v1/definitions/workflow/timeline", adminToken, nil)
		h.must(http.StatusNotFound, "GET", "/api/v1/definitions/workflow", adminToken, nil)
		h.must(http.StatusNotFound, "GET", "/api/v1/definitions/a/b/c/d/e", adminToken, nil)
		r := h.must(http.StatusMethodNotAllowed, "DELETE", "/api/v1/definitions/workflow/intake", adminToken, nil)
		require.Equal(t, "GET", r.Header.Get("Allow"))
		r = h.must(http.StatusMethodNotAllowed, "PUT", "/api/v1/definitions", adminToken, nil)
		require.Equal(t, "GET, POST", r.Header.Get("Allow"))
		h.must(http.StatusMethodNotAllowed, "GET", "/api/v1/definitions/pause-all", adminToken, nil)
		h.must(http.StatusNotFound, "GET", "/api/v1/definitions/", adminToken, nil)
		h.must(http.StatusOK, "GET", "/api/v1/definitions", adminToken, nil)
		h.must(http.StatusNotFound, "GET", "/api/v1/definitionsx", adminToken, nil)
	})
}
