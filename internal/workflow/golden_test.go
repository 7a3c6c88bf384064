package workflow

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
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
	require.Equal(t, map[string]int{"workflow": 4, "routing": 2, "scoring": 1, "policy": 1, "calendar": 1, "template": 3}, kinds)
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

// The README's sample workflow lints clean against the examples it refers to.
func TestReadmeSample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "```yaml\nkind: workflow\n")
	require.True(t, ok, "the README has a sample workflow")
	sample, _, _ := strings.Cut(rest, "```")
	sources, err := ReadSources([]string{"../../examples"})
	require.NoError(t, err)
	var others []Source
	for _, s := range sources {
		if !strings.HasSuffix(s.File, "lead-intake.yaml") { // the sample is a short version of it
			others = append(others, s)
		}
	}
	others = append(others, Source{File: "README.md", Content: []byte("kind: workflow\n" + sample)})
	_, diags := testLinter(t).Lint(context.Background(), others)
	require.Empty(t, diags)
}

// Sixty workflows that all trigger each other are one loop: one warning each, found in linear time
// (an earlier path-enumerating check never finished on such input).
func TestManyWorkflowsInOneLoop(t *testing.T) {
	var docs []string
	for i := range 60 {
		docs = append(docs, fmt.Sprintf("kind: workflow\nname: w%d\nowner: a@b.co\nreview_every: 1d\nobject: lead\ntrigger: { on: lead.updated }\nsteps: [{ action: set, with: { title: x%d } }]\n", i, i))
	}
	_, diags := testLinter(t).Lint(context.Background(), []Source{{File: "many.yaml", Content: []byte(strings.Join(docs, "---\n"))}})
	loops := 0
	for _, d := range diags {
		if strings.Contains(d.Message, "in a loop") {
			loops++
		}
	}
	require.Equal(t, 60, loops)
}

// Each document keeps its own text; a comment-only document, CRLF line ends, a byte-order mark or a
// broken neighbour hide nothing.
func TestDocumentsSplitOnTheirOwn(t *testing.T) {
	cal := func(name string) string {
		return "kind: calendar\nname: " + name + "\ntimezone: UTC\nhours: { mon-fri: \"09:00-17:00\" }\n"
	}
	src := "\ufeff# leading comment\n---\n" + cal("a") + "---\n# kind: calendar\n# name: commented-out\n---\n" + cal("b") +
		"--- # a comment on the marker\n" + "kind: calendar\nname: c\ntimezone: &z UTC\nhours: { mon: \"09:00-10:00\" }\n"
	for name, text := range map[string]string{"lf": src, "crlf": strings.ReplaceAll(src, "\n", "\r\n")} {
		t.Run(name, func(t *testing.T) {
			defs, diags := testLinter(t).Lint(context.Background(), []Source{{File: "f.yaml", Content: []byte(text)}})
			require.Len(t, diags, 1, "only the anchor in c is an error: %v", diags)
			require.Contains(t, diags[0].Message, "anchors")
			require.Equal(t, 18, diags[0].Line)
			require.Len(t, defs, 2)
			require.Equal(t, cal("a"), defs[0].Source)
			require.Equal(t, cal("b"), defs[1].Source)
			require.Equal(t, 3, defs[0].Pos.Line)
		})
	}
}

// Deeply nested flow collections are refused before the YAML parser sees them (its memory grows with
// the square of the depth); ordinary nesting and brackets inside quotes or comments are fine.
func TestNestingLimit(t *testing.T) {
	deep := "kind: calendar\nname: x\ntimezone: UTC\nhours: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	_, diags := testLinter(t).Lint(context.Background(), []Source{{File: "deep.yaml", Content: []byte(deep)}})
	require.Len(t, diags, 1)
	require.Equal(t, 4, diags[0].Line)
	require.Contains(t, diags[0].Message, "nest more than 64 levels")
	ok := "kind: calendar\nname: x # [[[[ " + strings.Repeat("[", 100) + "\ntimezone: UTC\nhours: { mon: \"09:00-10:00\" }\ndescription: \"" + strings.Repeat("{", 100) + "\"\n"
	_, diags = testLinter(t).Lint(context.Background(), []Source{{File: "ok.yaml", Content: []byte(ok)}})
	require.Empty(t, diags)
}
