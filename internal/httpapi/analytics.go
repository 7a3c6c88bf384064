package httpapi

import (
	"net/http"
	"time"

	"github.com/salesflow/salesflow/internal/analytics"
	"github.com/salesflow/salesflow/internal/auth"
)

// speedToLead answers how fast leads are worked (T5), for managers and admins.
func (a *API) speedToLead(w http.ResponseWriter, r *http.Request) {
	if act := actorOf(r); !act.IsAdmin() && act.Role != auth.Manager {
		writeProblem(w, r, problem(http.StatusForbidden, "forbidden", "speed to lead is for managers and admins"))
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "from" && k != "to" {
			writeProblem(w, r, fieldProblem(http.StatusBadRequest, k, "is not a parameter of speed to lead (from, to)"))
			return
		}
	}
	to := a.svc.Now().UTC()
	from := to.AddDate(0, 0, -30)
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.key); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeProblem(w, r, fieldProblem(http.StatusBadRequest, p.key, "must be a time like 2026-11-01T00:00:00Z"))
				return
			}
			*p.dst = t
		}
	}
	if !from.Before(to) || to.Sub(from) > 366*24*time.Hour {
		writeProblem(w, r, fieldProblem(http.StatusBadRequest, "from", "must be before to, at most 366 days earlier"))
		return
	}
	rep, err := analytics.SpeedToLead(r.Context(), a.svc.Store(), a.svc.Catalog(), from, to)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
