package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// runImportCompanies is `salesflow import companies FILE.csv`: the company directory enrichment reads,
// sent to the server in batches of 1000; bad rows are reported as file:line and skipped.
func runImportCompanies(ctx context.Context, g *globals, file string, conn apiConn) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	cs, errs := ReadCompaniesCSV(f, file)
	for _, e := range errs {
		fmt.Fprintln(g.env.Stderr, e)
	}
	if len(cs) == 0 {
		return fmt.Errorf("%s: no company to import", file)
	}
	cl, err := conn.open(ctx, g)
	if err != nil {
		return err
	}
	created, updated := 0, 0
	for start := 0; start < len(cs); start += 1000 {
		batch := make([]map[string]any, 0, 1000)
		for _, c := range cs[start:min(start+1000, len(cs))] {
			m := map[string]any{"domain": c.Domain, "name": c.Name, "industry": c.Industry, "country": c.Country, "website": c.Website, "city": c.City}
			if c.Employees > 0 {
				m["employees"] = c.Employees
			}
			batch = append(batch, m)
		}
		n, u, err := cl.ImportCompanies(ctx, batch)
		if err != nil {
			return fmt.Errorf("after %d companies: %w", start, err)
		}
		created, updated = created+n, updated+u
	}
	fmt.Fprintf(g.env.Stdout, "%d companies: %d new, %d updated\n", len(cs), created, updated)
	if len(errs) > 0 {
		return &rowsSkipped{n: len(errs)}
	}
	return nil
}

// rowsSkipped ends an import whose bad rows were reported: exit status 2, as for records.
type rowsSkipped struct{ n int }

func (e *rowsSkipped) Error() string {
	return fmt.Sprintf("%d rows were not imported (reasons above)", e.n)
}
func (e *rowsSkipped) ExitCode() int { return 2 }

// newRoute is `salesflow route [--dry-run] RECORD_ID RULESET`.
func newRoute(g *globals) *cobra.Command {
	var conn apiConn
	var dry bool
	var object string
	cmd := &cobra.Command{Use: "route RECORD_ID RULESET", Short: "Route a record through a routing ruleset; --dry-run: who would get it, and why, changing nothing",
		Example: "  salesflow route --dry-run 01J… inbound-sales", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !strings.HasSuffix(object, "s") {
				object += "s"
			}
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			out, err := cl.Route(cmd.Context(), object, args[0], args[1], dry)
			if err != nil {
				return err
			}
			printTrace(g.env.Stdout, out["trace"])
			return nil
		}}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "only say who would get it and why; nothing changes, not even the rotation")
	cmd.Flags().StringVar(&object, "object", "lead", "the record's object: lead, contact, account or deal")
	conn.flags(cmd.Flags())
	return cmd
}

// printTrace writes a routing trace for people: the summary, the rules, the candidates.
func printTrace(w io.Writer, raw any) {
	var t struct {
		Summary string `json:"summary"`
		DryRun  bool   `json:"dry_run"`
		Rules   []struct {
			Name, When, Note string
			Held             bool
		} `json:"rules"`
		Candidates []struct {
			Name, Email, Skipped string
			Eligible             bool
			Load                 *float64
			AssignedToday        int `json:"assigned_today"`
		} `json:"candidates"`
	}
	b, _ := json.Marshal(raw)
	_ = json.Unmarshal(b, &t)
	if t.DryRun {
		fmt.Fprintln(w, "dry run: nothing changed")
	}
	fmt.Fprintln(w, t.Summary)
	fmt.Fprintln(w, "rules:")
	for _, r := range t.Rules {
		mark := "no "
		if r.Held {
			mark = "yes"
		}
		fmt.Fprintf(w, "  %s %s", mark, r.Name)
		if r.When != "" {
			fmt.Fprintf(w, "  when %s", r.When)
		}
		if r.Note != "" {
			fmt.Fprintf(w, "  (%s)", r.Note)
		}
		fmt.Fprintln(w)
	}
	if len(t.Candidates) > 0 {
		fmt.Fprintln(w, "candidates:")
	}
	for _, c := range t.Candidates {
		state := "available"
		if !c.Eligible {
			state = "skipped: " + c.Skipped
		}
		fmt.Fprintf(w, "  %-30s %s (today %d", c.Email, state, c.AssignedToday)
		if c.Load != nil {
			fmt.Fprintf(w, ", load %g", *c.Load)
		}
		fmt.Fprintln(w, ")")
	}
}
