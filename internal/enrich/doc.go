// Package enrich fills a lead's company fields (company, industry, employees, country, website …)
// from enrichment providers, without overwriting what a person typed.
//
// A Provider answers a Query (the lead's email, its registrable company domain, company name and
// website) with Fields, or with nothing. Three are built in:
//
//   - Directory ("directory"): the local company directory, a CSV of domain → name, industry,
//     employees, country, website, city imported by the CLI (ReadCompaniesCSV reads and checks the
//     file) and looked up by domain.
//   - FreeMail ("free_mail"): marks addresses at consumer and disposable mail domains
//     (records.IsFreeMail), which say nothing about an employer. It sets no company fields.
//   - HTTP ("http"): a generic JSON web service, one GET per lookup, with a field map from lead
//     fields to dotted paths in its answer, a client-side rate limit and typed failures (429 is a
//     *RateLimitedError; 5xx and timeouts are Retryable; other 4xx are permanent).
//
// An Enricher asks the providers in order through a Cache: answers, including "nothing known", are
// reused while younger than its TTL, so re-enrichment does not spend a paid service's quota. Merge
// then decides what to write: empty fields and fields enrichment set before are filled, a value a
// person entered (one without a Source entry) is kept unless overwrite is set, and the first provider
// that supplies a field wins. Every written field gets a Source (provider and time), which the caller
// stores with the record (the lead's enrichment field).
//
// The HTTP provider is configured from the environment by ParseHTTPConfig; it is off unless
// SALESFLOW_ENRICH_HTTP_URL is set:
//
//	SALESFLOW_ENRICH_HTTP_URL      URL template with {domain}, {email} and {company}, e.g.
//	                               https://api.example.com/v1/companies?domain={domain}
//	                               (values are URL-query-escaped; a lead lacking a value the
//	                               template uses is not looked up)
//	SALESFLOW_ENRICH_HTTP_HEADER   one request header, e.g. "Authorization: Bearer <token>"
//	SALESFLOW_ENRICH_HTTP_MAP      required: lead field=JSON path pairs, comma-separated, e.g.
//	                               employees=company.metrics.employees,industry=company.category
//	SALESFLOW_ENRICH_HTTP_TIMEOUT  per-request timeout as a Go duration (default 5s)
//	SALESFLOW_ENRICH_HTTP_RATE     requests per second allowed (default 5)
//
// Values from an answer are converted to the field's type: numbers (employees) to float64, also
// from numeric strings; country to an upper-case ISO code; everything else to a string. A value
// that does not fit (a negative head count, "Germany" as a country) is left out.
package enrich
