package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/csvio"
)

// The collections each command accepts. Import needs a natural key to upsert by, so that re-running an
// import creates nothing twice; the server has one for these.
var (
	importable = []string{"leads", "contacts", "accounts"}
	exportable = []string{"leads", "contacts", "accounts", "deals", "tasks", "activities", "users", "teams"}
)

// apiConn is how import and export reach a running server. Both talk to the API, not the database,
// so that they work against a remote server and go through the same validation as every other write.
type apiConn struct {
	server, token string
}

func (c *apiConn) flags(f *pflag.FlagSet) {
	f.StringVar(&c.server, "server", "", "server URL (default $SALESFLOW_SERVER, else http://127.0.0.1:8080)")
	// No default shown: cobra prints defaults in --help, and this one would be a secret.
	f.StringVar(&c.token, "token", "", "API token (default $SALESFLOW_TOKEN, else $SALESFLOW_ADMIN_TOKEN)")
}

// open resolves the defaults and checks, with one cheap call, that the server answers and takes the
// token: a command that fails there has written nothing.
func (c *apiConn) open(ctx context.Context, g *globals) (*client.Client, error) {
	server := firstSet(c.server, g.env.Getenv("SALESFLOW_SERVER"), "http://127.0.0.1:8080")
	token := firstSet(c.token, g.env.Getenv("SALESFLOW_TOKEN"), g.env.Getenv("SALESFLOW_ADMIN_TOKEN"))
	if u, err := url.Parse(server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q is not an http:// or https:// URL", server)
	}
	if token == "" {
		return nil, errors.New("no API token: pass --token or set SALESFLOW_TOKEN (see salesflow token create)")
	}
	cl := client.New(server, token, &http.Client{Timeout: 2 * time.Minute})
	if _, err := cl.Me(ctx); err != nil {
		var p *client.Problem
		switch {
		case errors.As(err, &p) && p.Status == http.StatusUnauthorized:
			return nil, fmt.Errorf("the server at %s refused the token (401): pass a valid --token or set SALESFLOW_TOKEN", server)
		case errors.As(err, &p):
			return nil, fmt.Errorf("the server at %s: %w", server, err)
		}
		return nil, fmt.Errorf("cannot reach the server at %s (set --server or SALESFLOW_SERVER): %w", server, err)
	}
	return cl, nil
}

// fetchSchema reads the collection's fields from the server, custom fields included.
func fetchSchema(ctx context.Context, cl *client.Client, plural string) (*csvio.Schema, error) {
	doc, err := cl.OpenAPI(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the server's field list: %w", err)
	}
	return csvio.SchemaFromOpenAPI(doc, plural)
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

type importOptions struct {
	conn        apiConn
	mapping     []string
	skipUnknown bool
	delimiter   string
	batch       int
}

func newImport(g *globals) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import leads|contacts|accounts|companies FILE.csv",
		Short: "Import records from a CSV file through the API, creating or updating each by its natural key",
		Long: "Import records from a CSV file. Leads and contacts are matched by email, accounts by domain (else\n" +
			"website, else name), so importing the same file again creates nothing new. Empty cells leave fields\n" +
			"unchanged. Headers are matched to fields by name and common aliases (E-mail, First Name, Company…);\n" +
			"rows the server refuses go to FILE.errors.csv with the reason.\n\n" +
			"`import companies` fills the company directory enrichment reads (columns domain, name, industry,\n" +
			"employees, country, website, city); bad rows are reported as FILE:LINE and skipped.\n\n" +
			"Exit status: 0 when every row landed, 2 when some rows are in the report, 1 when the import could not start or stopped part way.",
		Example: `  salesflow import leads leads.csv --map "Work Email=email,Notes=" --skip-unknown`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), g, args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.mapping, "map", nil, `map headers to fields: "CSV Header=field,Other=field2" (an empty field drops the column)`)
	f.BoolVar(&o.skipUnknown, "skip-unknown", false, "drop columns that match no field instead of stopping")
	f.StringVar(&o.delimiter, "delimiter", "", "cell delimiter, one character or tab (default: detected, ',' ';' or tab)")
	f.IntVar(&o.batch, "batch", 500, "records per request, 1 to 1000")
	o.conn.flags(f)
	return cmd
}

