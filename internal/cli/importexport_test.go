package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

// importServer runs the real server in-process on a fresh SQLite database.
func importServer(t *testing.T) *httptest.Server {
	t.Helper()
	ts, _ := apptest.Server(t, "sqlite")
	return ts
}

type cliResult struct {
	stdout, stderr string
	code           int
}

// run runs the CLI in-process against ts with the admin token in the environment.
func runCLI(t *testing.T, ts *httptest.Server, args ...string) cliResult {
	t.Helper()
	env := map[string]string{"SALESFLOW_SERVER": ts.URL, "SALESFLOW_ADMIN_TOKEN": apptest.AdminToken}
	return runCLIEnv(t, env, nil, args...)
}

func runCLIEnv(t *testing.T, env map[string]string, stderr *os.File, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	e := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }, IsTerminal: func(uintptr) bool { return stderr != nil }}
	if stderr != nil {
		e.Stderr = stderr
	}
	code := Main(t.Context(), args, e)
	return cliResult{out.String(), errb.String(), code}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return rows
}

func countRecords(t *testing.T, ts *httptest.Server, plural string) int {
	t.Helper()
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	n, params := 0, url.Values{"limit": {"500"}}
	for {
		page, err := c.List(context.Background(), plural, params)
		require.NoError(t, err)
		n += len(page.Items)
		if page.NextCursor == "" {
			return n
		}
		params.Set("cursor", page.NextCursor)
	}
}

// leadsCSV generates n leads; every 100th row, starting at row 37, is bad in one of four ways.
func leadsCSV(n int) (string, []int) {
	var b strings.Builder
	b.WriteString("Email,First Name,Last Name,Company,Phone,Website,Employees\n")
	var bad []int
	for i := 1; i <= n; i++ {
		email, phone, employees := fmt.Sprintf("lead%05d@company%d.com", i, i%700), fmt.Sprintf("+1 415 555 %04d", i%10000), strconv.Itoa(i%5000+1)
		if i%1000 == 1 {
			employees = `"1,200"`
		}
		last := ",https://www.company" + strconv.Itoa(i%700) + ".com," + employees
		if i%100 == 37 {
			bad = append(bad, i)
			switch len(bad) % 4 {
			case 0:
				email = fmt.Sprintf("lead%05d.company.com", i)
			case 1:
				phone = "12"
			case 2:
				last = ",https://www.company.com,lots"
			case 3:
				last = ",https://www.company.com" // one cell short
			}
		}
		fmt.Fprintf(&b, "%s,First%d,Last%d,\"Company %d, Inc.\",%s%s\n", email, i, i, i%700, phone, last)
	}
	return b.String(), bad
}

func reportRows(t *testing.T, path string) []int {
	t.Helper()
	rows := readCSVFile(t, path)
	require.Equal(t, []string{"row", "line", "field", "value", "reason"}, rows[0])
	var nums []int
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[0])
		require.NoError(t, err)
		nums = append(nums, n)
		require.Equal(t, r[0], strconv.Itoa(atoiT(t, r[1])-1), "no multi-line cells here: line is row+1")
		require.NotEmpty(t, r[4], "every report line has a reason")
	}
	return nums
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

