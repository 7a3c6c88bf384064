package enrich

import (
	"context"
	"fmt"
)

// Company is one entry of the local company directory, imported from a CSV file.
type Company struct {
	Domain    string // registrable domain, the lookup key
	Name      string
	Industry  string
	Country   string // ISO 3166 two-letter code, upper case
	Website   string
	City      string // kept for people reading the directory; leads have no city field to fill
	Employees float64
}

// Companies is what the directory provider needs from storage; the store implements it, tests use a map.
type Companies interface {
	CompanyByDomain(ctx context.Context, domain string) (Company, bool, error)
}

// Directory answers from the local company directory by the lead's company domain.
type Directory struct {
	Companies Companies
}

// NewDirectory returns the directory provider over c.
func NewDirectory(c Companies) *Directory { return &Directory{Companies: c} }

// Name is "directory".
func (d *Directory) Name() string { return "directory" }

// Lookup returns the company fields of q.Domain's entry, or nil when there is none (or no domain:
// a free-mail lead has no company to look up).
func (d *Directory) Lookup(ctx context.Context, q Query) (Fields, error) {
	if q.Domain == "" {
		return nil, nil
	}
	c, ok, err := d.Companies.CompanyByDomain(ctx, q.Domain)
	if err != nil {
		return nil, fmt.Errorf("directory lookup of %s: %w", q.Domain, err)
	}
	if !ok {
		return nil, nil
	}
	return c.Fields(), nil
}

// Fields maps the entry to lead fields, leaving out what the directory does not know. Zero employees
// counts as unknown: a company has at least one person, and an empty CSV cell reads as 0.
func (c Company) Fields() Fields {
	f := Fields{}
	for k, v := range map[string]string{"company": c.Name, "industry": c.Industry, "country": c.Country, "website": c.Website} {
		if v != "" {
			f[k] = v
		}
	}
	if c.Employees > 0 {
		f["employees"] = c.Employees
	}
	return f
}
