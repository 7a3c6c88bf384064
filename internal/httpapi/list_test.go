package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListFiltersSortAndPages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		repID, _ := h.user("owner@x.io", "rep", "")
		statuses := []string{"new", "working", "qualified"}
		for i := range 23 {
			in := map[string]any{"email": fmt.Sprintf("p%02d@co%d.io", i, i%4), "first_name": fmt.Sprintf("Person%02d", i),
				"company": fmt.Sprintf("Company %c", 'A'+i%5), "status": statuses[i%3]}
			if i%4 != 0 {
				in["employees"] = i * 10 // every fourth lead has no employee count
			}
			if i%2 == 0 {
				in["owner_id"] = repID
			}
			h.must(201, "POST", "/api/v1/leads", adminToken, in)
		}
		require.Len(t, h.must(200, "GET", "/api/v1/leads?status=working&limit=100", adminToken, nil).Items(), 8)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?owner="+repID+"&limit=100", adminToken, nil).Items(), 12)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?owner_id=&limit=100", adminToken, nil).Items(), 11, "empty value: unassigned")
		ranged := h.must(200, "GET", "/api/v1/leads?employees[gte]=50&employees[lt]=120&limit=100", adminToken, nil).Items()
		require.Len(t, ranged, 6) // 50, 60, 70, 90, 100, 110 (80 belongs to a lead without a count)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?q=company%20c&limit=100", adminToken, nil).Items(), 5)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?q=PERSON0&limit=100", adminToken, nil).Items(), 10, "search ignores case")
		require.Len(t, h.must(200, "GET", "/api/v1/leads?status[ne]=new&created_at[lte]=2999-01-01T00:00:00Z&limit=100", adminToken, nil).Items(), 15)

		for _, sort := range []string{"employees", "-employees", "email", "-created_at"} {
			var seen []string
			var lastEmp []any
			cursor := ""
			for pages := 0; ; pages++ {
				require.Less(t, pages, 20, "pagination must end")
				r := h.must(200, "GET", "/api/v1/leads?limit=4&sort="+sort+"&cursor="+cursor, adminToken, nil)
				for _, it := range r.Items() {
					seen = append(seen, it["email"].(string))
					lastEmp = append(lastEmp, it["employees"])
				}
				if cursor = r.Body["next_cursor"].(string); cursor == "" {
					break
				}
			}
			require.Len(t, seen, 23, sort)
			sorted := slices.Clone(seen)
			slices.Sort(sorted)
			require.Equal(t, 23, len(slices.Compact(sorted)), "%s: every lead exactly once", sort)
			if sort == "email" {
				require.True(t, slices.IsSorted(seen))
			}
			if sort == "employees" {
				require.Nil(t, lastEmp[22], "NULLs come last ascending")
				require.EqualValues(t, 10, lastEmp[0])
			}
			if sort == "-employees" {
				require.Nil(t, lastEmp[0], "NULLs come first descending")
				require.EqualValues(t, 220, lastEmp[6])
			}
		}

		for param, field := range map[string]string{
			"cursor=garbage":            "cursor",
			"limit=0":                   "limit",
			"limit=many":                "limit",
			"colour=red":                "colour",
			"employees[about]=5":        "employees[about]",
			"employees[gte]=lots":       "employees[gte]",
			"created_at[gte]=yesterday": "created_at[gte]",
			"sort=nonsense":             "sort",
			"status=hot":                "status",
		} {
			r := h.must(http.StatusBadRequest, "GET", "/api/v1/leads?"+param, adminToken, nil)
			require.Contains(t, r.FieldErrors(), field, param)
		}
		first := h.must(200, "GET", "/api/v1/leads?limit=2&sort=email", adminToken, nil)
		r := h.must(400, "GET", "/api/v1/leads?limit=2&sort=-email&cursor="+first.Body["next_cursor"].(string), adminToken, nil)
		require.Contains(t, r.FieldErrors()["cursor"], "sort=email")
	})
}

