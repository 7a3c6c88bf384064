package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// fixture is a server with a team, a rep with a token, a workflow that gives the rep a call task, and a
// lead waiting on it.
type fixture struct {
	ts                *httptest.Server
	a                 *app.App
	api               *client.Client
	repTok, repID     string
	teamID            string
	mgrTok            string
	lead, task, runID string
}

const callFlow = `kind: workflow
name: call-new
owner: ops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created, when: lead.source == "web" }
steps:
  - id: call
    task: { type: call, owner: lead.owner, title: "Call {{ lead.email }}", why: "A web lead; call within the hour.", due: 1h, outcomes: [connected, voicemail] }
  - if: steps.call.outcome == "connected"
    then: [{ action: set, with: { status: working } }]
    else: [{ stop: no connect }]
---
kind: workflow
name: breaks
owner: ops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created, when: lead.source == "broken" }
steps:
  - action: webhook
    with: { url: "http://10.255.255.1/hook", body: "{}" }
`

func setup(t *testing.T) *fixture {
	t.Helper()
	return setupAt(t, nil)
}

// setupAt is setup on a clock (nil: the real one).
func setupAt(t *testing.T, now func() time.Time) *fixture {
	t.Helper()
	a := apptest.OpenWith(t, "sqlite", func(c *app.Config) { c.Now = now })
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(ts.Close)
	f := &fixture{ts: ts, a: a, api: client.New(ts.URL, apptest.AdminToken, ts.Client())}
	ctx := t.Context()
	must := func(m map[string]any, err error) map[string]any {
		t.Helper()
		require.NoError(t, err)
		return m
	}
	must(f.api.Create(ctx, "users", map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"}, ""))
	mgr := must(f.api.Create(ctx, "users", map[string]any{"email": "mia@example.com", "name": "Mia Manager", "role": "manager"}, ""))
	team := must(f.api.Create(ctx, "teams", map[string]any{"name": "SDR", "manager_id": mgr["id"]}, ""))
	f.teamID = team["id"].(string)
	rep := must(f.api.Create(ctx, "users", map[string]any{"email": "sam@example.com", "name": "Sam Rep", "team_id": team["id"]}, ""))
	f.repID = rep["id"].(string)
	f.repTok = must(f.api.Create(ctx, "tokens", map[string]any{"role": "rep", "user": "sam@example.com"}, ""))["token"].(string)
	f.mgrTok = must(f.api.Create(ctx, "tokens", map[string]any{"role": "manager", "user": "mia@example.com"}, ""))["token"].(string)
	_, err := a.Engine.Drain(ctx)
	require.NoError(t, err)
	admin := auth.Actor{Kind: auth.KindAdminToken, ID: "test", Role: auth.Admin}
	_, diags, err := a.Definitions.Apply(ctx, admin, []workflow.Source{{File: "flows.yaml", Content: []byte(callFlow)}})
	require.NoError(t, err, "%v", diags)
	f.lead = must(f.api.Create(ctx, "leads", map[string]any{"email": "ann@acme.com", "first_name": "Ann", "company": "Acme", "source": "web", "owner_id": f.repID}, ""))["id"].(string)
	must(f.api.Create(ctx, "leads", map[string]any{"email": "bo@acme.com", "source": "broken"}, ""))
	for range 8 { // the failing webhook's retries
		_, err = a.Engine.Drain(ctx)
		require.NoError(t, err)
	}
	runs, err := a.Engine.Runs(ctx, store.RunFilter{Workflow: "call-new", Limit: 10})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	f.runID, f.task = runs[0].ID, runs[0].WaitKey
	return f
}

// browserClient is an HTTP client with a cookie jar that does not follow redirects.
func browserClient(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t testing.TB, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func signIn(t testing.TB, c *http.Client, base, token string) *http.Response {
	t.Helper()
	res, err := c.PostForm(base+"/signin", url.Values{"token": {token}})
	require.NoError(t, err)
	res.Body.Close()
	return res
}

func TestPagesAndRoles(t *testing.T) {
	f := setup(t)
	c := browserClient(t)
	code, _, h := get(t, c, f.ts.URL+"/inbox")
	require.Equal(t, http.StatusSeeOther, code)
	require.Equal(t, "/signin?next=%2Finbox", h.Get("Location"))

	res := signIn(t, c, f.ts.URL, "not-a-token")
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	res = signIn(t, c, f.ts.URL, f.repTok)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	ck := res.Cookies()[0]
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	require.NotEqual(t, f.repTok, ck.Value, "the cookie holds a session of its own, not the token typed in")
	require.Equal(t, int(crm.SessionTTL.Seconds()), ck.MaxAge, "the session lasts SessionTTL by the server's clock, whatever the browser's says")
	res = signIn(t, browserClient(t), f.ts.URL, ck.Value)
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "a copied session cannot start another")
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/tasks", nil)
	req.Header.Set("Authorization", "Bearer "+ck.Value)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "a session opens no API")

	code, body, h := get(t, c, f.ts.URL+"/inbox")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Call ann@acme.com")
	require.Contains(t, body, "A web lead; call within the hour.")
	require.Contains(t, body, "Sam Rep (rep)")
	require.Contains(t, h.Get("Content-Security-Policy"), "default-src 'self'")
	require.NotRegexp(t, regexp.MustCompile(`(src|href)="(https?:)?//`), body, "no asset from another host")

	code, body, _ = get(t, c, f.ts.URL+"/workflows/call-new")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "<svg")
	require.Contains(t, body, "task · call")
	require.Contains(t, body, `data-addr="2/then/1"`)
	require.Regexp(t, `1 runs waiting`, body)

	code, body, _ = get(t, c, f.ts.URL+"/runs?status=failed")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<option value="breaks">breaks</option>`, "the workflow filter lists the workflows")
	require.Contains(t, body, "breaks")
	failed := regexp.MustCompile(`href="/runs/([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, failed)
	code, body, _ = get(t, c, f.ts.URL+"/runs/"+failed[1])
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "failed")
	require.NotContains(t, body, `id="retry"`, "a rep cannot retry runs")
	require.Contains(t, body, `<pre><strong>decision</strong>
attempt: 1
max_attempts: 5</pre>`, "a step's record reads as key: value lines")
	require.Contains(t, body, `id="run-record">lead bo@acme.com</a>`, "the run names and links its record")
	require.NotContains(t, body, "<td>1<div", "an unnamed step is named by its place")
	require.Contains(t, body, "<td>at 1<div")

	code, body, _ = get(t, c, f.ts.URL+"/inbox?owner=nobody-else")
	require.Equal(t, http.StatusForbidden, code, body)

	// A manager sees the retry button and the team's queue.
	m := browserClient(t)
	signIn(t, m, f.ts.URL, f.mgrTok)
	_, body, _ = get(t, m, f.ts.URL+"/runs/"+failed[1])
	require.Contains(t, body, `id="retry"`)
	code, _, _ = get(t, m, f.ts.URL+"/inbox")
	require.Equal(t, http.StatusOK, code)
	_, body, _ = get(t, m, f.ts.URL+"/inbox?team="+f.teamID)
	require.Contains(t, body, "· Sam Rep", "a team queue's cards say whose task it is")
	res, err = m.PostForm(f.ts.URL+"/runs/"+failed[1]+"/retry", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	res, err = m.PostForm(f.ts.URL+"/runs/"+failed[1]+"/retry", nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusConflict, res.StatusCode, "a second retry of a run already going is a conflict, not a server error")
	require.Contains(t, string(b), "<h1>Not now</h1>")

	// A cross-site form post is refused (CSRF); the same post from the page is not.
	req, _ = http.NewRequest("POST", f.ts.URL+"/inbox/tasks/"+f.task+"/skip", strings.NewReader(""))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = c.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	// Signing out forgets the cookie and ends the session: a copy of the cookie is worthless after it,
	// while the token typed in still works.
	res, err = c.PostForm(f.ts.URL+"/signout", nil)
	require.NoError(t, err)
	res.Body.Close()
	code, _, _ = get(t, c, f.ts.URL+"/inbox")
	require.Equal(t, http.StatusSeeOther, code)
	stolen := browserClient(t)
	base, _ := url.Parse(f.ts.URL)
	stolen.Jar.SetCookies(base, []*http.Cookie{{Name: ck.Name, Value: ck.Value}})
	code, _, _ = get(t, stolen, f.ts.URL+"/inbox")
	require.Equal(t, http.StatusSeeOther, code, "the session was revoked, not only forgotten")
	req, _ = http.NewRequest("GET", f.ts.URL+"/api/v1/tasks", nil)
	req.Header.Set("Authorization", "Bearer "+f.repTok)
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "signing out does not revoke the token typed in")

	code, body, _ = get(t, c, f.ts.URL+"/no/such/page")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, body, "There is no page")
}
