package workflow

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
)

var update = flag.Bool("update", false, "rewrite golden files and generated docs")

// goldenSeparator splits a .wftest file: the definitions above, the expected output below — the plan
// (JSON) when they lint without errors, else the diagnostics, one per line.
const goldenSeparator = "==== want ====\n"

func testLinter(t testing.TB) *Linter {
	t.Helper()
	l, err := NewLinter(records.NewCatalog(), nil, nil)
	require.NoError(t, err)
	return l
}

// golden lints input and renders what the golden file expects.
func golden(t testing.TB, l *Linter, name, input string) string {
	defs, diags := l.Lint(context.Background(), []Source{{File: name, Content: []byte(input)}})
	if len(diags) > 0 {
		var b strings.Builder
		for _, d := range diags {
			b.WriteString(d.String() + "\n")
		}
		if !HasErrors(diags) {
			b.WriteString(planJSON(t, defs))
		}
		return b.String()
	}
	return planJSON(t, defs)
}

func planJSON(t testing.TB, defs []*Definition) string {
	var plans []any
	for _, d := range defs {
		plans = append(plans, map[string]any{"kind": d.Kind, "name": d.Name, "plan": d.Plan()})
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(plans))
	return b.String()
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.wftest")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	l := testLinter(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			input, want, found := strings.Cut(string(raw), goldenSeparator)
			require.True(t, found, "%s has no %q line", f, strings.TrimSpace(goldenSeparator))
			got := golden(t, l, filepath.Base(f), input)
			if *update {
				require.NoError(t, os.WriteFile(f, []byte(input+goldenSeparator+got), 0o644))
				return
			}
			require.Equal(t, want, got, "run go test ./internal/workflow -run TestGolden -update to accept")
		})
	}
}

// The project's examples lint clean, together, with no warnings.
func TestExamplesLintClean(t *testing.T) {
	sources, err := ReadSources([]string{"../../examples"})
	require.NoError(t, err)
	defs, diags := testLinter(t).Lint(context.Background(), sources)
	require.Empty(t, diags)
	kinds := map[string]int{}
	for _, d := range defs {
		kinds[d.Kind]++
		require.NotNil(t, d.Plan())
	}
	require.Equal(t, map[string]int{"workflow": 3, "routing": 2, "scoring": 1, "policy": 1, "calendar": 1, "template": 3}, kinds)
}

// The five planted errors of the check are each reported at their line.
func TestPlantedErrors(t *testing.T) {
	src := `kind: workflow
name: planted
owner: revops@northwind-demo.com
review_every: 30d
object: lead
trigger:
  on: lead.created
  when: lead.score >= "high"
steps:
  - action: sned_email
    with: { to: lead, template: missed-you }
  - action: set
    with: { favourite_colour: blue }
  - action: assign
    with: { routing: no-such-ruleset }
  - delay: { duration: 3 days }
`
	_, diags := testLinter(t).Lint(context.Background(), []Source{{File: "bad.yaml", Content: []byte(src)}})
	lines := map[int]string{}
	for _, d := range diags {
		require.Equal(t, Error, d.Severity)
		lines[d.Line] = d.Message
	}
	require.Len(t, diags, 5)
	require.Contains(t, lines[8], "number >= string")
	require.Contains(t, lines[10], `unknown action "sned_email"`)
	require.Contains(t, lines[13], "favourite_colour")
	require.Contains(t, lines[15], "no-such-ruleset")
	require.Contains(t, lines[16], "not a duration")
}
