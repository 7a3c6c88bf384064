package enrich

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseHTTPConfig(t *testing.T) {
	t.Parallel()
	cfg, err := ParseHTTPConfig(envOf(nil))
	require.NoError(t, err)
	require.Nil(t, cfg, "off unless the URL is set")

	cfg, err = ParseHTTPConfig(envOf(map[string]string{
		"SALESFLOW_ENRICH_HTTP_URL":    "https://api.example.com/v1/companies?domain={domain}",
		"SALESFLOW_ENRICH_HTTP_HEADER": "Authorization: Bearer xyz",
		"SALESFLOW_ENRICH_HTTP_MAP":    "employees=company.metrics.employees, industry = company.category",
	}))
	require.NoError(t, err)
	require.Equal(t, &HTTPConfig{
		URL:     "https://api.example.com/v1/companies?domain={domain}",
		Header:  "Authorization: Bearer xyz",
		Map:     map[string]string{"employees": "company.metrics.employees", "industry": "company.category"},
		Timeout: 5 * time.Second, RatePerSecond: 5, Burst: 1,
	}, cfg)

	cfg, err = ParseHTTPConfig(envOf(map[string]string{
		"SALESFLOW_ENRICH_HTTP_URL":     "https://api.example.com/{email}",
		"SALESFLOW_ENRICH_HTTP_MAP":     "company=name",
		"SALESFLOW_ENRICH_HTTP_TIMEOUT": "1500ms",
		"SALESFLOW_ENRICH_HTTP_RATE":    "0.5",
	}))
	require.NoError(t, err)
	require.Equal(t, 1500*time.Millisecond, cfg.Timeout)
	require.InDelta(t, 0.5, cfg.RatePerSecond, 0)
}

func TestParseHTTPConfigErrors(t *testing.T) {
	t.Parallel()
	const url, fieldMap = "https://api.example.com/?d={domain}", "industry=category"
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"relative URL", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": "/companies/{domain}", "SALESFLOW_ENRICH_HTTP_MAP": fieldMap},
			"SALESFLOW_ENRICH_HTTP_URL: not an absolute http(s) URL like https://api.example.com/companies?domain={domain}"},
		{"no placeholder", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": "https://api.example.com/", "SALESFLOW_ENRICH_HTTP_MAP": fieldMap},
			"SALESFLOW_ENRICH_HTTP_URL: uses none of {domain}, {email}, {company}, so every lead would get the same answer"},
		{"header without colon", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": fieldMap, "SALESFLOW_ENRICH_HTTP_HEADER": "Bearer secret-token"},
			`SALESFLOW_ENRICH_HTTP_HEADER: want one header as "Name: value", like "Authorization: Bearer <token>" (value not shown)`},
		{"map missing", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url},
			`SALESFLOW_ENRICH_HTTP_MAP: is required with SALESFLOW_ENRICH_HTTP_URL: say which answer field fills which lead field, like "employees=company.metrics.employees,industry=company.category"`},
		{"map entry without =", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": "industry=category,employees"},
			`SALESFLOW_ENRICH_HTTP_MAP: entry "employees": want field=json.path`},
		{"map bad path", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": "industry=company..category"},
			`SALESFLOW_ENRICH_HTTP_MAP: entry "industry=company..category": "company..category" is not a dotted JSON path like company.metrics.employees`},
		{"map bad field", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": "Head Count=size"},
			`SALESFLOW_ENRICH_HTTP_MAP: entry "Head Count=size": "Head Count" is not a field name like employees`},
		{"map twice", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": "industry=a,industry=b"},
			`SALESFLOW_ENRICH_HTTP_MAP: entry "industry=b": industry is mapped twice`},
		{"timeout", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": fieldMap, "SALESFLOW_ENRICH_HTTP_TIMEOUT": "5"},
			`SALESFLOW_ENRICH_HTTP_TIMEOUT: "5" is not a positive duration like 5s or 1500ms`},
		{"rate", map[string]string{"SALESFLOW_ENRICH_HTTP_URL": url, "SALESFLOW_ENRICH_HTTP_MAP": fieldMap, "SALESFLOW_ENRICH_HTTP_RATE": "0"},
			`SALESFLOW_ENRICH_HTTP_RATE: "0" is not a number of requests per second above 0 (5, 0.5)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := ParseHTTPConfig(envOf(tt.env))
			require.Nil(t, cfg)
			require.EqualError(t, err, tt.want)
			require.NotContains(t, err.Error(), "secret-token")
		})
	}
}

func TestNewHTTPChecksConfig(t *testing.T) {
	t.Parallel()
	_, err := NewHTTP(HTTPConfig{URL: "https://api.example.com/{domain}"})
	require.EqualError(t, err, "http enrichment: the field map is empty, so no answer could fill anything")
	_, err = NewHTTP(HTTPConfig{URL: "ftp://api.example.com/{domain}", Map: map[string]string{"industry": "x"}})
	require.ErrorContains(t, err, "http enrichment URL: not an absolute http(s) URL")
	_, err = NewHTTP(HTTPConfig{URL: "https://api.example.com/{domain}", Map: map[string]string{"industry": "x"}, Timeout: -time.Second})
	require.EqualError(t, err, "http enrichment: timeout, rate and burst cannot be negative")
}
