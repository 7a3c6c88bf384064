package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

const runsFlow = `kind: workflow
name: greet
owner: ops@example.com
review_every: 90d
object: lead
trigger: { on: manual }
steps:
  - id: hello
    action: set
    with: { title: "greeted" }
  - id: pause
    delay: { duration: 2d }
`

// TestRunsCommands enrolls a lead with `enroll` and reads the run back with `runs list`, `runs show` and
// `runs waiting`, against the real server and engine.
func TestRunsCommands(t *testing.T) {
	ts, a := apptest.Server(t, "sqlite")
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	_, err := c.Create(t.Context(), "users", map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"}, "")
	require.NoError(t, err)
	_, err = a.Engine.Drain(t.Context())
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "greet.yaml"), []byte(runsFlow), 0o600))
	res := runCLI(t, ts, "apply", "-f", dir)
	require.Equal(t, 0, res.code, res.stderr)
	lead, err := c.Create(t.Context(), "leads", map[string]any{"email": "cli@acme.com"}, "")
	require.NoError(t, err)

	res = runCLI(t, ts, "enroll", "greet", lead["id"].(string))
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "enrolled: run ")
	runID := strings.TrimSpace(strings.TrimPrefix(res.stdout, "enrolled: run "))
	_, err = a.Engine.Drain(t.Context())
	require.NoError(t, err)

	res = runCLI(t, ts, "runs", "list", "--workflow", "greet")
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, runID)
	require.Contains(t, res.stdout, "waiting")
	res = runCLI(t, ts, "runs", "list", "--workflow", "gret")
	require.Equal(t, 0, res.code, res.stderr)
	require.Empty(t, res.stdout)
	require.Contains(t, res.stderr, "no runs match")

	res = runCLI(t, ts, "runs", "show", runID)
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "waiting (delay) at step 2")
	require.Contains(t, res.stdout, `in {"title":"greeted"}`)

	res = runCLI(t, ts, "runs", "waiting", "greet")
	require.Equal(t, 0, res.code, res.stderr)
	require.Regexp(t, `1\s+pause\s+delay\s+1\s+true`, res.stdout)

	res = runCLI(t, ts, "enroll", "greet", lead["id"].(string))
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "not enrolled: the record already has an active run")

	res = runCLI(t, ts, "runs", "retry", runID)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "only failed runs are retried")
}
