package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.must(http.StatusUnauthorized, "GET", "/api/v1/leads", "", nil)
		require.Equal(t, `Bearer realm="salesflow"`, r.Header.Get("WWW-Authenticate"))
		h.must(http.StatusUnauthorized, "GET", "/api/v1/leads", "sf_not_a_token", nil)
		h.must(http.StatusUnauthorized, "POST", "/api/v1/leads", "", map[string]any{"email": "a@b.co"})
		require.Zero(t, h.count("/api/v1/leads"), "a refused request writes nothing")
		me := h.must(http.StatusOK, "GET", "/api/v1/me", adminToken, nil)
		require.Equal(t, "admin", me.Body["role"])

		_, repTok := h.user("rita@example.com", "rep", "")
		require.Equal(t, "rep", h.must(http.StatusOK, "GET", "/api/v1/me", repTok, nil).Body["role"])
		tokens := h.must(http.StatusOK, "GET", "/api/v1/tokens", adminToken, nil).Items()
		require.Len(t, tokens, 1)
		require.NotContains(t, tokens[0], "token", "secrets are never listed")
		h.must(http.StatusForbidden, "GET", "/api/v1/tokens", repTok, nil)
		h.must(http.StatusNoContent, "DELETE", "/api/v1/tokens/"+tokens[0]["id"].(string), adminToken, nil)
		h.must(http.StatusUnauthorized, "GET", "/api/v1/me", repTok, nil)
	})
}

func TestCreateLeadNormalises(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{
			"first_name": "Ada", "last_name": "Lovelace", "email": "  Ada <Ada.Lovelace@Analytical-Engines.CO.UK> ",
			"phone": "020 7946 0958", "country": "gb", "company": "Analytical Engines", "employees": 42,
		})
		lead := r.Body
		require.Equal(t, "ada.lovelace@analytical-engines.co.uk", lead["email"])
		require.Equal(t, "+442079460958", lead["phone"], "a national number is read in the lead's country")
		require.Equal(t, "GB", lead["country"])
		require.Equal(t, "analytical-engines.co.uk", lead["company_domain"])
		require.Equal(t, "new", lead["status"])
		require.EqualValues(t, 42, lead["employees"])
		require.Contains(t, lead, "owner_id")
		require.Contains(t, lead, "created_at")
		require.Equal(t, "/api/v1/leads/"+lead["id"].(string), r.Header.Get("Location"))

		got := h.must(http.StatusOK, "GET", "/api/v1/leads/"+lead["id"].(string), adminToken, nil).Body
		require.Equal(t, lead, got)

		web := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{
			"email": "sam@gmail.com", "website": "WWW.Bluepeak.io/about"}).Body
		require.Equal(t, "https://www.bluepeak.io/about", web["website"])
		require.Equal(t, "bluepeak.io", web["company_domain"], "the website wins over a free-mail address")
		free := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "kim@outlook.com"}).Body
		require.Nil(t, free["company_domain"], "a free-mail domain is not a company")
	})
}

func TestBadInputNamesTheFieldAndChangesNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		cases := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"bad email", map[string]any{"email": "not-an-email"}, 422, "email"},
			{"email without domain dot", map[string]any{"email": "a@localhost"}, 422, "email"},
			{"bad phone", map[string]any{"email": "p@x.io", "phone": "12"}, 422, "phone"},
			{"unknown field", map[string]any{"email": "u@x.io", "favourite_colour": "red"}, 422, "favourite_colour"},
			{"read-only field", map[string]any{"email": "r@x.io", "id": "mine"}, 422, "id"},
			{"wrong type", map[string]any{"email": "w@x.io", "employees": "many"}, 422, "employees"},
			{"bool for string", map[string]any{"email": "b@x.io", "company": true}, 422, "company"},
			{"enum", map[string]any{"email": "e@x.io", "status": "hot"}, 422, "status"},
			{"unknown owner", map[string]any{"email": "o@x.io", "owner_id": "nope"}, 422, "owner_id"},
			{"bad country", map[string]any{"email": "c@x.io", "country": "Germany"}, 422, "country"},
			{"bad timezone", map[string]any{"email": "t@x.io", "timezone": "Mars/Base"}, 422, "timezone"},
			{"malformed JSON", `{"email": "m@x.io",`, 400, "body"},
			{"JSON array", `[{"email": "a@x.io"}]`, 400, "body"},
			{"trailing data", `{"email": "a@x.io"} {}`, 400, "body"},
			{"empty body", ``, 400, "body"},
			{"oversize", `{"email":"big@x.io","company":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "body"},
		}
		for _, c := range cases {
			r := h.call("POST", "/api/v1/leads", adminToken, c.body)
			require.Equal(t, c.status, r.Status, "%s: %s", c.name, r.Raw)
			require.Contains(t, r.FieldErrors(), c.field, "%s: %s", c.name, r.Raw)
			require.Equal(t, float64(c.status), r.Body["status"], c.name)
		}
		require.Zero(t, h.count("/api/v1/leads"), "no bad request created a lead")

		several := h.must(422, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "x", "phone": "1", "status": "?"})
		require.Len(t, several.FieldErrors(), 3, "every problem is reported at once: %s", several.Raw)

		lead := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "keep@x.io", "company": "Keep"}).Body
		id := lead["id"].(string)
		h.must(422, "PATCH", "/api/v1/leads/"+id, adminToken, map[string]any{"company": "Changed", "email": "broken"})
		require.Equal(t, "Keep", h.must(200, "GET", "/api/v1/leads/"+id, adminToken, nil).Body["company"], "a failed patch changes nothing")
		h.must(404, "GET", "/api/v1/leads/no-such-id", adminToken, nil)
		h.must(404, "PATCH", "/api/v1/leads/no-such-id", adminToken, map[string]any{"company": "x"})
		h.must(404, "GET", "/api/v1/widgets", adminToken, nil)
	})
}

func TestSQLMetacharactersAreData(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		evil := `Robert'); DROP TABLE leads;-- "%_\`
		lead := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{
			"email": "bobby@tables.io", "first_name": evil, "last_name": evil, "company": evil, "title": evil, "source": evil}).Body
		require.Equal(t, evil, lead["company"])
		h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "other@x.io", "company": "Plain"})
		q := "/api/v1/leads?q=" + urlEncode(`'); DROP`)
		require.Len(t, h.must(200, "GET", q, adminToken, nil).Items(), 1)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?company="+urlEncode(evil), adminToken, nil).Items(), 1)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?q=%25", adminToken, nil).Items(), 1, "%% in a search is a literal")
		require.Equal(t, 2, h.count("/api/v1/leads"))
		r := h.call("GET", "/api/v1/leads?sort="+urlEncode("company; DROP TABLE leads"), adminToken, nil)
		require.Equal(t, 400, r.Status)
		require.Contains(t, r.FieldErrors(), "sort")
		require.Equal(t, 2, h.count("/api/v1/leads"))
	})
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		body := map[string]any{"email": "once@x.io"}
		first := h.must(201, "POST", "/api/v1/leads", adminToken, body, "Idempotency-Key", "k-1")
		again := h.must(201, "POST", "/api/v1/leads", adminToken, body, "Idempotency-Key", "k-1")
		require.Equal(t, first.Body["id"], again.Body["id"])
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		r := h.must(422, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "other@x.io"}, "Idempotency-Key", "k-1")
		require.Contains(t, r.FieldErrors(), "Idempotency-Key")

		// Concurrent first uses of one key create one record.
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Go(func() {
				r := h.call("POST", "/api/v1/leads", adminToken, map[string]any{"email": "race@x.io"}, "Idempotency-Key", "k-race")
				if r.Status == 201 {
					ids[i] = r.Body["id"].(string)
				} else {
					ids[i] = fmt.Sprintf("status %d: %s", r.Status, r.Raw)
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			require.Equal(t, ids[0], id)
		}
		require.Equal(t, 2, h.count("/api/v1/leads"))
	})
}

