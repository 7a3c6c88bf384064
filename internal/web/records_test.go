package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
)

const sdrRouting = `kind: routing
name: sdr-rr
rules:
  - name: everyone
    pool: { team: SDR, method: round_robin }
pool_rules: { skip_out_of_office: true, daily_cap: 5 }
fallback: { queue: unassigned }
`

func TestSignInReturnsToThePageAskedFor(t *testing.T) {
	f := setup(t)
	c := browserClient(t)
	code, _, h := get(t, c, f.ts.URL+"/runs?status=failed")
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/signin?next="+url.QueryEscape("/runs?status=failed"), h.Get("Location"))
	_, body, _ := get(t, c, f.ts.URL+h.Get("Location"))
	require.Contains(t, body, `name="next" value="/runs?status=failed"`)

	for next, want := range map[string]string{"/runs?status=failed": "/runs?status=failed", "//evil.example/x": "/", "https://evil.example/": "/", `/\evil.example`: "/",
		`/../\evil.example`: "/", "/\t/evil.example": "/", "/%2F%2Fevil.example": "/%2F%2Fevil.example", "/a/../../b?x=1": "/b?x=1",
		"/leads/../inbox": "/inbox", "javascript:alert(1)": "/", "": "/"} {
		res, err := c.PostForm(f.ts.URL+"/signin", url.Values{"token": {f.repTok}, "next": {next}})
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, want, res.Header.Get("Location"), "next=%s", next)
	}
}

func TestDashboard(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) // a Tuesday morning: the call task, due in an hour, is due today
	f := setupAt(t, func() time.Time { return at })
	at = at.Add(time.Minute)
	rep := browserClient(t)
	signIn(t, rep, f.ts.URL, f.repTok)
	code, body, _ := get(t, rep, f.ts.URL+"/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<span class="num" id="leads-today">2</span>`)
	require.Contains(t, body, `<span class="num" id="tasks-due">1</span>`, "the call task is due within the hour")
	require.Contains(t, body, `<span class="num" id="failing">1</span>`)
	require.Contains(t, body, `href="/runs?status=failed&amp;workflow=breaks"`)
	require.Contains(t, body, "of my tasks past due")
	require.Contains(t, body, `<span class="num" id="breaches">0</span>`)
	require.Contains(t, body, "Today <span class=\"muted\">(UTC)</span>")
	require.NotContains(t, body, `id="speed"`, "speed to lead is for managers")

	mgr := browserClient(t)
	signIn(t, mgr, f.ts.URL, f.mgrTok)
	_, body, _ = get(t, mgr, f.ts.URL+"/")
	require.Contains(t, body, `id="speed"`)
	require.Contains(t, body, "over 2 leads")
	require.Contains(t, body, "open SLA breaches")
}

func TestRecordPages(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	_, err := f.api.Apply(ctx, []client.File{{Name: "sdr.routing.yaml", Content: sdrRouting}})
	require.NoError(t, err)
	_, err = f.api.Route(ctx, "leads", f.lead, "sdr-rr", false)
	require.NoError(t, err)
	_, err = f.api.Create(ctx, "pipelines", map[string]any{"name": "New business", "stages": []any{"discovery", "won"}}, "")
	require.NoError(t, err)
	acct, err := f.api.Create(ctx, "accounts", map[string]any{"name": "Acme Corp", "domain": "acme.com", "industry": "Software"}, "")
	require.NoError(t, err)
	_, err = f.api.Create(ctx, "contacts", map[string]any{"email": "ann@acme.com", "first_name": "Ann", "last_name": "Lee", "account_id": acct["id"]}, "")
	require.NoError(t, err)
	_, err = f.api.Create(ctx, "deals", map[string]any{"name": "Acme — platform", "stage": "discovery", "amount": 42000, "account_id": acct["id"]}, "")
	require.NoError(t, err)

	c := browserClient(t)
	signIn(t, c, f.ts.URL, f.repTok)
	code, body, _ := get(t, c, f.ts.URL+"/leads?q=ann")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `href="/leads/`+f.lead+`">Ann</a>`)
	require.NotContains(t, body, "bo@acme.com", "search narrows the list")
	_, body, _ = get(t, c, f.ts.URL+"/leads?status=qualified")
	require.Contains(t, body, "Nothing matches these filters.")
	_, body, _ = get(t, c, f.ts.URL+"/leads?mine=1")
	require.Contains(t, body, "Sam Rep", "owners show by name")
	require.NotContains(t, body, "bo@acme.com", "mine only")

	code, body, _ = get(t, c, f.ts.URL+"/leads/"+f.lead)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "ann@acme.com")
	require.Contains(t, body, "Not scored yet")
	require.Contains(t, body, `href="/routing/sdr-rr"`)
	require.Contains(t, body, "Sam Rep — available")
	require.Contains(t, body, `id="timeline"`)
	require.Contains(t, body, "Call ann@acme.com", "the task shows on the timeline")

	code, body, _ = get(t, c, f.ts.URL+"/accounts/"+acct["id"].(string))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Software")
	require.Contains(t, body, ">Ann Lee</a>", "the account lists its contacts")
	require.Contains(t, body, ">Acme — platform</a>", "and its deals")
	require.Equal(t, 1, strings.Count(body, ">Acme Corp</a>")+strings.Count(body, "<h1>Acme Corp"), "related rows do not repeat the account itself")

	code, body, _ = get(t, c, f.ts.URL+"/deals")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `href="/accounts/`+acct["id"].(string)+`">Acme Corp</a>`, "references link to their record")
	require.Contains(t, body, "<td>42,000 USD</td>", "amounts grouped, with their currency")

	code, body, _ = get(t, c, f.ts.URL+"/contacts?q="+url.QueryEscape("ann  lee"))
	require.Equal(t, http.StatusOK, code)
	contact := regexp.MustCompile(`href="/contacts/([^"]+)">Ann Lee</a>`).FindStringSubmatch(body)
	require.NotNil(t, contact, body)
	require.Contains(t, body, `href="/accounts/`+acct["id"].(string)+`">Acme Corp</a>`)
	code, body, _ = get(t, c, f.ts.URL+"/contacts/"+contact[1])
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "<h2>Deals</h2>")
	require.Contains(t, body, "None yet.", "Ann's contact has no deals of her own")

	_, err = f.api.Update(ctx, "leads", f.lead, map[string]any{"owner_id": nil, "score": 42})
	require.NoError(t, err)
	_, body, _ = get(t, c, f.ts.URL+"/leads/"+f.lead)
	require.Contains(t, body, "Since this decision the owner was changed directly; it is now nobody.")
	require.Contains(t, body, "No breakdown is stored for this score")

	code, _, _ = get(t, c, f.ts.URL+"/contacts/nope")
	require.Equal(t, http.StatusNotFound, code)
}

