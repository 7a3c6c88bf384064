package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/workflow"
)

func newApply(g *globals) *cobra.Command {
	var conn apiConn
	var paths []string
	var draft bool
	var waiting string
	cmd := &cobra.Command{
		Use:   "apply FILE|DIR... | -f FILE|DIR [-f …]",
		Short: "Lint definition files on the server and store them as new versions, all or nothing",
		Long: "Send definition files (workflows, routing rulesets, scoring models, policies, calendars, templates)\n" +
			"to the server, which lints them against its fields, users, teams and stored definitions and, when\n" +
			"there is no error, stores each changed definition as a new version in one transaction. Identical\n" +
			"text is a no-op. A directory contributes every *.yaml, *.yml and *.json below it, in name order.\n" +
			"Files and directories may be named as arguments, as lint takes them, or with -f, or both.\n\n" +
			"Prints one line per definition; on lint errors prints each as file:line:col: error: message on\n" +
			"stderr, applies nothing and exits 1.",
		Example: "  salesflow apply examples/\n  salesflow apply -f workflows/intake.yaml -f shared/calendars.yaml --server https://sf.example.com",
		RunE: func(cmd *cobra.Command, args []string) error {
			paths = append(paths, args...)
			if len(paths) == 0 {
				return errors.New("name the files or directories to apply (salesflow apply FILE|DIR..., or -f FILE|DIR)")
			}
			files, err := readDefinitionFiles(paths)
			if err != nil {
				return err
			}
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			return runApply(cmd.Context(), cl, files, client.ApplyOptions{Draft: draft, Waiting: waiting}, g.env.Stdout, g.env.Stderr)
		},
	}
	cmd.Flags().StringArrayVarP(&paths, "file", "f", nil, "a definitions file, or a directory of them (repeatable)")
	cmd.Flags().BoolVar(&draft, "draft", false, "store definitions seen for the first time as drafts, live only after `definitions resume`")
	cmd.Flags().StringVar(&waiting, "waiting", "finish", "runs waiting on older versions of a changed workflow: finish (stay on their version), move (to the new version at the same step id) or cancel; preview with `salesflow runs waiting WORKFLOW`")
	conn.flags(cmd.Flags())
	return cmd
}

// readDefinitionFiles reads the files lint reads, each named by its path.
func readDefinitionFiles(paths []string) ([]client.File, error) {
	sources, err := workflow.ReadSources(paths)
	if err != nil {
		return nil, err
	}
	files := make([]client.File, len(sources))
	for i, s := range sources {
		files[i] = client.File{Name: s.File, Content: string(s.Content)}
	}
	return files, nil
}

// lintFailed is a rejected apply: the diagnostics are printed already; the error says what happened.
type lintFailed struct{ errors int }

func (e *lintFailed) Error() string {
	return fmt.Sprintf("%d error(s) in the definitions; nothing was applied", e.errors)
}

func runApply(ctx context.Context, cl *client.Client, files []client.File, opts client.ApplyOptions, stdout, stderr io.Writer) error {
	res, err := cl.ApplyWith(ctx, files, opts)
	if err != nil {
		return printDiagnostics(err, stderr)
	}
	for _, d := range res.Warnings {
		fmt.Fprintln(stderr, d.String())
	}
	for _, r := range res.Results {
		fmt.Fprintf(stdout, "%s/%s: version %d (%s)%s\n", r.Kind, r.Name, r.Version, strings.ReplaceAll(r.Status, "_", " "), waitingNote(r.Waiting))
	}
	return nil
}

// waitingNote tells what an apply did with the runs waiting on older versions.
func waitingNote(w map[string]any) string {
	if len(w) == 0 {
		return ""
	}
	var parts []string
	for _, k := range []string{"moved", "stayed", "cancelled"} {
		if n, ok := w[k].(float64); ok && n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", int(n), k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("; waiting runs (%v): %s", w["policy"], strings.Join(parts, ", "))
}

// printDiagnostics prints a lint rejection's diagnostics and turns it into a short error; other
// errors pass through.
func printDiagnostics(err error, stderr io.Writer) error {
	var p *client.Problem
	if !errors.As(err, &p) || len(p.Diagnostics) == 0 {
		return err
	}
	n := 0
	for _, d := range p.Diagnostics {
		fmt.Fprintln(stderr, d.String())
		if d.Severity == "error" {
			n++
		}
	}
	return &lintFailed{errors: n}
}

// defsCmd holds what the definitions subcommands share: the streams and the server connection.
type defsCmd struct {
	g    *globals
	conn apiConn
}

func newDefinitions(g *globals) *cobra.Command {
	d := &defsCmd{g: g}
	cmd := &cobra.Command{
		Use:     "definitions",
		Aliases: []string{"defs"},
		Short:   "List, show, diff, roll back, pause, resume and archive stored definitions",
		Long: "NAME is kind/name (workflow/inbound-lead-intake), or just the name when only one kind has it.\n" +
			"Versions are written 3 or v3.",
	}
	d.conn.flags(cmd.PersistentFlags())
	cmd.AddCommand(d.list(), d.show(), d.diff(), d.rollback())
	for _, verb := range []string{"pause", "resume", "archive"} {
		cmd.AddCommand(&cobra.Command{Use: verb + " NAME", Short: stateShort[verb], Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				cl, kind, name, err := d.openRef(cmd, args[0])
				if err != nil {
					return err
				}
				return runSetState(cmd.Context(), cl, g.env.Stdout, kind, name, verb)
			}})
	}
	return cmd
}

