package definitions_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/demo"
	"github.com/salesflow/salesflow/internal/workflow"
)

// TestApplyExamples applies the project's examples/ to the demo organisation, whose users, teams and
// pipelines they name: twice without a change, then with one file changed.
func TestApplyExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../examples/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var sources []workflow.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources = append(sources, workflow.Source{File: f, Content: b})
	}
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			a := apptest.Open(t, db)
			a.Definitions.SetRuntime(nil) // every example, including the steps this build cannot run yet
			_, err := demo.Seed(t.Context(), a.Service)
			require.NoError(t, err)
			e := &env{t: t, app: a, svc: a.Definitions}

			first := e.apply(sources)
			require.NotEmpty(t, first)
			for ref, ap := range first {
				require.Equal(t, definitions.Applied{Kind: ap.Kind, Name: ap.Name, Version: 1, Status: definitions.Created}, ap, ref)
			}
			for ref, ap := range e.apply(sources) {
				require.Equal(t, 1, ap.Version, ref)
				require.Equal(t, definitions.Unchanged, ap.Status, ref)
			}

			changed := replace(t, sources, "lead-intake.yaml", "review_every: 90d", "review_every: 60d")
			res := e.apply(changed)
			require.Equal(t, 2, res["workflow/inbound-lead-intake"].Version)
			require.Equal(t, definitions.Updated, res["workflow/inbound-lead-intake"].Status)
			for ref, ap := range res {
				if ref != "workflow/inbound-lead-intake" {
					require.Equal(t, definitions.Unchanged, ap.Status, ref)
				}
			}
			d, err := e.svc.Diff(t.Context(), "workflow", "inbound-lead-intake", 0, 0)
			require.NoError(t, err)
			require.Contains(t, d.Diff, "--- inbound-lead-intake v1\n+++ inbound-lead-intake v2\n")
			require.True(t, strings.Contains(d.Diff, "\n-review_every: 90d") && strings.Contains(d.Diff, "\n+review_every: 60d"), d.Diff)
		})
	}
}
