package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuildingBlocksAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		team := h.must(http.StatusCreated, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "SDR"}).Body["id"].(string)
		aID, aTok := h.user("a@example.com", "rep", team)
		bID, _ := h.user("b@example.com", "rep", team)
		h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, map[string]any{"kind": "routing", "name": "rr",
			"rules": []any{map[string]any{"name": "all", "pool": map[string]any{"team": "SDR"}}}})
		h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, map[string]any{"kind": "scoring", "name": "fit",
			"fit": []any{map[string]any{"when": "lead.employees >= 100.0", "points": 40}}, "grades": map[string]any{"A": 40}})
		lead := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "jo@acme.com", "employees": 500}).Body["id"].(string)

		// Dry run: who would get it, nothing changes; a rep may ask.
		dry := h.must(http.StatusOK, "POST", "/api/v1/leads/"+lead+"/route", aTok, map[string]any{"ruleset": "rr", "dry_run": true})
		require.Equal(t, aID, dry.Body["user_id"])
		require.Nil(t, dry.Body["assignment_id"])
		require.Nil(t, h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead+"/assignment", aTok, nil).Body["current"])

		// Bad input names the field.
		bad := h.call("POST", "/api/v1/leads/"+lead+"/route", adminToken, map[string]any{"ruleset": "nope"})
		require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		require.Contains(t, bad.FieldErrors()["ruleset"], `no routing ruleset named "nope"`)
		require.Equal(t, http.StatusUnprocessableEntity, h.call("POST", "/api/v1/leads/"+lead+"/route", adminToken, map[string]any{}).Status)
		require.Equal(t, http.StatusNotFound, h.call("POST", "/api/v1/leads/nope/route", adminToken, map[string]any{"ruleset": "rr"}).Status)

		// Routed for real: the owner and the trace.
		h.must(http.StatusOK, "POST", "/api/v1/leads/"+lead+"/route", adminToken, map[string]any{"ruleset": "rr"})
		got := h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead, adminToken, nil)
		require.Equal(t, aID, got.Body["owner_id"])
		as := h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead+"/assignment", aTok, nil)
		cur := as.Body["current"].(map[string]any)
		require.Equal(t, "all", cur["rule"])
		require.Contains(t, cur["trace"].(map[string]any)["summary"], "Chose a@example.com")
		second := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "al@acme.com"}).Body["id"].(string)
		h.must(http.StatusOK, "POST", "/api/v1/leads/"+second+"/route", adminToken, map[string]any{"ruleset": "rr"})
		require.Equal(t, bID, h.must(http.StatusOK, "GET", "/api/v1/leads/"+second, adminToken, nil).Body["owner_id"])

		// Scoring by hand, with the breakdown on the lead.
		sc := h.must(http.StatusOK, "POST", "/api/v1/leads/"+lead+"/score", adminToken, map[string]any{"model": "fit"})
		require.Equal(t, 40.0, sc.Body["score"])
		got = h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead, adminToken, nil)
		require.Equal(t, "A", got.Body["score_grade"])
		require.NotEmpty(t, got.Body["score_breakdown"].(map[string]any)["lines"])
		require.Equal(t, http.StatusUnprocessableEntity, h.call("POST", "/api/v1/leads/"+lead+"/score", adminToken, map[string]any{"model": "nope"}).Status)

		// Account match, then merge: the second lead's history shows on the first.
		acct := h.must(http.StatusCreated, "POST", "/api/v1/accounts", adminToken, map[string]any{"name": "Acme Inc", "domain": "acme.com"}).Body["id"].(string)
		m := h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead+"/account-match", aTok, nil)
		require.Equal(t, acct, m.Body["best"].(map[string]any)["id"])
		require.Equal(t, http.StatusBadRequest, h.call("GET", "/api/v1/leads/"+lead+"/account-match?min_confidence=2", aTok, nil).Status)

		h.must(http.StatusCreated, "POST", "/api/v1/activities", adminToken, map[string]any{"type": "note", "subject": "met at a fair", "record_type": "lead", "record_id": second})
		merged := h.must(http.StatusOK, "POST", "/api/v1/leads/"+lead+"/merge", adminToken, map[string]any{"from": second})
		require.Equal(t, lead, merged.Body["id"])
		old := h.must(http.StatusOK, "GET", "/api/v1/leads/"+second, adminToken, nil)
		require.Equal(t, lead, old.Body["merged_into_id"])
		tl := h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead+"/timeline?limit=100", adminToken, nil).Items()
		var fromMerged, note, mergeEvent bool
		for _, it := range tl {
			s, _ := it["summary"].(string)
			fromMerged = fromMerged || len(s) > 12 && s[:12] == "merged lead "
			note = note || it["kind"] == "activity"
			mergeEvent = mergeEvent || it["kind"] == "event"
		}
		require.True(t, fromMerged && note && mergeEvent, "%v", tl)
		// The company directory: all or nothing, each bad entry named; admins only.
		bad = h.call("POST", "/api/v1/companies/import", adminToken, map[string]any{"companies": []any{
			map[string]any{"domain": "acme.com", "employees": 10}, map[string]any{"domain": "x", "employees": "many", "size": 3}}})
		require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		fe := bad.FieldErrors()
		require.Contains(t, fe, "companies[1].domain")
		require.Contains(t, fe, "companies[1].employees")
		require.Contains(t, fe, "companies[1].size")
		require.Equal(t, http.StatusForbidden, h.call("POST", "/api/v1/companies/import", aTok, map[string]any{"companies": []any{map[string]any{"domain": "acme.com"}}}).Status)
		ok := h.must(http.StatusOK, "POST", "/api/v1/companies/import", adminToken, map[string]any{"companies": []any{map[string]any{"domain": "www.acme.com", "employees": 10}}})
		require.Equal(t, 1.0, ok.Body["created"])

		again := h.call("POST", "/api/v1/leads/"+lead+"/merge", adminToken, map[string]any{"from": second})
		require.Equal(t, http.StatusUnprocessableEntity, again.Status)
		require.Contains(t, again.FieldErrors()["from"], "already merged")
	})
}
