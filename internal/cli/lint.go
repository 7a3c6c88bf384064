package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/workflow"
)

// lintResult makes Main exit 1 after the diagnostics were printed.
type lintResult struct{ files, errors, warnings int }

func (e *lintResult) Error() string {
	files := "files"
	if e.files == 1 {
		files = "file"
	}
	return fmt.Sprintf("%d %s: %d errors, %d warnings", e.files, files, e.errors, e.warnings)
}

// ExitCode is 1: the definitions have errors.
func (e *lintResult) ExitCode() int { return 1 }

func newLint(g *globals) *cobra.Command {
	var conn apiConn
	var useServer bool
	cmd := &cobra.Command{
		Use:   "lint FILE|DIR...",
		Short: "Check definition files and print every problem as file:line:col: severity: message",
		Long: "Check workflow, routing, scoring, policy, calendar and template definitions. Every problem is\n" +
			"printed, one per line; the exit code is 1 when there is an error. References to other definitions\n" +
			"are checked against the files; with --server (or SALESFLOW_SERVER) also against the server, which\n" +
			"also checks users, teams, pipelines and custom fields.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sources, err := workflow.ReadSources(args)
			if err != nil {
				return err
			}
			var resolver workflow.Resolver
			var custom map[string][]records.Field
			if useServer || conn.server != "" {
				cl, err := conn.open(cmd.Context(), g)
				if err != nil {
					return err
				}
				if custom, err = customFields(cmd.Context(), cl); err != nil {
					return err
				}
				resolver = serverResolver{cl}
			}
			l, err := workflow.NewLinter(records.NewCatalog(), custom, resolver)
			if err != nil {
				return err
			}
			_, diags := l.Lint(cmd.Context(), sources)
			return printLint(cmd, diags, len(sources))
		},
	}
	conn.flags(cmd.Flags())
	cmd.Flags().BoolVar(&useServer, "use-server", false, "check against $SALESFLOW_SERVER even without --server")
	return cmd
}

// printLint prints each diagnostic on stdout and a summary on stderr.
func printLint(cmd *cobra.Command, diags []workflow.Diagnostic, files int) error {
	res := &lintResult{files: files}
	for _, d := range diags {
		fmt.Fprintln(cmd.OutOrStdout(), d.String())
		if d.Severity == workflow.Error {
			res.errors++
		} else {
			res.warnings++
		}
	}
	if res.errors > 0 {
		return res // Main prints the summary
	}
	fmt.Fprintln(cmd.ErrOrStderr(), res.Error())
	return nil
}

func newSchema() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the definition format, for editors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(workflow.JSONSchema())
		},
	}
}

// customFields reads the server's custom field definitions, so expressions are typed with them.
func customFields(ctx context.Context, cl *client.Client) (map[string][]records.Field, error) {
	page, err := cl.List(ctx, "fields", nil)
	if err != nil {
		return nil, fmt.Errorf("read custom fields: %w", err)
	}
	out := map[string][]records.Field{}
	for _, it := range page.Items {
		var opts []string
		if list, ok := it["options"].([]any); ok {
			for _, o := range list {
				s, _ := o.(string)
				opts = append(opts, s)
			}
		}
		obj, _ := it["object"].(string)
		name, _ := it["name"].(string)
		typ, _ := it["type"].(string)
		out[obj] = append(out[obj], records.Field{Name: name, Type: records.Type(typ), Options: opts, Custom: true})
	}
	return out, nil
}

// serverResolver answers lint's existence questions from the server's API.
type serverResolver struct{ cl *client.Client }

func (r serverResolver) Exists(ctx context.Context, kind, name string) (bool, error) {
	if kind == "stage" {
		return r.stage(ctx, name)
	}
	lookups := map[string][2]string{"team": {"teams", "name"}, "user": {"users", "email"}, "pipeline": {"pipelines", "name"}}
	if l, ok := lookups[kind]; ok {
		page, err := r.cl.List(ctx, l[0], url.Values{l[1]: {name}, "limit": {"1"}})
		if err != nil {
			return false, err
		}
		return len(page.Items) > 0, nil
	}
	d, err := r.cl.Definition(ctx, kind, name)
	var p *client.Problem
	if errors.As(err, &p) && p.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil && d.State != "archived", err // apply does not count archived definitions either
}

// stage answers for "PIPELINE/STAGE" (any pipeline when PIPELINE is empty) from the server's pipelines.
func (r serverResolver) stage(ctx context.Context, ref string) (bool, error) {
	pipeline, stage, _ := strings.Cut(ref, "/")
	q := url.Values{"limit": {"500"}}
	if pipeline != "" {
		q.Set("name", pipeline)
	}
	page, err := r.cl.List(ctx, "pipelines", q)
	if err != nil {
		return false, err
	}
	for _, p := range page.Items {
		if crm.HasStage(p["stages"], stage) {
			return true, nil
		}
	}
	return false, nil
}
