package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

// TestImportCompaniesAndRouteDryRun fills the company directory from a CSV (bad rows reported by line)
// and asks who would get a lead, against the real server.
func TestImportCompaniesAndRouteDryRun(t *testing.T) {
	ts, _ := apptest.Server(t, "sqlite")
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "companies.csv")
	require.NoError(t, os.WriteFile(csvFile, []byte("domain,name,industry,employees,country\nacme.com,Acme,Manufacturing,500,US\nnot a domain,Bad,,,\nglobex.com,Globex,Energy,-3,DE\ninitech.io,Initech,Software,120,GB\n"), 0o600))
	res := runCLI(t, ts, "import", "companies", csvFile)
	require.Equal(t, 2, res.code, res.stderr)
	require.Contains(t, res.stderr, "companies.csv:3:")
	require.Contains(t, res.stderr, "companies.csv:4:")
	require.Contains(t, res.stdout, "2 companies: 2 new, 0 updated")
	res = runCLI(t, ts, "import", "companies", csvFile)
	require.Contains(t, res.stdout, "2 companies: 0 new, 2 updated")

	team, err := c.Create(t.Context(), "teams", map[string]any{"name": "SDR"}, "")
	require.NoError(t, err)
	for _, e := range []string{"a@example.com", "b@example.com"} {
		_, err := c.Create(t.Context(), "users", map[string]any{"email": e, "name": e, "team_id": team["id"]}, "")
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rr.yaml"), []byte("kind: routing\nname: rr\nrules:\n  - name: all\n    pool: { team: SDR }\n"), 0o600))
	res = runCLI(t, ts, "apply", "-f", filepath.Join(dir, "rr.yaml"))
	require.Equal(t, 0, res.code, res.stderr)
	lead, err := c.Create(t.Context(), "leads", map[string]any{"email": "jo@acme.com"}, "")
	require.NoError(t, err)
	for range 2 {
		res = runCLI(t, ts, "route", "--dry-run", lead["id"].(string), "rr")
		require.Equal(t, 0, res.code, res.stderr)
		require.Contains(t, res.stdout, "dry run: nothing changed")
		require.Contains(t, res.stdout, "Chose a@example.com: next in the rotation")
		require.Contains(t, res.stdout, "yes all")
	}
	got, err := c.Get(t.Context(), "leads", lead["id"].(string))
	require.NoError(t, err)
	require.Nil(t, got["owner_id"])
	res = runCLI(t, ts, "route", lead["id"].(string), "nope")
	require.NotEqual(t, 0, res.code)
	require.Contains(t, res.stderr, `no routing ruleset named "nope"`)
}
