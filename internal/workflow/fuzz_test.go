package workflow

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLint feeds arbitrary text to the parser and the whole linter (with the real expression
// compiler): no panic, and every diagnostic is located. Run:
// go test -run '^$' -fuzz FuzzLint -fuzztime 60s ./internal/workflow/
func FuzzLint(f *testing.F) {
	files, _ := filepath.Glob("../../examples/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", "kind: workflow", "{]", "- a\n- b", "kind: workflow\nsteps: [{if: x, then: [{stop: y}]}]",
		"a: &x 1\nb: *x", "kind: routing\nrules: [{name: a, pool: {team: x, method: weighted, weights: {\"a@b.co\": 0}}}]"} {
		f.Add([]byte(s))
	}
	l := testLinter(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		defs, diags := l.Lint(context.Background(), []Source{{File: "f.yaml", Content: src}})
		for _, d := range diags {
			if d.Line < 1 || d.Col < 1 || d.Message == "" {
				t.Fatalf("unlocated or empty diagnostic %+v", d)
			}
		}
		if !HasErrors(diags) {
			for _, d := range defs {
				_ = d.Plan()
			}
		}
	})
}
