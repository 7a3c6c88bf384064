package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// decodeInto reads a JSON object into v, rejecting unknown fields with their name.
func decodeInto(r *http.Request, v any) *Problem {
	body, p := readBody(r, maxBody)
	if p != nil {
		return p
	}
	m, p := decodeObject(body)
	if p != nil {
		return p
	}
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fieldProblem(http.StatusUnprocessableEntity, te.Field, "has the wrong type: want "+te.Type.String())
		}
		return fieldProblem(http.StatusUnprocessableEntity, unknownField(err), err.Error())
	}
	return nil
}

// unknownField extracts the name from encoding/json's `json: unknown field "x"`.
func unknownField(err error) string {
	if _, rest, ok := strings.Cut(err.Error(), `unknown field "`); ok {
		name, _, _ := strings.Cut(rest, `"`)
		return name
	}
	return "body"
}

func (a *API) listFields(w http.ResponseWriter, r *http.Request) {
	defs, err := a.svc.Fields(r.Context(), r.URL.Query().Get("object"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if defs == nil {
		defs = []store.FieldDef{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": defs})
}

func (a *API) createField(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Object   string   `json:"object"`
		Name     string   `json:"name"`
		Type     string   `json:"type"`
		Label    string   `json:"label"`
		Required bool     `json:"required"`
		Options  []string `json:"options"`
	}
	if p := decodeInto(r, &in); p != nil {
		writeProblem(w, r, p)
		return
	}
	d, err := a.svc.DefineField(r.Context(), actorOf(r), store.FieldDef{Object: in.Object, Name: in.Name, Type: in.Type,
		Label: in.Label, Required: in.Required, Options: in.Options})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

func (a *API) deleteField(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteField(r.Context(), actorOf(r), r.PathValue("object"), r.PathValue("name")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request) {
	s, err := a.svc.Settings(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (a *API) patchSettings(w http.ResponseWriter, r *http.Request) {
	var in map[string]string
	if p := decodeInto(r, &in); p != nil {
		writeProblem(w, r, p)
		return
	}
	if err := a.svc.SetSettings(r.Context(), actorOf(r), in); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getSettings(w, r)
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := a.svc.Tokens(r.Context(), actorOf(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if toks == nil {
		toks = []store.Token{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toks})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role string `json:"role"`
		User string `json:"user"` // email
		Name string `json:"name"`
	}
	if p := decodeInto(r, &in); p != nil {
		writeProblem(w, r, p)
		return
	}
	tk, secret, err := a.svc.CreateToken(r.Context(), actorOf(r), in.Role, in.User, in.Name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": tk.ID, "role": tk.Role, "user_id": tk.UserID, "name": tk.Name,
		"created_at": tk.CreatedAt.Format(records.TimeLayout), "token": secret})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.RevokeToken(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listForms(w http.ResponseWriter, r *http.Request) {
	forms, err := a.svc.Forms(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if forms == nil {
		forms = []store.Form{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": forms})
}

func (a *API) createForm(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   string `json:"name"`
		Source string `json:"source"`
	}
	if p := decodeInto(r, &in); p != nil {
		writeProblem(w, r, p)
		return
	}
	f, err := a.svc.CreateForm(r.Context(), actorOf(r), in.Name, in.Source)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

// submitForm is the inbound form webhook: the signature covers the raw body, so the body is read
// whole before anything is decoded.
func (a *API) submitForm(w http.ResponseWriter, r *http.Request) {
	body, p := readBody(r, maxBody)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	sig := r.Header.Get("X-Salesflow-Signature")
	if sig == "" {
		writeProblem(w, r, problem(http.StatusUnauthorized, "bad-signature", "missing X-Salesflow-Signature header",
			records.FieldError{Field: "X-Salesflow-Signature", Message: "is required: sha256=<hex HMAC-SHA256 of the raw body>"}))
		return
	}
	// Verify before decoding, so an unsigned caller learns nothing about the body's validity.
	if err := a.svc.VerifyForm(r.Context(), r.PathValue("form"), sig, body); err != nil {
		a.fail(w, r, err)
		return
	}
	fields, p := decodeObject(body)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	lead, created, err := a.svc.SubmitForm(r.Context(), crm.FormSubmission{Form: r.PathValue("form"), Signature: sig, Body: body, Fields: fields})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"lead_id": lead.ID(), "created": created})
}