// rowsRefused is the outcome of an import that finished with rows in the report: not a failure of the
// command, but a script must be able to tell it from a clean run, hence exit status 2.
type rowsRefused struct {
	n, rows int
	report  string
}

func (e *rowsRefused) Error() string {
	return fmt.Sprintf("%d of %d rows were not imported; the reasons are in %s", e.n, e.rows, e.report)
}

// ExitCode makes Main exit with 2.
func (e *rowsRefused) ExitCode() int { return 2 }

func runImport(ctx context.Context, g *globals, plural, file string, o importOptions) error {
	if plural == "companies" {
		if len(o.mapping) > 0 || o.skipUnknown || o.delimiter != "" || o.batch != 500 {
			return fmt.Errorf("import companies takes no --map, --skip-unknown, --delimiter or --batch: its columns are fixed (domain, name, industry, employees, country, website, city) and the delimiter is detected")
		}
		return runImportCompanies(ctx, g, file, o.conn)
	}
	if !slices.Contains(importable, plural) {
		return fmt.Errorf("cannot import %q: choose one of %s", plural, strings.Join(importable, ", "))
	}
	if o.batch < 1 || o.batch > 1000 {
		return fmt.Errorf("--batch %d: give 1 to 1000 (the server takes at most 1000 records per request)", o.batch)
	}
	delim, err := csvio.ParseDelimiter(o.delimiter)
	if err != nil {
		return err
	}
	mapping, err := csvio.ParseMap(o.mapping)
	if err != nil {
		return err
	}
	in, err := os.Open(file)
	if err != nil {
		return err
	}
	defer in.Close()
	cl, err := o.conn.open(ctx, g)
	if err != nil {
		return err
	}
	s, err := fetchSchema(ctx, cl, plural)
	if err != nil {
		return err
	}
	rd, err := csvio.NewReader(file, in, s, csvio.Options{Delimiter: delim, Map: mapping, SkipUnknown: o.skipUnknown})
	if err != nil {
		return err
	}
	opt := csvio.ImportOptions{BatchSize: o.batch}
	bar := g.progressBar(file, delim)
	if bar != nil {
		opt.Progress = bar.update
	}
	report := csvio.NewFileReport(csvio.ReportPath(file))
	sum, err := csvio.Import(ctx, rd, batchSender{cl, plural}, report, opt)
	if bar != nil {
		bar.finish(sum)
	}
	return finishImport(g.env.Stdout, file, sum, report, err)
}

// finishImport closes the report and prints the summary line, and decides the exit status.
func finishImport(stdout io.Writer, file string, sum csvio.Summary, report *csvio.FileReport, importErr error) error {
	if err := report.Close(); err != nil && importErr == nil {
		importErr = err
	}
	if importErr == nil && sum.Errors == 0 {
		if err := report.RemoveStale(); err != nil {
			return err
		}
	}
	verb := "imported " + file
	if importErr != nil {
		if sum.Rows == 0 {
			return importErr
		}
		verb = "import of " + file + " stopped"
	}
	line := fmt.Sprintf("%s: %d created, %d updated, %d unchanged, %d errors", verb, sum.Created, sum.Updated, sum.Unchanged, sum.Errors)
	if report.Len() > 0 {
		line += " (report: " + report.Path() + ")"
	}
	fmt.Fprintln(stdout, line)
	switch {
	case importErr != nil:
		return importErr
	case sum.Errors > 0:
		return &rowsRefused{n: sum.Errors, rows: sum.Rows, report: report.Path()}
	}
	return nil
}

// batchSender adapts the API client to the importer.
type batchSender struct {
	cl     *client.Client
	plural string
}

func (b batchSender) Send(ctx context.Context, recs []map[string]any) ([]csvio.Outcome, error) {
	res, err := b.cl.Batch(ctx, b.plural, recs)
	if err != nil {
		return nil, err
	}
	out := make([]csvio.Outcome, len(res))
	for i, r := range res {
		out[i].Status = r.Status
		for _, fe := range r.Errors {
			out[i].Errors = append(out[i].Errors, csvio.FieldError{Field: fe.Field, Message: fe.Message})
		}
	}
	return out, nil
}

// importProgress draws an import's progress on a terminal, on one line redrawn with \r at most ten times a
// second: more would cost more than the import on a slow terminal and nobody reads it that fast.
type importProgress struct {
	w     io.Writer
	total int
	now   func() time.Time
	last  time.Time
}

