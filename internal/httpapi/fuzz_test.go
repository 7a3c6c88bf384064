package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// FuzzCreateLeadJSON sends arbitrary bodies to POST /api/v1/leads. Whatever arrives, the answer is a
// 2xx with the lead, or a 4xx problem naming at least one field — never a 5xx — and a rejected body
// writes nothing. Run: go test -run '^$' -fuzz FuzzCreateLeadJSON -fuzztime 60s ./internal/httpapi/
func FuzzCreateLeadJSON(f *testing.F) {
	for _, seed := range []string{
		`{"email":"ada@example.com","first_name":"Ada","phone":"+44 20 7946 0958","employees":12}`,
		`{"email":"x"}`, `{}`, `[]`, `null`, `{"email":"a@b.co","employees":"12"}`, `{"score":1e400}`,
		`{"status":"working","country":"de","phone":"030 1234567","email":"b@c.de"}`,
		`{"email":"a@b.co","id":"x","created_at":"2020-01-01T00:00:00Z"}`, `{"email":"a@b.co"} trailing`,
		`{"first_name":"Robert'); DROP TABLE leads;--","email":"bobby@tables.io"}`, "{\"email\":\"a\u0000@b.co\"}",
		`{"website":"javascript:alert(1)","email":"w@x.io"}`, `{"email":"a@b.co","owner_id":{"$ne":null}}`,
	} {
		f.Add([]byte(seed))
	}
	a, h := newTestAPI(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		before := countLeads(t, a)
		req := httptest.NewRequest("POST", "/api/v1/leads", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer admin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == 201 || rec.Code == 409 && before > 0:
		case rec.Code >= 400 && rec.Code < 500:
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%d with content type %q", rec.Code, ct)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Errors) == 0 || p.Errors[0].Field == "" {
				t.Fatalf("%d problem without a named field: %s", rec.Code, rec.Body)
			}
			if after := countLeads(t, a); after != before {
				t.Fatalf("a rejected body (%d) changed the lead count %d → %d", rec.Code, before, after)
			}
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}

func countLeads(t *testing.T, a *API) int {
	t.Helper()
	recs, _, err := a.svc.List(t.Context(), "lead", listAll())
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}