func TestLeadListPages(t *testing.T) {
	f := setup(t)
	var recs []map[string]any
	for i := range 101 {
		recs = append(recs, map[string]any{"email": fmt.Sprintf("p%03d@example.com", i), "source": "import"})
	}
	_, err := f.api.Batch(t.Context(), "leads", recs)
	require.NoError(t, err)
	c := browserClient(t)
	signIn(t, c, f.ts.URL, f.repTok)
	_, body, _ := get(t, c, f.ts.URL+"/leads?q=example.com")
	require.Equal(t, 100, strings.Count(body, `<tr><td><a href="/leads/`))
	older := regexp.MustCompile(`id="older" href="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, older, "101 leads make two pages")
	_, body, _ = get(t, c, f.ts.URL+html.UnescapeString(older[1]))
	require.Equal(t, 1, strings.Count(body, `<tr><td><a href="/leads/`), "the second page keeps the search")
	require.NotContains(t, body, `id="older"`)
	require.Contains(t, body, `<a href="/leads?q=example.com">Newest leads</a>`)
	_, body, _ = get(t, c, f.ts.URL+"/leads?before=nonsense")
	require.Contains(t, body, "p100@example.com", "a mangled page start is the first page")
}

func TestRecordTimelinePages(t *testing.T) {
	f := setup(t)
	for i := range 101 {
		_, err := f.api.Update(t.Context(), "leads", f.lead, map[string]any{"title": fmt.Sprintf("Title %d", i)})
		require.NoError(t, err)
	}
	zoe, err := f.api.Create(t.Context(), "users", map[string]any{"email": "zoe@example.com", "name": "Zoe Rep"}, "")
	require.NoError(t, err)
	_, err = f.api.Update(t.Context(), "leads", f.lead, map[string]any{"owner_id": zoe["id"], "employees": 12500})
	require.NoError(t, err)
	c := browserClient(t)
	signIn(t, c, f.ts.URL, f.repTok)
	_, body, _ := get(t, c, f.ts.URL+"/leads/"+f.lead)
	require.Contains(t, body, "employees: ∅ → 12,500; owner: Sam Rep → Zoe Rep", "people by name, numbers grouped")
	require.Contains(t, body, "the owner was set directly")
	require.Contains(t, body, "title: Title 99 → Title 100", "the newest first")
	require.NotContains(t, body, "lead created")
	older := regexp.MustCompile(`id="older" href="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, older, "a full page links to older items")
	_, body, _ = get(t, c, f.ts.URL+html.UnescapeString(older[1]))
	require.Contains(t, body, "lead created")
	require.NotContains(t, body, "title: Title 99 → Title 100")

	code, _, h := get(t, c, f.ts.URL+"/leads/"+f.lead+"?before=garbage")
	require.Equal(t, http.StatusSeeOther, code, "a mangled cursor starts over")
	require.Equal(t, "/leads/"+f.lead, h.Get("Location"))
}
