package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/crm"
)

const adminToken = apptest.AdminToken

// harness is a real server on a real database, driven over HTTP.
type harness struct {
	t   *testing.T
	srv *httptest.Server
	svc *crm.Service
	app *app.App
}

// eachDB runs fn against SQLite and PostgreSQL (skipped, with the standard message, when no test
// database is configured).
func eachDB(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			srv, a := apptest.Server(t, db)
			fn(t, &harness{t: t, srv: srv, svc: a.Service, app: a})
		})
	}
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// Items returns a list answer's items.
func (r response) Items() []map[string]any {
	var out []map[string]any
	list, _ := r.Body["items"].([]any)
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

// FieldErrors returns the problem's errors as field → message.
func (r response) FieldErrors() map[string]string {
	out := map[string]string{}
	list, _ := r.Body["errors"].([]any)
	for _, e := range list {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["message"].(string)
	}
	return out
}

// call sends a request; body may be nil, a string (sent raw) or a value (sent as JSON).
func (h *harness) call(method, path, token string, body any, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(h.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	require.NoError(h.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := h.srv.Client().Do(req)
	require.NoError(h.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(h.t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		require.NoError(h.t, json.Unmarshal(raw, &out.Body), "body: %s", raw)
	}
	if res.StatusCode >= 400 {
		require.Equal(h.t, "application/problem+json", res.Header.Get("Content-Type"), "errors are problem+json: %s", raw)
	}
	return out
}

// must sends a request and requires the status.
func (h *harness) must(status int, method, path, token string, body any, headers ...string) response {
	h.t.Helper()
	r := h.call(method, path, token, body, headers...)
	require.Equal(h.t, status, r.Status, "%s %s: %s", method, path, r.Raw)
	return r
}

// user creates a user and an API token for it, returning the user's id and the token.
func (h *harness) user(email, role, teamID string) (string, string) {
	h.t.Helper()
	in := map[string]any{"email": email, "name": email, "role": role}
	if teamID != "" {
		in["team_id"] = teamID
	}
	u := h.must(http.StatusCreated, "POST", "/api/v1/users", adminToken, in)
	tk := h.must(http.StatusCreated, "POST", "/api/v1/tokens", adminToken, map[string]any{"role": role, "user": email})
	return u.Body["id"].(string), tk.Body["token"].(string)
}

// count returns how many records a list filter matches (up to 500).
func (h *harness) count(path string) int {
	h.t.Helper()
	return len(h.must(http.StatusOK, "GET", path, adminToken, nil).Items())
}