func TestLeadDedupe(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		first := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "dup@x.io", "company": "One"}).Body
		r := h.must(409, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "DUP@x.io", "company": "Two"})
		require.Equal(t, first["id"], r.Body["existing_id"])
		require.Contains(t, r.FieldErrors(), "email")
		require.Contains(t, r.Body["detail"], first["id"])

		h.must(200, "PATCH", "/api/v1/settings", adminToken, map[string]any{"lead_dedupe": "merge"})
		merged := h.must(200, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "dup@x.io", "company": "Two", "title": "CTO"}).Body
		require.Equal(t, first["id"], merged["id"])
		require.Equal(t, "Two", merged["company"])
		require.Equal(t, "CTO", merged["title"])
		require.Equal(t, 1, h.count("/api/v1/leads"))
		r = h.must(422, "PATCH", "/api/v1/settings", adminToken, map[string]any{"lead_dedupe": "sometimes"})
		require.Contains(t, r.FieldErrors(), "lead_dedupe")
	})
}

func TestRoles(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		team := h.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "SDR", "kind": "sdr"}).Body["id"].(string)
		other := h.must(201, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "AE", "kind": "ae"}).Body["id"].(string)
		mgr, mgrTok := h.user("mona@x.io", "manager", team)
		h.must(200, "PATCH", "/api/v1/teams/"+team, adminToken, map[string]any{"manager_id": mgr})
		rep1, rep1Tok := h.user("rep1@x.io", "rep", team)
		rep2, rep2Tok := h.user("rep2@x.io", "rep", other)

		own := h.must(201, "POST", "/api/v1/leads", rep1Tok, map[string]any{"email": "l1@x.io"}).Body
		require.Equal(t, rep1, own["owner_id"], "a rep's new lead is theirs")
		lead := own["id"].(string)
		theirs := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "l2@x.io", "owner_id": rep2}).Body["id"].(string)

		h.must(200, "GET", "/api/v1/leads/"+theirs, rep1Tok, nil) // reps read everything
		r := h.must(403, "PATCH", "/api/v1/leads/"+lead, rep2Tok, map[string]any{"status": "working"})
		require.Contains(t, r.Body["detail"], "belongs to another user")
		h.must(403, "DELETE", "/api/v1/leads/"+lead, rep2Tok, nil)
		h.must(403, "POST", "/api/v1/leads", rep2Tok, map[string]any{"email": "l3@x.io", "owner_id": rep1})
		h.must(200, "PATCH", "/api/v1/leads/"+lead, rep1Tok, map[string]any{"status": "working"})
		h.must(200, "PATCH", "/api/v1/leads/"+lead, mgrTok, map[string]any{"status": "nurturing"})
		h.must(403, "PATCH", "/api/v1/leads/"+theirs, mgrTok, map[string]any{"status": "working"})

		for _, path := range []string{"/api/v1/users", "/api/v1/teams", "/api/v1/pipelines"} {
			h.must(403, "POST", path, mgrTok, map[string]any{"name": "x", "email": "x@x.io", "stages": []string{"a"}})
		}
		h.must(403, "POST", "/api/v1/fields", rep1Tok, map[string]any{"object": "lead", "name": "tier", "type": "string"})
		h.must(403, "PATCH", "/api/v1/settings", mgrTok, map[string]any{"lead_dedupe": "merge"})
		h.must(403, "POST", "/api/v1/tokens", mgrTok, map[string]any{"role": "admin"})
		require.Equal(t, "nurturing", h.must(200, "GET", "/api/v1/leads/"+lead, rep2Tok, nil).Body["status"])
	})
}

