package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

var definitionFiles = map[string]string{
	"shared/guardrails.yaml": `kind: policy
name: default
applies_to: all_workflows
quiet_hours: { from: "19:00", to: "08:00", timezone: recipient }
---
kind: calendar
name: sales-hours
timezone: owner
hours: { mon-fri: "09:00-17:30" }
`,
	"workflows/intake.yaml": `kind: workflow
name: intake
owner: ops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
policy: default
steps:
  - action: set
    with: { status: working }
  - delay: { business_days: 2, calendar: sales-hours }
`,
	"workflows/welcome.json": `{"kind": "workflow", "name": "welcome", "owner": "ops@example.com", "review_every": "30d",
 "object": "contact", "trigger": {"on": "contact.created"}, "steps": [{"action": "set", "with": {"title": "Customer"}}]}
`,
	"README.md":               "not a definition\n",
	".git/config.yaml":        "not: a definition\n",
	"workflows/.hidden/x.yml": "kind: nonsense\n",
}

// definitionsServer runs the real server with the user the files name as owner.
func definitionsServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts := importServer(t)
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	_, err := c.Create(t.Context(), "users", map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"}, "")
	require.NoError(t, err)
	return ts
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	}
	return dir
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }

func TestApplyDirectoryVersionsDiffRollback(t *testing.T) {
	t.Parallel()
	ts := definitionsServer(t)
	dir := writeTree(t, definitionFiles)

	r := runCLI(t, ts, "apply", "-f", dir)
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, []string{
		"policy/default: version 1 (created)",
		"calendar/sales-hours: version 1 (created)",
		"workflow/intake: version 1 (created)",
		"workflow/welcome: version 1 (created)",
	}, lines(r.stdout), "one line per definition, files in name order")

	r = runCLI(t, ts, "apply", dir) // named as lint takes it, without -f
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 4)
	for _, l := range lines(r.stdout) {
		require.True(t, strings.HasSuffix(l, ": version 1 (unchanged)"), l)
	}

	intake := filepath.Join(dir, "workflows", "intake.yaml")
	require.NoError(t, os.WriteFile(intake, []byte(strings.Replace(definitionFiles["workflows/intake.yaml"], "status: working", "status: qualified", 1)), 0o600))
	r = runCLI(t, ts, "apply", "-f", dir)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, lines(r.stdout), "workflow/intake: version 2 (updated)")
	require.Contains(t, lines(r.stdout), "workflow/welcome: version 1 (unchanged)")

	for _, args := range [][]string{{"intake"}, {"workflow/intake", "v1", "v2"}, {"intake", "1"}} {
		r = runCLI(t, ts, append([]string{"definitions", "diff"}, args...)...)
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "--- intake v1\n+++ intake v2\n", args)
		require.Contains(t, r.stdout, "-    with: { status: working }\n+    with: { status: qualified }\n", args)
	}
	r = runCLI(t, ts, "definitions", "diff", "intake", "v2", "v2")
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stdout)
	require.Contains(t, r.stderr, "same text")

	r = runCLI(t, ts, "definitions", "list")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `(?m)^workflow/intake\s+v2\s+active\s+ops@example.com\s+90d\s`, r.stdout)
	require.Regexp(t, `(?m)^calendar/sales-hours\s+v1\s+active\s+-\s+-\s`, r.stdout)
	r = runCLI(t, ts, "definitions", "list", "--kind", "calendar")
	require.Len(t, lines(r.stdout), 2)

	r = runCLI(t, ts, "definitions", "show", "intake")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "workflow/intake\n")
	require.Regexp(t, `(?m)^\s+v2\s+\S+ \S+\s+admin_token:SALESFLOW_ADMIN_TOKEN\s+sha256:[0-9a-f]{12}$`, r.stdout)

	r = runCLI(t, ts, "definitions", "rollback", "intake", "v1")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "workflow/intake: version 3 (text of version 1)\n", r.stdout)
	r = runCLI(t, ts, "definitions", "show", "intake", "--version", "v3")
	require.Equal(t, definitionFiles["workflows/intake.yaml"], r.stdout)
	r = runCLI(t, ts, "definitions", "show", "intake", "--source")
	require.Equal(t, definitionFiles["workflows/intake.yaml"], r.stdout)
	r = runCLI(t, ts, "definitions", "rollback", "intake", "v1")
	require.Equal(t, "workflow/intake: version 3 (unchanged: it already has version 1's text)\n", r.stdout)

	// A single file, and a file named twice, are fine too.
	r = runCLI(t, ts, "apply", "-f", filepath.Join(dir, "shared", "guardrails.yaml"), "-f", filepath.Join(dir, "shared"))
	require.Equal(t, 0, r.code, r.stderr)
	require.Len(t, lines(r.stdout), 2)
}

