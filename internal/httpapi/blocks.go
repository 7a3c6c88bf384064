package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/matching"
)

// blockRoutes are the sales building blocks' routes: routing with its traces, scoring, account
// matching and lead merge (S1–S4).
func blockRoutes(a *API) []route {
	var rs []route
	for _, objects := range routedObjects {
		rs = append(rs, route{"GET /api/v1/" + objects + "/{id}/assignment", a.assignment}, route{"POST /api/v1/" + objects + "/{id}/route", a.routeRecord})
	}
	return append(rs, []route{
		{"POST /api/v1/leads/{id}/score", a.scoreLead},
		{"GET /api/v1/leads/{id}/account-match", a.accountMatch},
		{"POST /api/v1/leads/{id}/merge", a.mergeLead},
		{"POST /api/v1/companies/import", a.importCompanies},
	}...)
}

// routedObjects are the records routing gives owners to.
var routedObjects = []string{"leads", "contacts", "accounts", "deals"}

// routedObject is the object of a building-block route's path (/api/v1/leads/… → lead).
func routedObject(_ http.ResponseWriter, r *http.Request) (string, bool) {
	plural, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/api/v1/"), "/")
	return strings.TrimSuffix(plural, "s"), true
}

// assignment answers "why this rep": the record's routing decisions with their traces, newest first.
func (a *API) assignment(w http.ResponseWriter, r *http.Request) {
	object, ok := routedObject(w, r)
	if !ok {
		return
	}
	if _, err := a.svc.Get(r.Context(), object, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	items, err := a.engine.Assignments(r.Context(), object, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var current any
	if len(items) > 0 {
		current = items[0]
	}
	writeJSON(w, http.StatusOK, map[string]any{"current": current, "items": items})
}

// routeRecord routes a record through a ruleset now; with "dry_run": true it only says who would get
// it and why, changing nothing (not even the rotation).
func (a *API) routeRecord(w http.ResponseWriter, r *http.Request) {
	object, ok := routedObject(w, r)
	if !ok {
		return
	}
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	ruleset, ok := stringField(w, r, m, "ruleset")
	if !ok {
		return
	}
	if ruleset == "" {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "ruleset", "is required"))
		return
	}
	dry, isBool := m["dry_run"].(bool)
	if _, given := m["dry_run"]; given && !isBool {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "dry_run", "must be true or false"))
		return
	}
	if dry {
		if _, err := a.svc.Get(r.Context(), object, r.PathValue("id")); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	res, err := a.engine.Route(r.Context(), actorOf(r), ruleset, object, r.PathValue("id"), dry)
	if a.unknownDefinition(w, r, err, "ruleset") {
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": res.UserID, "queue": res.Queue, "rule": res.Rule, "dry_run": dry,
		"trace": res.Trace, "assignment_id": map[bool]any{true: nil, false: res.Assignment.ID}[dry]})
}

func (a *API) unknownDefinition(w http.ResponseWriter, r *http.Request, err error, field string) bool {
	var ud *engine.UnknownDefinitionError
	var wo *engine.WrongObjectError
	switch {
	case errors.As(err, &ud):
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, field, ud.Error()))
	case errors.As(err, &wo):
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, field, wo.Error()))
	default:
		return false
	}
	return true
}

// scoreLead scores a lead with a model now and returns the score with its breakdown.
func (a *API) scoreLead(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	model, ok := stringField(w, r, m, "model")
	if !ok {
		return
	}
	if model == "" {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "model", "is required"))
		return
	}
	res, err := a.engine.Score(r.Context(), actorOf(r), model, r.PathValue("id"))
	if a.unknownDefinition(w, r, err, "model") {
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// accountMatch shows the accounts a lead would match, ranked with reasons, without storing anything.
func (a *API) accountMatch(w http.ResponseWriter, r *http.Request) {
	min := matching.DefaultMin
	if v := r.URL.Query().Get("min_confidence"); v != "" {
		f, ok := parseUnit(v)
		if !ok {
			writeProblem(w, r, fieldProblem(http.StatusBadRequest, "min_confidence", "must be a number from 0 to 1"))
			return
		}
		min = f
	}
	if _, err := a.svc.Get(r.Context(), "lead", r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.engine.MatchAccount(r.Context(), r.PathValue("id"), min)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// mergeLead merges the lead named by "from" into this one, keeping both histories.
func (a *API) mergeLead(w http.ResponseWriter, r *http.Request) {
	m, ok := optionalBody(w, r)
	if !ok {
		return
	}
	from, ok := stringField(w, r, m, "from")
	if !ok {
		return
	}
	if from == "" {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "from", "is required: the id of the lead to merge into this one"))
		return
	}
	rec, err := a.svc.MergeLeads(r.Context(), actorOf(r), r.PathValue("id"), from)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

// parseUnit reads a number from 0 to 1.
func parseUnit(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && f >= 0 && f <= 1
}
