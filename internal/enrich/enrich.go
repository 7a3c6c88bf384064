package enrich

import (
	"context"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// Fields are enrichment results keyed by lead field name: company, industry, employees (float64),
// country (ISO-2 upper), website, timezone … A provider leaves out what it does not know rather than
// sending empty values, so that an empty value never looks like an answer.
type Fields map[string]any

// FreeMailField is the marker the FreeMail provider returns for a personal address. It is not a
// record field: Merge never writes it, the caller reads it from Found.
const FreeMailField = "free_mail"

// Query is what providers look a lead up by.
type Query struct {
	Email   string
	Domain  string // registrable company domain; "" for a free-mail address without a website
	Company string
	Website string
}

// NewQuery builds the query for a lead's email, company and website, deriving Domain the way the
// record write path derives company_domain, so that the cache and the directory see the same key.
func NewQuery(email, company, website string) Query {
	email = strings.ToLower(strings.TrimSpace(email))
	return Query{Email: email, Domain: records.CompanyDomain(website, email), Company: strings.TrimSpace(company), Website: website}
}

// emailDomain is the part of the address after the last @, or "".
func (q Query) emailDomain() string {
	if at := strings.LastIndexByte(q.Email, '@'); at >= 0 {
		return strings.ToLower(q.Email[at+1:])
	}
	return ""
}

// Provider answers what it knows about a lead's company. (nil, nil) means nothing is known, which is
// an answer too (and cached as such); an error means the question could not be answered.
type Provider interface {
	Name() string
	Lookup(ctx context.Context, q Query) (Fields, error)
}

// Keyer is implemented by a provider whose answer depends on something else than the company domain
// (the free-mail check depends on the address). Providers without it are cached by Query.Domain. An
// empty key means the answer is not cached.
type Keyer interface {
	CacheKey(q Query) string
}

// cacheKey is the key p's answer to q is cached under.
func cacheKey(p Provider, q Query) string {
	if k, ok := p.(Keyer); ok {
		return k.CacheKey(q)
	}
	return q.Domain
}
