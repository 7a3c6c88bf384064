package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
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
	lead := fuzzObject(f, "lead")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkCreate(t, a, h, lead, body)
	})
}

// leadID stands for the id of the lead FuzzCreateActivityJSON creates first: ids are new on every
// run, and a corpus entry holding last run's id would only ever test "no such lead".
const leadID = "$LEAD"

// FuzzCreateActivityJSON sends arbitrary bodies to POST /api/v1/activities, with the invariants of
// FuzzCreateLeadJSON. Activities carry free-form JSON (data), which both databases must store and read
// back. Run: go test -run '^$' -fuzz FuzzCreateActivityJSON -fuzztime 60s ./internal/httpapi/
func FuzzCreateActivityJSON(f *testing.F) {
	for _, seed := range []string{
		`{"type":"note","subject":"Intro","body":"Met at the booth","record_type":"lead","record_id":"$LEAD"}`,
		`{"type":"call_logged","subject":"Call","record_type":"lead","record_id":"$LEAD","occurred_at":"2026-01-31T09:00:00Z","data":{"outcome":"connected","duration_seconds":840}}`,
		`{"type":"meeting_booked","record_type":"lead","record_id":"$LEAD","data":{"starts_at":"2026-02-03T15:00:00+01:00","duration_minutes":45,"attendees":["ann@acme.com",{"name":"Bob","optional":true}]}}`,
		`{"type":"form_submitted","record_type":"lead","record_id":"$LEAD","form":"contact","data":{"email":"a@b.co","utm":{"source":null,"n":[1,2.5,-3e2]}}}`,
		`{"type":"note","record_type":"lead","record_id":"$LEAD","data":{"x":1e400}}`,
		`{"type":"note","record_type":"lead","record_id":"$LEAD","data":{"s":"a\u0000b","k\u0000":1}}`,
		`{"type":"note","record_type":"lead","record_id":"$LEAD","data":` + strings.Repeat("[", 33) + "1" + strings.Repeat("]", 33) + "}",
		`{"type":"note","record_type":"lead","record_id":"$LEAD","data":"plain","data":{}}`,
		`{"type":"note","record_type":"lead","record_id":"$LEAD","occurred_at":"9999-12-31T23:00:00-05:00"}`,
		`{"type":"note","record_type":"lead","record_id":"nope"}`, `{"type":"note","record_type":"deal"}`,
		`{"type":"nope","record_type":"lead","record_id":"$LEAD","data":12345678901234567890}`, `{}`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	a, h := newTestAPI(f)
	rec := fuzzServe(h, "POST", "/api/v1/leads", []byte(`{"email":"fuzz@example.com"}`))
	var lead map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &lead); err != nil || rec.Code != http.StatusCreated {
		f.Fatalf("create the lead: %d %s", rec.Code, rec.Body)
	}
	id := []byte(lead["id"].(string))
	activity := fuzzObject(f, "activity")
	f.Fuzz(func(t *testing.T, body []byte) {
		checkCreate(t, a, h, activity, bytes.ReplaceAll(body, []byte(leadID), id))
	})
}

// checkCreate posts body to the object's collection and checks the answer: a 201 with a record that
// reads back the same, a 409 once records exist, or a 4xx problem naming a field that wrote nothing.
func checkCreate(t *testing.T, a *API, h http.Handler, o *records.Object, body []byte) {
	t.Helper()
	before := countRecords(t, a, o)
	rec := fuzzServe(h, "POST", "/api/v1/"+o.Plural, body)
	switch {
	case rec.Code == http.StatusCreated:
		var created map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
			t.Fatalf("201 with a body that is not JSON: %s", rec.Body)
		}
		id, _ := created["id"].(string)
		if got := fuzzServe(h, "GET", "/api/v1/"+o.Plural+"/"+id, nil); got.Code != http.StatusOK || got.Body.String() != rec.Body.String() {
			t.Fatalf("created %s reads back as %d %s, not %s", o.Name, got.Code, got.Body, rec.Body)
		}
	case rec.Code == http.StatusConflict && before > 0:
	case rec.Code >= 400 && rec.Code < 500:
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%d with content type %q", rec.Code, ct)
		}
		var p Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Errors) == 0 || p.Errors[0].Field == "" {
			t.Fatalf("%d problem without a named field: %s", rec.Code, rec.Body)
		}
		if after := countRecords(t, a, o); after != before {
			t.Fatalf("a rejected body (%d) changed the %s count %d → %d", rec.Code, o.Name, before, after)
		}
	default:
		t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
	}
}

func fuzzObject(t testing.TB, name string) *records.Object {
	t.Helper()
	o, ok := records.NewCatalog().Get(name)
	if !ok {
		t.Fatalf("no object %q", name)
	}
	return o
}

func fuzzServe(h http.Handler, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer admin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// countRecords counts the object's records with one COUNT(*): listing them all would make every fuzz
// iteration slower than the last.
func countRecords(t *testing.T, a *API, o *records.Object) int {
	t.Helper()
	var n int
	err := a.svc.Store().Read(t.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.Count(t.Context(), o)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
