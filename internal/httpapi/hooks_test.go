package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/crm"
)

func TestFormWebhook(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		form := h.must(201, "POST", "/api/v1/forms", adminToken, map[string]any{"name": "website-demo", "source": "demo_request"}).Body
		secret := form["secret"].(string)
		require.True(t, strings.HasPrefix(secret, "whsec_"))
		listed := h.must(200, "GET", "/api/v1/forms", adminToken, nil).Items()
		require.NotContains(t, listed[0], "secret", "secrets are shown once")
		h.must(409, "POST", "/api/v1/forms", adminToken, map[string]any{"name": "website-demo"})

		body := `{"email":"Jo@Bluepeak.io","first_name":"Jo","company":"Bluepeak","page":"/pricing","utm_campaign":"q4"}`
		sig := crm.Sign(secret, []byte(body))

		for name, c := range map[string]struct{ path, sig, body string }{
			"missing signature": {"/hooks/forms/website-demo", "", body},
			"wrong signature":   {"/hooks/forms/website-demo", crm.Sign("whsec_other", []byte(body)), body},
			"tampered body":     {"/hooks/forms/website-demo", sig, strings.Replace(body, "Jo", "Al", 1)},
			"unknown form":      {"/hooks/forms/other", sig, body},
			"bad JSON, no sig":  {"/hooks/forms/website-demo", "", `{"email":`},
		} {
			r := h.call("POST", c.path, "", c.body, "X-Salesflow-Signature", c.sig)
			require.Equal(t, http.StatusUnauthorized, r.Status, "%s: %s", name, r.Raw)
			require.Contains(t, r.FieldErrors(), "X-Salesflow-Signature", name)
		}
		require.Zero(t, h.count("/api/v1/leads"), "a refused submission writes nothing")
		require.Zero(t, h.count("/api/v1/activities"))

		r := h.must(201, "POST", "/hooks/forms/website-demo", "", body, "X-Salesflow-Signature", sig)
		require.Equal(t, true, r.Body["created"])
		leadID := r.Body["lead_id"].(string)
		lead := h.must(200, "GET", "/api/v1/leads/"+leadID, adminToken, nil).Body
		require.Equal(t, "jo@bluepeak.io", lead["email"])
		require.Equal(t, "demo_request", lead["source"], "the form's source")
		acts := h.must(200, "GET", "/api/v1/activities?record_id="+leadID, adminToken, nil).Items()
		require.Len(t, acts, 1)
		require.Equal(t, "form_submitted", acts[0]["type"])
		require.Equal(t, "/pricing", acts[0]["data"].(map[string]any)["page"], "fields that are not lead fields stay on the activity")

		again := `{"email":"jo@bluepeak.io","title":"VP Sales"}`
		r = h.must(200, "POST", "/hooks/forms/website-demo", "", again, "X-Salesflow-Signature", crm.Sign(secret, []byte(again)))
		require.Equal(t, leadID, r.Body["lead_id"])
		require.Equal(t, "VP Sales", h.must(200, "GET", "/api/v1/leads/"+leadID, adminToken, nil).Body["title"])
		require.Equal(t, 1, h.count("/api/v1/leads"))
		require.Equal(t, 2, h.count("/api/v1/activities"))

		bad := `{"first_name":"No email"}`
		r = h.must(422, "POST", "/hooks/forms/website-demo", "", bad, "X-Salesflow-Signature", crm.Sign(secret, []byte(bad)))
		require.Contains(t, r.FieldErrors(), "email")
		badJSON := `{"email":`
		r = h.must(400, "POST", "/hooks/forms/website-demo", "", badJSON, "X-Salesflow-Signature", crm.Sign(secret, []byte(badJSON)))
		require.Contains(t, r.FieldErrors(), "body")
		require.Equal(t, 2, h.count("/api/v1/activities"))
	})
}
