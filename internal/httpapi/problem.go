package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
)

// Problem is an RFC 9457 problem document; Errors names each invalid field.
type Problem struct {
	Type       string               `json:"type"`
	Title      string               `json:"title"`
	Status     int                  `json:"status"`
	Detail     string               `json:"detail,omitempty"`
	Instance   string               `json:"instance,omitempty"`
	Errors     []records.FieldError `json:"errors,omitempty"`
	ExistingID string               `json:"existing_id,omitempty"`
}

func problem(status int, slug, detail string, errs ...records.FieldError) *Problem {
	return &Problem{Type: "urn:salesflow:problem:" + slug, Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs}
}

func fieldProblem(status int, field, msg string) *Problem {
	return problem(status, "invalid-request", field+": "+msg, records.FieldError{Field: field, Message: msg})
}

func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	p.Instance = r.URL.Path
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="salesflow"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// fail maps an error from the service to a problem; anything unexpected is logged and answered 500
// without internal detail.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *records.ValidationError
	var ce *crm.ConflictError
	var p *Problem
	switch {
	case errors.As(err, &ve):
		p = problem(http.StatusUnprocessableEntity, "validation", ve.Error(), ve.Errors...)
	case errors.As(err, &ce):
		p = problem(http.StatusConflict, "conflict", ce.Message, records.FieldError{Field: ce.Field, Message: ce.Message})
		p.ExistingID = ce.ExistingID
	case errors.Is(err, records.ErrNotFound):
		p = problem(http.StatusNotFound, "not-found", "no such record: "+r.URL.Path)
	case errors.Is(err, crm.ErrForbidden):
		p = problem(http.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, crm.ErrUnknownObject):
		p = problem(http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, crm.ErrBadCursor):
		p = fieldProblem(http.StatusBadRequest, "cursor", err.Error())
	case errors.Is(err, crm.ErrIdempotencyMismatch):
		p = problem(http.StatusUnprocessableEntity, "idempotency-key-reused", err.Error(),
			records.FieldError{Field: "Idempotency-Key", Message: "already used with a different request body"})
	case errors.Is(err, crm.ErrBadSignature):
		p = problem(http.StatusUnauthorized, "bad-signature", "missing or invalid X-Salesflow-Signature",
			records.FieldError{Field: "X-Salesflow-Signature", Message: "must be sha256=<hex HMAC-SHA256 of the raw body with the form's secret>"})
	case r.Context().Err() != nil:
		p = problem(499, "cancelled", "the request was cancelled")
		p.Title = "Client Closed Request"
	default:
		a.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		p = problem(http.StatusInternalServerError, "internal", "internal error; the server log has the details")
	}
	writeProblem(w, r, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
