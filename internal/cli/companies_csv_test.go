package cli

import (
	"github.com/salesflow/salesflow/internal/enrich"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func errorStrings(errs []error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

func TestReadCompaniesCSV(t *testing.T) {
	t.Parallel()
	in := "\ufeffDomain, Name ,Industry,Employees,Country,Website,City\n" +
		"acme.com,Acme,Manufacturing,\"1,200\",de,https://www.acme.com,Berlin\n" +
		"https://www.Globex.co.uk/about,Globex,Energy,,uk,,\n" +
		"acme,Bad,,,,,\n" +
		"initech.com,Initech,Software,-5,Germany,,\n" +
		"gmail.com,Google Mail,,,,,\n" +
		"acme.com,Acme again,,,,,\n" +
		",Nameless,,,,,\n" +
		"umbrella.com,Umbrella,Pharma,12.5,US,not a url,\n" +
		"short.com,Short\n" +
		"\n" +
		"hooli.com,\"Hooli, Inc.\",Tech,10,US,hooli.com,Palo Alto\n"
	got, errs := ReadCompaniesCSV(strings.NewReader(in), "dir.csv")
	require.Equal(t, []string{
		`dir.csv:4: domain: "acme" is not a domain like acme.com`,
		`dir.csv:5: employees: "-5" is not a whole number of 0 or more`,
		`dir.csv:5: country: "Germany" is not a two-letter ISO 3166 code (DE, US)`,
		`dir.csv:6: domain: gmail.com is a free-mail domain; its addresses say nothing about a company`,
		`dir.csv:7: domain: acme.com is already on line 2`,
		`dir.csv:8: domain: is empty`,
		`dir.csv:9: employees: "12.5" is not a whole number of 0 or more`,
		`dir.csv:9: website: "not a url" is not a web address`,
		`dir.csv:10: row: has 2 cells; the header has 7`,
	}, errorStrings(errs))
	require.Equal(t, []enrich.Company{
		{Domain: "acme.com", Name: "Acme", Industry: "Manufacturing", Country: "DE", Website: "https://www.acme.com", City: "Berlin", Employees: 1200},
		{Domain: "globex.co.uk", Name: "Globex", Industry: "Energy", Country: "GB"},
		{Domain: "hooli.com", Name: "Hooli, Inc.", Industry: "Tech", Country: "US", Website: "https://hooli.com", City: "Palo Alto", Employees: 10},
	}, got)
}

func TestReadCompaniesCSVDelimiterAndQuotes(t *testing.T) {
	t.Parallel()
	in := "domain;name\nacme.com;Acme\nbad.com;\"Bad \"quote\"\nhooli.com;Hooli\n"
	got, errs := ReadCompaniesCSV(strings.NewReader(in), "dir.csv")
	require.Equal(t, []string{`dir.csv:3: row: malformed CSV at character 14: extraneous or missing " in quoted-field`}, errorStrings(errs))
	require.Equal(t, []enrich.Company{{Domain: "acme.com", Name: "Acme"}, {Domain: "hooli.com", Name: "Hooli"}}, got)
}

func TestReadCompaniesCSVHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"dir.csv: empty; the first line must name the columns (at least domain)"}},
		{"no domain", "name,industry\nAcme,Software\n", []string{"dir.csv:1: no domain column; the directory is looked up by domain"}},
		{"unknown and repeated", "Domain,Revenue,Name,name\nacme.com,1,Acme,Acme\n", []string{
			`dir.csv:1: column "Revenue": unknown; the columns are domain, name, industry, employees, country, website, city`,
			`dir.csv:1: column "name": appears twice`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, errs := ReadCompaniesCSV(strings.NewReader(tt.in), "dir.csv")
			require.Nil(t, got, "a header problem fails the whole file")
			require.Equal(t, tt.want, errorStrings(errs))
		})
	}
}

func TestReadCompaniesCSVDomainOnly(t *testing.T) {
	t.Parallel()
	got, errs := ReadCompaniesCSV(strings.NewReader("domain\nwww.eu.acme.co.uk\n"), "dir.csv")
	require.Empty(t, errs)
	require.Equal(t, []enrich.Company{{Domain: "acme.co.uk"}}, got)
}
