package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
)

// post sends a form the way htmx does and returns the card it answers.
func post(t *testing.T, c *http.Client, u string, form url.Values) string {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestInboxQueuesAndMoves(t *testing.T) {
	f := setup(t)
	rep := browserClient(t)
	signIn(t, rep, f.ts.URL, f.repTok)
	_, body, _ := get(t, rep, f.ts.URL+"/inbox")
	require.Contains(t, body, `<a href="/leads/`+f.lead+`">Ann</a>`, "the card links to its record")
	require.Contains(t, body, "· Acme · ann@acme.com")
	require.Contains(t, body, `<option value="connected">connected</option>`)
	require.Contains(t, body, `<input type="hidden" name="tz" class="tz" value="UTC">`)
	require.NotContains(t, body, "Team queue", "reps have no team queues to open")

	// Snoozed at 09:00 in Los Angeles is 17:00 UTC; the card says until when.
	card := post(t, rep, f.ts.URL+"/inbox/tasks/"+f.task+"/snooze", url.Values{"until": {"2027-01-05T09:00"}, "tz": {"America/Los_Angeles"}})
	require.Contains(t, card, `Snoozed until <time datetime="2027-01-05T17:00:00Z">`)
	require.Contains(t, card, `<a href="/leads/`+f.lead+`">Ann</a>`, "the card keeps its record after a move")
	task, err := f.api.Get(t.Context(), "tasks", f.task)
	require.NoError(t, err)
	require.Equal(t, "2027-01-05T17:00:00.000000Z", task["snoozed_until"])

	card = post(t, rep, f.ts.URL+"/inbox/tasks/"+f.task+"/decline", url.Values{"reason": {""}})
	require.Contains(t, card, "reason: ", "a missing reason is named")
	require.NotContains(t, card, "invalid input")

	// A manager opens the team's queue; the admin token picks a team.
	mgr := browserClient(t)
	signIn(t, mgr, f.ts.URL, f.mgrTok)
	_, body, _ = get(t, mgr, f.ts.URL+"/inbox")
	require.Contains(t, body, `href="/inbox?team=`+f.teamID+`"`)
	_, body, _ = get(t, mgr, f.ts.URL+"/inbox?team="+f.teamID)
	require.Contains(t, body, "<h1>Team queue: SDR</h1>")
	_, body, _ = get(t, mgr, f.ts.URL+"/")
	require.Contains(t, body, `href="/inbox?team=`+f.teamID+`"><span class="num" id="breaches">`, "breaches lead to the team's queue")
	require.Contains(t, body, "open SLA breaches in SDR", "and count that queue's")

	admin := browserClient(t)
	signIn(t, admin, f.ts.URL, apptest.AdminToken)
	_, body, _ = get(t, admin, f.ts.URL+"/inbox")
	require.Contains(t, body, "has no inbox of its own")
	require.Contains(t, body, `href="/inbox?team=`+f.teamID+`"`)

	// Someone else's task: the card says so and shows nothing of the task.
	other := browserClient(t)
	tok, err := f.api.Create(t.Context(), "users", map[string]any{"email": "zoe@example.com", "name": "Zoe Rep", "team_id": f.teamID}, "")
	require.NoError(t, err)
	zt, err := f.api.Create(t.Context(), "tokens", map[string]any{"role": "rep", "user": tok["email"]}, "")
	require.NoError(t, err)
	signIn(t, other, f.ts.URL, zt["token"].(string))
	card = post(t, other, f.ts.URL+"/inbox/tasks/"+f.task+"/skip", nil)
	require.Contains(t, card, "This task is not yours to change")
	require.NotContains(t, card, "Call ann@acme.com")
}
