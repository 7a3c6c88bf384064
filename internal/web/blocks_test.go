package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/auth"
)

const fitModel = `kind: scoring
name: fit
fit:
  - when: lead.source == "web"
    points: 20
  - when: lead.employees >= 200.0
    points: 15
engagement:
  half_life: 30d
  rules:
    - on: activity.type == "email_received"
      points: 5
      max: 15
grades: { A: 30, B: 10 }
thresholds:
  - name: mql
    at: 25
`

func TestRoutingAndScoringPages(t *testing.T) {
	f := setup(t)
	ctx := t.Context()
	c := browserClient(t)
	signIn(t, c, f.ts.URL, f.mgrTok)
	_, body, _ := get(t, c, f.ts.URL+"/routing")
	require.Contains(t, body, "No routing rulesets yet.")

	_, err := f.api.Apply(ctx, []client.File{{Name: "sdr.routing.yaml", Content: sdrRouting}, {Name: "fit.scoring.yaml", Content: fitModel}})
	require.NoError(t, err)
	_, err = f.api.Create(ctx, "users", map[string]any{"email": "al@example.com", "name": "Al Away", "team_id": f.teamID,
		"out_of_office_until": "2099-01-01T00:00:00Z"}, "")
	require.NoError(t, err)
	_, err = f.api.Route(ctx, "leads", f.lead, "sdr-rr", false)
	require.NoError(t, err)
	admin := auth.Actor{Kind: auth.KindAdminToken, ID: "test", Role: auth.Admin}
	_, err = f.a.Engine.Score(ctx, admin, "fit", f.lead)
	require.NoError(t, err)

	code, body, _ := get(t, c, f.ts.URL+"/routing")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `href="/routing/sdr-rr"`)
	code, body, _ = get(t, c, f.ts.URL+"/routing/sdr-rr")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "round robin of team SDR")
	require.Contains(t, body, `<span class="badge unavailable">unavailable</span> <span class="muted">is out of office until Thu 1 Jan 2099 00:00 UTC</span>`)
	require.Contains(t, body, `Sam Rep<div class="muted">had the last turn</div>`, "the rotation state shows who went last")
	require.Contains(t, body, "at most 5 a day each")
	require.Contains(t, body, `<a href="/leads/`+f.lead+`">Ann</a> → Sam Rep (rule everyone)`, "recent assignments with their records")
	require.Contains(t, body, "Chose Sam Rep")

	code, body, _ = get(t, c, f.ts.URL+"/scoring/fit")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Grades of 1 scored leads")
	require.Contains(t, body, `<td>B</td><td>10</td><td>1</td>`, "the web lead scores 20: a B")
	require.Contains(t, body, `<td>A</td><td>30</td><td>0</td>`)
	require.Contains(t, body, `<td>C</td><td>under 10</td><td>0</td>`, "the grade under the lowest named one has its row")
	require.Contains(t, body, "mql at 25")
	require.Contains(t, body, `<code>lead.source == &#34;web&#34;</code>`)
	require.Contains(t, body, "Half-life: 30 days.")

	_, err = f.api.Apply(ctx, []client.File{{Name: "fit.scoring.yaml", Content: strings.Replace(fitModel, "{ A: 30, B: 10 }", "{ A: 30, C: 10 }", 1)}})
	require.NoError(t, err)
	_, body, _ = get(t, c, f.ts.URL+"/scoring/fit")
	require.Contains(t, body, `<td>C</td><td>10</td><td>0</td>`)
	require.Contains(t, body, `<td>D</td><td>under 10</td><td>0</td>`)
	require.Contains(t, body, `<td>B (not in this version; kept until the lead is rescored)</td><td></td><td>1</td>`, "every scored lead has a row")

	code, _, _ = get(t, c, f.ts.URL+"/routing/nope")
	require.Equal(t, http.StatusNotFound, code)
	code, _, _ = get(t, c, f.ts.URL+"/scoring/nope")
	require.Equal(t, http.StatusNotFound, code)
}
