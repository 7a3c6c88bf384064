package csvio

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"\ufeffEmail":       "email",
		"  First Name ":     "first_name",
		"E-Mail  Address":   "e_mail_address",
		"employee-count":    "employee_count",
		"Last__Name":        "last_name",
		"_odd_":             "odd",
		"Ünïcode Feld":      "ünïcode_feld",
		"custom_field_9":    "custom_field_9",
		"Company - Website": "company_website",
	} {
		require.Equal(t, want, Normalize(in), in)
	}
}

func fields(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Field
	}
	return out
}

func TestMapHeaderAliases(t *testing.T) {
	t.Parallel()
	leads := schema(t, "leads")
	cols, err := MapHeader("leads.csv", []string{"\ufeffE-mail", "FirstName", "Surname", "Company Name", "Mobile", "Job Title",
		"Homepage", "Employee Count", "VIP", "Seats"}, leads, nil, false)
	require.NoError(t, err)
	require.Equal(t, []string{"email", "first_name", "last_name", "company", "phone", "title", "website", "employees", "vip", "seats"}, fields(cols))
	require.Equal(t, KindNumber, cols[7].Kind)
	require.Equal(t, "E-mail", cols[0].Header, "the BOM is not part of the header")

	accounts := schema(t, "accounts")
	cols, err = MapHeader("accounts.csv", []string{"Account Name", "URL", "employees_count"}, accounts, nil, false)
	require.NoError(t, err)
	require.Equal(t, []string{"name", "website", "employees"}, fields(cols))
	cols, err = MapHeader("accounts.csv", []string{"Organisation", "Domain"}, accounts, nil, false)
	require.NoError(t, err)
	require.Equal(t, []string{"name", "domain"}, fields(cols), "an account's company is its name")
}

func TestMapHeaderExplicit(t *testing.T) {
	t.Parallel()
	leads := schema(t, "leads")
	m, err := ParseMap([]string{"Work Mail=email", " NOTES = ", "Size=employees"})
	require.NoError(t, err)
	_, err = MapHeader("in.csv", []string{"work mail", "Notes", "size", "Email"}, leads, m, false)
	require.Error(t, err, "Email and the mapped Work Mail both feed email")
	require.ErrorContains(t, err, `column A "work mail" and column D "Email" both map to email`)

	cols, err := MapHeader("in.csv", []string{"work mail", "Notes", "size"}, leads, m, false)
	require.NoError(t, err)
	require.Equal(t, []string{"email", "", "employees"}, fields(cols))

	_, err = MapHeader("in.csv", []string{"Work Mail", "Notes"}, leads, m, false)
	require.EqualError(t, err, `in.csv: --map names the header "size", which the file does not have`)

	m, err = ParseMap([]string{"Mail=e_mail"})
	require.NoError(t, err)
	_, err = MapHeader("in.csv", []string{"Mail"}, leads, m, false)
	require.EqualError(t, err, `in.csv: --map "Mail"=e_mail: lead has no field "e_mail"`)

	_, err = ParseMap([]string{"justtext"})
	require.ErrorContains(t, err, `--map "justtext"`)
	_, err = ParseMap([]string{"=email"})
	require.ErrorContains(t, err, "empty")
	_, err = ParseMap([]string{"A=email", "a=phone"})
	require.ErrorContains(t, err, "twice")
	m, err = ParseMap([]string{"a=b=email"})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a=b": "email"}, m)
}

func TestMapHeaderUnknown(t *testing.T) {
	t.Parallel()
	leads := schema(t, "leads")
	header := []string{"Email", "Fax", "id", "Notes"}
	_, err := MapHeader("/data/leads.csv", header, leads, nil, false)
	var he *HeaderError
	require.ErrorAs(t, err, &he)
	require.Equal(t, []string{
		`column B "Fax": lead has no field "fax"`,
		`column C "id": id is a read-only field of lead (the server sets it)`,
		`column D "Notes": lead has no field "notes"`,
	}, he.Problems)
	require.Contains(t, err.Error(), "/data/leads.csv: ")
	require.Contains(t, err.Error(), `--map "Fax=FIELD"`)
	require.Contains(t, err.Error(), "--skip-unknown")
	require.Contains(t, err.Error(), "lead fields: budget, company,")

	cols, err := MapHeader("leads.csv", header, leads, nil, true)
	require.NoError(t, err)
	require.Equal(t, []string{"email", "", "", ""}, fields(cols))

	_, err = MapHeader("leads.csv", []string{"Email", ""}, leads, nil, false)
	require.ErrorContains(t, err, `column B "" has no header`)

	_, err = MapHeader("leads.csv", []string{"Fax"}, leads, nil, true)
	require.EqualError(t, err, "leads.csv: no column maps to a field of lead")

	_, err = MapHeader("leads.csv", []string{"email", "E-Mail"}, leads, nil, false)
	require.EqualError(t, err, `leads.csv: column A "email" and column B "E-Mail" both map to email`)
}

func TestLetters(t *testing.T) {
	t.Parallel()
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		require.Equal(t, want, letters(i), i)
	}
}
