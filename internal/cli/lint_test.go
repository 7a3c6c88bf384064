package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/demo"
)

func TestLintFiles(t *testing.T) {
	t.Parallel()
	res := runCLIEnv(t, map[string]string{}, nil, "lint", "../../examples")
	require.Equal(t, 0, res.code, res.stdout+res.stderr)
	require.Contains(t, res.stderr, "8 files: 0 errors, 0 warnings")

	bad := writeTemp(t, "bad.yaml", "kind: workflow\nname: x\nowner: a@b.co\nreview_every: 1d\nobject: lead\ntrigger: { on: lead.created }\nsteps:\n  - delay: { duration: soon }\n")
	res = runCLIEnv(t, map[string]string{}, nil, "lint", bad)
	require.Equal(t, 1, res.code)
	require.Equal(t, bad+`:8:24: error: delay.duration: "soon" is not a duration (like 90s, 15m, 4h, 2d, 1w or 1h30m)`, strings.TrimSpace(res.stdout))

	res = runCLIEnv(t, map[string]string{}, nil, "schema")
	require.Equal(t, 0, res.code)
	require.Contains(t, res.stdout, `"$schema": "https://json-schema.org/draft/2020-12/schema"`)
}

// With --server, lint also checks people, teams and custom fields against the server.
func TestLintAgainstServer(t *testing.T) {
	t.Parallel()
	ts, a := apptest.Server(t, "sqlite")
	_, err := demo.Seed(t.Context(), a.Service)
	require.NoError(t, err)
	res := runCLI(t, ts, "lint", "--server", ts.URL, "../../examples")
	require.Equal(t, 0, res.code, "the examples use the demo's teams and people: %s", res.stdout)

	file := writeTemp(t, "r.yaml", `kind: routing
name: r
rules:
  - name: all
    when: lead.tier == "gold"
    pool: { team: Nobody, method: weighted, weights: { "ghost@northwind-demo.com": 1 } }
`)
	res = runCLI(t, ts, "lint", "--server", ts.URL, file)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stdout, `no team named "Nobody"`)
	require.Contains(t, res.stdout, `no user named "ghost@northwind-demo.com"`)
	require.Contains(t, res.stdout, "unknown field tier of lead")

	stages := writeTemp(t, "s.yaml", `kind: workflow
name: s
owner: revops@northwind-demo.com
review_every: 30d
object: deal
trigger: { on: deal.stage_changed, to: Closed Wonn }
steps: [{ stop: x }]
---
kind: workflow
name: c
owner: revops@northwind-demo.com
review_every: 30d
object: lead
trigger: { on: lead.created }
steps: [{ action: convert_lead, with: { pipeline: New business, stage: Nowhere } }]
`)
	res = runCLI(t, ts, "lint", "--server", ts.URL, stages)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stdout, `no pipeline on the server has a stage "Closed Wonn"`)
	require.Contains(t, res.stdout, `pipeline "New business" has no stage "Nowhere"`)

	c := runCLI(t, ts, "lint", "--server", ts.URL, "--token", "wrong", file)
	require.Equal(t, 1, c.code)
	require.Contains(t, c.stderr, "refused the token")
}
