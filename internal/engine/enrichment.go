package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// EnrichStore gives the enrichment package the company directory and the answer cache, each read or
// written in a short transaction of its own: lookups run between a run's commits, never inside one.
type EnrichStore struct{ St *store.Store }

// CompanyByDomain reads the directory.
func (s EnrichStore) CompanyByDomain(ctx context.Context, domain string) (enrich.Company, bool, error) {
	var c store.Company
	var ok bool
	err := s.St.Read(ctx, func(tx *store.Tx) error {
		var err error
		c, ok, err = tx.CompanyByDomain(ctx, domain)
		return err
	})
	return enrich.Company{Domain: c.Domain, Name: c.Name, Industry: c.Industry, Country: c.Country, Website: c.Website,
		City: c.City, Employees: c.Employees}, ok, err
}

// Get reads a cached answer.
func (s EnrichStore) Get(ctx context.Context, provider, key string) (enrich.Fields, time.Time, bool, error) {
	var f map[string]any
	var at time.Time
	var ok bool
	err := s.St.Read(ctx, func(tx *store.Tx) error {
		var err error
		f, at, ok, err = tx.EnrichCached(ctx, provider, key)
		return err
	})
	return f, at, ok, err
}

// Put caches an answer.
func (s EnrichStore) Put(ctx context.Context, provider, key string, f enrich.Fields, at time.Time) error {
	return s.St.Write(ctx, func(tx *store.Tx) error { return tx.PutEnrichCached(ctx, provider, key, f, at) })
}

// enrichStep runs the enrich action in two parts, like an outside call: the lookup (which may ask an
// HTTP provider) happens between commits; the next segment merges the answers into the lead under the
// never-overwrite rule and records where each value came from.
func (s *segment) enrichStep(ctx context.Context, st *Step, with map[string]any) (flow, error) {
	if s.resultFor(st) {
		res := s.result
		s.result = nil
		out, err := s.mergeEnrichment(ctx, with, res)
		if err != nil {
			return flow{}, fmt.Errorf("step %s (enrich): %w", st.ID, err)
		}
		s.steps[st.ID] = out
		_, err = s.history(ctx, st, "done", res.input, out, nil, "")
		return flow{next: st.Next, commit: true, wrote: true}, err
	}
	if s.e.opts.Enricher == nil {
		return flow{}, permanent(fmt.Errorf("step %s (enrich): enrichment is not configured", st.ID))
	}
	q := enrich.NewQuery(text(s.rec["email"]), text(s.rec["company"]), text(s.rec["website"]))
	var only []string
	for _, p := range asList(with["providers"]) {
		only = append(only, fmt.Sprint(p))
	}
	if dry, _ := s.p.Plan["dry_run"].(bool); dry {
		only = localProviders(only) // a dry run sends nothing out, not even a lookup
	}
	c := &externalCall{stepID: st.ID, kind: "enrich", lookup: &q, only: only,
		input: map[string]any{"email": q.Email, "domain": q.Domain, "company": q.Company, "providers": only}}
	return flow{call: c}, nil
}

// localProviders narrows a provider list to those that ask nobody outside.
func localProviders(only []string) []string {
	if len(only) == 0 {
		return []string{"directory", "free_mail"}
	}
	var out []string
	for _, p := range only {
		if p != "http" {
			out = append(out, p)
		}
	}
	if out == nil {
		out = []string{"none"}
	}
	return out
}

func text(v any) string {
	s, _ := v.(string)
	return s
}

// lookup asks the providers (between commits).
func (e *Engine) lookup(ctx context.Context, c *externalCall) *callResult {
	res := &callResult{stepID: c.stepID, input: c.input}
	found, err := e.opts.Enricher.Lookup(ctx, *c.lookup, c.only)
	res.found = found
	if err != nil {
		var rl *enrich.RateLimitedError
		switch {
		case errors.As(err, &rl):
			res.err = &notify.RetryError{Err: err, After: rl.RetryAfter}
		case enrich.Retryable(err):
			res.err = err
		default: // a provider that can never answer this: keep what the others found, and say so
			res.lookupErr = err.Error()
		}
	}
	return res
}

// mergeEnrichment writes the answers into the lead: empty fields and fields enrichment filled before
// take the first provider's value; a value a person (or a workflow) set is kept unless overwrite.
func (s *segment) mergeEnrichment(ctx context.Context, with map[string]any, res *callResult) (map[string]any, error) {
	overwrite, _ := with["overwrite"].(bool)
	sources := map[string]enrich.Source{}
	if raw, ok := s.rec["enrichment"].(map[string]any); ok {
		b, _ := json.Marshal(raw)
		_ = json.Unmarshal(b, &sources)
	}
	patch, newSources, changes := enrich.Merge(map[string]any(s.rec), sources, res.found, overwrite)
	var srcs map[string]any
	b, _ := json.Marshal(newSources)
	_ = json.Unmarshal(b, &srcs)
	freeMail := false
	var answered []any
	for _, f := range res.found {
		if f.Fields[enrich.FreeMailField] == true {
			freeMail = true
		}
		answered = append(answered, map[string]any{"provider": f.Provider, "fields": map[string]any(f.Fields), "cached": f.Cached, "at": f.At})
	}
	var decided []any
	for _, c := range changes {
		decided = append(decided, map[string]any{"field": c.Field, "from": c.From, "to": c.To, "provider": c.Provider, "kept": c.Kept, "why": c.Why})
	}
	out := map[string]any{"fields": patch, "changes": decided, "answers": answered, "free_mail": freeMail}
	if res.lookupErr != "" {
		out["errors"] = res.lookupErr
	}
	if len(patch) == 0 {
		return out, nil
	}
	rec, err := s.e.crm.UpdateSystemTx(ctx, s.tx, s.actor, "lead", s.run.RecordID, patch, records.Values{"enrichment": srcs})
	if err != nil {
		return out, err
	}
	return out, s.changed(ctx, rec, patch)
}
