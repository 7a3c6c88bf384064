package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/workflow"
)

// ApplyExamples applies the example definitions the demo runs: first the files without workflows
// (calendars, templates, rulesets, models, policies), then each workflow file on its own, so that one
// that is refused (its reason is logged: say, a team the data does not have) does not hold back the
// others.
// Applying again changes nothing.
func ApplyExamples(ctx context.Context, defs *definitions.Service, files fs.FS, log *slog.Logger) (applied []string, err error) {
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		return nil, err
	}
	var first, workflows []workflow.Source
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			return nil, err
		}
		src := workflow.Source{File: "examples/" + n, Content: b}
		if strings.Contains(string(b), "\nkind: workflow") || strings.HasPrefix(string(b), "kind: workflow") {
			workflows = append(workflows, src)
		} else {
			first = append(first, src)
		}
	}
	a := auth.Actor{Kind: auth.KindSystem, ID: "demo", Role: auth.Admin}
	res, _, err := defs.Apply(ctx, a, first)
	if err != nil {
		return nil, fmt.Errorf("apply the example definitions: %w", err)
	}
	for _, ap := range res.Applied {
		applied = append(applied, ap.Kind+"/"+ap.Name)
	}
	for _, src := range workflows {
		res, diags, err := defs.Apply(ctx, a, []workflow.Source{src})
		var le *definitions.LintError
		if errors.As(err, &le) {
			log.Info("demo: example not applied: this build cannot run it yet", "file", src.File, "reason", firstError(diags))
			continue
		}
		if err != nil {
			return applied, fmt.Errorf("apply %s: %w", src.File, err)
		}
		for _, ap := range res.Applied {
			applied = append(applied, ap.Kind+"/"+ap.Name)
		}
	}
	slices.Sort(applied)
	return applied, nil
}

func firstError(diags []workflow.Diagnostic) string {
	for _, d := range diags {
		if d.Severity == workflow.Error {
			return d.String()
		}
	}
	return ""
}
