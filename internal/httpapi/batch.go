package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
)

// BatchResult is the outcome of one record of a batch.
type BatchResult struct {
	Index  int                  `json:"index"`
	Status string               `json:"status"` // created | updated | unchanged | error
	ID     string               `json:"id,omitempty"`
	Errors []records.FieldError `json:"errors,omitempty"`
}

// batch upserts up to maxBatch records by their natural key, each in its own transaction: valid
// records land, invalid ones come back with their errors, and a re-sent batch creates nothing new.
// The importer uses it.
func (a *API) batch(w http.ResponseWriter, r *http.Request) {
	o, ok := a.object(w, r)
	if !ok {
		return
	}
	if _, ok := crm.NaturalKey(o.Name); !ok {
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", o.Plural+" cannot be imported in batches: they have no natural key"))
		return
	}
	body, p := readBody(r, maxBatchBody)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	doc, p := decodeObject(body)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	list, ok := doc["records"].([]any)
	if !ok || len(doc) != 1 {
		writeProblem(w, r, fieldProblem(http.StatusBadRequest, "records", `the body must be {"records": [ … ]}`))
		return
	}
	if len(list) > maxBatch {
		writeProblem(w, r, fieldProblem(http.StatusRequestEntityTooLarge, "records", fmt.Sprintf("at most %d records per batch", maxBatch)))
		return
	}
	results := make([]BatchResult, len(list))
	for i, item := range list {
		results[i] = a.batchOne(r, o.Name, i, item)
		if r.Context().Err() != nil {
			a.fail(w, r, r.Context().Err())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (a *API) batchOne(r *http.Request, object string, i int, item any) BatchResult {
	res := BatchResult{Index: i}
	input, ok := item.(map[string]any)
	if !ok {
		res.Status, res.Errors = "error", []records.FieldError{{Field: "records", Message: "each record must be a JSON object"}}
		return res
	}
	rec, outcome, err := a.svc.Upsert(r.Context(), actorOf(r), object, input)
	var ve *records.ValidationError
	var ce *crm.ConflictError
	switch {
	case err == nil:
		res.Status, res.ID = outcome, rec.ID()
	case errors.As(err, &ve):
		res.Status, res.Errors = "error", ve.Errors
	case errors.As(err, &ce):
		res.Status, res.Errors = "error", []records.FieldError{{Field: ce.Field, Message: ce.Message}}
	case errors.Is(err, crm.ErrForbidden):
		res.Status, res.Errors = "error", []records.FieldError{{Field: "owner_id", Message: err.Error()}}
	default:
		a.log.ErrorContext(r.Context(), "batch record failed", "object", object, "index", i, "err", err)
		res.Status, res.Errors = "error", []records.FieldError{{Field: "", Message: "internal error; the server log has the details"}}
	}
	return res
}
