package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app"
)

// newRuns is `salesflow runs`: list, show, retry and the waiting preview, over the API.
func newRuns(g *globals) *cobra.Command {
	var conn apiConn
	cmd := &cobra.Command{Use: "runs", Short: "Inspect and retry workflow runs"}
	var f client.RunFilter
	list := &cobra.Command{Use: "list", Short: "List runs, newest first", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			runs, next, err := cl.Runs(cmd.Context(), f)
			if err != nil {
				return err
			}
			if len(runs) == 0 && f.Cursor == "" {
				msg := "no runs match"
				if f.Workflow != "" {
					msg += " (the workflow's name is a filter, not checked: salesflow definitions list shows the names)"
				}
				fmt.Fprintln(g.env.Stderr, msg)
				return nil
			}
			printRuns(g.env.Stdout, runs)
			if next != "" {
				fmt.Fprintf(g.env.Stderr, "more: --cursor %s\n", next)
			}
			return nil
		}}
	list.Flags().StringVar(&f.Workflow, "workflow", "", "only this workflow's runs")
	list.Flags().StringVar(&f.Record, "record", "", "only this record's runs")
	list.Flags().StringVar(&f.Status, "status", "", "running, waiting, completed, failed, cancelled or exited")
	list.Flags().StringVar(&f.Cursor, "cursor", "", "the cursor printed after the previous page")
	list.Flags().IntVar(&f.Limit, "limit", 50, "runs per page (1–500)")

	var asJSON bool
	show := &cobra.Command{Use: "show RUN_ID", Short: "A run with its step history: inputs, outputs, branch decisions, attempts, errors", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			d, err := cl.Run(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(g.env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(d)
			}
			printRun(g.env.Stdout, d)
			return nil
		}}
	show.Flags().BoolVar(&asJSON, "json", false, "print the run as JSON")

	var on, workflow, status string
	retry := &cobra.Command{Use: "retry [RUN_ID] [--workflow NAME --status failed]", Short: "Retry a failed run from its failed step, or every failed run of a workflow",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 1) == (workflow != "") {
				return errors.New("name one run, or --workflow for every failed run of a workflow")
			}
			if status != "" && status != "failed" {
				return errors.New("--status: only failed runs are retried")
			}
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				r, err := cl.RetryRun(cmd.Context(), args[0], on)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.env.Stdout, "run %s: %s again on version %d at step %s\n", r.ID, r.Status, r.Version, r.Cursor)
				return nil
			}
			n, problems, err := cl.RetryRuns(cmd.Context(), workflow, on)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.env.Stdout, "%d failed run(s) of %s retried\n", n, workflow)
			for _, p := range problems {
				fmt.Fprintln(g.env.Stderr, "not retried:", p)
			}
			return nil
		}}
	retry.Flags().StringVar(&on, "on", "original", "original: on the run's own version; current: on the workflow's current version, at the same step id")
	retry.Flags().StringVar(&workflow, "workflow", "", "retry every failed run of this workflow")
	retry.Flags().StringVar(&status, "status", "failed", "the status of the runs to retry (failed)")

	waiting := &cobra.Command{Use: "waiting WORKFLOW", Short: "Where a workflow's active runs sit, by version and step — before `apply --waiting move|cancel`", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			steps, err := cl.Waiting(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(g.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tSTEP\tKIND\tRUNS\tIN CURRENT VERSION")
			for _, s := range steps {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%v\n", s.Version, s.StepID, s.Type, s.Runs, s.InCurrent)
			}
			return tw.Flush()
		}}
	for _, c := range []*cobra.Command{list, show, retry, waiting} {
		conn.flags(c.Flags())
		cmd.AddCommand(c)
	}
	return cmd
}

func printRuns(w io.Writer, runs []client.Run) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tWORKFLOW\tVERSION\tRECORD\tSTATUS\tAT STEP\tSTARTED\tERROR")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s %s\t%s\t%s\t%s\t%s\n", r.ID, r.Workflow, r.Version, r.RecordType, r.RecordID, r.Status,
			r.Cursor, r.StartedAt.Format(time.RFC3339), oneLine(r.Error))
	}
	_ = tw.Flush()
}

func printRun(w io.Writer, d client.RunDetail) {
	fmt.Fprintf(w, "run %s: %s v%d on %s %s — %s\n", d.ID, d.Workflow, d.Version, d.RecordType, d.RecordID, d.Status)
	if d.EndReason != "" {
		fmt.Fprintf(w, "ended: %s\n", d.EndReason)
	}
	if d.Error != "" {
		fmt.Fprintf(w, "error: %s\n", d.Error)
	}
	if d.WaitKind != "" {
		until := ""
		if d.WaitUntil != nil {
			until = " until " + d.WaitUntil.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "waiting (%s) at step %s%s\n", d.WaitKind, d.Cursor, until)
	}
	if reason, _ := d.Enrollment["reason"].(string); reason != "" {
		fmt.Fprintf(w, "enrolled: %v (%s)\n", d.Enrollment["trigger"], reason)
	}
	for _, s := range d.Steps {
		fmt.Fprintf(w, "%3d  %-22s %-18s %-9s attempts %d", s.Seq, s.StepID, s.Type, s.Status, s.Attempts)
		for _, part := range []struct {
			name string
			v    map[string]any
		}{{"in", s.Input}, {"out", s.Output}, {"why", s.Decision}} {
			if len(part.v) > 0 {
				b, _ := json.Marshal(part.v)
				fmt.Fprintf(w, "  %s %s", part.name, b)
			}
		}
		if s.Error != "" {
			fmt.Fprintf(w, "  error: %s", oneLine(s.Error))
		}
		fmt.Fprintln(w)
	}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// newEnroll is `salesflow enroll WORKFLOW RECORD_ID`.
func newEnroll(g *globals) *cobra.Command {
	var conn apiConn
	cmd := &cobra.Command{Use: "enroll WORKFLOW RECORD_ID", Short: "Enroll a record in a workflow by hand (its re-enrollment rule applies)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			out, err := cl.Enroll(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if out["enrolled"] != true {
				return fmt.Errorf("not enrolled: %v", out["reason"])
			}
			fmt.Fprintf(g.env.Stdout, "enrolled: run %v\n", out["run_id"])
			return nil
		}}
	conn.flags(cmd.Flags())
	return cmd
}

// newWorker is `salesflow worker`: the engine without the HTTP server, for scale-out on PostgreSQL.
func newWorker(g *globals) *cobra.Command {
	return &cobra.Command{Use: "worker", Short: "Run workflows only (no API): add processes on PostgreSQL to share the work", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			if cfg.DatabaseURL == "" {
				return errors.New("worker shares a PostgreSQL database with the servers: set --database-url or SALESFLOW_DATABASE_URL (on SQLite, serve runs the workflows itself)")
			}
			tuneGC(g.env.Getenv, cfg.Logger)
			a, err := app.Open(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer a.Close()
			return a.Work(cmd.Context())
		}}
}