// progressBar returns a bar on stderr when stderr is a terminal, else nil: a log file or a pipe must not
// fill with carriage returns. The total comes from a quick first pass over the file.
func (g *globals) progressBar(file string, delim rune) *importProgress {
	f, ok := g.env.Stderr.(*os.File)
	if !ok || g.env.IsTerminal == nil || !g.env.IsTerminal(f.Fd()) {
		return nil
	}
	total := 0
	if in, err := os.Open(file); err == nil {
		total, _ = csvio.CountRows(in, delim)
		in.Close()
	}
	return &importProgress{w: f, total: total, now: time.Now}
}

func (p *importProgress) update(s csvio.Summary) {
	if now := p.now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.draw(s)
	}
}

func (p *importProgress) finish(s csvio.Summary) {
	p.draw(s)
	fmt.Fprintln(p.w)
}

func (p *importProgress) draw(s csvio.Summary) {
	const width = 24
	total := max(p.total, s.Rows)
	done := width
	if total > 0 {
		done = width * s.Rows / total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %s/%s rows  created %s · updated %s · unchanged %s · errors %s",
		strings.Repeat("#", done), strings.Repeat(".", width-done), groupDigits(s.Rows), groupDigits(total),
		groupDigits(s.Created), groupDigits(s.Updated), groupDigits(s.Unchanged), groupDigits(s.Errors))
}

// groupDigits formats n with comma separators: 10000 → "10,000".
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func newExport(g *globals) *cobra.Command {
	var conn apiConn
	var out string
	cmd := &cobra.Command{
		Use:   "export " + strings.Join(exportable, "|") + " [-o FILE]",
		Short: "Export records as CSV (to stdout unless -o is given)",
		Long: "Export every record of a collection as CSV, oldest first: id, then the writable fields, then the\n" +
			"read-only ones, each group in alphabetical order, custom fields included. The file is a valid import\n" +
			"once its read-only columns are dropped (--skip-unknown does that).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd.Context(), g, args[0], out, conn)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE (replaced only once the export is complete)")
	conn.flags(cmd.Flags())
	return cmd
}

func runExport(ctx context.Context, g *globals, plural, out string, conn apiConn) error {
	if !slices.Contains(exportable, plural) {
		return fmt.Errorf("cannot export %q: choose one of %s", plural, strings.Join(exportable, ", "))
	}
	cl, err := conn.open(ctx, g)
	if err != nil {
		return err
	}
	s, err := fetchSchema(ctx, cl, plural)
	if err != nil {
		return err
	}
	if out == "" {
		_, err := exportTo(ctx, cl, s, g.env.Stdout)
		return err
	}
	n, err := exportFile(ctx, cl, s, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.env.Stdout, "exported %d %s to %s\n", n, plural, out)
	return nil
}

// exportFile writes to a temporary file beside out and renames it into place when complete, so that a
// failed export never leaves a truncated file where a good one was. The file is private to its owner
// (0600, os.CreateTemp's mode): it holds people's contact data.
func exportFile(ctx context.Context, cl *client.Client, s *csvio.Schema, out string) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	n, err := exportTo(ctx, cl, s, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("export: %w", cerr)
	}
	if err != nil {
		return n, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

// exportTo pages through the collection, 500 records a request, in creation order: a record created
// during the export lands after the cursor, so it is either in the file whole or not at all.
func exportTo(ctx context.Context, cl *client.Client, s *csvio.Schema, w io.Writer) (int, error) {
	e := csvio.NewExporter(w, s)
	params := url.Values{"limit": {"500"}, "sort": {"created_at"}}
	n := 0
	for {
		page, err := cl.List(ctx, s.Plural, params)
		if err != nil {
			return n, fmt.Errorf("export %s after %d records: %w", s.Plural, n, err)
		}
		for _, rec := range page.Items {
			if err := e.Write(rec); err != nil {
				return n, fmt.Errorf("export: write: %w", err)
			}
			n++
		}
		if page.NextCursor == "" {
			break
		}
		params.Set("cursor", page.NextCursor)
	}
	if err := e.Flush(); err != nil {
		return n, fmt.Errorf("export: write: %w", err)
	}
	return n, nil
}