func TestApplyLintErrorsApplyNothing(t *testing.T) {
	t.Parallel()
	ts := definitionsServer(t)
	files := map[string]string{}
	for k, v := range definitionFiles {
		files[k] = v
	}
	files["workflows/bad.yaml"] = "kind: workflow\nname: bad\nowner: ops@example.com\nreview_every: 30d\nobject: lead\n" +
		"trigger: { on: lead.created }\nsteps:\n  - action: teleport\n"
	dir := writeTree(t, files)

	r := runCLI(t, ts, "apply", "-f", dir)
	require.Equal(t, 1, r.code)
	require.Empty(t, r.stdout)
	require.Regexp(t, `(?m)^`+filepath.ToSlash(dir)+`/workflows/bad\.yaml:8:\d+: error: unknown action "teleport"`, r.stderr)
	require.Contains(t, r.stderr, "salesflow: 1 error(s) in the definitions; nothing was applied")

	r = runCLI(t, ts, "definitions", "list")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "no definitions")

	r = runCLI(t, ts, "apply")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "-f")
	r = runCLI(t, ts, "apply", "-f", filepath.Join(dir, "nope"))
	require.Equal(t, 1, r.code)
	r = runCLI(t, ts, "apply", "-f", t.TempDir())
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "no *.yaml")
}

func TestKillSwitchAndStates(t *testing.T) {
	t.Parallel()
	ts := definitionsServer(t)
	dir := writeTree(t, definitionFiles)
	require.Equal(t, 0, runCLI(t, ts, "apply", "-f", dir).code)

	r := runCLI(t, ts, "pause", "--all")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "paused 2 workflow(s); salesflow resume --all resumes them\n", r.stdout)
	r = runCLI(t, ts, "definitions", "list", "--kind", "workflow")
	require.Regexp(t, `(?m)^workflow/intake\s+v1\s+paused \(kill switch\)`, r.stdout)
	r = runCLI(t, ts, "resume", "--all")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "resumed 2 workflow(s) the kill switch had paused\n", r.stdout)

	r = runCLI(t, ts, "pause", "welcome")
	require.Equal(t, "workflow/welcome: paused\n", r.stdout)
	r = runCLI(t, ts, "pause", "--all")
	require.Equal(t, "paused 1 workflow(s); salesflow resume --all resumes them\n", r.stdout)
	r = runCLI(t, ts, "resume", "--all")
	require.Equal(t, "resumed 1 workflow(s) the kill switch had paused\n", r.stdout)
	r = runCLI(t, ts, "definitions", "resume", "workflow/welcome")
	require.Equal(t, "workflow/welcome: active\n", r.stdout)

	r = runCLI(t, ts, "definitions", "archive", "intake")
	require.Equal(t, "workflow/intake: archived\n", r.stdout)
	r = runCLI(t, ts, "definitions", "resume", "intake")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "apply its file again")
	r = runCLI(t, ts, "apply", "-f", filepath.Join(dir, "workflows", "intake.yaml"))
	require.Equal(t, "workflow/intake: version 1 (restored)\n", r.stdout)

	r = runCLI(t, ts, "pause")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "NAME or --all")
	r = runCLI(t, ts, "pause", "intake", "--all")
	require.Equal(t, 1, r.code)
	r = runCLI(t, ts, "definitions", "pause", "nobody")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, `no definition is named "nobody"`)
	r = runCLI(t, ts, "definitions", "rollback", "intake", "first")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "not a version")
}

func TestDefinitionNamesAndRoles(t *testing.T) {
	t.Parallel()
	ts := definitionsServer(t)
	dir := writeTree(t, map[string]string{
		"a.yaml": "kind: policy\nname: default\n---\nkind: calendar\nname: default\ntimezone: UTC\nhours: { mon-fri: \"09:00-17:00\" }\n",
	})
	require.Equal(t, 0, runCLI(t, ts, "apply", "-f", dir).code)
	r := runCLI(t, ts, "definitions", "show", "default")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "say which: calendar/default, policy/default")
	r = runCLI(t, ts, "definitions", "show", "calendar/default")
	require.Equal(t, 0, r.code, r.stderr)

	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	_, err := c.Create(t.Context(), "users", map[string]any{"email": "rep@example.com", "name": "Rep", "role": "rep"}, "")
	require.NoError(t, err)
	req, err := http.NewRequest("POST", ts.URL+"/api/v1/tokens", strings.NewReader(`{"role": "rep", "user": "rep@example.com"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+apptest.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var tok struct{ Token string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tok))
	env := map[string]string{"SALESFLOW_SERVER": ts.URL, "SALESFLOW_TOKEN": tok.Token}
	r = runCLIEnv(t, env, nil, "apply", "-f", dir)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "403")
	r = runCLIEnv(t, env, nil, "pause", "--all")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "403")
	r = runCLIEnv(t, env, nil, "definitions", "list")
	require.Equal(t, 0, r.code, "reps read definitions: %s", r.stderr)
}
