package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Company is an entry of the local company directory (S1).
type Company struct {
	Domain, Name, Industry, Country, Website, City string
	Employees                                      float64
}

// UpsertCompany adds or replaces a directory entry by domain; it reports whether the entry is new.
func (t *Tx) UpsertCompany(ctx context.Context, c Company, now time.Time) (bool, error) {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM companies WHERE domain = $1`, c.Domain).Scan(&one)
	isNew := errors.Is(err, sql.ErrNoRows)
	if err != nil && !isNew {
		return false, fmt.Errorf("read company %s: %w", c.Domain, err)
	}
	var emp any
	if c.Employees > 0 {
		emp = c.Employees
	}
	_, err = t.exec(ctx, `INSERT INTO companies (domain, name, industry, employees, country, website, city, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (domain) DO UPDATE SET name = excluded.name, industry = excluded.industry, employees = excluded.employees,
		country = excluded.country, website = excluded.website, city = excluded.city, updated_at = excluded.updated_at`,
		c.Domain, c.Name, c.Industry, emp, c.Country, c.Website, c.City, t.d.TimeArg(now))
	if err != nil {
		return false, fmt.Errorf("store company %s: %w", c.Domain, err)
	}
	return isNew, nil
}

// CompanyByDomain reads a directory entry.
func (t *Tx) CompanyByDomain(ctx context.Context, domain string) (Company, bool, error) {
	var c Company
	var emp sql.NullFloat64
	err := t.queryRow(ctx, `SELECT domain, name, industry, employees, country, website, city FROM companies WHERE domain = $1`, domain).
		Scan(&c.Domain, &c.Name, &c.Industry, &emp, &c.Country, &c.Website, &c.City)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read company %s: %w", domain, err)
	}
	c.Employees = emp.Float64
	return c, true, nil
}

// CountCompanies counts the directory's entries.
func (t *Tx) CountCompanies(ctx context.Context) (int, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM companies`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count companies: %w", err)
	}
	return n, nil
}

// ClearEnrichCache forgets a provider's cached answers (after a directory import, so the new entries
// are seen at once).
func (t *Tx) ClearEnrichCache(ctx context.Context, provider string) error {
	if _, err := t.exec(ctx, `DELETE FROM enrich_cache WHERE provider = $1`, provider); err != nil {
		return fmt.Errorf("clear enrichment cache: %w", err)
	}
	return nil
}

// EnrichCached reads a cached enrichment answer.
func (t *Tx) EnrichCached(ctx context.Context, provider, key string) (map[string]any, time.Time, bool, error) {
	var data string
	var at any
	err := t.queryRow(ctx, `SELECT data, fetched_at FROM enrich_cache WHERE provider = $1 AND key = $2`, provider, key).Scan(&data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("read enrichment cache: %w", err)
	}
	var f map[string]any
	if err := json.Unmarshal([]byte(data), &f); err != nil {
		return nil, time.Time{}, false, fmt.Errorf("decode enrichment cache: %w", err)
	}
	tm, err := timeFromDB(at)
	return f, tm, err == nil, err
}

// PutEnrichCached stores an enrichment answer.
func (t *Tx) PutEnrichCached(ctx context.Context, provider, key string, f map[string]any, at time.Time) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode enrichment cache: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO enrich_cache (provider, key, data, fetched_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (provider, key) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at`, provider, key, string(b), t.d.TimeArg(at))
	if err != nil {
		return fmt.Errorf("store enrichment cache: %w", err)
	}
	return nil
}
