package enrich

import (
	"context"

	"github.com/salesflow/salesflow/internal/records"
)

// FreeMail flags personal addresses (gmail.com, mailinator.com …, see records.IsFreeMail). It fills no
// company fields, since such an address says nothing about an employer; its marker tells routing and
// scoring that the lead's company is unknown rather than missing from the directory.
type FreeMail struct{}

// Name is "free_mail".
func (FreeMail) Name() string { return "free_mail" }

// Lookup returns Fields{"free_mail": true} for an address at a free-mail domain (or a subdomain of
// one), else nil.
func (FreeMail) Lookup(_ context.Context, q Query) (Fields, error) {
	d := q.emailDomain()
	if d == "" {
		return nil, nil
	}
	if records.IsFreeMail(d) || records.IsFreeMail(records.RegistrableDomain(d)) {
		return Fields{FreeMailField: true}, nil
	}
	return nil, nil
}

// CacheKey is the address's domain: the answer depends on nothing else, and keeping whole addresses
// out of the cache keeps personal data out of it.
func (FreeMail) CacheKey(q Query) string { return q.emailDomain() }
