package enrich

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HTTPConfig configures the generic HTTP JSON provider.
type HTTPConfig struct {
	// URL is a template with {domain}, {email} and {company}, replaced by the lead's values,
	// URL-query-escaped: "https://api.example.com/v1/companies?domain={domain}".
	URL string
	// Header is one request header, "Name: value", typically "Authorization: Bearer xyz".
	Header string
	// Map maps lead fields to dotted JSON paths in the answer ("employees": "company.metrics.employees";
	// a number indexes an array: "tags.0").
	Map map[string]string
	// Timeout bounds one request (the wait for the rate limit does not count); 0 means 5s.
	Timeout time.Duration
	// RatePerSecond and Burst limit requests on this side, so a batch re-enrichment does not exceed
	// the provider's quota; 0 means 5 per second and a burst of 1.
	RatePerSecond float64
	Burst         int
	// Client is the HTTP client; nil means a new one (tests pass the test server's).
	Client *http.Client
}

// The defaults ParseHTTPConfig and NewHTTP fill in.
const (
	defaultTimeout = 5 * time.Second
	defaultRate    = 5
)

// placeholders are the template variables an HTTP provider URL may use.
var placeholders = []string{"{domain}", "{email}", "{company}"}

// leadField is the form of a field name in SALESFLOW_ENRICH_HTTP_MAP.
var leadField = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ParseHTTPConfig reads the HTTP provider's configuration from the environment (env is os.Getenv in
// production, a map lookup in tests). It returns (nil, nil) when SALESFLOW_ENRICH_HTTP_URL is unset:
// the provider is optional. Errors name the variable; a header's value is never shown, as it
// usually holds a credential.
func ParseHTTPConfig(env func(string) string) (*HTTPConfig, error) {
	raw := strings.TrimSpace(env("SALESFLOW_ENRICH_HTTP_URL"))
	if raw == "" {
		return nil, nil
	}
	cfg := &HTTPConfig{URL: raw, Header: strings.TrimSpace(env("SALESFLOW_ENRICH_HTTP_HEADER")),
		Timeout: defaultTimeout, RatePerSecond: defaultRate, Burst: 1}
	var errs []error
	if err := checkURLTemplate(raw); err != nil {
		errs = append(errs, fmt.Errorf("SALESFLOW_ENRICH_HTTP_URL: %w", err))
	}
	if cfg.Header != "" {
		if _, _, err := splitHeader(cfg.Header); err != nil {
			errs = append(errs, fmt.Errorf("SALESFLOW_ENRICH_HTTP_HEADER: %w", err))
		}
	}
	m, err := parseFieldMap(env("SALESFLOW_ENRICH_HTTP_MAP"))
	if err != nil {
		errs = append(errs, fmt.Errorf("SALESFLOW_ENRICH_HTTP_MAP: %w", err))
	}
	cfg.Map = m
	if s := strings.TrimSpace(env("SALESFLOW_ENRICH_HTTP_TIMEOUT")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("SALESFLOW_ENRICH_HTTP_TIMEOUT: %q is not a positive duration like 5s or 1500ms", s))
		}
		cfg.Timeout = d
	}
	if s := strings.TrimSpace(env("SALESFLOW_ENRICH_HTTP_RATE")); s != "" {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || !(r > 0) || r > 1e6 {
			errs = append(errs, fmt.Errorf("SALESFLOW_ENRICH_HTTP_RATE: %q is not a number of requests per second above 0 (5, 0.5)", s))
		}
		cfg.RatePerSecond = r
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// checkURLTemplate accepts an absolute http(s) URL using at least one placeholder: without one every
// lead would get the same answer.
func checkURLTemplate(tmpl string) error {
	probe := tmpl
	used := false
	for _, p := range placeholders {
		used = used || strings.Contains(probe, p)
		probe = strings.ReplaceAll(probe, p, "x")
	}
	u, err := url.Parse(probe)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("not an absolute http(s) URL like https://api.example.com/companies?domain={domain}")
	}
	if !used {
		return fmt.Errorf("uses none of %s, so every lead would get the same answer", strings.Join(placeholders, ", "))
	}
	return nil
}

// splitHeader splits "Name: value". The value is left out of the error on purpose.
func splitHeader(h string) (string, string, error) {
	name, value, ok := strings.Cut(h, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.TrimSpace(value) == "" || strings.ContainsAny(value, "\r\n") {
		return "", "", errors.New(`want one header as "Name: value", like "Authorization: Bearer <token>" (value not shown)`)
	}
	return http.CanonicalHeaderKey(name), strings.TrimSpace(value), nil
}

// parseFieldMap reads "employees=company.metrics.employees,industry=company.category".
func parseFieldMap(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New(`is required with SALESFLOW_ENRICH_HTTP_URL: say which answer field fills which lead field, like "employees=company.metrics.employees,industry=company.category"`)
	}
	m := map[string]string{}
	for entry := range strings.SplitSeq(s, ",") {
		field, path, ok := strings.Cut(entry, "=")
		field, path = strings.TrimSpace(field), strings.TrimSpace(path)
		if !ok {
			return nil, fmt.Errorf("entry %q: want field=json.path", strings.TrimSpace(entry))
		}
		if err := checkMapEntry(field, path); err != nil {
			return nil, fmt.Errorf("entry %q: %w", strings.TrimSpace(entry), err)
		}
		if _, dup := m[field]; dup {
			return nil, fmt.Errorf("entry %q: %s is mapped twice", strings.TrimSpace(entry), field)
		}
		m[field] = path
	}
	return m, nil
}

// checkMapEntry checks one lead field → JSON path pair.
func checkMapEntry(field, path string) error {
	if !leadField.MatchString(field) {
		return fmt.Errorf("%q is not a field name like employees", field)
	}
	if path == "" || slices.Contains(strings.Split(path, "."), "") {
		return fmt.Errorf("%q is not a dotted JSON path like company.metrics.employees", path)
	}
	return nil
}