func TestImportTenThousandLeads(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 10,000 leads twice")
	}
	t.Parallel()
	ts := importServer(t)
	content, bad := leadsCSV(10_000)
	require.Len(t, bad, 100)
	file := writeTemp(t, "leads.csv", content)
	report := file + ".errors.csv"

	start := time.Now()
	res := runCLI(t, ts, "import", "leads", file)
	took := time.Since(start)
	t.Logf("first import of 10,000 rows: %v (%.0f rows/s)", took.Round(time.Millisecond), 10_000/took.Seconds())
	require.Equal(t, 2, res.code, res.stderr)
	require.Equal(t, fmt.Sprintf("imported %s: 9900 created, 0 updated, 0 unchanged, 100 errors (report: %s)\n", file, report), res.stdout)
	require.Contains(t, res.stderr, "100 of 10000 rows were not imported")
	require.Equal(t, bad, reportRows(t, report), "the report lists exactly the bad rows")
	require.Equal(t, 9_900, countRecords(t, ts, "leads"), "9,900 imported + 100 reported = every row")

	reasons := map[string]bool{}
	for _, r := range readCSVFile(t, report)[1:] {
		reasons[r[2]] = true
	}
	require.Equal(t, map[string]bool{"email": true, "phone": true, "employees": true, "": true}, reasons)

	start = time.Now()
	res = runCLI(t, ts, "import", "leads", file)
	took = time.Since(start)
	t.Logf("second import of 10,000 rows: %v (%.0f rows/s)", took.Round(time.Millisecond), 10_000/took.Seconds())
	require.Equal(t, 2, res.code, res.stderr)
	require.Equal(t, fmt.Sprintf("imported %s: 0 created, 0 updated, 9900 unchanged, 100 errors (report: %s)\n", file, report), res.stdout)
	require.Equal(t, bad, reportRows(t, report))
	require.Equal(t, 9_900, countRecords(t, ts, "leads"))

	// Export round trip.
	out := filepath.Join(t.TempDir(), "export.csv")
	start = time.Now()
	res = runCLI(t, ts, "export", "leads", "-o", out)
	t.Logf("export of 9,900 leads: %v", time.Since(start).Round(time.Millisecond))
	require.Equal(t, 0, res.code, res.stderr)
	require.Equal(t, "exported 9900 leads to "+out+"\n", res.stdout)
	rows := readCSVFile(t, out)
	require.Len(t, rows, 9_901)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	require.Equal(t, 0, col["id"])
	byEmail := map[string][]string{}
	for _, r := range rows[1:] {
		byEmail[r[col["email"]]] = r
	}
	first := byEmail["lead00001@company1.com"]
	require.NotNil(t, first)
	require.Equal(t, "First1", first[col["first_name"]])
	require.Equal(t, "Company 1, Inc.", first[col["company"]])
	require.Equal(t, "+14155550001", first[col["phone"]])
	require.Equal(t, "1200", first[col["employees"]], "no thousands separator, no exponent")
	require.Equal(t, "company1.com", first[col["company_domain"]])
	require.Equal(t, "new", first[col["status"]])
	require.Equal(t, "4001", byEmail["lead04000@company500.com"][col["employees"]])
	require.NotContains(t, byEmail, "lead00037@company37.com", "a bad row was not imported")

	// Importing the export back (read-only columns dropped) changes nothing.
	start = time.Now()
	res = runCLI(t, ts, "import", "leads", out, "--skip-unknown", "--batch", "1000")
	t.Logf("import of the export: %v", time.Since(start).Round(time.Millisecond))
	require.Equal(t, 0, res.code, res.stderr)
	require.Equal(t, fmt.Sprintf("imported %s: 0 created, 0 updated, 9900 unchanged, 0 errors\n", out), res.stdout)
}

func TestImportMultilineCellShiftsLine(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "ml.csv", "email,first_name,title\n"+
		"ann@acme.com,\"Ann\nMarie\",CEO\n"+ // row 1, lines 2–3
		"bob@acme.com,Bob,\"Head of\n\nSales\"\n"+ // row 2, lines 4–6
		"not-an-email,Cy,CTO\n"+ // row 3, line 7
		"dee@acme.com,Dee,\n") // row 4, line 8
	res := runCLI(t, ts, "import", "leads", file)
	require.Equal(t, 2, res.code, res.stderr)
	require.Contains(t, res.stdout, "3 created, 0 updated, 0 unchanged, 1 errors")
	require.Equal(t, [][]string{{"row", "line", "field", "value", "reason"},
		{"3", "7", "email", "not-an-email", `"not-an-email" is not an email address`}}, readCSVFile(t, file+".errors.csv"))

	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	page, err := c.List(t.Context(), "leads", url.Values{"email": {"ann@acme.com"}})
	require.NoError(t, err)
	require.Equal(t, "Ann\nMarie", page.Items[0]["first_name"])
}

func TestImportUnknownHeaderIsFatal(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "leads.csv", "Email,Fax Number,first name\nann@acme.com,123,Ann\n")
	res := runCLI(t, ts, "import", "leads", file)
	require.Equal(t, 1, res.code)
	require.Empty(t, res.stdout)
	require.Contains(t, res.stderr, file+`: column B "Fax Number": lead has no field "fax_number"`)
	require.Contains(t, res.stderr, "--skip-unknown")
	require.Contains(t, res.stderr, `--map "Fax Number=FIELD"`)
	require.NoFileExists(t, file+".errors.csv")
	require.Zero(t, countRecords(t, ts, "leads"), "nothing imported")
}

