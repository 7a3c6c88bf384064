package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestActivityDataIsCheckedJSON sends activity data that one of the databases could store but not read
// back (or not store at all), and checks that it is refused with the field named and that every list
// of activities still answers afterwards.
func TestActivityDataIsCheckedJSON(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		lead := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "ann@acme.com"}).Body["id"].(string)
		activity := func(extra string) string {
			return fmt.Sprintf(`{"type":"note","subject":"s","record_type":"lead","record_id":%q%s}`, lead, extra)
		}
		for extra, want := range map[string][2]string{
			`,"data":{"x":1e400}`:                        {"data", "number 1e400 is out of range"},
			`,"data":{"x":[1,-1e400]}`:                   {"data", "number -1e400 is out of range"},
			`,"data":{"s":"a\u0000b"}`:                   {"data", `strings must be valid UTF-8 without NUL (\u0000)`},
			`,"data":{"k\u0000":1}`:                      {"data", `key "k\x00": keys must be valid UTF-8 without NUL (\u0000)`},
			`,"occurred_at":"9999-12-31T23:00:00-05:00"`: {"occurred_at", `"9999-12-31T23:00:00-05:00" is outside the years 0001 to 9999 (in UTC)`},
		} {
			r := h.must(http.StatusUnprocessableEntity, "POST", "/api/v1/activities", adminToken, activity(extra))
			require.Equal(t, map[string]string{want[0]: want[1]}, r.FieldErrors(), extra)
		}

		ok := h.must(http.StatusCreated, "POST", "/api/v1/activities", adminToken,
			activity(`,"data":{"n":12345678901234567890,"small":1e-400,"list":[1.5,"x",true,null,{}],"s":"Zoë"}`)).Body
		want := map[string]any{"n": 12345678901234567890.0, "small": 0.0, "list": []any{1.5, "x", true, nil, map[string]any{}}, "s": "Zoë"}
		require.Equal(t, want, ok["data"])
		got := h.must(http.StatusOK, "GET", "/api/v1/activities/"+ok["id"].(string), adminToken, nil).Body
		require.Equal(t, ok, got, "what is stored is what was answered")

		items := h.must(http.StatusOK, "GET", "/api/v1/activities", adminToken, nil).Items()
		require.Len(t, items, 1)
		h.must(http.StatusOK, "GET", "/api/v1/activities?sort=-created_at&limit=500", adminToken, nil)
		h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead+"/timeline", adminToken, nil)
	})
}

// TestBodyEncoding checks that bytes encoding/json would quietly repair or drop are refused.
func TestBodyEncoding(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.must(http.StatusBadRequest, "POST", "/api/v1/leads", adminToken, []byte("{\"email\":\"a@b.co\",\"first_name\":\"An\xff\xfen\"}"))
		require.Equal(t, map[string]string{"body": "is not valid UTF-8"}, r.FieldErrors())

		r = h.must(http.StatusBadRequest, "POST", "/api/v1/leads", adminToken, `{"email":"a@b.co","first_name":"Ann","email":"c@d.co"}`)
		require.Equal(t, map[string]string{"email": "appears twice"}, r.FieldErrors())

		r = h.must(http.StatusBadRequest, "POST", "/api/v1/leads/batch", adminToken,
			`{"records":[{"email":"a@b.co"},{"email":"c@d.co","title":"x","title":"y"}]}`)
		require.Equal(t, map[string]string{"records[1].title": "appears twice"}, r.FieldErrors())
		require.Zero(t, h.count("/api/v1/leads"), "a refused body writes nothing")

		id := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, `{"email":"a@b.co"}`).Body["id"].(string)
		r = h.must(http.StatusBadRequest, "PATCH", "/api/v1/leads/"+id, adminToken, `{"title":"a","title":"b"}`)
		require.Equal(t, map[string]string{"title": "appears twice"}, r.FieldErrors())
	})
}