// openRef connects and resolves NAME to a kind and a name.
func (d *defsCmd) openRef(cmd *cobra.Command, ref string) (*client.Client, string, string, error) {
	cl, err := d.conn.open(cmd.Context(), d.g)
	if err != nil {
		return nil, "", "", err
	}
	kind, name, err := resolveRef(cmd.Context(), cl, ref)
	return cl, kind, name, err
}

func (d *defsCmd) list() *cobra.Command {
	var kind string
	cmd := &cobra.Command{Use: "list", Short: "List definitions with their version and state", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := d.conn.open(cmd.Context(), d.g)
			if err != nil {
				return err
			}
			defs, err := cl.Definitions(cmd.Context(), kind)
			if err != nil {
				return err
			}
			return printDefinitions(d.g.env.Stdout, defs)
		}}
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind (workflow, routing, scoring, policy, calendar, template)")
	return cmd
}

func (d *defsCmd) show() *cobra.Command {
	var source bool
	var version string
	cmd := &cobra.Command{Use: "show NAME", Short: "Show a definition and its versions (--source: its text)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, kind, name, err := d.openRef(cmd, args[0])
			if err != nil {
				return err
			}
			return runShow(cmd.Context(), cl, d.g.env.Stdout, kind, name, source, version)
		}}
	cmd.Flags().BoolVar(&source, "source", false, "print the current version's text instead")
	cmd.Flags().StringVar(&version, "version", "", "print this version's text instead")
	return cmd
}

func (d *defsCmd) diff() *cobra.Command {
	return &cobra.Command{Use: "diff NAME [vA [vB]]", Short: "Unified diff between two versions (default: the previous and the current)",
		Args: cobra.RangeArgs(1, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var vs [2]int
			for i, a := range args[1:] {
				v, err := parseVersionArg(a)
				if err != nil {
					return err
				}
				vs[i] = v
			}
			cl, kind, name, err := d.openRef(cmd, args[0])
			if err != nil {
				return err
			}
			diff, err := cl.Diff(cmd.Context(), kind, name, vs[0], vs[1])
			if err != nil {
				return err
			}
			if diff.Diff == "" {
				fmt.Fprintf(d.g.env.Stderr, "%s/%s: versions %d and %d have the same text\n", kind, name, diff.From, diff.To)
				return nil
			}
			_, err = fmt.Fprint(d.g.env.Stdout, diff.Diff)
			return err
		}}
}

func (d *defsCmd) rollback() *cobra.Command {
	return &cobra.Command{Use: "rollback NAME vN", Short: "Make a new version with version N's text (linted again first)",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := parseVersionArg(args[1])
			if err != nil {
				return err
			}
			cl, kind, name, err := d.openRef(cmd, args[0])
			if err != nil {
				return err
			}
			ap, err := cl.Rollback(cmd.Context(), kind, name, v)
			if err != nil {
				return printDiagnostics(err, d.g.env.Stderr)
			}
			if ap.Status == "unchanged" {
				fmt.Fprintf(d.g.env.Stdout, "%s/%s: version %d (unchanged: it already has version %d's text)\n", kind, name, ap.Version, v)
				return nil
			}
			fmt.Fprintf(d.g.env.Stdout, "%s/%s: version %d (text of version %d)\n", kind, name, ap.Version, v)
			return nil
		}}
}

var stateShort = map[string]string{
	"pause":   "Pause a definition: no new runs start until it is resumed",
	"resume":  "Resume a paused definition (an archived one comes back by applying its file)",
	"archive": "Archive a definition: retired, and no longer a valid reference for others",
}

