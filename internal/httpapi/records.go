package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// recordJSON renders a record for the API: snake_case names, custom fields beside built-in ones.
func recordJSON(v records.Values) map[string]any { return v.JSON() }

func (a *API) object(w http.ResponseWriter, r *http.Request) (*records.Object, bool) {
	o, err := a.svc.ObjectSchema(r.Context(), r.PathValue("objects"))
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	if o.Plural != r.PathValue("objects") {
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "use the plural collection name: /api/v1/"+o.Plural))
		return nil, false
	}
	return o, true
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	rec, err := a.svc.Get(r.Context(), o.Name, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, recordJSON(rec))
}

func (a *API) create(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	body, p := readBody(r, maxBody)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	input, p := decodeObject(body)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	render := func(res crm.Result) (int, []byte, error) {
		status := http.StatusCreated
		if !res.Created {
			status = http.StatusOK // merged into the existing lead with this email
		}
		b, err := json.Marshal(recordJSON(res.Record))
		return status, b, err
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		res, err := a.svc.Create(r.Context(), actorOf(r), o.Name, input)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		status, b, _ := render(res)
		a.writeCreated(w, o, res.Record.ID(), status, b, false)
		return
	}
	if len(key) > 255 {
		writeProblem(w, r, fieldProblem(http.StatusBadRequest, "Idempotency-Key", "is longer than 255 characters"))
		return
	}
	sum := sha256.Sum256(append([]byte(r.URL.Path+"\n"), body...))
	stored, replay, err := a.svc.CreateOnce(r.Context(), actorOf(r), o.Name, input, key, hex.EncodeToString(sum[:]), render)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var created struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(stored.Body, &created)
	a.writeCreated(w, o, created.ID, stored.Status, stored.Body, replay)
}

func (a *API) writeCreated(w http.ResponseWriter, o *records.Object, id string, status int, body []byte, replay bool) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", "/api/v1/"+o.Plural+"/"+id)
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func (a *API) update(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	body, p := readBody(r, maxBody)
	if p == nil {
		var patch map[string]any
		if patch, p = decodeObject(body); p == nil {
			rec, err := a.svc.Update(r.Context(), actorOf(r), o.Name, r.PathValue("id"), patch)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			writeJSON(w, http.StatusOK, recordJSON(rec))
			return
		}
	}
	writeProblem(w, r, p)
}

func (a *API) remove(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	if err := a.svc.Delete(r.Context(), actorOf(r), o.Name, r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	raw, scope, extra := r.URL.RawQuery, "", []store.Filter(nil)
	if o.Name == "task" {
		var p *Problem
		if raw, scope, extra, p = a.taskListParams(r); p != nil {
			writeProblem(w, r, p)
			return
		}
	}
	q, p := parseList(o, raw, scope, actorOf(r))
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	q.Filters = append(q.Filters, extra...)
	recs, next, err := a.svc.List(r.Context(), o.Name, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]map[string]any, len(recs))
	for i, rec := range recs {
		items[i] = recordJSON(rec)
	}
	vals, _ := url.ParseQuery(raw)
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": encodeCursor(o, q, vals, scope, next)})
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	limit, p := parseLimit(r.URL.Query().Get("limit"))
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	items, next, err := a.svc.Timeline(r.Context(), o.Name, r.PathValue("id"), limit, r.URL.Query().Get("cursor"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if items == nil {
		items = []crm.Item{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

func parseLimit(s string) (int, *Problem) {
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 500 {
		return 0, fieldProblem(http.StatusBadRequest, "limit", "must be a whole number from 1 to 500")
	}
	return n, nil
}
