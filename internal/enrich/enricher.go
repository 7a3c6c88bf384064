package enrich

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Enricher asks its providers about a lead, through the cache.
type Enricher struct {
	Providers []Provider // in order of precedence: Merge lets the first that supplies a field win
	Cache     Cache      // nil: no caching
	TTL       time.Duration
	Now       func() time.Time // nil: time.Now; tests inject a clock
}

// Found is one provider's answer. Fields is empty (not nil) when the provider knows nothing; At is when
// the answer was fetched, earlier than now when it came from the cache.
type Found struct {
	Provider string
	Fields   Fields
	At       time.Time
	Cached   bool
}

// Lookup asks the providers named in only (all when only is empty; names not configured, such as
// "http" without its environment, are skipped) in provider order. An answer cached for the same
// provider and key (the domain; the address's domain for free_mail) is used while younger than TTL;
// a fresh answer, including "nothing known", is cached. TTL 0 or a nil Cache disables caching.
//
// A failing provider does not stop the others: Lookup returns every answer it got together with the
// failures, each a *ProviderError naming its provider (errors.Join'ed), so the caller can merge what
// was found and retry only the failed providers when Retryable says so. A failure to store an answer
// in the cache is reported the same way, the answer itself kept. When ctx ends, Lookup stops asking.
func (e *Enricher) Lookup(ctx context.Context, q Query, only []string) ([]Found, error) {
	var found []Found
	var errs []error
	for _, p := range e.Providers {
		name := p.Name()
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("enrich: stopped before %s: %w", name, err))
			break
		}
		f, err := e.ask(ctx, p, q)
		if err != nil {
			errs = append(errs, &ProviderError{Provider: name, Err: err})
		}
		if f != nil {
			found = append(found, *f)
		}
	}
	return found, errors.Join(errs...)
}

// ask gets one provider's answer from the cache or the provider. It may return an answer together with
// an error (the answer could not be cached).
func (e *Enricher) ask(ctx context.Context, p Provider, q Query) (*Found, error) {
	name, key := p.Name(), cacheKey(p, q)
	caching := e.Cache != nil && e.TTL > 0 && key != ""
	now := e.now()
	if caching {
		f, at, ok, err := e.Cache.Get(ctx, name, key)
		if err != nil {
			return nil, fmt.Errorf("read cache: %w", err)
		}
		if ok && now.Sub(at) < e.TTL {
			if f == nil {
				f = Fields{}
			}
			return &Found{Provider: name, Fields: f, At: at, Cached: true}, nil
		}
	}
	f, err := p.Lookup(ctx, q)
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = Fields{}
	}
	found := &Found{Provider: name, Fields: f, At: now}
	if caching {
		if err := e.Cache.Put(ctx, name, key, f, now); err != nil {
			return found, fmt.Errorf("write cache: %w", err)
		}
	}
	return found, nil
}

func (e *Enricher) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
