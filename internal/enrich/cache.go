package enrich

import (
	"context"
	"maps"
	"sync"
	"time"
)

// Cache keeps providers' answers so that re-enriching a lead, or enriching its colleagues, does not
// ask a paid or rate-limited service again. A negative answer is kept as empty Fields: "nothing
// known" is worth remembering too. Entries are returned with the time they were fetched; the
// Enricher decides whether that is still fresh.
type Cache interface {
	Get(ctx context.Context, provider, key string) (f Fields, at time.Time, ok bool, err error)
	Put(ctx context.Context, provider, key string, f Fields, at time.Time) error
}

// MemoryCache is a Cache in memory, for tests and single-process tools; the server uses the store.
// Entries are never evicted. The zero value is ready to use.
type MemoryCache struct {
	mu      sync.Mutex
	entries map[[2]string]cached
}

type cached struct {
	f  Fields
	at time.Time
}

// Get returns a copy of the entry, so callers may change what they got.
func (c *MemoryCache) Get(_ context.Context, provider, key string) (Fields, time.Time, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[[2]string{provider, key}]
	if !ok {
		return nil, time.Time{}, false, nil
	}
	return maps.Clone(e.f), e.at, true, nil
}

// Put stores a copy of f (nil as empty Fields).
func (c *MemoryCache) Put(_ context.Context, provider, key string, f Fields, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[[2]string]cached{}
	}
	cp := Fields{}
	maps.Copy(cp, f)
	c.entries[[2]string{provider, key}] = cached{cp, at}
	return nil
}
