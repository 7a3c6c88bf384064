package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store/sqlite"
)

func newTestAPI(t testing.TB) (*API, http.Handler) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = st.Migrate(t.Context())
	require.NoError(t, err)
	svc := crm.New(st, records.NewCatalog(), nil)
	h := New(svc, Options{AdminToken: "admin", Logger: slog.New(slog.DiscardHandler)})
	return &API{svc: svc}, h
}

// TestOpenAPICoversEveryRoute checks the served document against the route table both ways, so that a
// route cannot ship undocumented and the document cannot promise a route that does not exist.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	a, h := newTestAPI(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	require.Equal(t, 200, rec.Code)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	require.Equal(t, "3.1.0", doc.OpenAPI)

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			require.Contains(t, op, "responses", "%s %s", method, path)
		}
	}
	routed := map[string]bool{}
	for _, rt := range a.routes() {
		method, pattern, _ := strings.Cut(rt.pattern, " ")
		if !strings.Contains(pattern, "{objects}") {
			routed[method+" "+pattern] = true
			continue
		}
		for _, o := range records.NewCatalog().All() {
			if strings.HasSuffix(pattern, "/batch") {
				if _, ok := crm.NaturalKey(o.Name); !ok {
					continue
				}
			}
			routed[method+" "+strings.ReplaceAll(pattern, "{objects}", o.Plural)] = true
		}
	}
	for _, p := range []string{"GET /healthz", "GET /readyz", "GET /metrics", "POST /hooks/forms/{form}", "GET /api/v1/openapi.json"} {
		routed[p] = true
	}
	norm := regexp.MustCompile(`\{[^}]+\}`)
	key := func(s string) string { return norm.ReplaceAllString(s, "{}") }
	docKeys, routeKeys := map[string]bool{}, map[string]bool{}
	for k := range documented {
		docKeys[key(k)] = true
	}
	for k := range routed {
		routeKeys[key(k)] = true
	}
	require.Equal(t, routeKeys, docKeys)
}

func TestHealthReadyMetrics(t *testing.T) {
	_, h := newTestAPI(t)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer admin")
		h.ServeHTTP(rec, req)
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	code, body := get("/healthz")
	require.Equal(t, 200, code, body)
	code, body = get("/readyz")
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"database":"sqlite"`)
	get("/api/v1/leads")
	get("/api/v1/leads/nope")
	code, body = get("/metrics")
	require.Equal(t, 200, code)
	require.Contains(t, body, `salesflow_http_requests_total{code="200",route="GET /api/v1/{objects}"} 1`)
	require.Contains(t, body, `salesflow_http_requests_total{code="404",route="GET /api/v1/{objects}/{id}"} 1`)
	require.Contains(t, body, `salesflow_http_request_duration_seconds_bucket{route="GET /api/v1/{objects}"`)
	require.Contains(t, body, `go_sql_open_connections{db_name="sqlite"}`)
}
