package workflow

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// yamlLines splits text at YAML's line breaks, which include a lone CR.
var yamlLines = regexp.MustCompile("\r\n|\r|\n")

// FuzzLint feeds arbitrary text to the parser and the whole linter (with the real expression
// compiler): no panic, and every diagnostic is located at a character of the file (or just past a
// line's end), which PosAt's mapping of expression positions must keep true. Run:
// go test -run '^$' -fuzz FuzzLint -fuzztime 60s ./internal/workflow/
func FuzzLint(f *testing.F) {
	files, _ := filepath.Glob("../../examples/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "kind: workflow", "{]", "- a\n- b", "kind: workflow\nsteps: [{if: x, then: [{stop: y}]}]",
		"a: &x 1\nb: *x",
		"kind: workflow\nobject: lead\ntrigger: { on: lead.created, when: \"lead.status == \\\"é\\\" &&\n  lead.bogus\" }",
		"kind: workflow\nobject: lead\ngoal: >-\n  lead.status == 'x' &&\n  lead.bogus\nsteps:\n  - action: notify\n    with: { channel: email, to: lead.owner, text: |2\n         {{ lead.x }}\n       y }", "kind: routing\nrules: [{name: a, pool: {team: x, method: weighted, weights: {\"a@b.co\": 0}}}]"} {
		f.Add([]byte(s))
	}
	l := testLinter(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		defs, diags := l.Lint(context.Background(), []Source{{File: "f.yaml", Content: src}})
		lines := yamlLines.Split(strings.TrimPrefix(string(src), "\ufeff"), -1)
		for _, d := range diags {
			if d.Line < 1 || d.Col < 1 || d.Message == "" {
				t.Fatalf("unlocated or empty diagnostic %+v", d)
			}
			if d.Line > len(lines) || d.Col > utf8.RuneCountInString(lines[d.Line-1])+1 {
				t.Fatalf("diagnostic outside the file %+v", d)
			}
		}
		if !HasErrors(diags) {
			for _, d := range defs {
				_ = d.Plan()
			}
		}
	})
}