func TestCustomFields(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		h.must(201, "POST", "/api/v1/fields", adminToken, map[string]any{"object": "lead", "name": "tier", "type": "enum", "options": []string{"gold", "silver"}})
		h.must(201, "POST", "/api/v1/fields", adminToken, map[string]any{"object": "leads", "name": "seats", "type": "number", "label": "Seats wanted"})
		h.must(201, "POST", "/api/v1/fields", adminToken, map[string]any{"object": "lead", "name": "trial_ends", "type": "datetime"})
		for body, field := range map[string]string{
			`{"object":"lead","name":"email","type":"string"}`:       "name",
			`{"object":"lead","name":"Bad Name","type":"string"}`:    "name",
			`{"object":"lead","name":"x","type":"colour"}`:           "type",
			`{"object":"lead","name":"y","type":"enum"}`:             "options",
			`{"object":"pipeline","name":"z","type":"string"}`:       "object",
			`{"object":"lead","name":"w","type":"string","extra":1}`: "extra",
			`{"object":"lead","name":"v","type":7}`:                  "type",
		} {
			r := h.must(422, "POST", "/api/v1/fields", adminToken, body)
			require.Contains(t, r.FieldErrors(), field, body)
		}
		defs := h.must(200, "GET", "/api/v1/fields?object=lead", adminToken, nil).Items()
		require.Len(t, defs, 3)

		lead := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "c@x.io", "tier": "gold", "seats": 25, "trial_ends": "2027-01-15T10:00:00+01:00"}).Body
		require.Equal(t, "gold", lead["tier"])
		require.EqualValues(t, 25, lead["seats"])
		require.Equal(t, "2027-01-15T09:00:00.000000Z", lead["trial_ends"])
		h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "d@x.io", "tier": "silver", "seats": 3})
		r := h.must(422, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "e@x.io", "tier": "bronze", "seats": "x"})
		require.Contains(t, r.FieldErrors(), "tier")
		require.Contains(t, r.FieldErrors(), "seats")

		require.Len(t, h.must(200, "GET", "/api/v1/leads?tier=gold", adminToken, nil).Items(), 1)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?seats[gte]=10", adminToken, nil).Items(), 1)
		bySeats := h.must(200, "GET", "/api/v1/leads?sort=seats", adminToken, nil).Items()
		require.Equal(t, "d@x.io", bySeats[0]["email"])

		patched := h.must(200, "PATCH", "/api/v1/leads/"+lead["id"].(string), adminToken, map[string]any{"seats": nil}).Body
		require.Nil(t, patched["seats"])
		doc := h.must(200, "GET", "/api/v1/openapi.json", "", nil).Body
		leadSchema := doc["components"].(map[string]any)["schemas"].(map[string]any)["Lead"].(map[string]any)
		require.Contains(t, leadSchema["properties"], "tier", "the served OpenAPI document includes custom fields")

		h.must(204, "DELETE", "/api/v1/fields/lead/tier", adminToken, nil)
		r = h.must(422, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "f@x.io", "tier": "gold"})
		require.Contains(t, r.FieldErrors(), "tier")
	})
}