func TestDeleteAndReferences(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		acct := h.must(201, "POST", "/api/v1/accounts", adminToken, map[string]any{"name": "Bluepeak", "website": "https://bluepeak.io"}).Body
		require.Equal(t, "bluepeak.io", acct["domain"])
		id := acct["id"].(string)
		h.must(201, "POST", "/api/v1/contacts", adminToken, map[string]any{"email": "c@bluepeak.io", "account_id": id})
		r := h.must(409, "DELETE", "/api/v1/accounts/"+id, adminToken, nil)
		require.Contains(t, r.Body["detail"], "still referenced")
		r = h.must(409, "POST", "/api/v1/accounts", adminToken, map[string]any{"name": "Other", "domain": "bluepeak.io"})
		require.Contains(t, r.FieldErrors(), "domain")

		lead := h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "gone@x.io"}).Body["id"].(string)
		h.must(204, "DELETE", "/api/v1/leads/"+lead, adminToken, nil)
		h.must(404, "GET", "/api/v1/leads/"+lead, adminToken, nil)
		h.must(404, "DELETE", "/api/v1/leads/"+lead, adminToken, nil)
	})
}

func TestDealsFollowTheirPipeline(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.must(422, "POST", "/api/v1/deals", adminToken, map[string]any{"name": "No pipeline yet"})
		require.Contains(t, r.FieldErrors(), "pipeline_id")
		r = h.must(422, "POST", "/api/v1/pipelines", adminToken, map[string]any{"name": "P", "stages": []any{"a", "a"}})
		require.Contains(t, r.FieldErrors(), "stages")
		pipe := h.must(201, "POST", "/api/v1/pipelines", adminToken, map[string]any{"name": "New business", "stages": []any{
			"Discovery", map[string]any{"name": "Proposal", "probability": 50}, map[string]any{"name": "Won", "won": true}}}).Body
		deal := h.must(201, "POST", "/api/v1/deals", adminToken, map[string]any{"name": "Big one", "amount": 12000.5, "close_date": "2027-03-31"}).Body
		require.Equal(t, pipe["id"], deal["pipeline_id"], "the first pipeline is the default")
		require.Equal(t, "Discovery", deal["stage"], "a new deal starts in the first stage")
		require.Equal(t, "USD", deal["currency"])
		r = h.must(422, "PATCH", "/api/v1/deals/"+deal["id"].(string), adminToken, map[string]any{"stage": "Lost in space"})
		require.Contains(t, r.FieldErrors()["stage"], "Discovery, Proposal, Won")
		h.must(200, "PATCH", "/api/v1/deals/"+deal["id"].(string), adminToken, map[string]any{"stage": "Proposal"})
		r = h.must(422, "POST", "/api/v1/deals", adminToken, map[string]any{"name": "x", "close_date": "2027-02-30"})
		require.Contains(t, r.FieldErrors(), "close_date")
	})
}

func TestUnknownRoutesAreProblems(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	for path, want := range map[string]int{"/api/v1/leads/x/foo": 404, "/api/nothing": 404} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, want, res.StatusCode, path)
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), path)
	}
	req, _ := http.NewRequest("PUT", srv.URL+"/api/v1/leads", nil)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 405, res.StatusCode)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Allow"), "GET")
	req, _ = http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "bearer "+adminToken)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode, "the auth scheme is case-insensitive")
}

func newServer(t *testing.T) (*harness, *httptest.Server) {
	srv, a := apptest.Server(t, "sqlite")
	return &harness{t: t, srv: srv, svc: a.Service}, srv
}

func TestSearchFoldsUnicode(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, h *harness) {
		h.must(201, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "e@x.io", "first_name": "ÉMILE", "company": "Ärzte GmbH"})
		require.Len(t, h.must(200, "GET", "/api/v1/leads?q="+urlEncode("émile"), adminToken, nil).Items(), 1)
		require.Len(t, h.must(200, "GET", "/api/v1/leads?q="+urlEncode("ärzte"), adminToken, nil).Items(), 1)
		h.must(201, "POST", "/api/v1/fields", adminToken, map[string]any{"object": "user", "name": "region", "type": "string"})
		u := h.must(201, "POST", "/api/v1/users", adminToken, map[string]any{"email": "r@x.io", "name": "R", "region": "EMEA"}).Body
		require.Equal(t, "EMEA", u["region"], "users take custom fields too")
	})
}