func runSetState(ctx context.Context, cl *client.Client, w io.Writer, kind, name, verb string) error {
	d, err := cl.SetState(ctx, kind, name, verb)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s/%s: %s\n", d.Kind, d.Name, describeState(d))
	return nil
}

func describeState(d client.Definition) string {
	if d.PausedBy == "kill_switch" {
		return d.State + " (kill switch)"
	}
	return d.State
}

// resolveRef reads kind/name, or finds the one kind that has a definition called name.
func resolveRef(ctx context.Context, cl *client.Client, ref string) (string, string, error) {
	if kind, name, ok := strings.Cut(ref, "/"); ok {
		if kind == "" || name == "" {
			return "", "", fmt.Errorf("%q: write kind/name, like workflow/inbound-lead-intake", ref)
		}
		return kind, name, nil
	}
	defs, err := cl.Definitions(ctx, "")
	if err != nil {
		return "", "", err
	}
	var kinds []string
	for _, d := range defs {
		if d.Name == ref {
			kinds = append(kinds, d.Kind)
		}
	}
	switch len(kinds) {
	case 0:
		return "", "", fmt.Errorf("no definition is named %q (see salesflow definitions list)", ref)
	case 1:
		return kinds[0], ref, nil
	}
	for i, k := range kinds {
		kinds[i] = k + "/" + ref
	}
	return "", "", fmt.Errorf("%q is the name of several definitions; say which: %s", ref, strings.Join(kinds, ", "))
}

func parseVersionArg(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(s), "v"))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a version: write 3 or v3", s)
	}
	return n, nil
}

func printDefinitions(w io.Writer, defs []client.Definition) error {
	if len(defs) == 0 {
		_, err := fmt.Fprintln(w, "no definitions (apply some with salesflow apply -f DIR)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tSTATE\tOWNER\tREVIEW\tUPDATED")
	for _, d := range defs {
		fmt.Fprintf(tw, "%s/%s\tv%d\t%s\t%s\t%s\t%s\n", d.Kind, d.Name, d.Version, describeState(d), dash(d.Owner), dash(d.ReviewEvery),
			d.UpdatedAt.UTC().Format(time.DateTime))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runShow(ctx context.Context, cl *client.Client, w io.Writer, kind, name string, source bool, version string) error {
	if version != "" {
		n, err := parseVersionArg(version)
		if err != nil {
			return err
		}
		v, err := cl.DefinitionVersion(ctx, kind, name, n)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(w, v.Source)
		return err
	}
	d, err := cl.Definition(ctx, kind, name)
	if err != nil {
		return err
	}
	if source {
		v, err := cl.DefinitionVersion(ctx, kind, name, d.Version)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(w, v.Source)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s/%s\n", d.Kind, d.Name)
	for _, kv := range [][2]string{{"state", describeState(d)}, {"version", "v" + strconv.Itoa(d.Version)}, {"owner", dash(d.Owner)},
		{"review every", dash(d.ReviewEvery)}, {"object", dash(d.Object)}, {"updated", d.UpdatedAt.UTC().Format(time.DateTime)}} {
		fmt.Fprintf(tw, "  %s:\t%s\n", kv[0], kv[1])
	}
	fmt.Fprintln(tw, "versions:")
	for _, v := range d.Versions {
		fmt.Fprintf(tw, "  v%d\t%s\t%s\tsha256:%.12s\n", v.Version, v.CreatedAt.UTC().Format(time.DateTime), v.CreatedBy, v.Hash)
	}
	return tw.Flush()
}

func newKillSwitch(g *globals, verb string) *cobra.Command {
	var conn apiConn
	var all bool
	short := map[string]string{
		"pause":  "Pause one definition, or with --all every active workflow at once (the kill switch)",
		"resume": "Resume one definition, or with --all the workflows the kill switch paused",
	}[verb]
	cmd := &cobra.Command{
		Use:   verb + " NAME | " + verb + " --all",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return fmt.Errorf("give either NAME or --all")
			}
			cl, err := conn.open(cmd.Context(), g)
			if err != nil {
				return err
			}
			if !all {
				kind, name, err := resolveRef(cmd.Context(), cl, args[0])
				if err != nil {
					return err
				}
				return runSetState(cmd.Context(), cl, g.env.Stdout, kind, name, verb)
			}
			if verb == "pause" {
				n, err := cl.PauseAll(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(g.env.Stdout, "paused %d workflow(s); salesflow resume --all resumes them\n", n)
				return nil
			}
			n, err := cl.ResumeAll(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(g.env.Stdout, "resumed %d workflow(s) the kill switch had paused\n", n)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "every workflow")
	conn.flags(cmd.Flags())
	return cmd
}