func TestTimeline(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		id := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "t@x.io", "status": "new"}).Body["id"].(string)
		h.must(200, "PATCH", "/api/v1/leads/"+id, adminToken, map[string]any{"status": "working", "title": "CFO"})
		h.must(200, "PATCH", "/api/v1/leads/"+id, adminToken, map[string]any{"status": "working"}) // no change, no event
		h.must(201, "POST", "/api/v1/activities", adminToken, map[string]any{"type": "call_logged", "subject": "Intro call",
			"record_type": "lead", "record_id": id, "occurred_at": "2099-01-01T00:00:00Z"})
		h.must(201, "POST", "/api/v1/tasks", adminToken, map[string]any{"title": "Follow up", "type": "email", "record_type": "lead", "record_id": id})
		r := h.must(422, "POST", "/api/v1/tasks", adminToken, map[string]any{"title": "Orphan", "record_type": "lead", "record_id": "nope"})
		require.Contains(t, r.FieldErrors(), "record_id")

		items := h.must(200, "GET", "/api/v1/leads/"+id+"/timeline", adminToken, nil).Items()
		require.Len(t, items, 4)
		require.Equal(t, "activity", items[0]["kind"], "newest first (the call is dated in the future)")
		kinds := []string{items[1]["kind"].(string), items[2]["kind"].(string), items[3]["kind"].(string)}
		require.ElementsMatch(t, []string{"task", "updated", "created"}, kinds)
		for _, it := range items {
			if it["kind"] == "updated" {
				require.Equal(t, "status: new → working; title: ∅ → CFO", it["summary"])
				require.Equal(t, "admin_token:SALESFLOW_ADMIN_TOKEN", it["actor"])
			}
		}
		page1 := h.must(200, "GET", "/api/v1/leads/"+id+"/timeline?limit=3", adminToken, nil)
		require.Len(t, page1.Items(), 3)
		page2 := h.must(200, "GET", "/api/v1/leads/"+id+"/timeline?limit=3&cursor="+page1.Body["next_cursor"].(string), adminToken, nil)
		require.Len(t, page2.Items(), 1)
		require.Equal(t, items[3]["id"], page2.Items()[0]["id"])
		h.must(404, "GET", "/api/v1/leads/nope/timeline", adminToken, nil)
		h.must(400, "GET", "/api/v1/leads/"+id+"/timeline?cursor=zzz", adminToken, nil)
	})
}

func TestTamperedCursorsAreRefused(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		for i := range 3 {
			h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": fmt.Sprintf("c%d@x.io", i), "status": "new"})
			h.must(201, "POST", "/api/v1/tasks", adminToken, map[string]any{"title": fmt.Sprint(i)})
		}
		first := h.must(200, "GET", "/api/v1/leads?limit=1&status=new", adminToken, nil).Body["next_cursor"].(string)
		require.NotEmpty(t, first)
		h.must(200, "GET", "/api/v1/leads?limit=1&status=new&cursor="+first, adminToken, nil)
		forge := func(c map[string]any) string {
			b, _ := json.Marshal(c)
			return base64.RawURLEncoding.EncodeToString(b)
		}
		var good map[string]any
		raw, _ := base64.RawURLEncoding.DecodeString(first)
		require.NoError(t, json.Unmarshal(raw, &good))
		with := func(k string, v any) map[string]any { c := maps.Clone(good); c[k] = v; return c }
		taskCursor := h.must(200, "GET", "/api/v1/tasks?limit=1", adminToken, nil).Body["next_cursor"].(string)
		for name, path := range map[string]string{
			"bool for a datetime":   "/api/v1/leads?limit=1&status=new&cursor=" + forge(with("v", true)),
			"number for a datetime": "/api/v1/leads?limit=1&status=new&cursor=" + forge(with("v", 1e308)),
			"another object's":      "/api/v1/leads?limit=1&cursor=" + taskCursor,
			"other filters":         "/api/v1/leads?limit=1&status=working&cursor=" + first,
			"no filters":            "/api/v1/leads?limit=1&cursor=" + first,
			"number for email":      "/api/v1/leads?limit=1&sort=email&cursor=" + forge(map[string]any{"s": "email", "v": 5, "id": "x", "o": "lead", "q": good["q"]}),
		} {
			r := h.call("GET", path, adminToken, nil)
			require.Equal(t, 400, r.Status, "%s: %s", name, r.Raw)
			require.Contains(t, r.FieldErrors(), "cursor", name)
		}
		r := h.must(400, "GET", "/api/v1/leads?sort=email&sort=-email", adminToken, nil)
		require.Contains(t, r.FieldErrors(), "sort")
		r = h.must(400, "GET", "/api/v1/leads?sort=email;x", adminToken, nil)
		require.Contains(t, r.FieldErrors(), "query")
		r = h.must(400, "GET", "/api/v1/leads?owner=me", adminToken, nil)
		require.Contains(t, r.FieldErrors(), "owner")
	})
}
