package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// taskRoutes are a rep's moves on a task besides completing it (H1).
func taskRoutes(a *API) []route {
	return []route{
		{"POST /api/v1/tasks/{id}/skip", a.taskMove("skip", "reason")},
		{"POST /api/v1/tasks/{id}/snooze", a.taskMove("snooze", "until")},
		{"POST /api/v1/tasks/{id}/decline", a.taskMove("decline", "reason")},
		{"POST /api/v1/tasks/{id}/reassign", a.taskMove("reassign", "owner_id")},
		{"GET /api/v1/inbox", a.inbox},
		{"GET /api/v1/analytics/speed-to-lead", a.speedToLead},
	}
}

// inbox is a rep's open tasks by urgency (owner=me, the default, or a user id), or a team's queue
// with its breaches (team=ID, for the team's manager).
func (a *API) inbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "owner" && k != "team" {
			writeProblem(w, r, fieldProblem(http.StatusBadRequest, k, "unknown parameter (owner, team)"))
			return
		}
	}
	if q.Get("owner") != "" && q.Get("team") != "" {
		writeProblem(w, r, fieldProblem(http.StatusBadRequest, "team", "give owner or team, not both"))
		return
	}
	in, err := a.svc.Inbox(r.Context(), actorOf(r), q.Get("owner"), q.Get("team"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for i := range in.Items {
		in.Items[i].Task = recordJSON(in.Items[i].Task)
	}
	writeJSON(w, http.StatusOK, in)
}

// taskMove handles one move; field is the body member it takes.
func (a *API) taskMove(action, field string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, ok := optionalBody(w, r)
		if !ok {
			return
		}
		for k := range m {
			if k != field {
				writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, k, "is not accepted here (only "+field+")"))
				return
			}
		}
		v, ok := stringField(w, r, m, field)
		if !ok {
			return
		}
		c := crm.TaskChange{Action: action, Reason: v, OwnerID: v}
		if action == "snooze" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "until", "must be a time like 2026-12-01T09:00:00Z"))
				return
			}
			c.Until = t
		}
		rec, err := a.svc.ChangeTask(r.Context(), actorOf(r), r.PathValue("id"), c)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, recordJSON(rec))
	}
}

// taskListParams takes the task list's own parameters out of a query — record (the record it is
// about), team (its owner is on this team) and overdue=true (open or snoozed, due before now) — and
// returns the rest for the common list parameters, the taken ones (to bind cursors to), and the filters
// they make.
func (a *API) taskListParams(r *http.Request) (rest, scope string, fs []store.Filter, p *Problem) {
	v := r.URL.Query()
	own := url.Values{}
	for _, k := range []string{"record", "team", "overdue"} {
		if v.Has(k) {
			own[k] = v[k]
		}
	}
	if id := v.Get("record"); id != "" {
		fs = append(fs, store.Filter{Field: "record_id", Op: store.Eq, Value: id})
		v.Del("record")
	}
	if team := v.Get("team"); team != "" {
		ids, err := a.svc.TeamUserIDs(r.Context(), team)
		if err != nil {
			return "", "", nil, problem(http.StatusInternalServerError, "internal", "internal error; the server log has the details")
		}
		list := make([]any, len(ids))
		for i, id := range ids {
			list[i] = id
		}
		fs = append(fs, store.Filter{Field: "owner_id", Op: store.In, Value: list})
		v.Del("team")
	}
	switch v.Get("overdue") {
	case "":
	case "true":
		fs = append(fs, store.Filter{Field: "status", Op: store.In, Value: []any{"open", "snoozed"}},
			store.Filter{Field: "due_at", Op: store.Lt, Value: a.svc.Now().UTC()})
		v.Del("overdue")
	default:
		return "", "", nil, problem(http.StatusBadRequest, "invalid-query", "the list parameters are invalid",
			records.FieldError{Field: "overdue", Message: "must be true (leave it out for all tasks)"})
	}
	return v.Encode(), own.Encode(), fs, nil
}