func TestImportMapAndSkipUnknown(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "crm.csv", "Work Mail;Notes;Size;Fax;Given Name\nann@acme.com;likes golf;\"1,200\";123;Ann\n")
	res := runCLI(t, ts, "import", "leads", file, "--map", "work mail=email,Size=employees", "--skip-unknown")
	require.Equal(t, 0, res.code, res.stderr)
	require.Equal(t, "imported "+file+": 1 created, 0 updated, 0 unchanged, 0 errors\n", res.stdout)

	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	page, err := c.List(t.Context(), "leads", nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	lead := page.Items[0]
	require.Equal(t, "ann@acme.com", lead["email"])
	require.Equal(t, "1200", fmt.Sprint(lead["employees"]))
	require.Equal(t, "Ann", lead["first_name"])

	res = runCLI(t, ts, "import", "leads", file, "--map", "work mail=email,Size=employees")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, `column B "Notes"`)
	require.Contains(t, res.stderr, `column D "Fax"`)

	res = runCLI(t, ts, "import", "leads", file, "--map", "Mail=email", "--skip-unknown")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, `--map names the header "mail", which the file does not have`)
}

func TestImportAccountsUpsertByDomain(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "accounts.csv", "Account Name,Website,Employees\nAcme,https://www.acme.com,50\nGlobex,globex.io,\nNo Web Ltd,,3\n")
	res := runCLI(t, ts, "import", "accounts", file)
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "3 created, 0 updated, 0 unchanged, 0 errors")

	// The same companies by another website spelling, a domain column, and a name-only match.
	file2 := writeTemp(t, "accounts2.csv", "company,URL,domain,employees\nAcme Corp,http://acme.com/about,,60\nGlobex,,globex.io,7\nNo Web Ltd,,,3\n")
	res = runCLI(t, ts, "import", "accounts", file2)
	require.Equal(t, 0, res.code, res.stderr)
	require.Equal(t, "imported "+file2+": 0 created, 2 updated, 1 unchanged, 0 errors\n", res.stdout)
	require.Equal(t, 3, countRecords(t, ts, "accounts"))

	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	page, err := c.List(t.Context(), "accounts", url.Values{"domain": {"acme.com"}})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, "Acme Corp", page.Items[0]["name"])
	require.Equal(t, "60", fmt.Sprint(page.Items[0]["employees"]))
}

func TestImportRemovesStaleReport(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "contacts.csv", "email,first_name\nann@acme.com,Ann\n")
	require.NoError(t, os.WriteFile(file+".errors.csv", []byte("row,line,field,value,reason\n1,2,x,y,old\n"), 0o600))
	res := runCLI(t, ts, "import", "contacts", file)
	require.Equal(t, 0, res.code, res.stderr)
	require.NoFileExists(t, file+".errors.csv")
}

func TestImportFatalErrorsWriteNothing(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "leads.csv", "email\nnot-an-email\n")

	res := runCLIEnv(t, map[string]string{"SALESFLOW_SERVER": ts.URL, "SALESFLOW_TOKEN": "wrong"}, nil, "import", "leads", file)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "refused the token (401)")
	require.Empty(t, res.stdout)
	require.NoFileExists(t, file+".errors.csv")

	closed := httptest.NewServer(nil)
	closed.Close()
	res = runCLIEnv(t, map[string]string{"SALESFLOW_SERVER": closed.URL, "SALESFLOW_TOKEN": "x"}, nil, "import", "leads", file)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "cannot reach the server at "+closed.URL)
	require.NoFileExists(t, file+".errors.csv")

	res = runCLIEnv(t, map[string]string{"SALESFLOW_SERVER": ts.URL}, nil, "import", "leads", file)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "no API token")

	res = runCLI(t, ts, "import", "deals", file)
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, `cannot import "deals"`)
	res = runCLI(t, ts, "import", "leads", file, "--batch", "5000")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "--batch 5000")
	res = runCLI(t, ts, "import", "leads", filepath.Join(t.TempDir(), "missing.csv"))
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "missing.csv: no such file")
}

func TestImportFlagsOverrideEnv(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	file := writeTemp(t, "leads.tsv", "email\tfirst_name\nann@acme.com\tAnn\n")
	env := map[string]string{"SALESFLOW_SERVER": "http://127.0.0.1:1", "SALESFLOW_TOKEN": "wrong"}
	res := runCLIEnv(t, env, nil, "import", "leads", file, "--server", ts.URL, "--token", apptest.AdminToken, "--delimiter", "tab")
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "1 created")
}

