package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

func TestWorkflowPages(t *testing.T) {
	f := setup(t)
	v2 := strings.Replace(callFlow, `why: "A web lead; call within the hour."`, `why: "A web lead; call within ten minutes."`, 1)
	v2 = strings.Replace(v2, `else: [{ stop: no connect }]`, `else: []`, 1)
	_, err := f.api.Apply(t.Context(), []client.File{{Name: "flows.yaml", Content: v2}})
	require.NoError(t, err)

	rep := browserClient(t)
	signIn(t, rep, f.ts.URL, f.repTok)
	code, body, _ := get(t, rep, f.ts.URL+"/workflows")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<a href="/runs?workflow=call-new">1</a>`, "one enrollment in 7 days")
	require.Contains(t, body, `<a class="error" href="/runs?status=failed&amp;workflow=breaks">1</a>`, "one failure in 7 days")
	require.NotContains(t, body, "overdue", "reviews fall due 90 days after the apply")

	code, body, _ = get(t, rep, f.ts.URL+"/workflows/call-new?diff=2")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "changes from v1")
	require.Contains(t, body, `<span class="add">+    task: { type: call, owner: lead.owner, title: &#34;Call {{ lead.email }}&#34;, why: &#34;A web lead; call within ten minutes.&#34;`)
	require.Contains(t, body, `<span class="del">-`)
	require.Contains(t, body, "an empty list of steps does nothing", "lint's warnings show on the page")
	require.NotContains(t, body, `id="pause"`, "only admins pause")
	res, err := rep.PostForm(f.ts.URL+"/workflows/call-new/pause", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	admin := browserClient(t)
	signIn(t, admin, f.ts.URL, apptest.AdminToken)
	_, body, _ = get(t, admin, f.ts.URL+"/workflows/call-new")
	require.Contains(t, body, `id="pause"`)
	require.Contains(t, body, `<a href="/workflows" aria-current="page">Workflows</a>`, "the header marks the section")
	res, err = admin.PostForm(f.ts.URL+"/workflows/call-new/pause", nil)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/workflows/call-new?done=paused", res.Header.Get("Location"))
	_, body, _ = get(t, admin, f.ts.URL+res.Header.Get("Location"))
	require.Contains(t, body, "Paused: it starts no new runs")
	require.Contains(t, body, `id="wf-state">paused</span>`)
	require.Contains(t, body, `id="resume"`)
	d, err := f.api.Definition(t.Context(), "workflow", "call-new")
	require.NoError(t, err)
	require.Equal(t, "paused", d.State)

	res, err = admin.PostForm(f.ts.URL+"/workflows/call-new/resume", nil)
	require.NoError(t, err)
	res.Body.Close()
	d, err = f.api.Definition(t.Context(), "workflow", "call-new")
	require.NoError(t, err)
	require.Equal(t, "active", d.State)

	_, body, _ = get(t, admin, f.ts.URL+"/workflows/call-new?diff=7&done=Your+session+expired")
	require.NotContains(t, body, `id="diff"`, "a version that does not exist shows no diff")
	require.NotContains(t, body, "session expired", "a link cannot put words on the page")

	code, _, _ = get(t, admin, f.ts.URL+"/workflows/nope")
	require.Equal(t, http.StatusNotFound, code)
}