func TestImportProgressOnTerminal(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	content, _ := leadsCSV(250)
	file := writeTemp(t, "leads.csv", content)
	tty, err := os.Create(filepath.Join(t.TempDir(), "tty"))
	require.NoError(t, err)
	defer tty.Close()
	env := map[string]string{"SALESFLOW_SERVER": ts.URL, "SALESFLOW_ADMIN_TOKEN": apptest.AdminToken}
	res := runCLIEnv(t, env, tty, "import", "leads", file, "--batch", "100")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stdout, "247 created, 0 updated, 0 unchanged, 3 errors")
	drawn, err := os.ReadFile(tty.Name())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(drawn), "\r["), "%q", drawn)
	require.Contains(t, string(drawn), "\r[########################] 250/250 rows  created 247 · updated 0 · unchanged 0 · errors 3\n")

	res = runCLI(t, ts, "import", "leads", file) // not a terminal: no bar
	require.NotContains(t, res.stderr, "\r")
}

func TestExportToStdout(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	ctx := t.Context()
	_, err := c.Create(ctx, "teams", map[string]any{"name": "SDR, West", "kind": "sdr"}, "")
	require.NoError(t, err)
	_, err = c.Create(ctx, "teams", map[string]any{"name": "AE"}, "")
	require.NoError(t, err)

	res := runCLI(t, ts, "export", "teams")
	require.Equal(t, 0, res.code, res.stderr)
	rows, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"id", "kind", "manager_id", "name", "created_at", "updated_at"}, rows[0])
	require.Len(t, rows, 3)
	require.Equal(t, []string{"sdr", "", "SDR, West"}, rows[1][1:4], "oldest first")
	require.Equal(t, []string{"other", "", "AE"}, rows[2][1:4])

	res = runCLI(t, ts, "export", "pipelines")
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, `cannot export "pipelines"`)

	res = runCLI(t, ts, "export", "deals")
	require.Equal(t, 0, res.code, res.stderr)
	require.True(t, strings.HasPrefix(res.stdout, "id,"), "an empty export is a header")
	require.Equal(t, 1, strings.Count(res.stdout, "\n"))
}

func TestExportCustomFieldsAndNumbers(t *testing.T) {
	t.Parallel()
	ts := importServer(t)
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	ctx := t.Context()
	createLead := func(body map[string]any) {
		t.Helper()
		_, err := c.Create(ctx, "leads", body, "")
		require.NoError(t, err)
	}
	file := writeTemp(t, "custom.csv", "email,VIP,Seats\nann@acme.com,yes,\"2,500,000\"\nbob@acme.com,no,12.5\nbad@acme.com,maybe,1\n")
	res := runCLI(t, ts, "import", "leads", file)
	require.Equal(t, 1, res.code, "no custom fields yet: VIP and Seats are unknown")

	for name, typ := range map[string]string{"vip": "bool", "seats": "number"} {
		_, err := c.Create(ctx, "fields", map[string]any{"object": "lead", "name": name, "type": typ}, "")
		require.NoError(t, err)
	}
	createLead(map[string]any{"email": "cy@acme.com", "seats": 1.5e-7}) // JSON writes it as 1.5e-07

	res = runCLI(t, ts, "import", "leads", file)
	require.Equal(t, 2, res.code, res.stderr)
	require.Contains(t, res.stdout, "2 created, 0 updated, 0 unchanged, 1 errors")
	require.Equal(t, []string{"3", "4", "vip", "maybe", `"maybe" is not true or false (also yes/no, 1/0)`}, readCSVFile(t, file+".errors.csv")[1])

	out := filepath.Join(t.TempDir(), "leads.csv")
	res = runCLI(t, ts, "export", "leads", "-o", out)
	require.Equal(t, 0, res.code, res.stderr)
	rows := readCSVFile(t, out)
	seats, vip := slices.Index(rows[0], "seats"), slices.Index(rows[0], "vip")
	require.Greater(t, seats, 1, "custom fields sort with the writable ones")
	require.Less(t, seats, slices.Index(rows[0], "company_domain"))
	got := map[string][2]string{}
	for _, r := range rows[1:] {
		got[r[slices.Index(rows[0], "email")]] = [2]string{r[seats], r[vip]}
	}
	require.Equal(t, map[string][2]string{
		"cy@acme.com":  {"0.00000015", ""},
		"ann@acme.com": {"2500000", "true"},
		"bob@acme.com": {"12.5", "false"},
	}, got)
}
